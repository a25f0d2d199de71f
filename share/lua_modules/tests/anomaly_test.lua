-- Tests of lua_modules/anomaly.lua: anomaly_config -> parsed table, and
-- detect over a stub circular buffer whose compute and mannwhitneyu answer
-- only the exact windows the algorithms must ask for.
local T = require "testlib"
local lpeg = require "lpeg" -- C LPeg defines the global lpeg itself
local string = require "string"
local table = require "table"
local before = T.globals()
local anomaly = require "anomaly"
before._ANNOTATIONS = true -- defined by the annotation module anomaly uses
T.no_new_globals("require anomaly", before)

--[[ parse_config ]]

local function roc(col, win, hwin, sd, lod, sod)
    return {col = col, win = win, hwin = hwin, sd = sd, loss_of_data = lod, start_of_data = sod,
            algorithm = "roc"}
end

-- config, expected table (a string: the error)
local configs = {
    {'roc("HTTP Status", 2, 15, 0, 1.5, true, false) mww_nonparametric("HTTP Status", 5, 15, 10, 0.8)',
     {["HTTP Status"] = {roc(2, 15, 0, 1.5, true, false),
                         {col = 5, win = 15, nwin = 10, pstat = 0.8, algorithm = "mww_nonparametric"}}}},
    {'mww("Output1", 2, 60, 10, 0.0001, decreasing)',
     {Output1 = {{col = 2, win = 60, nwin = 10, pvalue = 0.0001, trend = "decreasing", algorithm = "mww"}}}},
    {'roc("a",1,1,0,1,false,false)roc("b""q",1,2,3,4,true,true)\n',
     {a = {roc(1, 1, 0, 1, false, false)}, ['b"q'] = {roc(1, 2, 3, 4, true, true)}}},
    {'  mww_nonparametric("DEFAULT", 1, 5, 10, 0)',
     {DEFAULT = {{col = 1, win = 5, nwin = 10, pstat = 0, algorithm = "mww_nonparametric"}}}},
    {'roc("a", 1)', "could not parse the anomaly_config"},
    {'', "could not parse the anomaly_config"},
    {'mww_nonparametric("a", 1, 2, 3, 1.5)', "could not parse the anomaly_config"},
    {'roc("", 1, 1, 0, 1, true, true)', "could not parse the anomaly_config"},
    {'mww("a", 1, 2, 3, 0.1, up)', "could not parse the anomaly_config"},
    {'roc("a", 1, 1, 0, 1, yes, true)', "could not parse the anomaly_config"},
}
for i, c in ipairs(configs) do
    if type(c[2]) == "string" then
        T.raises("parse_config " .. i, function() anomaly.parse_config(c[1]) end, c[2])
    else
        T.eq("parse_config " .. i, anomaly.parse_config(c[1]), c[2])
    end
end
T.eq("parse_config nil", anomaly.parse_config(nil), nil)

--[[ detect ]]

local spr, rows = 60, 100
local now = 100 * 60e9

local function key(...)
    local parts = {}
    for i = 1, select("#", ...) do
        local v = select(i, ...)
        if type(v) == "number" then v = string.format("%.0f", v) end
        parts[i] = tostring(v)
    end
    return table.concat(parts, " ")
end

