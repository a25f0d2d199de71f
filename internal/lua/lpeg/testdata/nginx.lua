-- The benchmark's nginx combined-log grammar on sample lines: every field.
dofile("testdata/bench/nginx.lua")
local lines = {
  line,
  '10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "POST /api/v1/items HTTP/2.0" 201 - "-" "curl/8.5.0"',
  '127.0.0.1 - bob [29/Feb/2024:23:59:59 +0530] "GET /a%20b?x=\\"y\\" HTTP/1.0" 404 153 "http://ref/?q=1" "agent \\"quoted\\""',
  '255.255.255.255 - - [31/Dec/1999:12:00:00 -1200] "DELETE / HTTP/1.1" 500 0 "" ""',
  'not a log line',
}
for i, l in ipairs(lines) do
  local r = lpeg.match(grammar, l)
  if r then r.time = string.format("%d", r.time / 1e9) end
  print("grammar", i, show(r))
  print("plain", i, show(lpeg.match(plain, l)))
end
