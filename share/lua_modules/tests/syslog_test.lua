-- Tests of lua_modules/syslog.lua: rsyslog template + line -> fields,
-- checked by hand against rsyslog's template and property definitions.
local T = require "testlib"
local lpeg = require "lpeg" -- C LPeg defines the global lpeg itself
local os = require "os"
local before = T.globals()
local syslog = require "syslog"
local dt = require "date_time"
T.no_new_globals("require syslog", before)

local this_year = os.date("!%Y")
local function rfc3164_ns(month, day, hour, min, sec)
    return dt.time_to_ns({year = this_year, month = month, day = day, hour = hour, min = min, sec = sec})
end

-- the templates as they appear in rsyslog.conf and Heka configs (escapes
-- not yet replaced)
local traditional = [[%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n]]
local file_format = [[%TIMESTAMP:::date-rfc3339% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n]]
local protocol23 = [[<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%\n]]

-- template, line, expected fields (false: no match), ns tolerance for a
-- fractional timestamp
local cases = {
    {"traditional", traditional,
     "Feb  5 17:32:18 web1 sshd[811]: Accepted publickey for root from 10.0.0.1 port 50000 ssh2\n",
     {timestamp = rfc3164_ns(2, 5, 17, 32, 18), hostname = "web1",
      syslogtag = {programname = "sshd", pid = 811},
      msg = "Accepted publickey for root from 10.0.0.1 port 50000 ssh2"}},
    {"traditional no pid", traditional, "Oct 11 22:14:15 mymachine kernel: [  12.345] eth0: link up\n",
     {timestamp = rfc3164_ns(10, 11, 22, 14, 15), hostname = "mymachine",
      syslogtag = {programname = "kernel"}, msg = "[  12.345] eth0: link up"}},
    {"traditional empty msg", traditional, "Oct 11 22:14:15 host CRON[9]: \n",
     {timestamp = rfc3164_ns(10, 11, 22, 14, 15), hostname = "host",
      syslogtag = {programname = "CRON", pid = 9}, msg = ""}},
    {"traditional no newline", traditional, "Oct 11 22:14:15 host CRON[9]: x", false},
    {"traditional bad time", traditional, "Oct 11 22:14 host CRON[9]: x\n", false},
    {"file format", file_format, "2015-06-01T12:30:45.5+02:00 db2 postgres[42]: checkpoint starting\n",
     {timestamp = 1433154645.5e9, hostname = "db2", syslogtag = {programname = "postgres", pid = 42},
      msg = "checkpoint starting"}, 1000},
    {"protocol 23", protocol23,
     '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...\n',
     {pri = {facility = 20, severity = 5}, timestamp = 1065910455.003e9,
      hostname = "mymachine.example.com", ["app-name"] = "evntslog", procid = "-", msgid = "ID47",
      ["structured-data"] = {id = "exampleSDID@32473", _iut = "3", _eventSource = "Application",
                             _eventID = "1011"},
      msg = "An application event log entry..."}, 1000},
    {"protocol 23 no sd", protocol23,
     '<34>1 2003-10-11T22:14:15Z - su 77 - - \'su root\' failed for lonvick on /dev/pts/8\n',
     {pri = {facility = 4, severity = 2}, timestamp = 1065910455e9, hostname = "-",
      ["app-name"] = "su", procid = "77", msgid = "-", ["structured-data"] = {},
      msg = "'su root' failed for lonvick on /dev/pts/8"}},
    {"sd escapes", "%STRUCTURED-DATA%", '[x@1 a="q\\"uote\\]" b=""]',
     {["structured-data"] = {id = "x@1", _a = 'q"uote]', _b = ""}}},
    {"text properties", [[%timegenerated:::date-mysql% %fromhost-ip% %syslogfacility-text%.%syslogseverity-text% %syslogfacility% %syslogseverity% %syslogpriority-text% %programname% %$year%-%$month%-%$day% %iut% %protocol-version% %timereported:::date-unixtimestamp%]],
     "20150102030405 10.0.0.7 local0.warning 16 4 ERR myapp 2015-01-02 1 1 1420167845",
     {timegenerated = 1420167845e9, ["fromhost-ip"] = "10.0.0.7", ["syslogfacility-text"] = 16,
      ["syslogseverity-text"] = 4, syslogfacility = 16, syslogseverity = 4,
      ["syslogpriority-text"] = 3, programname = "myapp", ["$year"] = "2015", ["$month"] = "01",
      ["$day"] = "02", iut = "1", ["protocol-version"] = "1", timestamp = 1420167845e9}},
    {"pri-text", "%pri-text% %msg%", "authpriv.info<86> hello\n",
     {["pri-text"] = 10, msg = "hello"}},
    {"pgsql and subseconds", "%timegenerated:::date-pgsql%.%timereported:::date-subseconds%",
     "2015-01-02 03:04:05.250", {timegenerated = 1420167845e9, timestamp = 250}},
    {"date option list", "%TIMESTAMP:::date-utc,date-rfc3339%", "2015-01-02T03:04:05Z",
     {timestamp = 1420167845e9}},
    {"quoted msg", '%HOSTNAME% \\"%msg%\\"', 'h1 "hello world" tail',
     {hostname = "h1", msg = "hello world"}},
    {"template tab", "%HOSTNAME%\t%programname%", "h1 app", {hostname = "h1", programname = "app"}},
    {"ipv6 source", "%fromhost-ip% %source%", "2001:db8::7 relay", {["fromhost-ip"] = "2001:db8::7", source = "relay"}},
    {"escapes", [[\x%HOSTNAME% \101\%]], "\\xh1 e%", {hostname = "h1"}},
}

for _, c in ipairs(cases) do
    local name, template, line, want, tol = c[1], c[2], c[3], c[4], c[5]
    local got = syslog.build_rsyslog_grammar(template):match(line)
    if want == false then
        T.eq(name, got, nil)
    else
        if tol then
            T.near(name .. " timestamp", got and got.timestamp, want.timestamp, tol)
            got.timestamp, want.timestamp = nil, nil
        end
        T.eq(name, got, want)
    end
end

T.raises("bad property", function() syslog.build_rsyslog_grammar("%foo% %msg%") end,
         "invalid rsyslog property: 'foo'")
T.raises("empty template", function() syslog.build_rsyslog_grammar("") end,
         "could not parse the rsyslog template")

local severities = {
    {"debug", 7}, {"INFO", 6}, {"notice", 5}, {"warning", 4}, {"WARN", 4}, {"error", 3},
    {"err", 3}, {"crit", 2}, {"alert", 1}, {"emerg", 0}, {"PANIC", 0}, {"bogus", nil}, {"", nil},
}
for _, c in ipairs(severities) do
    T.eq("severity " .. c[1], syslog.severity:match(c[1]), c[2])
end

T.no_new_globals("after use", before)
T.done()
