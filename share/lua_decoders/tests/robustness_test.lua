-- Every decoder on input its grammar does not match: process_message must
-- return -1 (a failed decode), never raise a Lua error, which would be
-- fatal for a decoder in the sandbox.
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local decoders = {
    {"nginx_access", {log_format = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent'}},
    {"apache_access", {log_format = '%h %l %u %t \\"%r\\" %>s %b'}},
    {"rsyslog", {template = [[%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n]]}},
    {"nginx_error", {}},
    {"json", {map_fields = true, Timestamp = "t", timestamp_format = "%Y"}},
    {"graylog_extended", {}},
    {"linux_procstat", {}},
    {"linux_loadavg", {}},
    {"linux_memstats", {}},
    {"linux_diskstats", {}},
    {"linux_netdev", {}},
    {"linux_netstat", {}},
    {"mysql_slow_query", {truncate_sql = 5}},
    {"mariadb_slow_query", {}},
    {"nginx_stub_status", {}},
}

local bad = {"", " ", "\n", "x", "\0\0\0", "{", "}", '"', "a b c", "-", "%", "\\",
             "2014/04/28 20:05:47 [error]", "Inter-|", "Ip: a\nIp: x\n",
             string.rep("a", 10000), string.rep("9", 400), string.rep("{", 200)}
-- a deterministic pseudo-random generator, so failures repeat
local seed = 42
local function rand(n)
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
end
for _ = 1, 50 do
    local chars = {}
    for i = 1, rand(80) do chars[i] = string.char(rand(256)) end
    bad[#bad + 1] = table.concat(chars)
end

for _, d in ipairs(decoders) do
    local p = S.load("lua_decoders/" .. d[1] .. ".lua", d[2])
    for i, payload in ipairs(bad) do
        local ok, rc = pcall(p.process, {Payload = payload})
        if not ok then error(string.format("%s on bad input %d: Lua error %s", d[1], i, tostring(rc))) end
        if rc ~= -1 then error(string.format("%s on bad input %d (%q): returned %s", d[1], i, payload, tostring(rc))) end
    end
    local ok, rc = pcall(p.process, {})
    T.eq(d[1] .. " without a Payload", {ok, rc}, {true, -1})
end
T.done()
