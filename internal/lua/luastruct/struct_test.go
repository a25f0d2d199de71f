package luastruct

import (
	"strings"
	"testing"

	"github.com/hekad-go/hekad/internal/lua/modutil"
	"github.com/hekad-go/hekad/internal/lua/oracle"
)

func run(t *testing.T, script string) string {
	t.Helper()
	return modutil.Run(t, Name, Open, nil, script)
}

// Expected values derived by hand from the struct library's specification
// (sizes of an amd64 build: short 2, int 4, long 8, little endian).
func TestStruct(t *testing.T) {
	got := run(t, `require "struct"
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(hex(struct.pack(">i", 1)), hex(struct.pack("<i", 1)), hex(struct.pack("i", -2)))
print(hex(struct.pack(">bBhH", -1, 255, -2, 65535)), hex(struct.pack(">l", 2^40)), hex(struct.pack(">i3", 0x010203)))
print(hex(struct.pack("!4 b i", 1, 2)), hex(struct.pack("!b h", 1, 2)), hex(struct.pack("!8 b d", 1, 1)))
print(hex(struct.pack(">c3", "abcdef")), hex(struct.pack("c0", "xyz")), hex(struct.pack("s", "hi")), hex(struct.pack("bxb", 1, 2)))
print(hex(struct.pack(">f", 1.5)), hex(struct.pack("<d", -2)))
print(struct.unpack(">i", "\0\0\1\0"), struct.unpack("<h", "\254\255"), struct.unpack("<H", "\254\255"))
print(struct.unpack(">bB", "\255\255"))
print(struct.unpack("!4 b i", struct.pack("!4 b i", 7, -9)))
print(struct.unpack("s i", struct.pack("s i", "name", 42)))
print(struct.unpack("b c0 b", "\3abc\9"))
print(struct.unpack(">d f", struct.pack(">d f", 0.1, 0.5)))
print(struct.unpack(">i", "xx\0\0\0\5", 3))
print(struct.size("i"), struct.size("!4 b i"), struct.size("bhl"), struct.size("!8 b d"), struct.size("c5 x"), struct.size(">I2"))
print(pcall(struct.size, "s"))
print(pcall(struct.size, "c0"))
print(pcall(struct.pack, "z", 1))
print(pcall(struct.pack, "i33", 1))
print(pcall(struct.pack, "!3", 1))
print(pcall(struct.unpack, "i", "abc"))
print(pcall(struct.unpack, "s", "abc"))
print(pcall(struct.pack, "c5", "abc"))
print(pcall(struct.pack, "i", "x"))
`)
	want := `00000001	01000000	feffffff
ffff fffeffff	0000010000000000	010203
01000000 02000000	01000200	0100000000000000 000000000000f03f
616263	78797a	686900	010002
3fc00000	00000000000000c0
256	-2	65534	3
-1	255	3
7	-9	9
name	42	10
abc	9	6
0.1	0.5	13
5	7
4	8	11	16	6	2
false	bad argument #1 to '?' (option 's' has no fixed size)
false	bad argument #1 to '?' (option 'c0' has no fixed size)
false	bad argument #1 to '?' (invalid format option 'z')
false	integral size 33 is larger than limit of 32
false	alignment 3 is not a power of 2
false	bad argument #2 to '?' (data string too short)
false	unfinished string in data
false	bad argument #3 to '?' (string too short)
false	bad argument #2 to '?' (number expected, got string)
`
	oracle.CompareLines(t, strings.ReplaceAll(got, " ", ""), strings.ReplaceAll(want, " ", ""))
}
