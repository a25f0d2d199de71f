-- Tests of lua_decoders/rsyslog.lua: template + line -> the message it
-- injects, checked by hand against rsyslog's templates and properties.
local T = require "testlib"
local S = require "sandbox"
local os = require "os"
local dt = require "date_time"

local plugin = "lua_decoders/rsyslog.lua"
local traditional = [[%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n]]
local protocol23 = [[<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %msg%\n]]
local sev_text = [[%syslogseverity-text% %fromhost% %syslogtag% %msg%\n]]
local this_year = os.date("!%Y")
local feb5 = dt.time_to_ns({year = this_year, month = 2, day = 5, hour = 17, min = 32, sec = 18})
local sshd = "Feb  5 17:32:18 web1 sshd[811]: Accepted publickey for root\n"

-- name, config, payload, return code, injected messages
local cases = {
    {"traditional", {template = traditional, type = "RSYSLOG_TraditionalFileFormat"}, sshd, 0,
     {{Type = "RSYSLOG_TraditionalFileFormat", Timestamp = feb5, Hostname = "web1", Pid = 811,
       Payload = "Accepted publickey for root", Fields = {programname = "sshd"}}}},
    {"hostname_keep", {template = traditional, hostname_keep = true}, sshd, 0,
     {{Timestamp = feb5, Pid = 811, Payload = "Accepted publickey for root",
       Fields = {programname = "sshd", hostname = "web1"}}}},
    {"no pid", {template = traditional}, "Oct 11 22:14:15 mymachine kernel: link up\n", 0,
     {{Timestamp = dt.time_to_ns({year = this_year, month = 10, day = 11, hour = 22, min = 14, sec = 15}),
       Hostname = "mymachine", Payload = "link up", Fields = {programname = "kernel"}}}},
    {"protocol 23", {template = protocol23},
     "<165>1 2003-10-11T22:14:15Z mymachine.example.com evntslog - ID47 An event\n", 0,
     {{Timestamp = 1065910455e9, Severity = 5, Hostname = "mymachine.example.com",
       Payload = "An event", Fields = {syslogfacility = 20, ["app-name"] = "evntslog",
                                        procid = "-", msgid = "ID47"}}}},
    {"severity text, fromhost is a field", {template = sev_text}, "warning db1 app[7]: disk low\n", 0,
     {{Severity = 4, Pid = 7, Payload = "disk low",
       Fields = {programname = "app", fromhost = "db1"}}}},
    {"no match", {template = traditional}, "Oct 11 22:14 host x: y\n", -1, {}},
    {"no payload", {template = traditional}, nil, -1, {}},
}

S.run_cases(T, plugin, cases)

-- a table inject_message refuses (structured data) fails the line, no error
local p = S.load(plugin, {template = "%STRUCTURED-DATA% %msg%"})
local real = inject_message
inject_message = function() error("inject_message() could not encode a nested table") end
T.eq("inject refused", p.process({Payload = '[x@1 a="1"] hi'}), -1)
inject_message = real

T.raises("no template", function() S.load(plugin, {}) end, "rsyslog template")
T.done()
