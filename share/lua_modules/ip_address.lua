-- ip_address: LPeg patterns for IP addresses in their text forms, for use
-- inside other grammars. hekad's implementation of Heka's
-- lua_modules/ip_address.lua (same names). The patterns capture nothing;
-- wrap them in lpeg.C to get the text.
--
--   v4  dotted quad, each part 0-255 without a sign ("192.168.1.10")
--   v6  any RFC 4291 / RFC 3986 text form, including "::" compression and a
--       trailing dotted quad ("2001:db8::1", "::ffff:10.0.0.1")
--
-- Example:
--   local ip = require "ip_address"
--   local addr = lpeg.C(ip.v4 + ip.v6) * -1
--   addr:match("fe80::1") --> "fe80::1"

local lpeg = require "lpeg"
local P, R = lpeg.P, lpeg.R

local M = {}

local digit = R"09"
local hex = R("09", "af", "AF")

-- 0-255: the longest reading first, so "255" is not taken as "25"
local octet = "25" * R"05" + "2" * R"04" * digit + "1" * digit * digit + R"19" * digit + digit

M.v4 = octet * "." * octet * "." * octet * "." * octet

local h16 = hex * hex^-3          -- one group of up to four hex digits
local g = h16 * ":"               -- a group and the colon after it
local ls32 = h16 * ":" * h16 + M.v4 -- the last 32 bits

-- up to n groups before "::", separated by single colons; a repetition
-- step is ":" followed by a group, so it never eats the first colon of "::"
local function head(n)
    if n == 0 then return P(true) end
    return (h16 * (":" * h16)^-(n - 1))^-1
end

-- the nine forms of RFC 3986 section 3.2.2, each with the number of groups
-- allowed before "::" and the fixed tail after it
M.v6 = g * g * g * g * g * g * ls32
     + P"::" * g * g * g * g * g * ls32
     + head(1) * "::" * g * g * g * g * ls32
     + head(2) * "::" * g * g * g * ls32
     + head(3) * "::" * g * g * ls32
     + head(4) * "::" * g * ls32
     + head(5) * "::" * ls32
     + head(6) * "::" * h16
     + head(7) * "::"

return M
