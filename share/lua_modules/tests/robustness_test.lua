-- Bad input never raises a Lua error (a decoder's error stops hekad): every
-- grammar of the modules is fed every prefix of a valid line, the line with
-- each byte replaced, and deterministic pseudo-random bytes; it must give
-- nil or a table, and time_to_ns of a timestamp table must give a number.
local T = require "testlib"
local string = require "string"
local table = require "table"
local math = require "math"
local lpeg = require "lpeg"
local dt = require "date_time"
local clf = require "common_log_format"
local syslog = require "syslog"
local cbufd = require "cbufd"
local mysql = require "mysql"
local ip = require "ip_address"

local function timestamp(g) return {g, true} end
local function fields(g) return {g, false} end

-- grammar (and whether its table is a timestamp), valid sample line
local grammars = {
    {timestamp(dt.rfc3339), "1999-05-05T23:23:59.217-07:00"},
    {timestamp(dt.clf_timestamp), "10/Oct/2014:13:55:36 -0700"},
    {timestamp(dt.rfc3164_timestamp), "Feb  5 17:32:18"},
    {timestamp(dt.mysql_timestamp), "20150102030405"},
    {timestamp(dt.pgsql_timestamp), "2015-01-02 03:04:05"},
    {timestamp(dt.build_strftime_grammar("%a, %d %b %Y %T %Z")), "Thu, 03 Mar 2005 23:05:25 GMT"},
    {timestamp(dt.build_strftime_grammar("%Y %j %I:%M %p %z")), "2015 060 03:04 PM +0100"},
    {timestamp(dt.build_strftime_grammar("%H:%M")), "10:11"},
    {timestamp(dt.build_strftime_grammar("%s")), "1420167845"},
    {fields(clf.build_nginx_grammar('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"')),
     '127.0.0.1 - - [10/Oct/2014:13:55:36 -0700] "GET /x HTTP/1.1" 404 571 "http://example.com/" "Mozilla/5.0 (X11)"'},
    {fields(clf.build_nginx_grammar('$msec $request_time $upstream_addr $upstream_status $upstream_response_time $upstream_response_length $upstream_cache_last_modified $time_iso8601')),
     '1412949336.250 0.005 10.0.0.1:80, 10.0.0.2:80 502, 200 0.001, 0.250 0, 512 Thu, 03 Mar 2005 23:05:25 GMT 2015-06-01T12:30:45+02:00'},
    {fields(clf.build_apache_grammar([[%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" %D %{%Y-%m-%d}t %{msec}t %{hextid}P]])),
     '::1 - frank [10/Oct/2014:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "curl/7" 1500 2015-06-01 1433154645123 ff'},
    {fields(clf.nginx_error_grammar), '2014/04/28 20:05:47 [error] 32210#0: *1 open() failed'},
    {fields(syslog.build_rsyslog_grammar([[%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n]])),
     "Feb  5 17:32:18 web1 sshd[811]: Accepted publickey\n"},
    {fields(syslog.build_rsyslog_grammar([[<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%\n]])),
     '<165>1 2003-10-11T22:14:15.003Z host app - ID47 [id@1 a="b\\"c"] msg\n'},
    {fields(syslog.build_rsyslog_grammar([[%timegenerated:::date-mysql% %timereported:::date-unixtimestamp% %pri-text% %fromhost-ip%]])),
     "20150102030405 1420167845 daemon.info<30> 10.1.1.1"},
    {fields(cbufd.grammar), '{"time":1}\n60\t1.5\tnan\n120\t-2\t3\n'},
    {fields(lpeg.Ct(lpeg.C(ip.v6))), "2001:db8::ffff:1.2.3.4"},
    {fields(mysql.slow_query_grammar),
     "# Time: 140507 11:24:12\n# User@Host: u[u] @ h [1.2.3.4]\n# Query_time: 2.9  Lock_time: 0.1 Rows_sent: 2  Rows_examined: 9\nuse w;\nSET insert_id=1,timestamp=1399500744;\nSELECT 1;\n"},
    {fields(mysql.mariadb_short_slow_query_grammar),
     "# Thread_id: 7  Schema: s  QC_hit: Yes\n# Query_time: 1.0  Lock_time: 0.5  Rows_sent: 1  Rows_examined: 1\n# Full_scan: No  Full_join: No  Tmp_table: Yes  Tmp_table_on_disk: No\n# Filesort: No  Filesort_on_disk: No  Merge_passes: 0\nSET timestamp=3;\nselect 2;"},
}

-- a deterministic byte generator (a linear congruential generator)
local seed = 12345
local function next_byte()
    seed = (seed * 1103515245 + 12345) % 2147483648
    return math.floor(seed / 65536) % 256
end

local checked = 0
local function check(i, g, is_time, input)
    local ok, t = pcall(lpeg.match, g, input)
    if not ok then error(string.format("grammar %d raised %s on %q", i, tostring(t), input)) end
    if t ~= nil and type(t) ~= "table" then
        error(string.format("grammar %d gave a %s on %q", i, type(t), input))
    end
    if is_time and t then
        local ok2, ns = pcall(dt.time_to_ns, t)
        if not ok2 or type(ns) ~= "number" then
            error(string.format("time_to_ns raised %s for grammar %d on %q", tostring(ns), i, input))
        end
    end
    checked = checked + 1
end

for i, c in ipairs(grammars) do
    local g, is_time, line = c[1][1], c[1][2], c[2]
    T.eq("grammar " .. i .. " matches its sample", type(lpeg.match(g, line)), "table")
    for n = 0, #line do check(i, g, is_time, string.sub(line, 1, n)) end
    for pos = 1, #line do
        for _, b in ipairs({"", " ", "-", "\0", "9", "\255", '"', "%"}) do
            check(i, g, is_time, string.sub(line, 1, pos - 1) .. b .. string.sub(line, pos + 1))
        end
    end
    for _ = 1, 50 do
        local bytes = {}
        for k = 1, next_byte() % 64 do bytes[k] = string.char(next_byte()) end
        check(i, g, is_time, table.concat(bytes))
    end
end
T.eq("inputs checked", checked > 5000, true)

-- the user agent normalizer takes any string
for _ = 1, 200 do
    local bytes = {}
    for k = 1, next_byte() % 80 do bytes[k] = string.char(next_byte()) end
    local ok, err = pcall(clf.normalize_user_agent, table.concat(bytes))
    if not ok then error("normalize_user_agent raised " .. tostring(err)) end
end
T.done()
