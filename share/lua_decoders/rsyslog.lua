--[[
rsyslog decoder.

Parses lines written by rsyslog with the string template given in the
configuration (the template string from rsyslog.conf) and injects one
message per line:
- Timestamp: %TIMESTAMP% / %timereported% / %timegenerated% (nanoseconds)
- Severity: from %PRI% (with the facility in Fields[syslogfacility]), else
  from %syslogseverity%, %syslogseverity-text%, %syslogpriority% or
  %syslogpriority-text% (those properties are not kept as fields)
- Pid and Fields[programname]: from %syslogtag%
- Hostname: %HOSTNAME% or %FROMHOST% (unless hostname_keep)
- Payload: %msg%
- Fields: every other property of the template, under its rsyslog name.
A line the template does not match fails to decode (-1).

Config:
- template (string, required)
    rsyslog template string, e.g. the RSYSLOG_TraditionalFileFormat
    '%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n'
- type (string, optional, default nil)
    Value of the message Type header.
- hostname_keep (bool, optional, default false)
    Keep the Hostname the input set; the line's %HOSTNAME% / %FROMHOST%
    then stay in Fields[hostname] / Fields[source].
- tz (string, optional, default "UTC")
    Time zone of timestamps that carry no offset (traditional formats); the
    host applies it to the injected Timestamp.

*Example Heka Configuration*

    [RsyslogDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/rsyslog.lua"

    [RsyslogDecoder.config]
    type = "RSYSLOG_TraditionalFileFormat"
    template = '%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n'
    tz = "America/Los_Angeles"
--]]

local syslog = require "syslog"

local cfg = {
    template = read_config("template"),
    type = read_config("type"),
    hostname_keep = read_config("hostname_keep"),
}

local line_grammar = syslog.build_rsyslog_grammar(cfg.template)

local out = {Timestamp = nil, Type = cfg.type, Hostname = nil, Payload = nil, Pid = nil,
             Severity = nil, Fields = nil}

-- properties that may carry the severity when the line has no PRI, in the
-- order they are preferred
local severity_props = {"syslogseverity", "syslogseverity-text", "syslogpriority",
                        "syslogpriority-text"}

local function take(fields, name)
    local v = fields[name]
    fields[name] = nil
    return v
end

function process_message()
    local line = read_message("Payload")
    if type(line) ~= "string" then return -1 end
    local fields = line_grammar:match(line)
    if fields == nil then return -1 end

    -- an absent timestamp leaves the one the input set
    out.Timestamp = take(fields, "timestamp")

    local pri = take(fields, "pri")
    if pri then
        out.Severity = pri.severity
        fields.syslogfacility = pri.facility
    else
        out.Severity = nil
        for _, name in ipairs(severity_props) do
            local v = take(fields, name)
            if out.Severity == nil then out.Severity = v end
        end
    end

    local tag = take(fields, "syslogtag")
    out.Pid = nil
    if tag then
        fields.programname = tag.programname
        out.Pid = tag.pid
    end

    -- with hostname_keep the line's host names stay as fields, as in Heka
    if not cfg.hostname_keep then
        local host, source = take(fields, "hostname"), take(fields, "source")
        out.Hostname = host or source
    end

    out.Payload = take(fields, "msg")
    out.Fields = fields
    if not pcall(inject_message, out) then return -1 end
    return 0
end
