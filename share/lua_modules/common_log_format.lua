-- common_log_format: grammars for web server logs, built from the server's
-- own log format string. hekad's implementation of Heka's
-- lua_modules/common_log_format.lua, with the same functions, field names
-- and value types.
--
-- build_nginx_grammar(log_format)  nginx log_format ("$remote_addr - ...")
-- build_apache_grammar(log_format) Apache LogFormat ("%h %l %u %t \"%r\" ...")
--     Each returns a grammar whose match gives a table of fields, or nil when
--     a line does not fit. Variables hekad knows get typed values (below);
--     every other variable is captured as a string, ending at the character
--     that follows it in the format (a quoted value may contain \").
--     Errors (raised when the grammar is built): an Apache directive or
--     argument that is not known.
-- nginx_error_grammar              one line of nginx's error log
-- normalize_user_agent(ua)         -> browser, major version, os (or nils)
-- access_log_decoder(build)        hekad's: the process_message of
--     lua_decoders/nginx_access.lua and apache_access.lua. It reads their
--     options with read_config (log_format, type, user_agent_transform,
--     user_agent_keep, user_agent_conditional, payload_keep), builds the
--     grammar with build (build_nginx_grammar or build_apache_grammar) and
--     returns a function that decodes the Payload of the current message
--     and injects the result (-1 when the line does not fit).
--
-- Typed values:
--   host, hostname, remote_addr, server_addr, server_name,
--   proxy_protocol_addr        {value = "10.1.1.1", representation = "ipv4"}
--                              ("ipv6" or "hostname" as the text is)
--   body_bytes_sent, bytes_sent, content_length, request_length
--                              {value = 1234, representation = "B"}
--   request_time               {value = 0.005, representation = "s"}
--   status, connection, connection_requests, pid, remote_port,
--   server_port, tcpinfo_*     numbers
--   time_local, time_iso8601, msec
--                              the field "time", in ns since the epoch
--   upstream_addr              array of addresses (or "-")
--   upstream_response_time     {value = {0.1, 0.2}, representation = "s"}
--   upstream_response_length   {value = {12, 34}, representation = "B"} (or "-")
--   upstream_status            array of numbers ("-" is 0)
--   upstream_cache_last_modified  ns since the epoch (or "-")
--   Apache: %b and %B as body_bytes_sent ("-" is 0 for %b), %D and %T as
--   request_time in "us" and "s", %I/%O/%S as request_length,
--   response_length and total_length in "B", %{format}t and %t as "time",
--   %{Name}i as http_name (lower case, "-" -> "_"), %{Name}o as
--   sent_http_name, %{Name}C cookie_Name, %{Name}e env_Name, %{Name}n
--   module_Name, %{SSL_X}x ssl_x.
--
-- Example:
--   local clf = require "common_log_format"
--   local g = clf.build_nginx_grammar('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent')
--   local t = g:match('127.0.0.1 - - [10/Oct/2014:13:55:36 -0700] "GET / HTTP/1.1" 200 2326')
--   -- t.remote_addr.value == "127.0.0.1", t.status == 200, t.time == 1412974536e9

local lpeg = require "lpeg"
local string = require "string"
local table = require "table"
local dt = require "date_time"
local ip = require "ip_address"
local util = require "util"

local P, R, S, C, Cc, Cg, Ct = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cg, lpeg.Ct
local tonumber, type, error, ipairs = tonumber, type, error, ipairs

local M = {}

local digit = R"09"
local alpha = R("az", "AZ")
local alnum = alpha + digit
local xdigit = R("09", "af", "AF")
local space = S" \t\n\v\f\r"

--[[ Value grammars ]]

local integer = (P"-"^-1 * digit^1) / tonumber
local double = (digit^1 * "." * digit^1) / tonumber
local dash_zero = P"-" * Cc(0)

-- a value with the unit it is in
local function unit(value, representation)
    return Ct(Cg(value, "value") * Cg(Cc(representation), "representation"))
end

-- RFC 3986 reg-name characters
local reg_name = (alnum + S"-._~" + "%" * xdigit * xdigit + S"!$&'()*+,;=")^1
local host = unit(C(ip.v4), "ipv4") + unit(C(ip.v6), "ipv6") + unit(C(reg_name), "hostname")

-- $time_local (and Apache's %t) in nanoseconds: dt.clf_timestamp /
-- dt.time_to_ns, with the last conversion remembered. A clf timestamp is
-- always 26 bytes ("10/Oct/2000:13:55:36 -0700"), and the lines of a log
-- mostly repeat the one before's, so most lines cost a comparison instead
-- of a table of parts and a calendar conversion (a third of an nginx
-- line's decoding time). Same matches, same values.
local clf_ns = dt.clf_timestamp / dt.time_to_ns * lpeg.Cp()
local last_clf, last_clf_ns
local time_local = lpeg.Cmt(P(true), function(subject, pos)
    local s = string.sub(subject, pos, pos + 25)
    if s == last_clf then return pos + 26, last_clf_ns end
    local ns, e = clf_ns:match(subject, pos)
    if not ns then return false end
    if e - pos == 26 then last_clf, last_clf_ns = s, ns end
    return e, ns
end)

local http_status = (digit * digit * digit) / tonumber
local bytes = unit(integer, "B")
local method = P"GET" + "POST" + "HEAD" + "PUT" + "DELETE" + "OPTIONS" + "TRACE" + "CONNECT"
local protocol = "HTTP/" * digit^1 * "." * digit^1

-- nginx's upstream lists: ", " between servers of one group, " : " between
-- groups (after an internal redirect)
local function upstream_list(item)
    local group = item * (", " * item)^0
    return Ct(group * (" : " * group)^0)
end
local upstream_addr = C((1 - S", ")^1)

-- nginx variables with a typed grammar; a grammar without captures of its
-- own yields the matched text
local nginx_variables = {
    binary_remote_addr = P(4),
    body_bytes_sent = bytes,
    bytes_sent = bytes,
    connection = integer,
    connection_requests = integer,
    content_length = bytes,
    host = host,
    hostname = host,
    https = P"on"^-1,
    is_args = P"?"^-1,
    msec = double / dt.seconds_to_ns,
    nginx_version = digit^1 * "." * digit^1 * "." * digit^1,
    pid = integer,
    pipe = S"p.",
    proxy_protocol_addr = host,
    remote_addr = host,
    remote_port = integer,
    request_completion = P"OK"^-1,
    request_length = bytes,
    request_method = method,
    request_time = unit(double, "s"),
    scheme = P"https" + "http",
    server_addr = host,
    server_name = host,
    server_port = integer,
    server_protocol = protocol,
    status = http_status,
    tcpinfo_rtt = integer,
    tcpinfo_rttvar = integer,
    tcpinfo_snd_cwnd = integer,
    tcpinfo_rcv_space = integer,
    time_iso8601 = dt.rfc3339 / dt.time_to_ns,
    time_local = time_local,
    upstream_addr = upstream_list(upstream_addr) + "-",
    upstream_cache_status = P"HIT" + "MISS" + "EXPIRED" + "BYPASS" + "STALE" + "UPDATING"
                          + "REVALIDATED" + "-",
    upstream_cache_last_modified = dt.build_strftime_grammar("%a, %d %b %Y %T GMT") / dt.time_to_ns
                                 + "-",
    upstream_response_length = unit(upstream_list(integer), "B") + "-",
    upstream_response_time = unit(upstream_list(double + dash_zero), "s"),
    upstream_status = upstream_list(http_status + dash_zero),
}

-- variables whose value is the message time, all captured as "time"
local time_variables = {time_local = true, time_iso8601 = true, msec = true}

--[[ Building a grammar from a format ]]

-- A format is first split into tokens: {space = true}, {literal = text} and
-- {var = name}; assemble then turns them into one grammar. A string value
-- ends at the first character of the literal that follows it in the format,
-- or at white space when white space follows; a value followed by another
-- variable or by the end of the format ends where the value before it did.
-- (Heka ended a value at the last literal character before it; where Heka's
-- grammar matched a line the two agree, since Heka's only matched when that
-- character was also the one after the value.) A value ending at '"' may
-- contain \".
local function string_value(delim)
    if delim == nil then
        return (1 - space)^0
    elseif delim == '"' then
        return (P'\\"' + (1 - P'"'))^0
    end
    return (1 - P(delim))^0
end

-- lookup(name) returns the grammar of a variable, or a string: the name of
-- a string field
local function assemble(tokens, lookup)
    local g = P(true)
    local delim = nil -- nil: white space
    for i, tok in ipairs(tokens) do
        if tok.space then
            g = g * space^1
            delim = nil
        elseif tok.literal then
            g = g * P(tok.literal)
            delim = string.sub(tok.literal, -1)
        else
            local v = lookup(tok.var)
            if type(v) == "string" then
                local nxt = tokens[i + 1]
                if nxt and nxt.space then
                    delim = nil
                elseif nxt and nxt.literal then
                    delim = string.sub(nxt.literal, 1, 1)
                end
                v = Cg(C(string_value(delim)), v)
            end
            g = g * v
        end
    end
    return Ct(g)
end

local function is_space(c)
    return c == " " or c == "\t" or c == "\n" or c == "\v" or c == "\f" or c == "\r"
end

-- tokenize splits format into tokens; directive(format, i) returns the
-- variable token starting at i and the index after it, or nil; unescape
-- rewrites literal text.
local function tokenize(format, directive, unescape)
    local tokens, lit = {}, {}
    local function flush()
        if #lit > 0 then
            tokens[#tokens + 1] = {literal = unescape(table.concat(lit))}
            lit = {}
        end
    end
    local i, n = 1, #format
    while i <= n do
        local c = string.sub(format, i, i)
        local tok, nexti
        if is_space(c) then
            flush()
            tokens[#tokens + 1] = {space = true}
            repeat i = i + 1 until i > n or not is_space(string.sub(format, i, i))
        else
            tok, nexti = directive(format, i)
            if tok then
                flush()
                tokens[#tokens + 1] = tok
                i = nexti
            else
                lit[#lit + 1] = c
                i = i + 1
            end
        end
    end
    flush()
    return tokens
end

local function nginx_lookup(name)
    local g = nginx_variables[name]
    if not g then return name end
    if time_variables[name] then return Cg(g, "time") end
    return Cg(g, name)
end

-- $name or ${name}
local function nginx_directive(format, i)
    if string.sub(format, i, i) ~= "$" then return nil end
    local name, e = string.match(format, "^([%w_]+)()", i + 1)
    if not name then name, e = string.match(format, "^{([%w_]+)}()", i + 1) end
    if name then return {var = name}, e end
end

local function identity(s) return s end

-- build_nginx_grammar returns the grammar for lines written with the nginx
-- log_format string log_format. White space in the format matches one or more
-- white-space characters; $name and ${name} are variables; everything else
-- matches itself.
function M.build_nginx_grammar(log_format)
    if type(log_format) ~= "string" or log_format == "" then
        error("could not parse the log_format configuration")
    end
    return assemble(tokenize(log_format, nginx_directive, identity), nginx_lookup)
end

--[[ Apache ]]

local function named(g, name) return Cg(g, name) end

-- %X directives without an argument: a grammar, or a string field's name
local apache_variables = {
    ["%"] = P"%",
    a = named(host, "remote_addr"),
    A = named(host, "server_addr"),
    B = named(bytes, "body_bytes_sent"),
    b = named(unit(integer + dash_zero, "B"), "body_bytes_sent"),
    D = named(unit(integer, "us"), "request_time"),
    f = "request_filename",
    h = named(host, "remote_addr"),
    H = named(protocol, "server_protocol"),
    I = named(bytes, "request_length"),
    k = named(integer, "connection_requests"),
    l = "remote_user",
    L = "request_log_id",
    m = named(method, "request_method"),
    O = named(bytes, "response_length"),
    p = named(integer, "server_port"),
    P = named(integer, "pid"),
    q = "query_string",
    r = "request",
    R = "request_handler",
    s = named(http_status, "status"),
    S = named(bytes, "total_length"),
    t = "[" * named(nginx_variables.time_local, "time") * "]",
    T = named(unit(integer, "s"), "request_time"),
    u = "remote_user",
    U = "uri",
    v = named(host, "server_name"),
    V = named(host, "server_name"),
    X = named(S"X+-", "connection_status"),
}

local function header_name(prefix)
    return function(arg)
        return prefix .. string.gsub(string.lower(arg), "-", "_")
    end
end

-- %{format}t
local function apache_time(arg)
    local f = string.match(arg, "^begin:(.*)$") or string.match(arg, "^end:(.*)$") or arg
    if f == "sec" then
        return named(digit^1 / dt.seconds_to_ns, "time")
    elseif f == "msec" then
        return named(digit^1 / function(ms) return tonumber(ms) * 1e6 end, "time")
    elseif f == "usec" then
        return named(digit^1 / function(us) return tonumber(us) * 1e3 end, "time")
    elseif f == "msec_frac" or f == "usec_frac" then
        return named(digit^1 / function(frac) return tonumber("." .. frac) end, "sec_frac")
    end
    return named(dt.build_strftime_grammar(f) / dt.time_to_ns, "time")
end

-- %{argument}X directives: a function of the argument returning a grammar
-- or a string field's name
local apache_arguments = {
    a = function() return apache_variables.a end,
    C = function(arg) return "cookie_" .. arg end,
    e = function(arg) return "env_" .. arg end,
    i = header_name("http_"),
    n = function(arg) return "module_" .. arg end,
    o = header_name("sent_http_"),
    p = function(arg)
        if arg == "canonical" or arg == "local" then return named(integer, "server_port") end
        if arg == "remote" then return named(integer, "remote_port") end
        error("unknown port format: " .. arg)
    end,
    P = function(arg)
        if arg == "pid" then return named(integer, "pid") end
        if arg == "tid" then return named(integer, "tid") end
        if arg == "hextid" then
            return named(C(xdigit^1) / function(h) return tonumber(h, 16) end, "tid")
        end
        error("unknown pid format: " .. arg)
    end,
    t = apache_time,
    x = header_name(""),
}

local escapes = {t = "\t", n = "\n", ['"'] = '"', ["\\"] = "\\"}

-- the text of an Apache format literal with its backslash escapes replaced
local function unescape_apache(text) return util.unescape(text, escapes) end

-- whether conds is empty or an Apache status-code condition: [!]NNN[,NNN]...
local function status_codes(conds)
    if conds == "" then return true end
    local list = string.gsub(conds, "^!", "") .. ","
    return (string.gsub(list, "%d%d%d,", "")) == ""
end

-- %[<>]X or %[!]NNN[,NNN]...{argument}X, as a token {var = grammar or
-- string field name}
local function apache_directive(format, i)
    if string.sub(format, i, i) ~= "%" then return nil end
    local var, e = string.match(format, "^[<>]?([%a%%])()", i + 1)
    if var then
        local g = apache_variables[var]
        if g == nil then error("unknown variable: " .. var) end
        return {var = g}, e
    end
    local conds, arg, v, e2 = string.match(format, "^(!?[%d,]*){([^}]+)}([%a%%])()", i + 1)
    if arg and status_codes(conds) then
        local f = apache_arguments[v]
        if not f then error("unknown variable: " .. v) end
        return {var = f(arg)}, e2
    end
end

-- build_apache_grammar returns the grammar for lines written with the Apache
-- LogFormat string log_format (mod_log_config). White space in the format
-- matches one or more white-space characters; % directives become fields;
-- other text, with its backslash escapes (\" \t \n \\ \ddd) replaced,
-- matches itself. The < and > modifiers and status-code conditions are
-- accepted and ignored.
function M.build_apache_grammar(log_format)
    if type(log_format) ~= "string" or log_format == "" then
        error("could not parse the log_format configuration")
    end
    return assemble(tokenize(log_format, apache_directive, unescape_apache), identity)
end

--[[ nginx error log:
2014/04/28 20:05:47 [error] 32210#0: *1 open() "/x" failed (2: No such file or directory), ...
]]

local nginx_levels = {debug = 7, info = 6, notice = 5, warn = 4, error = 3, crit = 2, alert = 1,
                      emerg = 0}
local nginx_level = P(false)
for _, name in ipairs({"debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"}) do
    nginx_level = nginx_level + P(name) * Cc(nginx_levels[name])
end

M.nginx_error_grammar = Ct(
    Cg(dt.build_strftime_grammar("%Y/%m/%d %T") / dt.time_to_ns, "Timestamp")
    * space * "[" * Cg(nginx_level, "Severity") * "]"
    * space * Cg(digit^1 / tonumber, "Pid") * "#"
    * Cg(Ct(Cg(digit^1 / tonumber, "tid") * ": "
            * ("*" * Cg(digit^1 / tonumber, "connection") * " ")^-1), "Fields")
    * Cg(C(P(1)^0), "Payload"))

--[[ User agent normalization: a coarse classification (after Persona's
coarse user agent parser, as Heka's) ]]

-- the leading digits of ua after position pos
local function number_at(ua, pos)
    return tonumber(string.match(ua, "^(%d+)", pos))
end

-- the version of the last product: the number after the last "/"
local function last_product_version(ua)
    local last
    local pos = string.find(ua, "/", 1, true)
    while pos do
        last = pos
        pos = string.find(ua, "/", pos + 1, true)
    end
    if last then return number_at(ua, last + 1) end
end

-- the version following the keyword kw
local function version_after(kw)
    return function(ua)
        local _, e = string.find(ua, kw, 1, true)
        if e then return number_at(ua, e + 1) end
    end
end

-- the first that appears in the user agent wins
local os_names = {
    {"iPod", "iPod"},
    {"iPad", "iPad"},
    {"iPhone", "iPhone"},
    {"Android", "Android"},
    {"BlackBerry", "BlackBerry"},
    {"Linux", "Linux"},
    {"Macintosh", "Macintosh"},
    {"Mozilla/5.0 (Mobile;", "FirefoxOS"},
    {"Windows NT 10.0", "Windows 10"},
    {"Windows NT 6.3", "Windows 8.1"},
    {"Windows NT 6.2", "Windows 8"},
    {"Windows NT 6.1", "Windows 7"},
    {"Windows NT 6.0", "Windows Vista"},
    {"Windows NT 5.1", "Windows XP"},
    {"Windows NT 5.0", "Windows 2000"},
}

local browsers = {
    {"Chrome", version_after("Chrome/")},
    {"Opera Mini", last_product_version},
    {"Opera Mobi", last_product_version},
    {"Opera", last_product_version},
    {"MSIE", version_after("MSIE ")},
    {"Safari", last_product_version},
    {"Firefox", version_after("Firefox/")},
}

-- normalize_user_agent returns the browser name, its major version (a
-- number) and the operating system named in the user agent string ua; each
-- is nil when not recognised.
function M.normalize_user_agent(ua)
    if type(ua) ~= "string" then return end
    local browser, version, os
    for _, o in ipairs(os_names) do
        if string.find(ua, o[1], 1, true) then
            os = o[2]
            break
        end
    end
    for _, b in ipairs(browsers) do
        if string.find(ua, b[1], 1, true) then
            browser = b[1]
            version = b[2](ua)
            break
        end
    end
    return browser, version, os
end

function M.access_log_decoder(build)
    local cfg = {
        log_format = read_config("log_format"),
        type = read_config("type"),
        ua_transform = read_config("user_agent_transform"),
        ua_keep = read_config("user_agent_keep"),
        ua_conditional = read_config("user_agent_conditional"),
        payload_keep = read_config("payload_keep"),
    }
    local line_grammar = build(cfg.log_format)

    -- reused for every line; inject_message copies it
    local out = {Timestamp = nil, Type = cfg.type, Payload = nil, Fields = nil}

    -- transform_agent applies the user_agent_* options to fields
    local function transform_agent(fields)
        local ua = fields.http_user_agent
        if not (ua and cfg.ua_transform) then return end
        local browser, version, os = M.normalize_user_agent(ua)
        fields.user_agent_browser = browser
        fields.user_agent_version = version
        fields.user_agent_os = os
        local keep = cfg.ua_keep or (cfg.ua_conditional and browser == nil)
        if not keep then fields.http_user_agent = nil end
    end

    return function()
        local line = read_message("Payload")
        if type(line) ~= "string" then return -1 end
        local fields = line_grammar:match(line)
        if fields == nil then return -1 end
        out.Timestamp, fields.time = fields.time, nil
        if cfg.payload_keep then out.Payload = line end
        transform_agent(fields)
        out.Fields = fields
        inject_message(out)
        return 0
    end
end

return M
