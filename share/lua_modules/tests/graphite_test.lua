-- Tests of lua_modules/graphite.lua: metrics -> Carbon plaintext lines.
local T = require "testlib"
local table = require "table"
local string = require "string"
local before = T.globals()
local graphite = require "graphite"
T.no_new_globals("require graphite", before)

T.eq("count_rate", graphite.count_rate("a", 10, 5, 1420167845),
     "stats.counters.a.count 10 1420167845\nstats.counters.a.rate 2.000000 1420167845\n")
T.eq("count_rate fraction", graphite.count_rate("x.y", 1, 3, 7),
     "stats.counters.x.y.count 1 7\nstats.counters.x.y.rate 0.333333 7\n")
T.eq("multi_counts_rates one", graphite.multi_counts_rates({a = 10}, 5, 9),
     "stats.counters.a.count 10 9\nstats.counters.a.rate 2.000000 9\n")
T.eq("multi_counts_rates none", graphite.multi_counts_rates({}, 5, 9), "")

local function timer_lines(b, count, rate, lower, upper, sum, mean, pct, pmean, pupper, now)
    local p = "stats.timers." .. b .. "."
    return p .. "count " .. count .. " " .. now .. "\n"
        .. p .. "count_ps " .. rate .. " " .. now .. "\n"
        .. p .. "lower " .. lower .. " " .. now .. "\n"
        .. p .. "upper " .. upper .. " " .. now .. "\n"
        .. p .. "sum " .. sum .. " " .. now .. "\n"
        .. p .. "mean " .. mean .. " " .. now .. "\n"
        .. p .. "mean_" .. pct .. " " .. pmean .. " " .. now .. "\n"
        .. p .. "upper_" .. pct .. " " .. pupper .. " " .. now .. "\n"
end

-- bucket, times, ticker, percent, now, expected
local timers = {
    {"t", {3, 1, 2, 4, 10}, 10, 90, 100,
     timer_lines("t", "5", "0.500000", "1.000000", "10.000000", "20.000000", "4.000000", "90",
                 "2.500000", "4.000000", "100")},
    {"one", {7}, 1, 90, 5,
     timer_lines("one", "1", "1.000000", "7.000000", "7.000000", "7.000000", "7.000000", "90",
                 "7.000000", "7.000000", "5")},
    {"none", {}, 1, 95, 5,
     timer_lines("none", "0", "0.000000", "0.000000", "0.000000", "0.000000", "0.000000", "95",
                 "0.000000", "0.000000", "5")},
    {"eleven", {5, 1, 9, 3, 3, 8, 2, 7, 1, 1, 4}, 3, 90, 100, -- 90%: the lowest 10
     timer_lines("eleven", "11", "3.666667", "1.000000", "9.000000", "44.000000", "4.000000", "90",
                 "3.500000", "8.000000", "100")},
    {"half", {1, 2, 3, 4}, 2, 50, 5,
     timer_lines("half", "4", "2.000000", "1.000000", "4.000000", "10.000000", "2.500000", "50",
                 "1.500000", "2.000000", "5")},
}
for _, c in ipairs(timers) do
    T.eq("timeseries_metrics " .. c[1], graphite.timeseries_metrics(c[1], c[2], c[3], c[4], c[5]), c[6])
end

-- several buckets come out in table order: compare the sorted lines
local function sorted_lines(s)
    local lines = {}
    for line in string.gmatch(s, "[^\n]+") do lines[#lines + 1] = line end
    table.sort(lines)
    return lines
end
T.eq("multi_timeseries_metrics",
     sorted_lines(graphite.multi_timeseries_metrics({a = {1}, b = {2}}, 1, 90, 3)),
     sorted_lines(graphite.timeseries_metrics("a", {1}, 1, 90, 3) .. graphite.timeseries_metrics("b", {2}, 1, 90, 3)))
T.eq("multi_counts_rates two", sorted_lines(graphite.multi_counts_rates({a = 1, b = 2}, 1, 3)),
     sorted_lines(graphite.count_rate("a", 1, 1, 3) .. graphite.count_rate("b", 2, 1, 3)))

T.eq("ns_to_sec", graphite.ns_to_sec(1.5e9), 1)
T.eq("ns_to_sec negative", graphite.ns_to_sec(-1), -1)

T.no_new_globals("after use", before)
T.done()
