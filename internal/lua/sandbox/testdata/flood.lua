function process_message()
    while true do add_to_payload("0123456789") end
    return 0
end
