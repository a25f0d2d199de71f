-- graphite: formats statsd-style metrics as Graphite (Carbon) plaintext
-- lines. hekad's implementation of Heka's lua_modules/graphite.lua.
--
-- count_rate(bucket, count, ticker_interval, now_sec)
--     "stats.counters.<bucket>.count <count> <now>\n" and
--     "stats.counters.<bucket>.rate <count/ticker_interval> <now>\n"
-- multi_counts_rates(counts, ticker_interval, now_sec)
--     count_rate for each bucket = count of the table counts, concatenated
-- timeseries_metrics(bucket, times, ticker_interval, percent_thresh, now_sec)
--     the timer lines stats.timers.<bucket>.{count, count_ps, lower, upper,
--     sum, mean, mean_<pct>, upper_<pct>} for the array of times (sorted in
--     place), as statsd computes them
-- multi_timeseries_metrics(timers, ticker_interval, percent_thresh, now_sec)
--     timeseries_metrics for each bucket = times of timers, concatenated
-- ns_to_sec(ns)
--     whole seconds, rounded down
-- Integers are written with %d, other values with %f.

local string = require "string"
local math = require "math"
local table = require "table"

local pairs = pairs

local M = {}

function M.count_rate(bucket, count, ticker_interval, now_sec)
    return string.format("stats.counters.%s.count %d %d\n", bucket, count, now_sec)
        .. string.format("stats.counters.%s.rate %f %d\n", bucket, count / ticker_interval, now_sec)
end

function M.multi_counts_rates(counts, ticker_interval, now_sec)
    local out = {}
    for bucket, count in pairs(counts) do
        out[#out + 1] = M.count_rate(bucket, count, ticker_interval, now_sec)
    end
    return table.concat(out)
end

-- count, rate, lower, upper, sum, mean, mean and upper bound of the lowest
-- percent_thresh percent of times
local function timer_stats(times, ticker_interval, percent_thresh)
    local n = #times
    if n == 0 then return 0, 0, 0, 0, 0, 0, 0, 0 end
    table.sort(times)
    local sums = {[0] = 0}
    for i = 1, n do sums[i] = sums[i - 1] + times[i] end
    local lower, upper = times[1], times[n]
    local pct_mean, pct_upper = lower, upper
    if n > 1 then
        local k = n - math.floor((100 - percent_thresh) / 100 * n + 0.5)
        if k > 0 then pct_mean, pct_upper = sums[k] / k, times[k] end
    end
    return n, n / ticker_interval, lower, upper, sums[n], sums[n] / n, pct_mean, pct_upper
end

function M.timeseries_metrics(bucket, times, ticker_interval, percent_thresh, now_sec)
    local n, rate, lower, upper, sum, mean, pct_mean, pct_upper =
        timer_stats(times, ticker_interval, percent_thresh)
    local prefix = "stats.timers." .. bucket .. "."
    return table.concat({
        string.format("%scount %d %d\n", prefix, n, now_sec),
        string.format("%scount_ps %f %d\n", prefix, rate, now_sec),
        string.format("%slower %f %d\n", prefix, lower, now_sec),
        string.format("%supper %f %d\n", prefix, upper, now_sec),
        string.format("%ssum %f %d\n", prefix, sum, now_sec),
        string.format("%smean %f %d\n", prefix, mean, now_sec),
        string.format("%smean_%d %f %d\n", prefix, percent_thresh, pct_mean, now_sec),
        string.format("%supper_%d %f %d\n", prefix, percent_thresh, pct_upper, now_sec),
    })
end

function M.multi_timeseries_metrics(timers, ticker_interval, percent_thresh, now_sec)
    local out = {}
    for bucket, times in pairs(timers) do
        out[#out + 1] = M.timeseries_metrics(bucket, times, ticker_interval, percent_thresh, now_sec)
    end
    return table.concat(out)
end

function M.ns_to_sec(ns)
    return math.floor(ns / 1e9)
end

return M
