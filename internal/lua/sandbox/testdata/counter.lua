-- a filter-like script: counts calls, keeps a few kinds of data
_PRESERVATION_VERSION = 2
count = 0
last = nil
stats = {min = 1e300, max = -1e300, names = {}}
alias = stats

function process_message()
    count = count + 1
    local v = read_config("step") or 1
    stats.min = math.min(stats.min, count * v)
    stats.max = math.max(stats.max, count * v)
    stats.names[#stats.names + 1] = "n" .. count
    return 0
end

function timer_event(ns)
    add_to_payload(count, " ", ns, "\n")
end
