-- Tests of lua_modules/elasticsearch.lua: arguments -> the Bulk API action
-- line, with a stub read_message and a deterministic cjson stub.
local T = require "testlib"
if not T.stub_cjson() then T.done() return end
T.stub_message({Type = "nginx.access", Hostname = "web1", Fields = {request_id = "r-17"}})
local before = T.globals()
local es = require "elasticsearch"
T.no_new_globals("require elasticsearch", before)

local cases = {
    {{"heka-%{%Y.%m.%d}", "%{Type}", nil, 1420167845e9},
     '{"index":{"_index":"heka-2015.01.02","_type":"nginx.access"}}'},
    {{"logs", "message", "%{request_id}", 0}, '{"index":{"_id":"r-17","_index":"logs","_type":"message"}}'},
    {{nil, nil, nil, nil}, '{"index":{}}'},
    {{"%{Hostname}-%{%H}", nil, nil, 3600e9}, '{"index":{"_index":"web1-01"}}'},
}
for i, c in ipairs(cases) do
    local a = c[1]
    T.eq("bulkapi_index_json " .. i, es.bulkapi_index_json(a[1], a[2], a[3], a[4]), c[2])
end

T.no_new_globals("after use", before)
T.done()
