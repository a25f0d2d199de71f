-- alert: sends alert messages from a filter, at most one per throttle
-- period. hekad's implementation of Heka's lua_modules/alert.lua.
--
-- queue(ns, msg)       queues msg (a non-empty string) to be sent by
--                      send_queue; false if an alert now would be throttled
-- send(ns, msg)        sends msg now as inject_payload("alert", "", msg);
--                      false if throttled (or msg empty)
-- send_queue(ns)       sends the queued messages as one alert, joined by
--                      newlines; false if nothing is queued or throttled
-- set_throttle(ns)     the minimum time between alerts (default one hour)
-- throttled(ns)        whether an alert at time ns would be throttled; a
--                      time of 0 is never throttled
-- Times are ns since the epoch. The time of the last alert is kept in the
-- global _LAST_ALERT so that preserve_data keeps the throttle across
-- restarts (the one global the module defines, as Heka's).
--
-- Example (a filter's timer_event):
--   local alert = require "alert"
--   if errors > 10 and not alert.throttled(ns) then
--       alert.send(ns, string.format("%d errors", errors))
--   end

local table = require "table"

local M = {}

_LAST_ALERT = _LAST_ALERT or 0

local queued = nil
local throttle = 3600e9

function M.throttled(ns)
    if ns == 0 then return false end
    return ns < _LAST_ALERT or ns - _LAST_ALERT <= throttle
end

function M.queue(ns, msg)
    if not msg or msg == "" or M.throttled(ns) then return false end
    queued = queued or {}
    queued[#queued + 1] = msg
    return true
end

function M.send(ns, msg)
    if not msg or msg == "" or M.throttled(ns) then return false end
    inject_payload("alert", "", msg)
    if ns > _LAST_ALERT then _LAST_ALERT = ns end
    return true
end

function M.send_queue(ns)
    if not queued then return false end
    local msg = table.concat(queued, "\n")
    queued = nil
    return M.send(ns, msg)
end

function M.set_throttle(ns_duration)
    throttle = ns_duration
end

return M
