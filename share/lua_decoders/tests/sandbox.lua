-- sandbox: stand-ins for the host functions hekad's Lua sandbox gives a
-- plugin (read_config, read_message, write_message, inject_message,
-- inject_payload, add_to_payload, decode_message), so that the plugin test
-- scripts under share/lua_decoders/tests, lua_filters/tests and
-- lua_encoders/tests run a plugin file under plain C Lua 5.1 with LPeg.
--
--   local S = require "sandbox"
--   local p = S.load("lua_decoders/nginx_access.lua", {log_format = "..."})
--   local rc = p.process({Payload = "..."})   -- the message read_message sees
--   p.injected  -- the tables and payloads injected since the last process call
--
-- An injected table is deep-copied when injected (plugins reuse their
-- tables). An inject_payload call is recorded as
-- {payload_type = type, payload_name = name, Payload = text}.
-- Scripts are run from share/, so plugin paths are relative to it.

local string = require "string"
local table = require "table"
local math = require "math"

local S = {}

local function copy(v)
    if type(v) ~= "table" then return v end
    local mt = getmetatable(v)
    if mt and mt.__sandbox_output then return v end
    local c = {}
    for k, x in pairs(v) do c[k] = copy(x) end
    return c
end
S.copy = copy

-- format_number writes a number as add_to_payload does: integers plainly,
-- fractions with up to eight decimals (trailing zeros dropped), NaN and
-- infinities as nan, inf, -inf.
function S.format_number(n)
    if n ~= n then return "nan" end
    if n == math.huge then return "inf" end
    if n == -math.huge then return "-inf" end
    if n == math.floor(n) and math.abs(n) < 2^53 then return string.format("%d", n) end
    local s = string.format("%.8f", n)
    s = string.gsub(s, "0+$", "")
    s = string.gsub(s, "%.$", "")
    return s
end

