local greet = require "greet"
local deep = require "sub.deep"
local s = require "string"
function process_message()
    local ok1, e1 = pcall(require, "../escape")
    local ok2, e2 = pcall(require, "nosuch")
    local ok3, e3 = pcall(require, "loopa")
    local gm = require "gomod"
    return 0, table.concat({greet.hello("lua"), deep.name, tostring(s == string),
        tostring(ok1), tostring(ok2), tostring(ok3), type(greet_global), gm.answer, tostring(gomod == gm),
        tostring(require "greet" == greet), e3:match("loop or previous error") or e3}, "|")
end
