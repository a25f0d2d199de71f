-- anomaly: anomaly detection on circular-buffer graphs, configured by the
-- anomaly_config option of Heka's graphing filters (http_status, stat_graph,
-- heka_memstat, ...). hekad's implementation of Heka's
-- lua_modules/anomaly.lua.
--
-- parse_config(anomaly_config)
--     Parses a string of algorithm calls, separated by optional white space,
--     into {[payload_name] = {cfg, cfg, ...}} (nil for nil); raises "could
--     not parse the anomaly_config" when it does not parse:
--       roc("name", col, win, hwin, sd, loss_of_data, start_of_data)
--           rate of change: the mean of the last win rows against the win
--           rows before, compared with sd standard deviations of the hwin
--           rows before those (0: all history); loss_of_data and
--           start_of_data (true/false) also alert when data stops or starts
--       mww("name", col, win, nwin, pvalue, decreasing|increasing|any)
--           Mann-Whitney-Wilcoxon test of the last window against nwin
--           earlier ones (normally distributed data)
--       mww_nonparametric("name", col, win, nwin, pstat)
--           Mann-Whitney-Wilcoxon overlap statistic, pstat in 0..1 (above
--           0.5: alert on increase, below: on decrease)
--     A '"' inside a name is written '""'. Each cfg is a table of the
--     arguments by name (col, win, hwin, sd, loss_of_data, start_of_data,
--     nwin, pvalue, trend, pstat) and algorithm.
-- detect(ns, name, cbuf, anomaly_config)
--     Advances the circular buffer cbuf to time ns and, at most once per
--     row interval, runs the algorithms configured for the payload name on
--     its completed rows. Returns the alert text ("<name> - algorithm: roc
--     col: 1 msg: ...", one line per finding) and an array of annotations
--     (annotation.create), or nothing. Raises an error for arguments out of
--     range for the buffer.
--
-- inject_graph(ns, title, cbuf, anomaly_config)
--     The timer_event of a graph filter: without anomaly_config it sends
--     cbuf as a graph (inject_payload "cbuf" named title); with it, unless
--     alerts are throttled (module alert), it runs detect, adds what it
--     found to the graph's annotations and sends it as an alert, then sends
--     the graph with its annotations. (hekad's: Heka's graph filters each
--     wrote this out.)
--
-- Example:
--   local anomaly = require "anomaly"
--   local cfg = anomaly.parse_config(read_config("anomaly_config"))
--   -- in timer_event:
--   local msg, annos = anomaly.detect(ns, "HTTP Status", cbuf, cfg)

local lpeg = require "lpeg"
local math = require "math"
local string = require "string"
local table = require "table"
local annotation = require "annotation"

local P, R, S, C, Cc, Cg, Ct, Cs, Cf = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cg, lpeg.Ct,
                                       lpeg.Cs, lpeg.Cf
local error, ipairs, tonumber, tostring = error, ipairs, tonumber, tostring

local M = {}

--[[ Configuration grammar ]]

local digit = R"09"
local space = S" \t\n\v\f\r"
local sep = "," * space^0
local uint = digit^1 / tonumber
local decimal = C(digit^1 * ("." * digit^1)^-1) / tonumber
local bool = P"true" * Cc(true) + P"false" * Cc(false)
local quoted_name = '"' * Cs(((1 - P'"') + P'""' / '"')^1) * '"'

local function arg(name, patt) return sep * Cg(patt, name) end

-- name(args...) as the payload name and a table of the arguments
local function call(algorithm, args)
    return space^0 * algorithm * "(" * quoted_name
         * Ct(args * Cg(Cc(algorithm), "algorithm")) * ")"
end

local roc = call("roc", arg("col", uint) * arg("win", uint) * arg("hwin", uint) * arg("sd", decimal)
                        * arg("loss_of_data", bool) * arg("start_of_data", bool))
local mww = call("mww", arg("col", uint) * arg("win", uint) * arg("nwin", uint)
                        * arg("pvalue", decimal)
                        * arg("trend", C(P"decreasing" + "increasing" + "any")))
local mww_nonparametric = call("mww_nonparametric",
    arg("col", uint) * arg("win", uint) * arg("nwin", uint)
    * arg("pstat", C("0" * ("." * digit^1)^-1) / tonumber))

local function collect(t, name, cfg)
    local list = t[name]
    if not list then
        list = {}
        t[name] = list
    end
    list[#list + 1] = cfg
    return t
end

local config_grammar = Cf(Ct"" * Cg(roc + mww_nonparametric + mww)^1, collect) * space^0 * -1

function M.parse_config(anomaly_config)
    if not anomaly_config then return nil end
    local c = config_grammar:match(anomaly_config)
    if not c then error("could not parse the anomaly_config") end
    return c
end

--[[ Algorithms: each returns the alert text and annotation, or nil ]]

local function finding(name, cbuf_time, cfg, text)
    return string.format("%s - algorithm: %s col: %d msg: %s", name, cfg.algorithm, cfg.col, text),
           annotation.create(cbuf_time, cfg.col, "A", text)
end

local function out_of_range(name, cfg)
    error(string.format("%s - algorithm: %s col: %d msg: arguments out of range", name,
                        cfg.algorithm, cfg.col))
end

local function run_roc(name, cbuf, cfg)
    local rows, _, spr = cbuf:get_configuration()
    local row_ns = spr * 1e9
    local now = cbuf:current_time()
    if 3 * cfg.win >= rows or (cfg.hwin > 0 and cfg.hwin < cfg.win) then
        error(string.format("%s - algorithm: %s col: %d msg: win=%d hwin=%d arguments out of range (rows=%d)",
                            name, cfg.algorithm, cfg.col, cfg.win, cfg.hwin, rows))
    end
    local window = row_ns * cfg.win
    -- the previous window, the current one (ending before the incomplete
    -- current row) and the history before them
    local prev_start, cur_start = now - 2 * window, now - window
    local prev_end, cur_end = cur_start - row_ns, now - row_ns
    local hist_start, hist_end = nil, prev_start - row_ns
    if cfg.hwin ~= 0 then hist_start = prev_start - cfg.hwin * row_ns end

    local sd = cbuf:compute("sd", cfg.col, hist_start, hist_end)
    local prev_avg, prev_n = cbuf:compute("avg", cfg.col, prev_start, prev_end)
    local cur_avg, cur_n = cbuf:compute("avg", cfg.col, cur_start, cur_end)

    local lost = cfg.loss_of_data and prev_n > 0 and cur_n == 0
    local started = cfg.start_of_data and prev_n == 0 and cur_n > 0
    if math.abs(cur_avg - prev_avg) > sd * cfg.sd or lost or started then
        local text
        if lost then
            text = "no new data"
        elseif started then
            text = "unexpected data"
        else
            text = string.format("detected anomaly, standard deviation exceeds %G", cfg.sd)
        end
        return finding(name, now, cfg, text)
    end
end

-- for the Mann-Whitney tests: the time of the current row, the ns of a row
-- and of a window, and the first and last row of the latest complete window
local function mww_windows(name, cbuf, cfg)
    local rows, _, spr = cbuf:get_configuration()
    local row_ns = spr * 1e9
    local now = cbuf:current_time()
    if cfg.win * cfg.nwin >= rows then out_of_range(name, cfg) end
    local window = cfg.win * row_ns
    local start = now - window
    local stop = start + window - row_ns
    return now, row_ns, window, start, stop
end

local function run_mww(name, cbuf, cfg)
    local now, row_ns, window, start, stop = mww_windows(name, cbuf, cfg)
    local mean = cbuf:compute("avg", cfg.col, start, stop)
    local hits = 0
    for s = start - window, now - window * cfg.nwin + 1, -window do
        local e = s + window - row_ns
        local test = cfg.trend == "any"
        if cfg.trend == "decreasing" then
            test = cbuf:compute("avg", cfg.col, s, e) - mean > 0
        elseif cfg.trend == "increasing" then
            test = cbuf:compute("avg", cfg.col, s, e) - mean < 0
        end
        if test then
            local _, p = cbuf:mannwhitneyu(cfg.col, start, stop, s, e)
            if p and p < cfg.pvalue then hits = hits + 1 end
        end
    end
    if hits > cfg.nwin / 4 then
        local text = "detected anomaly"
        if cfg.trend ~= "any" then text = string.format("detected anomaly, %s values", cfg.trend) end
        return finding(name, now, cfg, text)
    end
end

local function run_mww_nonparametric(name, cbuf, cfg)
    local overlap = 0.5 -- the statistic when the windows are alike
    local now, row_ns, window, start, stop = mww_windows(name, cbuf, cfg)
    local sum = 0
    for s = start - window, now - window * cfg.nwin + 1, -window do
        local u = cbuf:mannwhitneyu(cfg.col, start, stop, s, s + window - row_ns)
        if u then sum = sum + u / (cfg.win * cfg.win) - overlap end
    end
    local pstat = sum / (cfg.nwin - 1) + overlap
    if (cfg.pstat < overlap and pstat < cfg.pstat) or (cfg.pstat > overlap and pstat > cfg.pstat) then
        return finding(name, now, cfg, string.format("detected anomaly, pstat: %G", pstat))
    end
end

local algorithms = {roc = run_roc, mww = run_mww, mww_nonparametric = run_mww_nonparametric}

function M.detect(ns, name, cbuf, anomaly_config)
    if not cbuf:get(ns, 1) then
        cbuf:add(ns, 1, 0 / 0) -- advance the buffer even without data
    end
    local list = anomaly_config[name]
    if not list then return end
    if not list.last_run then
        list.last_run = 0
        local _, _, spr = cbuf:get_configuration()
        list.interval = spr * 1e9
    end
    -- at most once per row: the graph and the ticker need not be in step
    if not (ns > list.last_run and ns - list.last_run >= list.interval) then return end
    list.last_run = ns

    local msgs, annos = {}, {}
    for _, cfg in ipairs(list) do
        local run = algorithms[cfg.algorithm]
        if not run then
            error(string.format("%s - algorithm: %s col: %d msg: unknown algorithm", name,
                                tostring(cfg.algorithm), cfg.col or 0))
        end
        local msg, anno = run(name, cbuf, cfg)
        if msg then
            msgs[#msgs + 1] = msg
            annos[#annos + 1] = anno
        end
    end
    if #msgs > 0 then return table.concat(msgs, "\n"), annos end
end

function M.inject_graph(ns, title, cbuf, anomaly_config)
    if not anomaly_config then
        inject_payload("cbuf", title, cbuf)
        return
    end
    -- required here, not at load: alert defines the global _LAST_ALERT,
    -- which only the scripts that alert should have
    local alert = require "alert"
    if not alert.throttled(ns) then
        local msg, annos = M.detect(ns, title, cbuf, anomaly_config)
        if msg then
            annotation.concat(title, annos)
            alert.send(ns, msg)
        end
    end
    inject_payload("cbuf", title, annotation.prune(title, ns), cbuf)
end

return M
