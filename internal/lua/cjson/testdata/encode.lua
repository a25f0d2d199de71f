local enc = cjson.encode
local cases = {
    {}, {1, 2, 3}, {1, nil, 3}, {[2] = 1}, {[1] = 1, [20] = 2}, {[10] = 1}, {[11] = 1},
    {a = 1}, {[1.5] = 1}, {[0] = 1}, {[-1] = 1}, {{}, {{}}}, {a = {b = {c = {}}}},
    "", "a/b <x> &", "\0\1\2\31\127\128\255", "\b\t\n\f\r\"\\", "é ü 日本",
    0, -0, 1, -1, 0.5, 1/3, 2/3, 1e14, 1e15, 123456789012345, 99999999999999, 1e-5, 1e-4,
    1.5e300, -2.5e-300, 2^53, 2^63, 1462827600000000000, 3.14159265358979,
    true, false, cjson.null, {cjson.null, 1}, {x = cjson.null},
    {1, "a", true, {b = false}}, {[1] = "x", [2] = "y", [4] = "z"},
}
for i, v in ipairs(cases) do try("enc" .. i, enc, v) end
try("nil", enc, nil)
try("fn", enc, print)
try("fnin", enc, {print})
try("boolkey", enc, {[true] = 1})
try("tablekey", enc, {[{}] = 1})
try("bigkey", enc, {[2^40] = 1})
try("noarg", enc)
try("twoargs", enc, 1, 2)
local deep = {}
local t = deep
for i = 1, 1100 do t[1] = {}; t = t[1] end
try("deep", enc, deep)
print(cjson.encode_max_depth(3))
try("depth3", enc, {{{}}})
try("depth4", enc, {{{{}}}})
print(cjson.encode_max_depth(1000))
print(cjson.encode_sparse_array())
print(cjson.encode_sparse_array(true))
try("sparse-convert", enc, {[1] = 1, [20] = 2})
print(cjson.encode_sparse_array(false, 0))
try("sparse-ratio0", enc, {[1] = 1, [20] = 2})
print(cjson.encode_sparse_array(false, 2, 10))
print(cjson.encode_number_precision())
print(cjson.encode_number_precision(3))
try("prec3", enc, {1/3, 12345, 0.5, 1e-10})
print(cjson.encode_number_precision(14))
try("prec-bad", cjson.encode_number_precision, 0)
print(cjson.encode_invalid_numbers())
print(cjson.encode_invalid_numbers("null"))
try("inv-null", enc, {0/0, 1/0})
print(cjson.encode_invalid_numbers(false))
try("inv-bad", cjson.encode_invalid_numbers, "maybe")
print(cjson._NAME, cjson._VERSION, type(cjson.null))
