local names = {"collectgarbage", "coroutine", "dofile", "load", "loadfile", "loadstring",
    "newproxy", "print", "module", "_printregs", "package", "io", "debug", "require",
    "read_config", "string", "table", "math", "os", "pcall", "setmetatable", "unpack"}
local osnames = {"getenv", "execute", "exit", "remove", "rename", "setlocale", "tmpname",
    "setenv", "time", "date", "clock", "difftime"}
function process_message()
    local out = {}
    for _, n in ipairs(names) do out[#out + 1] = n .. "=" .. type(_G[n]) end
    for _, n in ipairs(osnames) do out[#out + 1] = "os." .. n .. "=" .. type(os[n]) end
    return 0, table.concat(out, " ")
end
