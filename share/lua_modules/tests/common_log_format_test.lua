-- Tests of lua_modules/common_log_format.lua: log format + line -> fields,
-- checked by hand against the nginx and Apache format definitions.
local T = require "testlib"
local lpeg = require "lpeg" -- C LPeg defines the global lpeg itself
local before = T.globals()
local clf = require "common_log_format"
T.no_new_globals("require common_log_format", before)

local function v4(a) return {value = a, representation = "ipv4"} end
local function v6(a) return {value = a, representation = "ipv6"} end
local function hostname(a) return {value = a, representation = "hostname"} end
local function B(n) return {value = n, representation = "B"} end

local combined = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
local firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0"

-- log_format, line, expected fields (false: no match)
local nginx_cases = {
    {"combined", combined,
     '127.0.0.1 - - [10/Oct/2014:13:55:36 -0700] "GET /favicon.ico HTTP/1.1" 404 571 "http://example.com/start.html" "' .. firefox .. '"',
     {remote_addr = v4("127.0.0.1"), remote_user = "-", time = 1412974536e9,
      request = "GET /favicon.ico HTTP/1.1", status = 404, body_bytes_sent = B(571),
      http_referer = "http://example.com/start.html", http_user_agent = firefox}},
    {"combined user ipv6", combined,
     '2001:db8::1 - alice [10/Oct/2014:13:55:36 +0000] "POST /login?next=%2F HTTP/1.0" 302 0 "-" "curl/7.35.0"',
     {remote_addr = v6("2001:db8::1"), remote_user = "alice", time = 1412949336e9,
      request = "POST /login?next=%2F HTTP/1.0", status = 302, body_bytes_sent = B(0),
      http_referer = "-", http_user_agent = "curl/7.35.0"}},
    {"combined escaped quote", combined,
     '10.0.0.2 - - [10/Oct/2014:13:55:36 +0000] "GET / HTTP/1.1" 200 12 "-" "say \\"hi\\""',
     {remote_addr = v4("10.0.0.2"), remote_user = "-", time = 1412949336e9,
      request = "GET / HTTP/1.1", status = 200, body_bytes_sent = B(12),
      http_referer = "-", http_user_agent = 'say \\"hi\\"'}},
    {"combined extra spaces", combined,
     '10.0.0.2  -  -   [10/Oct/2014:13:55:36 +0000] "GET / HTTP/1.1" 200 12 "-" "x"',
     {remote_addr = v4("10.0.0.2"), remote_user = "-", time = 1412949336e9,
      request = "GET / HTTP/1.1", status = 200, body_bytes_sent = B(12),
      http_referer = "-", http_user_agent = "x"}},
    {"combined bad status", combined,
     '10.0.0.2 - - [10/Oct/2014:13:55:36 +0000] "GET / HTTP/1.1" 2x0 12 "-" "x"', false},
    {"combined bad time", combined,
     '10.0.0.2 - - [10/Oct/2014 13:55:36 +0000] "GET / HTTP/1.1" 200 12 "-" "x"', false},
    {"combined truncated", combined, '10.0.0.2 - - [10/Oct/2014:13:55:36 +0000] "GET /', false},
    {"combined empty", combined, "", false},
    {"typed", '$host $server_port $request_method $scheme $server_protocol $request_time $msec $connection $connection_requests $pid $bytes_sent $request_length $https|$pipe|$request_completion',
     'www.example.com 443 GET https HTTP/2.0 0.005 1412949336.250 17 3 999 1024 -7 on|p|OK',
     {host = hostname("www.example.com"), server_port = 443, request_method = "GET",
      scheme = "https", server_protocol = "HTTP/2.0", request_time = {value = 0.005, representation = "s"},
      time = 1412949336.25e9, connection = 17, connection_requests = 3, pid = 999,
      bytes_sent = B(1024), request_length = B(-7), https = "on", pipe = "p",
      request_completion = "OK"}},
    {"typed empty flags", '$https|$request_completion|$is_args|$args', '||?|a=1&b=2',
     {https = "", request_completion = "", is_args = "?", args = "a=1&b=2"}},
    {"iso8601", '$time_iso8601 $remote_addr:$remote_port', '2015-06-01T12:30:45+02:00 192.168.0.1:51234',
     {time = 1433154645e9, remote_addr = v4("192.168.0.1"), remote_port = 51234}},
    {"braced variable", '${remote_addr}x${status}', '10.1.1.1x200',
     {remote_addr = v4("10.1.1.1"), status = 200}},
    {"dollar literal", '$$ $status', '$$ 201', {status = 201}},
    {"upstream", '$upstream_addr $upstream_status $upstream_response_time $upstream_response_length $upstream_cache_status',
     '10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80 502, 200 : - 0.001, 0.250 : - 0, 512 : 64 MISS',
     {upstream_addr = {"10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"},
      upstream_status = {502, 200, 0},
      upstream_response_time = {value = {0.001, 0.25, 0}, representation = "s"},
      upstream_response_length = B({0, 512, 64}),
      upstream_cache_status = "MISS"}},
    {"upstream none", '$upstream_addr $upstream_response_length $upstream_cache_last_modified',
     "- - -", {upstream_addr = {"-"}, upstream_response_length = "-", upstream_cache_last_modified = "-"}},
    {"upstream last modified", '[$upstream_cache_last_modified]', '[Thu, 03 Mar 2005 23:05:25 GMT]',
     {upstream_cache_last_modified = 1109891125e9}},
    {"string after literal", 'a=$a;b=$b;', 'a=one two;b=;',
     {a = "one two", b = ""}},
}

