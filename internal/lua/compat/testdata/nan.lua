-- nan and inf as glibc prints them: 0/0 is the x86 default NaN, "-nan" (lua-notes §4 #2)
local z = 0
print(0/0, -(0/0), z/z, math.huge - math.huge, math.sqrt(-1), tostring(0/0) .. "|", string.format("%f %g", 0/0, -(0/0)))
print(table.concat({0/0, 1/0}, ","), math.fmod(1, 0))
