-- Tests of lua_modules/annotation.lua: calls -> the JSON prune returns (cjson
-- stubbed with a deterministic encoder where C Lua has none).
local T = require "testlib"
if not T.stub_cjson() then T.done() return end
local before = T.globals()
local annotation = require "annotation"
before._ANNOTATIONS = true -- the module's one global, as Heka's
T.no_new_globals("require annotation", before)

T.eq("create", annotation.create(1500123456, 2, "A", "alert text"),
     {x = 1500, col = 2, shortText = "A", text = "alert text"})
T.eq("prune unknown", annotation.prune("nope", 0), nil)

local day = 86400e9
annotation.add("g", 1e9, 1, "s1", "t1")
annotation.add("g", 2e9, 2, "s2", "t2")
annotation.concat("g", {annotation.create(3e9, 1, "s3", "t3")})
T.eq("prune keeps", annotation.prune("g", 1e9 + day - 1),
     '{"annotations":[{"col":1,"shortText":"s1","text":"t1","x":1000},{"col":2,"shortText":"s2","text":"t2","x":2000},{"col":1,"shortText":"s3","text":"t3","x":3000}]}\n')
T.eq("prune drops one", annotation.prune("g", 1e9 + day),
     '{"annotations":[{"col":2,"shortText":"s2","text":"t2","x":2000},{"col":1,"shortText":"s3","text":"t3","x":3000}]}\n')
annotation.set_prune("g", 10e9)
T.eq("set_prune", annotation.prune("g", 12e9),
     '{"annotations":[{"col":1,"shortText":"s3","text":"t3","x":3000}]}\n')
T.eq("prune all", annotation.prune("g", 13e9), '{"annotations":{}}\n')
T.eq("global", _ANNOTATIONS.g.prune_duration, 10e9)
annotation.remove("g")
T.eq("remove", _ANNOTATIONS.g, nil)
T.eq("prune removed", annotation.prune("g", 0), nil)

T.no_new_globals("after use", before)
T.done()
