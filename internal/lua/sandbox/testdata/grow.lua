t = {}
function process_message()
    local i = #t
    while true do
        i = i + 1
        t[i] = {i, "x" .. i}
    end
    return 0
end
