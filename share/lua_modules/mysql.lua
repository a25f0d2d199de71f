-- mysql: grammars for MySQL and MariaDB slow query log entries. hekad's
-- implementation of Heka's lua_modules/mysql.lua, used by
-- lua_decoders/mysql_slow_query.lua and mariadb_slow_query.lua.
--
-- slow_query_grammar               a MySQL entry: "# Time:" line (optional),
--                                  "# User@Host:", "# Query_time:", "use db;"
--                                  lines, "SET timestamp=...;", "#
--                                  administrator command:" lines, the SQL
-- mariadb_slow_query_grammar       the same with MariaDB's "# Thread_id:"
--                                  line and optional "# Full_scan:" block
-- short_slow_query_grammar         a MySQL entry from "# Query_time:" on
-- mariadb_short_slow_query_grammar a MariaDB entry from "# Thread_id:" on
--
-- Each captures a table for inject_message:
--   {Hostname = "127.0.0.1", Username = "user", Timestamp = "<ns, as a string>",
--    Last_insert = n, Insert_id = n (when in the SET line),
--    Payload = "the SQL text, up to and including the ; that ends a line",
--    Fields = {Query_time = {value = 2.96, representation = "s"},
--              Lock_time = {value = 0.00005, representation = "s"},
--              Rows_sent = n, Rows_examined = n,
--              MariaDB: Thread_id = n, Schema = "db", QC_hit = "Yes"|"No",
--              Full_scan, Full_join, Tmp_table, Tmp_table_on_disk, Filesort,
--              Filesort_on_disk = "Yes"|"No", Merge_passes = n}}
-- (no Hostname and Username in the short forms).
--
-- Example:
--   local mysql = require "mysql"
--   local msg = mysql.slow_query_grammar:match(payload)
--   if msg then msg.Type = "mysql.slow-query"; inject_message(msg) end

local lpeg = require "lpeg"
local P, R, S, C, Cc, Cg, Ct = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cg, lpeg.Ct
local tonumber = tonumber

local M = {}

local digit = R"09"
local alnum = R("az", "AZ", "09")
local space = S" \t\n\v\f\r"
local spaces = space^1
local nl = P"\n"
local rest_of_line = (1 - nl)^0 * nl

local integer = (P"-"^-1 * digit^1) / tonumber
local seconds = Ct(Cg((digit^1 * "." * digit^1) / tonumber, "value") * Cg(Cc"s", "representation"))
local yes_no = C(P"Yes" + "No")
local name = (alnum + S"-._~")^0

-- "# Time: 140507 11:24:12"
local time_line = "# Time: " * rest_of_line

-- "# User@Host: user[user] @ host [10.1.1.1]": the host is the bracketed
-- address, else the name before it
local user_part = (1 - S"[]")^0 * "[" * Cg((1 - S"[]")^0, "Username") * "]"
local host_name = (alnum + S".-")^1
local host_part = Cg(host_name, "Hostname") * space^0 * "[" * (Cg((1 - P"]")^1, "Hostname"))^-1 * "]"
                + space^0 * "[" * Cg((1 - P"]")^1, "Hostname") * "]"
local user_line = "# User@Host: " * user_part * spaces * "@" * spaces * host_part * nl

-- "# Query_time: 2.964652  Lock_time: 0.000050 Rows_sent: 251  Rows_examined: 9773"
local query_line = "# Query_time: " * Cg(seconds, "Query_time")
                 * spaces * "Lock_time: " * Cg(seconds, "Lock_time")
                 * spaces * "Rows_sent: " * Cg(integer, "Rows_sent")
                 * spaces * "Rows_examined: " * Cg(integer, "Rows_examined") * nl

-- MariaDB: "# Thread_id: 42  Schema: db  QC_hit: No"
local thread_line = "# Thread_id: " * Cg(integer, "Thread_id")
                  * "  Schema: " * Cg(name, "Schema")
                  * "  QC_hit: " * Cg(yes_no, "QC_hit") * nl

-- MariaDB: the query plan lines
local plan_lines = "# Full_scan: " * Cg(yes_no, "Full_scan")
                 * "  Full_join: " * Cg(yes_no, "Full_join")
                 * "  Tmp_table: " * Cg(yes_no, "Tmp_table")
                 * "  Tmp_table_on_disk: " * Cg(yes_no, "Tmp_table_on_disk") * nl
                 * "# Filesort: " * Cg(yes_no, "Filesort")
                 * "  Filesort_on_disk: " * Cg(yes_no, "Filesort_on_disk")
                 * "  Merge_passes: " * Cg(integer, "Merge_passes") * nl

local use_line = "use " * rest_of_line

-- "SET last_insert_id=1,insert_id=2,timestamp=1399500744;"
local set_line = "SET " * ("last_insert_id=" * Cg(integer, "Last_insert") * ",")^0
               * ("insert_id=" * Cg(integer, "Insert_id") * ",")^0
               * "timestamp=" * Cg(digit^1 / "%0000000000", "Timestamp") * ";" * nl

local admin_line = "# administrator command: " * rest_of_line

-- the statement: up to a ";" at the end of a line or of the entry
local statement_end = ";" * (nl + -1)
local statement = Cg((1 - statement_end)^0 * statement_end, "Payload")

local tail = use_line^0 * set_line * admin_line^0 * statement

local mysql_fields = Cg(Ct(query_line), "Fields")
local mariadb_fields = Cg(Ct(thread_line * query_line * plan_lines^0), "Fields")

M.slow_query_grammar = Ct(time_line^0 * user_line * mysql_fields * tail)
M.mariadb_slow_query_grammar = Ct(time_line^0 * user_line * mariadb_fields * tail)
M.short_slow_query_grammar = Ct(mysql_fields * tail)
M.mariadb_short_slow_query_grammar = Ct(mariadb_fields * tail)

return M