-- the output buffer: add_to_payload appends, inject_payload sends and
-- empties it; it outlives the call that filled it, as in the sandbox
local buffer = {}
local function append(...)
    for i = 1, select("#", ...) do
        local v = select(i, ...)
        local t = type(v)
        if t == "number" then
            buffer[#buffer + 1] = S.format_number(v)
        elseif t == "string" then
            buffer[#buffer + 1] = v
        elseif t == "boolean" or t == "nil" then
            buffer[#buffer + 1] = tostring(v)
        elseif t == "table" and getmetatable(v) and getmetatable(v).__sandbox_output then
            buffer[#buffer + 1] = getmetatable(v).__sandbox_output(v)
        else
            error("add_to_payload() does not support the " .. t .. " type", 2)
        end
    end
end

-- json_decode is a stand-in for the sandbox's cjson.decode: JSON text -> Lua
-- values, with nulls dropped (as Heka's modified cjson does by default);
-- raises an error on text that is not JSON.
local json_value
do
    local lpeg = require "lpeg"
    local P, R, S_, C, Ct, Cg, Cf, Cc, V = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Ct, lpeg.Cg,
        lpeg.Cf, lpeg.Cc, lpeg.V
    local ws = S_(" \t\r\n")^0
    local escapes = {['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n",
                     r = "\r", t = "\t"}
    local function utf8(hex)
        local n = tonumber(hex, 16)
        if n < 0x80 then return string.char(n) end
        if n < 0x800 then
            return string.char(0xC0 + math.floor(n / 64), 0x80 + n % 64)
        end
        return string.char(0xE0 + math.floor(n / 4096), 0x80 + math.floor(n / 64) % 64,
                           0x80 + n % 64)
    end
    local hex = R("09", "af", "AF")
    local char = C((P(1) - S_('"\\') - R("\0\31"))^1)
        + P("\\u") * C(hex * hex * hex * hex) / utf8
        + P("\\") * C(S_('"\\/bfnrt')) / escapes
    local str = P('"') * Cf(Cc("") * char^0, function(a, b) return a .. b end) * P('"')
    local num = C(P("-")^-1 * (P("0") + R("19") * R("09")^0) * (P(".") * R("09")^1)^-1
                  * (S_("eE") * S_("+-")^-1 * R("09")^1)^-1) / tonumber
    local function set(t, k, v) if v ~= S then t[k] = v end return t end
    local function push(t, v) if v ~= S then t[#t + 1] = v end return t end
    json_value = P({
        "doc",
        doc = ws * V("value") * ws * P(-1),
        value = str + num + P("true") * Cc(true) + P("false") * Cc(false)
            + P("null") * Cc(S) + V("object") + V("array"),
        member = ws * str * ws * P(":") * ws * V("value") * ws,
        object = P("{") * Cf(Ct("") * (Cg(V("member")) * (P(",") * Cg(V("member")))^0
                 + ws), set) * P("}"),
        array = P("[") * Cf(Ct("") * (ws * V("value") * ws * (P(",") * ws * V("value") * ws)^0
                + ws), push) * P("]"),
    })
end

function S.json_decode(text)
    if type(text) ~= "string" then error("bad argument #1 to 'decode' (string expected)", 2) end
    local v = json_value:match(text)
    if v == nil then error("Expected value but found invalid token", 2) end
    if v == S then return nil end
    return v
end

-- stub_cjson makes require "cjson" return a stand-in for the sandbox's
-- cjson: encode (testlib's deterministic encoder) and decode (json_decode);
-- also defines the global cjson, as the sandbox's require does.
function S.stub_cjson(T)
    package.loaded.cjson = nil
    package.preload.cjson = function()
        cjson = {encode = T.json, decode = S.json_decode}
        return cjson
    end
end

-- the plugin under test; load replaces it
local current

-- what read_message returns for a header the message does not set: the
-- protobuf defaults, as Heka's host read them (never nil)
local header_defaults = {Type = "", Logger = "", Payload = "", EnvVersion = "", Hostname = "",
                         Uuid = "", Timestamp = 0, Severity = 7, Pid = 0}

local function field_value(msg, name, fi, ai)
    local f = (msg.Fields or {})[name]
    if f == nil then return nil end
    if fi ~= 0 then return nil end
    if type(f) == "table" then
        local v = f.value
        if v == nil then v = f end
        if type(v) == "table" then return v[ai + 1] end
        if ai ~= 0 then return nil end
        return v
    end
    if ai ~= 0 then return nil end
    return f
end

-- check_fields raises the error the host's inject_message raises for a
-- field it cannot encode: a value must be a string, number or boolean, an
-- array of them, or a table {value = ..., representation = ..., value_type = ...}.
local function scalar(v)
    local t = type(v)
    return t == "string" or t == "number" or t == "boolean"
end

local function check_fields(fields)
    if fields == nil then return end
    if type(fields) ~= "table" then error("inject_message() Fields must be a table", 3) end
    for k, v in pairs(fields) do
        if type(v) == "table" then
            if type(k) == "number" then v = v.value end -- array form {name=, value=}
            if type(v) == "table" and v.value ~= nil then v = v.value end
            if type(v) == "table" then
                if #v == 0 then error("inject_message() could not encode field " .. tostring(k), 3) end
                for _, x in pairs(v) do
                    if not scalar(x) then
                        error("inject_message() could not encode field " .. tostring(k), 3)
                    end
                end
            elseif not scalar(v) then
                error("inject_message() could not encode field " .. tostring(k), 3)
            end
        elseif not scalar(v) then
            error("inject_message() could not encode field " .. tostring(k), 3)
        end
    end
end

-- what read_message("raw") returns for a message that has no raw member
local raw_token = "\0raw message bytes"

-- decoded_form returns message msg as decode_message returns a message:
-- Fields an array (in name order) of {name, value_type, representation,
-- value = {values}}; value_type 0 string, 2 integer (a field given as
-- {value = ..., value_type = 2}), 3 double, 4 bool.
local function decoded_form(msg)
    local d = {}
    for k, v in pairs(msg) do
        if k ~= "Fields" and k ~= "raw" then d[k] = v end
    end
    local names = {}
    for name in pairs(msg.Fields or {}) do names[#names + 1] = name end
    table.sort(names)
    d.Fields = {}
    for _, name in ipairs(names) do
        local f = msg.Fields[name]
        local rep, vt = "", nil
        if type(f) == "table" and f.value ~= nil then
            rep, vt, f = f.representation or "", f.value_type, f.value
        end
        local values = f
        if type(f) ~= "table" then values = {f} end
        if not vt then
            local t = type(values[1])
            vt = (t == "string" and 0) or (t == "number" and 3) or 4
        end
        d.Fields[#d.Fields + 1] = {name = name, value_type = vt, representation = rep,
                                   value = copy(values)}
    end
    return d
end

local function install()
    function read_config(name)
        local v = current.config[name]
        local t = type(v)
        if t == "string" or t == "number" or t == "boolean" then return v end
        return nil
    end

    function read_message(var, fi, ai)
        local msg = current.message
        if not msg then return nil end
        fi, ai = fi or 0, ai or 0
        local name = string.match(var, "^Fields%[(.*)%]$")
        if name then return field_value(msg, name, fi, ai) end
        if var == "raw" then return msg.raw or raw_token end
        local v = msg[var]
        if v == nil then v = header_defaults[var] end
        return v
    end

    function write_message(var, value, rep, fi, ai)
        local msg = current.message
        local name = string.match(var, "^Fields%[(.*)%]$")
        if name then
            msg.Fields = msg.Fields or {}
            if value == nil then
                msg.Fields[name] = nil
            elseif rep and rep ~= "" then
                msg.Fields[name] = {value = value, representation = rep}
            else
                msg.Fields[name] = value
            end
        else
            msg[var] = value
        end
    end

    function inject_message(t)
        if type(t) ~= "table" and type(t) ~= "string" then
            error("inject_message() takes a table or a string", 2)
        end
        if type(t) == "table" then check_fields(t.Fields) end
        current.injected[#current.injected + 1] = copy(t)
    end

    function add_to_payload(...)
        append(...)
    end

    function inject_payload(ptype, name, ...)
        append(...)
        local text = table.concat(buffer)
        buffer = {}
        if text == "" then return end
        current.injected[#current.injected + 1] = {
            payload_type = ptype or "txt", payload_name = name or "", Payload = text}
    end

    -- decode_message of read_message("raw") gives the current message in
    -- decode_message's form; other strings are looked up in opts.decoded
    function decode_message(s)
        if s == raw_token and current.message then return decoded_form(current.message) end
        local m = current.decoded and current.decoded[s]
        if not m then error("decode_message() failed", 2) end
        return copy(m)
    end

    -- read_next_field walks the current message's fields in name order
    function read_next_field()
        local msg = current.message
        if not msg then return nil end
        if not current.field_walk then current.field_walk = decoded_form(msg).Fields end
        current.field_index = (current.field_index or 0) + 1
        local f = current.field_walk[current.field_index]
        if not f then return nil end
        return f.value_type, f.name, f.value[1], f.representation, #f.value
    end
end

-- modules whose state lives in globals or upvalues: reloaded for each plugin
local stateful = {"alert", "annotation", "anomaly", "ts_line_protocol", "field_util",
                  "msg_interpolate", "cjson"}

-- load runs the plugin file path with the configuration config (a table of
-- read_config values) and returns a handle:
--   h.process(msg)  calls process_message with msg as the current message,
--                   returns its results; h.injected is what it injected
--   h.timer(ns)     calls timer_event(ns); h.injected likewise
--   h.config, h.message, h.env
-- opts.decoded maps strings to the tables decode_message returns for them.
function S.load(path, config, opts)
    opts = opts or {}
    for _, m in ipairs(stateful) do package.loaded[m] = nil end
    _LAST_ALERT, _ANNOTATIONS = nil, nil
    process_message, timer_event = nil, nil
    buffer = {}
    local h = {config = config or {}, injected = {}, decoded = opts.decoded}
    current = h
    install()
    local chunk = assert(loadfile(path))
    chunk()
    h.process_message, h.timer_event = process_message, timer_event
    function h.process(msg)
        current = h
        h.message = msg
        h.field_walk, h.field_index = nil, nil
        h.injected = {}
        return h.process_message()
    end
    function h.timer(ns)
        current = h
        h.message = nil
        h.injected = {}
        return h.timer_event(ns)
    end
    return h
end

-- run_cases loads plugin once per case {name, config, message, rc, injected}
-- (message: a table, or a string taken as the Payload; nil: no Payload),
-- calls process_message and checks its return code and what it injected
-- with T.eq.
function S.run_cases(T, plugin, cases)
    for _, c in ipairs(cases) do
        local name, config, msg, rc, injected = c[1], c[2], c[3], c[4], c[5]
        if type(msg) ~= "table" then msg = {Payload = msg} end
        local p = S.load(plugin, config)
        T.eq(name .. " rc", p.process(msg), rc)
        T.eq(name .. " injected", p.injected, injected)
    end
end

-- load_error returns the error loading path with config raises (nil if none).
function S.load_error(path, config)
    local ok, err = pcall(S.load, path, config)
    if ok then return nil end
    return tostring(err)
end

return S
