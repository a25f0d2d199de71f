--[[
MariaDB slow query log decoder.

Parses one MariaDB slow query log entry per Payload (split the log with a
RegexSplitter on the "# User@Host:" lines, see the sample) and injects a
message of Type "mariadb.slow-query":
- Timestamp: from the entry's "SET timestamp=" statement
- Hostname: the client host (its address when the entry gives one)
- Payload: the SQL statement(s), optionally truncated
- Fields: Query_time and Lock_time (doubles, representation "s"),
  Rows_sent, Rows_examined, and MariaDB's
  Thread_id, Schema, QC_hit and query plan items (Full_scan, Tmp_table, ...)
A Payload that is not such an entry fails to decode (-1).

Config:
- truncate_sql (int, optional, default nil)
    Cut the SQL Payload to this many bytes (not UTF-8 aware) and append
    "..."; a negative value n keeps all but the last -n - 1 bytes (as
    string.sub(sql, 1, n)). nil: no truncation.

*Example Heka Configuration*

    [SlowQueryLog]
    type = "LogstreamerInput"
    log_directory = "/var/log/mysql"
    file_match = 'mariadb-slow\.log'
    splitter = "SlowQuerySplitter"
    decoder = "SlowQueryDecoder"

    [SlowQuerySplitter]
    type = "RegexSplitter"
    delimiter = '\n(# User@Host:)'
    delimiter_eol = false

    [SlowQueryDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/mariadb_slow_query.lua"

    [SlowQueryDecoder.config]
    truncate_sql = 64
--]]

local string = require "string"
local mysql = require "mysql"

local truncate_sql = read_config("truncate_sql")

function process_message()
    local entry = read_message("Payload")
    if type(entry) ~= "string" then return -1 end
    local msg = mysql.mariadb_slow_query_grammar:match(entry)
    if msg == nil then return -1 end
    msg.Type = "mariadb.slow-query"
    if truncate_sql and #msg.Payload > truncate_sql then
        msg.Payload = string.sub(msg.Payload, 1, truncate_sql) .. "..."
    end
    inject_message(msg)
    return 0
end
