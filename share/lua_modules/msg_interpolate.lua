-- msg_interpolate: substitutes values of the message being processed into a
-- string. hekad's implementation of Heka's lua_modules/msg_interpolate.lua.
--
-- interpolate_from_msg(value, secs)
--     Returns value with each %{name} replaced, and the number of
--     replacements (string.gsub's two results):
--       - Type, Hostname, Pid, UUID, Logger, EnvVersion, Severity: that
--         header of the current message (read_message);
--       - else the message field of that name (a boolean as "true"/"false");
--       - else name as an os.date (strftime) format for the time secs
--         (seconds since the epoch; now when nil), when it converts anything;
--       - else %{name} is left as it is.
--     Needs the sandbox's read_message.
--
-- Example, for a message of Type "nginx.access" with a field status = 200:
--   interp.interpolate_from_msg("%{Type}-%{status}-%{%Y.%m.%d}", 0)
--   --> "nginx.access-200-1970.01.01", 3

local os = require "os"
local string = require "string"

local read_message = read_message
local tostring, type = tostring, type

local M = {}

local headers = {
    Type = "Type", Hostname = "Hostname", Pid = "Pid", UUID = "Uuid", Logger = "Logger",
    EnvVersion = "EnvVersion", Severity = "Severity",
}

function M.interpolate_from_msg(value, secs)
    return string.gsub(value, "%%{(.-)}", function(name)
        local header = headers[name]
        if header then return read_message(header) end
        local v = read_message("Fields[" .. name .. "]")
        if type(v) == "boolean" then return tostring(v) end
        if v then return v end
        local date = os.date(name, secs)
        if date ~= name then return date end
    end)
end

return M
