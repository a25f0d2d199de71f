--[[
Apache access log decoder.

Parses each line of an Apache access log written with the `LogFormat` given
in the configuration and injects a message whose Fields are named after the
nginx variables where Apache has the same item (%h -> remote_addr, %>s ->
status, %{User-Agent}i -> http_user_agent, ...), so that the same filters
and outputs serve both servers. The request time (%t, %{format}t) becomes
the message Timestamp (nanoseconds since the epoch) and is not kept as a
field. A line the format does not match fails to decode (-1).

Config:
- log_format (string, required)
    Apache `LogFormat` directive, e.g.
    '%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"'
    See http://httpd.apache.org/docs/2.4/mod/mod_log_config.html
- type (string, optional, default nil)
    Value of the message Type header (unset when nil).
- user_agent_transform (bool, optional, default false)
    Replace http_user_agent with user_agent_browser, user_agent_version and
    user_agent_os (a coarse classification).
- user_agent_keep (bool, optional, default false)
    With user_agent_transform, keep http_user_agent as well.
- user_agent_conditional (bool, optional, default false)
    With user_agent_transform, keep http_user_agent only when the agent
    could not be classified.
- payload_keep (bool, optional, default false)
    Keep the original line as the message Payload.

Output message: Type = type, Timestamp = the request time, Fields = one per
format item (numbers as doubles; remote_addr with representation "ipv4" or
"ipv6", byte counts with "B").

*Example Heka Configuration*

    [ApacheAccessLog]
    type = "LogstreamerInput"
    log_directory = "/var/log/apache2"
    file_match = 'access\.log'
    decoder = "ApacheAccessDecoder"

    [ApacheAccessDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/apache_access.lua"

    [ApacheAccessDecoder.config]
    type = "apache.access"
    user_agent_transform = true
    # combined; common is '%h %l %u %t \"%r\" %>s %O'
    log_format = '%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"'
--]]

local clf = require "common_log_format"

process_message = clf.access_log_decoder(clf.build_apache_grammar)