-- a circular buffer whose latest row starts at now; answers maps
-- key(function, col, times...) to the results
local function stub_cbuf(answers)
    local cb = {added = {}}
    function cb:get_configuration() return rows, 3, spr end
    function cb:current_time() return now end
    function cb:get(ns, col) if ns < now + spr * 1e9 then return 0 end end
    function cb:add(ns, col, v) self.added[#self.added + 1] = {ns, col, v ~= v} end
    local function answer(...)
        local a = answers[key(...)]
        if not a then error("unexpected call " .. key(...)) end
        return a[1], a[2]
    end
    function cb:compute(fn, col, s, e) return answer(fn, col, s, e) end
    function cb:mannwhitneyu(col, s1, e1, s2, e2) return answer("mww", col, s1, e1, s2, e2) end
    return cb
end

local w = 60e9 -- one row
local function anno(text) return {x = now / 1e6, col = 1, shortText = "A", text = text} end

local roc_answers = {
    [key("sd", 1, nil, now - 5 * w)] = {1, 50},
    [key("avg", 1, now - 4 * w, now - 3 * w)] = {10, 2},
    [key("avg", 1, now - 2 * w, now - w)] = {13, 2},
}
local cfg = anomaly.parse_config('roc("g", 1, 2, 0, 2, true, false)')
local cb = stub_cbuf(roc_answers)
local sd_text = "detected anomaly, standard deviation exceeds 2"
T.eq("roc", {anomaly.detect(now, "g", cb, cfg)}, {"g - algorithm: roc col: 1 msg: " .. sd_text, {anno(sd_text)}})
T.eq("roc same interval", select("#", anomaly.detect(now, "g", cb, cfg)), 0)
T.eq("roc within the interval", select("#", anomaly.detect(now + 30e9, "g", cb, cfg)), 0)
T.eq("roc no add", cb.added, {})
-- a row later: the buffer is advanced (with NaN) and the test runs again
T.eq("roc next row", select("#", anomaly.detect(now + 90e9, "g", cb, cfg)), 2)
T.eq("roc advances the buffer", cb.added, {{now + 90e9, 1, true}})
T.eq("unknown name", select("#", anomaly.detect(now, "other", stub_cbuf({}), cfg)), 0)

-- history window, and no anomaly
cfg = anomaly.parse_config('roc("g", 1, 2, 3, 2, false, false)')
T.eq("roc quiet", select("#", anomaly.detect(now, "g", stub_cbuf({
    [key("sd", 1, now - 7 * w, now - 5 * w)] = {1, 3},
    [key("avg", 1, now - 4 * w, now - 3 * w)] = {10, 2},
    [key("avg", 1, now - 2 * w, now - w)] = {11, 2},
}), cfg)), 0)

cfg = anomaly.parse_config('roc("g", 1, 2, 0, 2, true, true)')
T.eq("roc loss of data", anomaly.detect(now, "g", stub_cbuf({
    [key("sd", 1, nil, now - 5 * w)] = {1, 50},
    [key("avg", 1, now - 4 * w, now - 3 * w)] = {10, 2},
    [key("avg", 1, now - 2 * w, now - w)] = {10, 0},
}), cfg), "g - algorithm: roc col: 1 msg: no new data")
cfg = anomaly.parse_config('roc("g", 1, 2, 0, 2, true, true)')
T.eq("roc start of data", anomaly.detect(now, "g", stub_cbuf({
    [key("sd", 1, nil, now - 5 * w)] = {1, 50},
    [key("avg", 1, now - 4 * w, now - 3 * w)] = {10, 0},
    [key("avg", 1, now - 2 * w, now - w)] = {10, 2},
}), cfg), "g - algorithm: roc col: 1 msg: unexpected data")

cfg = anomaly.parse_config('roc("g", 1, 40, 0, 1, false, false)')
T.raises("roc out of range", function() anomaly.detect(now, "g", stub_cbuf({}), cfg) end,
         "g - algorithm: roc col: 1 msg: win=40 hwin=0 arguments out of range (rows=100)")

-- Mann-Whitney: windows of 2 rows; nwin 3 compares the window two back
local mww_call = key("mww", 1, now - 2 * w, now - w, now - 4 * w, now - 3 * w)
cfg = anomaly.parse_config('mww_nonparametric("g", 1, 2, 3, 0.7)')
local np_text = "detected anomaly, pstat: 0.75"
T.eq("mww_nonparametric", {anomaly.detect(now, "g", stub_cbuf({[mww_call] = {4, 0.5}}), cfg)},
     {"g - algorithm: mww_nonparametric col: 1 msg: " .. np_text, {anno(np_text)}})
cfg = anomaly.parse_config('mww_nonparametric("g", 1, 2, 3, 0.8)')
T.eq("mww_nonparametric quiet", select("#", anomaly.detect(now, "g", stub_cbuf({[mww_call] = {4, 0.5}}), cfg)), 0)
cfg = anomaly.parse_config('mww_nonparametric("g", 1, 2, 3, 0.3)')
T.eq("mww_nonparametric decrease", anomaly.detect(now, "g", stub_cbuf({[mww_call] = {0, 0.5}}), cfg),
     "g - algorithm: mww_nonparametric col: 1 msg: detected anomaly, pstat: 0.25")
cfg = anomaly.parse_config('mww_nonparametric("g", 1, 50, 2, 0.3)')
T.raises("mww_nonparametric out of range", function() anomaly.detect(now, "g", stub_cbuf({}), cfg) end,
         "g - algorithm: mww_nonparametric col: 1 msg: arguments out of range")

local mww_answers = {
    [key("avg", 1, now - 2 * w, now - w)] = {20, 2},
    [key("avg", 1, now - 4 * w, now - 3 * w)] = {10, 2},
    [mww_call] = {4, 0.01},
}
cfg = anomaly.parse_config('mww("g", 1, 2, 3, 0.05, increasing)')
T.eq("mww increasing", anomaly.detect(now, "g", stub_cbuf(mww_answers), cfg),
     "g - algorithm: mww col: 1 msg: detected anomaly, increasing values")
cfg = anomaly.parse_config('mww("g", 1, 2, 3, 0.05, decreasing)')
T.eq("mww decreasing quiet", select("#", anomaly.detect(now, "g", stub_cbuf(mww_answers), cfg)), 0)
cfg = anomaly.parse_config('mww("g", 1, 2, 3, 0.05, any)')
T.eq("mww any", anomaly.detect(now, "g", stub_cbuf(mww_answers), cfg),
     "g - algorithm: mww col: 1 msg: detected anomaly")
cfg = anomaly.parse_config('mww("g", 1, 2, 3, 0.001, any)')
T.eq("mww any quiet", select("#", anomaly.detect(now, "g", stub_cbuf(mww_answers), cfg)), 0)

-- several algorithms on one graph: one line each
local all = {}
for k, v in pairs(roc_answers) do all[k] = v end
all[mww_call] = {4, 0.5}
cfg = anomaly.parse_config('roc("g", 1, 2, 0, 2, true, false) mww_nonparametric("g", 1, 2, 3, 0.7)')
T.eq("two algorithms", {anomaly.detect(now, "g", stub_cbuf(all), cfg)},
     {"g - algorithm: roc col: 1 msg: " .. sd_text .. "\ng - algorithm: mww_nonparametric col: 1 msg: " .. np_text,
      {anno(sd_text), anno(np_text)}})

T.no_new_globals("after use", before)

--[[ inject_graph (after the globals check: alerting defines _LAST_ALERT) ]]

local sent = {}
function inject_payload(typ, name, ...) sent[#sent + 1] = {typ, name, select("#", ...)} end
local gcb = stub_cbuf(roc_answers)
anomaly.inject_graph(now, "g", gcb, nil)
T.eq("graph without anomaly_config", sent, {{"cbuf", "g", 1}})
sent = {}
local gcfg = anomaly.parse_config('roc("g", 1, 2, 0, 2, true, false)')
anomaly.inject_graph(now, "g", gcb, gcfg)
T.eq("graph with an anomaly: the alert, then the graph with its annotations", sent,
     {{"alert", "", 1}, {"cbuf", "g", 2}})
sent = {}
anomaly.inject_graph(now + 90e9, "g", gcb, gcfg)
T.eq("alerts throttled: the graph only", sent, {{"cbuf", "g", 2}})
T.done()
