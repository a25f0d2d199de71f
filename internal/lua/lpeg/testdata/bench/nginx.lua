-- An nginx "combined" access-log grammar in the style of Heka's
-- common_log_format module: named groups in a table, numbers through
-- tonumber, the time converted to nanoseconds by a Lua function. Used by
-- the Go benchmarks and by the C LPeg timing (bench_c.lua).
local l = require "lpeg"
l.locale(l)
local P, C, Cg, Ct, Cc, S = l.P, l.C, l.Cg, l.Ct, l.Cc, l.S

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function time_to_ns(t)
  local secs = days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.min * 60 + t.sec
  return (secs - t.offset) * 1e9
end

local months = {Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12}
local d2 = l.digit * l.digit
local d4 = d2 * d2
local month = (l.upper * l.lower * l.lower) / months
local offset = (C(S"+-") * C(d2) * C(d2)) / function(s, h, m)
  local o = tonumber(h) * 3600 + tonumber(m) * 60
  if s == "-" then o = -o end
  return o
end
local clf_time = Ct(Cg(d2 / tonumber, "day") * "/" * Cg(month, "month") * "/" * Cg(d4 / tonumber, "year") * ":" *
  Cg(d2 / tonumber, "hour") * ":" * Cg(d2 / tonumber, "min") * ":" * Cg(d2 / tonumber, "sec") * " " *
  Cg(offset, "offset")) / time_to_ns

local ipv4 = l.digit^1 * ("." * l.digit^1)^3
local token = (1 - l.space)^1
local quoted = P'"' * C((P'\\"' + (1 - P'"'))^0) * P'"'
local request = P'"' * Cg(C(l.upper^1), "request_method") * " " * Cg(C((1 - S' "')^1), "request_uri") * " " *
  Cg(C((1 - P'"')^1), "server_protocol") * P'"'

grammar = Ct(Cg(C(ipv4), "remote_addr") * " - " * Cg(C(token), "remote_user") * " [" * Cg(clf_time, "time") * "] " *
  request * " " * Cg(l.digit^1 / tonumber, "status") * " " * Cg(l.digit^1 / tonumber + P"-" * Cc(0), "body_bytes_sent") *
  " " * Cg(quoted, "http_referer") * " " * Cg(quoted, "http_user_agent") * -1)

line = '192.168.10.142 - frank [10/Oct/2025:13:55:36 -0700] "GET /apache_pb.gif?id=1234&ref=home HTTP/1.1" 200 2326 "http://www.example.com/start.html" "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"'

-- The same line split into its fields with string captures only (no Lua
-- function is called): the parsing machine and the capture list alone.
local stamp = (1 - P"]")^1
plain = Ct(Cg(C(ipv4), "remote_addr") * " - " * Cg(C(token), "remote_user") * " [" * Cg(C(stamp), "time") * "] " *
  request * " " * Cg(C(l.digit^1), "status") * " " * Cg(C(l.digit^1 + P"-"), "body_bytes_sent") *
  " " * Cg(quoted, "http_referer") * " " * Cg(quoted, "http_user_agent") * -1)
