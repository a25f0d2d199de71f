-- Tests of lua_modules/alert.lua: a sequence of calls -> results and the
-- payloads injected, with a stub inject_payload.
local T = require "testlib"
local injected = {}
function inject_payload(...) injected[#injected + 1] = {...} end
local before = T.globals()
local alert = require "alert"
before._LAST_ALERT = true -- the module's one global, as Heka's
T.no_new_globals("require alert", before)
T.eq("_LAST_ALERT", _LAST_ALERT, 0)

local hour = 3600e9
local t0 = 1420167845e9
-- call, arguments, expected result, expected new injections
local steps = {
    {"throttled", {hour}, true},          -- within an hour of _LAST_ALERT = 0
    {"throttled", {t0}, false},
    {"send", {t0, ""}, false, {}},
    {"send", {t0, nil}, false, {}},
    {"send", {t0, "first"}, true, {{"alert", "", "first"}}},
    {"throttled", {t0 + hour}, true},
    {"throttled", {t0 + hour + 1e9}, false},
    {"throttled", {t0 - 5e9}, true},        -- before the last alert
    {"throttled", {0}, false},            -- 0 overrides throttling
    {"send", {t0 + 20e9, "too soon"}, false, {}},
    {"send", {0, "forced"}, true, {{"alert", "", "forced"}}},
    {"queue", {t0 + hour + 1e9, "a"}, true},
    {"queue", {t0 + hour + 1e9, "b"}, true},
    {"queue", {t0 + hour + 1e9, ""}, false},
    {"send_queue", {t0 + hour + 1e9}, true, {{"alert", "", "a\nb"}}},
    {"send_queue", {t0 + 3 * hour}, false, {}}, -- nothing queued
    {"queue", {t0 + hour + 2e9, "c"}, false},     -- throttled again
    {"set_throttle", {0}, nil},
    {"queue", {t0 + hour + 2e9, "c"}, true},
    {"send_queue", {t0 + hour + 2e9}, true, {{"alert", "", "c"}}},
    {"throttled", {t0 + hour + 2e9}, true},  -- not later than the last alert
    {"throttled", {t0 + hour + 3e9}, false},
}
for i, s in ipairs(steps) do
    local n = #injected
    local got = alert[s[1]](unpack(s[2], 1, 2))
    T.eq(string.format("step %d %s", i, s[1]), got, s[3])
    if s[4] then
        local new = {}
        for j = n + 1, #injected do new[#new + 1] = injected[j] end
        T.eq(string.format("step %d %s injected", i, s[1]), new, s[4])
    end
end
T.eq("_LAST_ALERT after", _LAST_ALERT, t0 + hour + 2e9)

T.no_new_globals("after use", before)
T.done()
