-- Tests of lua_filters/memstats.lua: stats.memstats messages -> cbuf graph.
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/memstats.lua"
local t0 = 1400000040e9
local function kB(n) return {value = n, representation = "kB"} end
local fields = {MemFree = kB(100), Cached = kB(200), Active = kB(300), Inactive = kB(400),
                VmallocUsed = kB(500), Shmem = kB(600), SwapCached = kB(700),
                SwapFree = kB(800), SwapTotal = kB(1000)}
local p = S.load(plugin, {rows = 2, sec_per_row = 60})
T.eq("message", p.process({Timestamp = t0, Fields = fields}), 0)
local partial = S.copy(fields)
partial.SwapTotal = nil
T.eq("no SwapTotal", p.process({Timestamp = t0 + 60e9, Fields = partial}), -1)
p.timer(t0 + 60e9)
local cols = {}
for _, n in ipairs({"MemFree", "Cached", "Active", "Inactive", "VmallocUsed", "Shmem", "SwapCached",
                    "SwapFree", "SwapUsed"}) do
    cols[#cols + 1] = '{"name":"' .. n .. '","unit":"Count","aggregation":"max"}'
end
T.eq("graph", p.injected, {{payload_type = "cbuf", payload_name = "Memory Stats",
    Payload = '{"time":1400000040,"rows":2,"columns":9,"seconds_per_row":60,"column_info":[' ..
        table.concat(cols, ",") .. ']}\n' ..
        "100\t200\t300\t400\t500\t600\t700\t800\t200\n" ..
        "100\t200\t300\t400\t500\t600\t700\tnan\tnan\n"}})
T.done()
