-- elasticsearch: the ElasticSearch Bulk API action line for a message.
-- hekad's implementation of Heka's lua_modules/elasticsearch.lua.
--
-- bulkapi_index_json(index, type_name, id, ns)
--     Returns '{"index":{"_index":...,"_type":...,"_id":...}}' (cjson),
--     each of index, type_name and id interpolated with msg_interpolate
--     (%{Field} and strftime at time ns, in ns since the epoch, or now when
--     nil); a nil argument leaves its key out.
--
-- Example:
--   local es = require "elasticsearch"
--   es.bulkapi_index_json("heka-%{%Y.%m.%d}", "%{Type}", nil, read_message("Timestamp"))
--   --> {"index":{"_index":"heka-2015.01.02","_type":"nginx.access"}}

local interp = require "msg_interpolate"

local require = require

local M = {}

local function interpolate(s, secs)
    if s == nil then return nil end
    return (interp.interpolate_from_msg(s, secs))
end

function M.bulkapi_index_json(index, type_name, id, ns)
    local secs
    if ns then secs = ns / 1e9 end
    local action = {
        _index = interpolate(index, secs),
        _type = interpolate(type_name, secs),
        _id = interpolate(id, secs),
    }
    return require("cjson").encode({index = action})
end

return M
