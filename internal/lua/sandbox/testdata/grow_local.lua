function process_message()
    local t = {}
    for i = 1, 1e9 do t[i] = i end
    return 0
end