for _, c in ipairs(nginx_cases) do
    local name, fmt, line, want = c[1], c[2], c[3], c[4]
    local got = clf.build_nginx_grammar(fmt):match(line)
    if want == false then want = nil end
    T.eq("nginx " .. name, got, want)
end

T.raises("nginx empty format", function() clf.build_nginx_grammar("") end,
         "could not parse the log_format configuration")

-- Apache: the format as it appears in httpd.conf, backslashes included
local apache_combined = [[%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"]]
local apache_cases = {
    {"combined", apache_combined,
     '127.0.0.1 - frank [10/Oct/2014:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "' .. firefox .. '"',
     {remote_addr = v4("127.0.0.1"), remote_user = "frank", time = 1412974536e9,
      request = "GET /apache_pb.gif HTTP/1.0", status = 200, body_bytes_sent = B(2326),
      http_referer = "http://www.example.com/start.html", http_user_agent = firefox}},
    {"combined no body", apache_combined,
     'host.example.com - - [10/Oct/2014:13:55:36 +0000] "HEAD / HTTP/1.1" 304 - "-" "-"',
     {remote_addr = hostname("host.example.com"), remote_user = "-", time = 1412949336e9,
      request = "HEAD / HTTP/1.1", status = 304, body_bytes_sent = B(0),
      http_referer = "-", http_user_agent = "-"}},
    {"common bad", [[%h %l %u %t \"%r\" %>s %b]], '127.0.0.1 - - [10/Oct/2014:13:55:36 +0000] GET / 200 1', false},
    {"vhost and times", [[%v:%p %a %D %T %{%Y-%m-%dT%H:%M:%S}t %{msec_frac}t %{begin:sec}t %{end:msec}t %{usec}t]],
     'www.example.com:8080 10.0.0.9 1500 2 2015-06-01T10:30:45 123 1433154645 1433154645123 1433154645123456',
     {server_name = hostname("www.example.com"), server_port = 8080, remote_addr = v4("10.0.0.9"),
      request_time = {value = 2, representation = "s"}, -- %T after %D: the last wins, as in Heka
      time = 1433154645123456e3, sec_frac = 0.123}},
    {"pids ports sizes", [[%P %{tid}P %{hextid}P %{remote}p %{canonical}p %I %O %S %B %k %X %m %H %U%q]],
     '42 43 ff 51234 443 100 2000 2100 1900 0 + PUT HTTP/1.1 /x?y=1',
     {pid = 42, tid = 255, remote_port = 51234, server_port = 443, request_length = B(100),
      response_length = B(2000), total_length = B(2100), body_bytes_sent = B(1900),
      connection_requests = 0, connection_status = "+", request_method = "PUT",
      server_protocol = "HTTP/1.1", uri = "/x?y=1", query_string = ""}},
    {"arguments", [[%{session}C|%{HOME}e|%{mod}n|%{Content-Type}o|%{SSL_PROTOCOL}x|%400,501{X-Forwarded-For}i|%%|\t\101]],
     'abc|/root|m|text/html|TLSv1.2|1.2.3.4|%|\te', -- \101 is decimal: e
     {cookie_session = "abc", env_HOME = "/root", module_mod = "m",
      sent_http_content_type = "text/html", ssl_protocol = "TLSv1.2",
      http_x_forwarded_for = "1.2.3.4"}},
    {"server addr", [[%A %V %L %R %f]], '::1 host1 XYZ handler /var/www/x',
     {server_addr = v6("::1"), server_name = hostname("host1"), request_log_id = "XYZ",
      request_handler = "handler", request_filename = "/var/www/x"}},
}

for _, c in ipairs(apache_cases) do
    local name, fmt, line, want = c[1], c[2], c[3], c[4]
    local got = clf.build_apache_grammar(fmt):match(line)
    if want == false then want = nil end
    T.eq("apache " .. name, got, want)
end

T.raises("apache unknown", function() clf.build_apache_grammar("%h %Z") end, "unknown variable: Z")
T.raises("apache unknown argument", function() clf.build_apache_grammar("%{x}Z") end, "unknown variable: Z")
T.raises("apache port", function() clf.build_apache_grammar("%{foo}p") end, "unknown port format: foo")
T.raises("apache pid", function() clf.build_apache_grammar("%{foo}P") end, "unknown pid format: foo")
T.raises("apache strftime", function() clf.build_apache_grammar("%{%Q}t") end, "unknown strftime specifier: Q")

local ne = clf.nginx_error_grammar
T.eq("nginx error", ne:match('2014/04/28 20:05:47 [error] 32210#0: *1 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost"'),
     {Timestamp = 1398715547e9, Severity = 3, Pid = 32210, Fields = {tid = 0, connection = 1},
      Payload = 'open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost"'})
T.eq("nginx error no connection", ne:match('2014/04/28 20:05:47 [notice] 1234#5: signal process started'),
     {Timestamp = 1398715547e9, Severity = 5, Pid = 1234, Fields = {tid = 5},
      Payload = "signal process started"})
for level, sev in pairs({debug = 7, info = 6, notice = 5, warn = 4, error = 3, crit = 2, alert = 1, emerg = 0}) do
    local t = ne:match("2014/04/28 20:05:47 [" .. level .. "] 1#0: x")
    T.eq("nginx error level " .. level, t and t.Severity, sev)
end
T.eq("nginx error bad level", ne:match("2014/04/28 20:05:47 [loud] 1#0: x"), nil)
T.eq("nginx error bad", ne:match("not a log line"), nil)

-- user agent, browser, version, os
local uas = {
    {firefox, "Firefox", 31, "Linux"},
    {"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/37.0.2062.124 Safari/537.36",
     "Chrome", 37, "Windows 7"},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_3) AppleWebKit/537.75.14 (KHTML, like Gecko) Version/7.0.3 Safari/7046A194A",
     "Safari", 7046, "Macintosh"},
    {"Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)", "MSIE", 10, "Windows 8"},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 7_0 like Mac OS X) AppleWebKit/537.51.1 (KHTML, like Gecko) Version/7.0 Mobile/11A465 Safari/9537.53",
     "Safari", 9537, "iPhone"},
    {"Mozilla/5.0 (iPad; CPU OS 7_0 like Mac OS X) AppleWebKit/537.51.1 (KHTML, like Gecko) Version/7.0 Mobile/11A465 Safari/9537.53",
     "Safari", 9537, "iPad"},
    {"Mozilla/5.0 (Linux; Android 4.4.2; Nexus 5 Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/34.0.1847.114 Mobile Safari/537.36",
     "Chrome", 34, "Android"},
    {"Mozilla/5.0 (Mobile; rv:26.0) Gecko/26.0 Firefox/26.0", "Firefox", 26, "FirefoxOS"},
    {"Opera/9.80 (Windows NT 6.0) Presto/2.12.388 Version/12.14", "Opera", 12, "Windows Vista"},
    {"Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54",
     "Opera Mini", 10, nil},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:40.0) Gecko/20100101 Firefox/40.1", "Firefox", 40, "Windows 10"},
    {"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)", "MSIE", 6, "Windows XP"},
    {"Mozilla/4.0 (compatible; MSIE 5.0; Windows NT 5.0)", "MSIE", 5, "Windows 2000"},
    {"Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko", nil, nil, "Windows 8.1"},
    {"BlackBerry9700/5.0.0.351 Profile/MIDP-2.1 Configuration/CLDC-1.1 VendorID/123", nil, nil, "BlackBerry"},
    {"Mozilla/5.0 (iPod touch; CPU iPhone OS 7_0 like Mac OS X) Safari/9537.53", "Safari", 9537, "iPod"},
    {"curl/7.35.0", nil, nil, nil},
    {"Safari", "Safari", nil, nil},
    {"", nil, nil, nil},
}
for _, c in ipairs(uas) do
    T.eq("ua " .. c[1], {clf.normalize_user_agent(c[1])}, {c[2], c[3], c[4]})
end
T.eq("ua nil", select("#", clf.normalize_user_agent(nil)), 0)

T.no_new_globals("after use", before)
T.done()
