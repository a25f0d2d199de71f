-- annotation: annotations for circular-buffer graphs (the text shown on a
-- graph at a point in time), sent with the graph's cbuf payload. hekad's
-- implementation of Heka's lua_modules/annotation.lua.
--
-- create(ns, col, stext, text)  an annotation {x = ms since the epoch,
--                               col = col, shortText = stext, text = text}
-- add(name, ns, col, stext, text)  adds one to the graph name
-- concat(name, annotations)     adds an array of them to the graph name
-- remove(name)                  forgets the graph name
-- set_prune(name, ns_duration)  how long the graph's annotations are kept
--                               (default one day)
-- prune(name, ns)               drops those older than the graph's duration
--                               at time ns and returns the rest as JSON,
--                               '{"annotations":[...]}' and a newline, for
--                               inject_payload("cbuf", name, prune(...), cb);
--                               nil for an unknown graph
-- The annotations live in the global _ANNOTATIONS so that preserve_data
-- keeps them (the one global the module defines, as Heka's). prune needs
-- the sandbox's cjson.

local math = require "math"
local table = require "table"

local ipairs, require = ipairs, require

local M = {}

_ANNOTATIONS = _ANNOTATIONS or {}

local default_prune = 86400e9

local function graph(name)
    local g = _ANNOTATIONS[name]
    if not g then
        g = {annotations = {}, prune_duration = default_prune}
        _ANNOTATIONS[name] = g
    end
    return g
end

function M.create(ns, col, stext, text)
    return {x = math.floor(ns / 1e6), col = col, shortText = stext, text = text}
end

function M.add(name, ns, col, stext, text)
    table.insert(graph(name).annotations, M.create(ns, col, stext, text))
end

function M.concat(name, annotations)
    local list = graph(name).annotations
    for _, a in ipairs(annotations) do list[#list + 1] = a end
end

function M.remove(name)
    _ANNOTATIONS[name] = nil
end

function M.set_prune(name, ns_duration)
    graph(name).prune_duration = ns_duration
end

function M.prune(name, ns)
    local g = _ANNOTATIONS[name]
    if not g then return nil end
    local kept = {}
    for _, a in ipairs(g.annotations) do
        if a.x * 1e6 + g.prune_duration > ns then kept[#kept + 1] = a end
    end
    g.annotations = kept
    return require("cjson").encode({annotations = kept}) .. "\n"
end

return M
