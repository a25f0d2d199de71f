-- Tests of lua_modules/msg_interpolate.lua: template -> string, with a stub
-- read_message serving one message.
local T = require "testlib"
T.stub_message({
    Type = "nginx.access", Hostname = "web1", Pid = 42, Uuid = "0b1c4d5e-6f70-4182-93a4-b5c6d7e8f901",
    Logger = "nginx", EnvVersion = "1", Severity = 6, Timestamp = 1420167845e9,
    Fields = {status = 200, ok = true, off = false, user = "alice", ratio = 0.5},
})
local before = T.globals()
local interp = require "msg_interpolate"
T.no_new_globals("require msg_interpolate", before)

-- template, secs, expected string, expected count
local cases = {
    {"%{Type}-%{status}-%{%Y.%m.%d}", 0, "nginx.access-200-1970.01.01", 3},
    {"%{Hostname}:%{Logger}:%{EnvVersion}:%{Pid}:%{Severity}", nil, "web1:nginx:1:42:6", 5},
    {"%{UUID}", nil, "0b1c4d5e-6f70-4182-93a4-b5c6d7e8f901", 1},
    {"%{Uuid}", nil, "%{Uuid}", 1}, -- not a header name, field or date format
    {"%{ok}/%{off}", nil, "true/false", 2},
    {"%{user} %{ratio}", nil, "alice 0.5", 2},
    {"%{missing}", nil, "%{missing}", 1},
    {"%{%H:%M:%S}", 3661, "01:01:01", 1},
    {"%{%Y}", 1420167845, "2015", 1},
    {"no variables", nil, "no variables", 0},
    {"%{Type", nil, "%{Type", 0},
    {"", nil, "", 0},
}
for _, c in ipairs(cases) do
    local s, n = interp.interpolate_from_msg(c[1], c[2])
    T.eq("interpolate " .. c[1], {s, n}, {c[3], c[4]})
end

T.no_new_globals("after use", before)
T.done()
