keep = {}
function process_message()
    for i = 1, 1e6 do keep[i] = string.rep(tostring(i), 100000) end
    return 0
end
