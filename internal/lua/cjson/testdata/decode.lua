local dec = cjson.decode
local cases = {
    '{}', '[]', '[1,2,3]', '[1,null,3]', '{"a":null}', '{"a":1,"b":[true,false,null]}',
    '"a\\/b\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\"', '0', '-0', '1e3', '1E+3', '-1.5e-3', '123456789012345678',
    '  [ 1 , 2 ]  ', '"\\u0000x"', '[[[[[]]]]]', '{"1":2}', 'true', 'false', 'null',
    '0x10', '-0x1p3', '01', '+1', 'inf', '-inf', 'Infinity', 'nan', 'NaN', '1e999', '-1e999',
    '', ' ', '[', ']', '{', '[1,]', '[1 2]', '{"a" 1}', '{"a":1,}', '{1:2}', 'nul', 'tru', 'x',
    '"abc', '"\\x"', '"\\u12"', '"\\ud800"', '"\\udc00\\u0000"', '"\\ud800\\u0041"', '[1]x',
    '"a\0b"', '[1,2]\0junk', '1.', '.5', '-', '--1', '1e', '1e+', '"\1\255"', '\r\n1\t',
    '{"a":1,"a":2}', '{"a":1,"a":null}',
}
for i, s in ipairs(cases) do try("dec" .. i .. " " .. string.format("%q", s), dec, s) end
try("a-nul", dec, "a\0")
try("noarg", dec)
try("number", dec, 42)
try("table", dec, {})
local deep = string.rep("[", 1001) .. string.rep("]", 1001)
try("deep", dec, deep)
print(cjson.decode_max_depth(2))
try("depth2", dec, "[[1]]")
try("depth3", dec, "[[[1]]]")
try("depth3o", dec, '{"a":{"b":{}}}')
print(cjson.decode_max_depth(1000))
print(cjson.decode_invalid_numbers())
print(cjson.decode_invalid_numbers(false))
for _, s in ipairs({'0x10', '01', '+1', 'inf', 'nan', '-inf', '-01', '1', 'NaN', 'Infinity', '-Infinity'}) do
    try("strict " .. s, dec, s)
end
print(cjson.decode_invalid_numbers(true))
-- round trips
for _, v in ipairs({{1, 2, {a = "x/y"}}, {k = {1.5, -2, "\n"}}, "\255\0"}) do
    try("rt", function() return dec(cjson.encode(v)) end)
end
