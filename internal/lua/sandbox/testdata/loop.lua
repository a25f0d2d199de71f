function process_message()
    local i = 0
    while true do i = i + 1 end
    return 0
end
