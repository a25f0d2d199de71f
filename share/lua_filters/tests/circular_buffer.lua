-- circular_buffer: a Lua stand-in for the sandbox's circular_buffer module
-- (a C module in Heka's lua_sandbox), for the filter tests under C Lua. It
-- implements the API the shipped filters use, with Heka 0.10's semantics:
--   circular_buffer.new(rows, columns, seconds_per_row[, enable_delta])
--   cb:set_header(column, name[, unit[, aggregation]]) -> column
--   cb:add(ns, column, value) / cb:set(ns, column, value) -> value or nil
--   cb:get(ns, column), cb:get_header(column), cb:get_configuration(),
--   cb:current_time()
--   cb:compute(fn, column[, start_ns[, end_ns]]) -> value, number of non-NaN
--   rows (NaN and 0 when there are none; nil outside the window),
--   cb:mannwhitneyu(column, s1, e1,
--   s2, e2), cb:format("cbuf"|"cbufd")
--   add_to_payload(cb): the cbuf text (JSON header line, then one row per
--   line, oldest first, columns tab-separated, "nan" for an empty cell), or
--   with format "cbufd" the rows changed since the last output, each
--   prefixed with its time in seconds (nothing when none changed).
-- Cells start as NaN; add to a NaN cell stores the value. Reading a time
-- newer than the newest row gives nil (anomaly.detect relies on it to
-- advance the buffer with add). Names are cut to
-- 15 characters and units to 7, other characters than letters and digits
-- (and / * in units) becoming "_".

local string = require "string"
local table = require "table"
local math = require "math"
local S = require "sandbox"

local M = {}
local nan = 0 / 0
local aggregations = {sum = true, min = true, max = true, avg = true, none = true}

local CB = {}
local mt = {__index = CB}

local function fmt(v)
    if v ~= v then return "nan" end
    return S.format_number(v)
end

function M.new(rows, columns, spr, delta)
    assert(type(rows) == "number" and rows > 1, "rows must be > 1")
    assert(type(columns) == "number" and columns > 0, "columns must be > 0")
    assert(type(spr) == "number" and spr > 0 and spr <= 86400, "seconds_per_row is out of range")
    local cb = setmetatable({rows = rows, columns = columns, spr = spr,
                             time = spr * (rows - 1), row = rows - 1, values = {},
                             headers = {}, delta = delta and true or false, deltas = nil,
                             out = "cbuf"}, mt)
    for r = 0, rows - 1 do
        local row = {}
        for c = 1, columns do row[c] = nan end
        cb.values[r] = row
    end
    for c = 1, columns do
        cb.headers[c] = {name = "Column_" .. c, unit = "count", aggregation = "sum"}
    end
    return cb
end

local function column(cb, c)
    c = math.floor(tonumber(c) or 0)
    if c < 1 or c > cb.columns then error("column out of range", 3) end
    return c
end

-- row_of returns the row index of time ns (advancing the buffer when advance
-- and ns is newer) or nil when ns is outside the window
local function row_of(cb, ns, advance)
    local t = math.floor(ns / 1e9)
    t = t - t % cb.spr
    local delta = t / cb.spr - cb.time / cb.spr
    local row = (t / cb.spr) % cb.rows
    if delta > 0 and advance then
        local r = cb.row
        for _ = 1, math.min(delta, cb.rows) do
            r = (r + 1) % cb.rows
            for c = 1, cb.columns do cb.values[r][c] = nan end
        end
        cb.time, cb.row = t, row
    elseif delta > 0 or math.abs(delta) >= cb.rows then
        return nil -- newer than the buffer (reading) or older than it
    end
    return row, t
end

local function record_delta(cb, t, c, v)
    if not cb.delta or v == 0 or v ~= v then return end
    cb.deltas = cb.deltas or {}
    local d = cb.deltas[t]
    if not d then
        d = {}
        cb.deltas[t] = d
    end
    d[c] = (d[c] or 0) + v
end

function CB:set_header(c, name, unit, aggregation)
    c = column(self, c)
    aggregation = aggregation or "sum"
    if not aggregations[aggregation] then error("invalid option '" .. aggregation .. "'", 2) end
    name = string.gsub(string.sub(name, 1, 15), "[^%w]", "_")
    unit = string.gsub(string.sub(unit or "count", 1, 7), "[^%w/*]", "_")
    self.headers[c] = {name = name, unit = unit, aggregation = aggregation}
    return c
end

function CB:add(ns, c, v)
    local row, t = row_of(self, ns, true)
    c = column(self, c)
    if not row then return nil end
    local old = self.values[row][c]
    if old ~= old then old = 0 end
    self.values[row][c] = old + v
    record_delta(self, t, c, v)
    return self.values[row][c]
end

function CB:set(ns, c, v)
    local row, t = row_of(self, ns, true)
    c = column(self, c)
    if not row then return nil end
    local old = self.values[row][c]
    if old ~= old then old = 0 end
    self.values[row][c] = v
    record_delta(self, t, c, v - old)
    return v
end

function CB:get(ns, c)
    local row = row_of(self, ns, false)
    c = column(self, c)
    if not row then return nil end
    return self.values[row][c]
end

function CB:get_header(c)
    local h = self.headers[column(self, c)]
    return h.name, h.unit, h.aggregation
end

function CB:get_configuration() return self.rows, self.columns, self.spr end

function CB:current_time() return self.time * 1e9 end

function CB:compute(fn, c, s, e)
    c = column(self, c)
    s = s or (self.time - self.spr * (self.rows - 1)) * 1e9
    e = e or self.time * 1e9
    local srow, erow = row_of(self, s, false), row_of(self, e, false)
    if not srow or not erow then return nil end
    local vals = {}
    local r = srow
    while true do
        local v = self.values[r][c]
        if v == v then vals[#vals + 1] = v end
        if r == erow then break end
        r = (r + 1) % self.rows
    end
    local n = #vals
    if fn ~= "sum" and fn ~= "avg" and fn ~= "sd" and fn ~= "min" and fn ~= "max" then
        error("invalid option '" .. tostring(fn) .. "'", 2)
    end
    if n == 0 then return nan, 0 end
    local sum = 0
    for _, v in ipairs(vals) do sum = sum + v end
    local avg = sum / n
    if fn == "sum" then return sum, n end
    if fn == "avg" then return avg, n end
    if fn == "sd" then
        local sq = 0
        for _, v in ipairs(vals) do sq = sq + (v - avg) ^ 2 end
        return math.sqrt(sq / n), n
    end
    if fn == "min" then return math.min(unpack(vals)), n end
    return math.max(unpack(vals)), n
end

-- mannwhitneyu compares the values of column c in the rows of two time
-- ranges (NaN left out): returns U of the first sample and the two-sided p
-- of the normal approximation, or nil when a sample is empty
function CB:mannwhitneyu(c, s1, e1, s2, e2)
    c = column(self, c)
    local function sample(s, e)
        local list = {}
        local t = s
        while t <= e do
            local v = self:get(t, c)
            if v and v == v then list[#list + 1] = v end
            t = t + self.spr * 1e9
        end
        return list
    end
    local a, b = sample(s1, e1), sample(s2, e2)
    local n1, n2 = #a, #b
    if n1 == 0 or n2 == 0 then return nil end
    local all = {}
    for _, v in ipairs(a) do all[#all + 1] = {v, 1} end
    for _, v in ipairs(b) do all[#all + 1] = {v, 2} end
    table.sort(all, function(x, y) return x[1] < y[1] end)
    local r1, i = 0, 1
    while i <= #all do
        local j = i
        while j < #all and all[j + 1][1] == all[i][1] do j = j + 1 end
        local rank = (i + j) / 2
        for k = i, j do if all[k][2] == 1 then r1 = r1 + rank end end
        i = j + 1
    end
    local u = r1 - n1 * (n1 + 1) / 2
    local sd = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    if sd == 0 then return u, 1 end
    local z = math.abs(u - n1 * n2 / 2) / sd
    -- erfc by Abramowitz and Stegun 7.1.26
    local x = z / math.sqrt(2)
    local t = 1 / (1 + 0.3275911 * x)
    local erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                 + t * 1.061405429)))) * math.exp(-x * x)
    return u, erfc
end

function CB:format(f)
    if f ~= "cbuf" and f ~= "cbufd" then error("invalid option '" .. tostring(f) .. "'", 2) end
    self.out = f
    return self
end

local function header(cb)
    local info = {}
    for c = 1, cb.columns do
        local h = cb.headers[c]
        info[c] = string.format('{"name":"%s","unit":"%s","aggregation":"%s"}', h.name, h.unit,
                                h.aggregation)
    end
    return string.format('{"time":%d,"rows":%d,"columns":%d,"seconds_per_row":%d,"column_info":[%s]}\n',
                         cb.time - cb.spr * (cb.rows - 1), cb.rows, cb.columns, cb.spr,
                         table.concat(info, ","))
end

mt.__sandbox_output = function(cb)
    local out = {}
    if cb.out == "cbufd" then
        if not cb.deltas then return "" end
        out[1] = header(cb)
        local times = {}
        for t in pairs(cb.deltas) do times[#times + 1] = t end
        table.sort(times)
        for _, t in ipairs(times) do
            local line = {fmt(t)}
            for c = 1, cb.columns do line[c + 1] = fmt(cb.deltas[t][c] or nan) end
            out[#out + 1] = table.concat(line, "\t") .. "\n"
        end
        cb.deltas = nil
        return table.concat(out)
    end
    out[1] = header(cb)
    for i = 1, cb.rows do
        local r = (cb.row + i) % cb.rows
        local line = {}
        for c = 1, cb.columns do line[c] = fmt(cb.values[r][c]) end
        out[#out + 1] = table.concat(line, "\t") .. "\n"
    end
    return table.concat(out)
end

circular_buffer = M
return M
