-- Tests of lua_decoders/mysql_slow_query.lua on MySQL slow query log entries.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/mysql_slow_query.lua"
local entry = [[
# Time: 140507 11:24:12
# User@Host: syncrw[syncrw] @  [127.0.0.1]
# Query_time: 2.964652  Lock_time: 0.000050 Rows_sent: 251  Rows_examined: 9773
SET timestamp=1399500744;
/* [queryName=FIND_ITEMS] */ SELECT * FROM widget WHERE id = 10;
]]
local sql = "/* [queryName=FIND_ITEMS] */ SELECT * FROM widget WHERE id = 10;\n"
local function s(v) return {value = v, representation = "s"} end
local function want(payload)
    return {{Type = "mysql.slow-query", Hostname = "127.0.0.1", Username = "syncrw",
             Timestamp = "1399500744000000000", Payload = payload,
             Fields = {Query_time = s(2.964652), Lock_time = s(0.00005), Rows_sent = 251,
                       Rows_examined = 9773}}}
end

S.run_cases(T, plugin, {
    {"entry", {}, entry, 0, want(sql)},
    {"truncate", {truncate_sql = 9}, entry, 0, want("/* [query...")},
    {"short enough", {truncate_sql = 200}, entry, 0, want(sql)},
    {"negative", {truncate_sql = -3}, entry, 0, want(string.sub(sql, 1, -3) .. "...")},
    {"mariadb entry", {}, "# User@Host: root[root] @ localhost []\n# Thread_id: 42  Schema: shop  QC_hit: No\n# Query_time: 0.1  Lock_time: 0.1  Rows_sent: 1  Rows_examined: 0\nSET timestamp=1;\nselect 1;", -1, {}},
    {"not an entry", {}, "hello", -1, {}},
    {"no payload", {}, nil, -1, {}},
})
T.done()
