function process_message()
    local s = "x"
    for i = 1, 64 do s = s .. s end
    return 0
end
