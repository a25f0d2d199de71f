-- Tests of lua_decoders/mariadb_slow_query.lua on MariaDB slow query log entries.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/mariadb_slow_query.lua"
local entry = [[
# User@Host: root[root] @ localhost []
# Thread_id: 42  Schema: shop  QC_hit: No
# Query_time: 0.000214  Lock_time: 0.000086  Rows_sent: 1  Rows_examined: 0
SET timestamp=1399500745;
select 1;]]
local function s(v) return {value = v, representation = "s"} end
local function want(payload)
    return {{Type = "mariadb.slow-query", Hostname = "localhost", Username = "root",
             Timestamp = "1399500745000000000", Payload = payload,
             Fields = {Thread_id = 42, Schema = "shop", QC_hit = "No", Query_time = s(0.000214),
                       Lock_time = s(0.000086), Rows_sent = 1, Rows_examined = 0}}}
end

S.run_cases(T, plugin, {
    {"entry", {}, entry, 0, want("select 1;")},
    {"truncate", {truncate_sql = 6}, entry, 0, want("select...")},
    {"mysql entry", {}, "# User@Host: a[a] @ h []\n# Query_time: 1.5  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\nDELETE FROM t;", -1, {}},
    {"no payload", {}, nil, -1, {}},
})
T.done()
