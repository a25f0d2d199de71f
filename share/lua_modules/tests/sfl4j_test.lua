-- Tests of lua_modules/sfl4j.lua: Java log events -> tables.
local T = require "testlib"
local lpeg = require "lpeg" -- C LPeg defines the global lpeg itself
local before = T.globals()
local sfl4j = require "sfl4j"
T.no_new_globals("require sfl4j", before)

local t0 = 1416587759e9 -- 2014-11-21 16:35:59 UTC

-- event, expected (false: no match), expected timestamp and tolerance
local cases = {
    {"error", "ERROR [2014-11-21 16:35:59,501] com.domain.client.jobs.OutgoingQueue: Error handling output file with job job-name\n",
     {severity = 3, class = "com.domain.client.jobs.OutgoingQueue",
      message = "Error handling output file with job job-name", stacktrace = ""}, t0 + 0.501e9, 1000},
    {"stack trace", "WARN [2014-11-21 16:35:59,000] x.Y: boom\njava.lang.RuntimeException: boom\n\tat x.Y.run(Y.java:10)\n",
     {severity = 4, class = "x.Y", message = "boom",
      stacktrace = "java.lang.RuntimeException: boom\n\tat x.Y.run(Y.java:10)\n"}, t0, 0},
    {"no millis", "info [2014-11-21 16:35:59,] a.B: hi\n", {severity = 6, class = "a.B", message = "hi", stacktrace = ""}, t0, 0},
    {"trace", "TRACE  [2014-11-21  16:35:59,1234] a.B:  x\n", {severity = 7, class = "a.B", message = "x", stacktrace = ""},
     t0 + 0.1234e9, 1000},
    {"debug", "debug [2014-11-21 16:35:59,5] a.B: x\n", false}, -- two digits of milliseconds at least three
    {"fatal", "FATAL [2014-11-21 16:35:59,100] a.B: x\n", {severity = 0, class = "a.B", message = "x", stacktrace = ""},
     t0 + 0.1e9, 1000},
    {"no newline", "ERROR [2014-11-21 16:35:59,501] a.B: x", false},
    {"bad level", "NOTICE [2014-11-21 16:35:59,501] a.B: x\n", false},
    {"no comma", "ERROR [2014-11-21 16:35:59] a.B: x\n", false},
}
for _, c in ipairs(cases) do
    local got = sfl4j.logevent_grammar:match(c[2])
    if c[3] == false then
        T.eq(c[1], got, nil)
    else
        T.near(c[1] .. " timestamp", got and got.timestamp, c[4], c[5])
        got.timestamp = nil
        T.eq(c[1], got, c[3])
    end
end

T.no_new_globals("after use", before)
T.done()
