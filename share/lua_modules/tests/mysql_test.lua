-- Tests of lua_modules/mysql.lua: slow query log entries -> message tables.
local T = require "testlib"
local lpeg = require "lpeg" -- C LPeg defines the global lpeg itself
local before = T.globals()
local mysql = require "mysql"
T.no_new_globals("require mysql", before)

local function s(v) return {value = v, representation = "s"} end

local mysql_entry = [[
# Time: 140507 11:24:12
# User@Host: syncrw[syncrw] @  [127.0.0.1]
# Query_time: 2.964652  Lock_time: 0.000050 Rows_sent: 251  Rows_examined: 9773
use widgets;
SET last_insert_id=999,insert_id=1000,timestamp=1399500744;
# administrator command: Prepare;
/* [queryName=FIND_ITEMS] */ SELECT *
FROM widget
WHERE id = 10;
]]
local mysql_fields = {Query_time = s(2.964652), Lock_time = s(0.00005), Rows_sent = 251,
                      Rows_examined = 9773}
local payload = "/* [queryName=FIND_ITEMS] */ SELECT *\nFROM widget\nWHERE id = 10;\n"

local mariadb_entry = [[
# User@Host: root[root] @ localhost []
# Thread_id: 42  Schema: shop  QC_hit: No
# Query_time: 0.000214  Lock_time: 0.000086  Rows_sent: 1  Rows_examined: 0
# Full_scan: No  Full_join: No  Tmp_table: Yes  Tmp_table_on_disk: No
# Filesort: No  Filesort_on_disk: No  Merge_passes: 0
SET timestamp=1399500745;
select 1;]]
local mariadb_fields = {Thread_id = 42, Schema = "shop", QC_hit = "No", Query_time = s(0.000214),
                        Lock_time = s(0.000086), Rows_sent = 1, Rows_examined = 0,
                        Full_scan = "No", Full_join = "No", Tmp_table = "Yes",
                        Tmp_table_on_disk = "No", Filesort = "No", Filesort_on_disk = "No",
                        Merge_passes = 0}

-- grammar, entry, expected (false: no match)
local cases = {
    {"mysql", mysql.slow_query_grammar, mysql_entry,
     {Hostname = "127.0.0.1", Username = "syncrw", Last_insert = 999, Insert_id = 1000,
      Timestamp = "1399500744000000000", Payload = payload, Fields = mysql_fields}},
    {"mysql no time line", mysql.slow_query_grammar,
     "# User@Host: app[app] @ db1.example.com [10.0.0.5]\n# Query_time: 1.5  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\nDELETE FROM t;",
     {Hostname = "10.0.0.5", Username = "app", Timestamp = "1000000000", Payload = "DELETE FROM t;",
      Fields = {Query_time = s(1.5), Lock_time = s(0), Rows_sent = 0, Rows_examined = 0}}},
    {"mysql host name only", mysql.slow_query_grammar,
     "# User@Host: root[root] @ localhost []\n# Query_time: 1.5  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\nDELETE FROM t;",
     {Hostname = "localhost", Username = "root", Timestamp = "1000000000", Payload = "DELETE FROM t;",
      Fields = {Query_time = s(1.5), Lock_time = s(0), Rows_sent = 0, Rows_examined = 0}}},
    {"mysql short", mysql.short_slow_query_grammar,
     "# Query_time: 0.5  Lock_time: 0.1 Rows_sent: 2  Rows_examined: 3\nuse a;\nuse b;\nSET insert_id=7,timestamp=2;\nSELECT 1;\n# Time: next",
     {Insert_id = 7, Timestamp = "2000000000", Payload = "SELECT 1;\n",
      Fields = {Query_time = s(0.5), Lock_time = s(0.1), Rows_sent = 2, Rows_examined = 3}}},
    {"mariadb", mysql.mariadb_slow_query_grammar, mariadb_entry,
     {Hostname = "localhost", Username = "root", Timestamp = "1399500745000000000", Payload = "select 1;",
      Fields = mariadb_fields}},
    {"mariadb short without plan", mysql.mariadb_short_slow_query_grammar,
     "# Thread_id: 7  Schema:   QC_hit: Yes\n# Query_time: 1.0  Lock_time: 0.5  Rows_sent: 1  Rows_examined: 1\nSET timestamp=3;\nselect 2;",
     {Timestamp = "3000000000", Payload = "select 2;",
      Fields = {Thread_id = 7, Schema = "", QC_hit = "Yes", Query_time = s(1), Lock_time = s(0.5),
                Rows_sent = 1, Rows_examined = 1}}},
    {"mysql grammar on mariadb", mysql.slow_query_grammar, mariadb_entry, false},
    {"no statement end", mysql.short_slow_query_grammar,
     "# Query_time: 0.5  Lock_time: 0.1 Rows_sent: 2  Rows_examined: 3\nSET timestamp=2;\nSELECT 1", false},
    {"no SET line", mysql.short_slow_query_grammar,
     "# Query_time: 0.5  Lock_time: 0.1 Rows_sent: 2  Rows_examined: 3\nSELECT 1;", false},
    {"integer times", mysql.short_slow_query_grammar,
     "# Query_time: 5  Lock_time: 0.1 Rows_sent: 2  Rows_examined: 3\nSET timestamp=2;\nSELECT 1;", false},
    {"empty", mysql.slow_query_grammar, "", false},
}
for _, c in ipairs(cases) do
    local got = c[2]:match(c[3])
    if c[4] == false then T.eq(c[1], got, nil) else T.eq(c[1], got, c[4]) end
end

T.no_new_globals("after use", before)
T.done()
