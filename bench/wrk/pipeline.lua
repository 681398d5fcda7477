-- Pipelining as TechEmpower's plaintext test does it: DEPTH copies of the request written at
-- once, the next batch only when all DEPTH responses are in.
-- `wrk -s pipeline.lua URL -- DEPTH ["Name: value" ...]`

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(here .. "report.lua")

local batch

init = function(args)
   local depth = tonumber(args[1])
   if not depth or depth < 1 then
      error("pipeline.lua: the first argument is the depth")
   end
   report.add_headers(args, 2)
   local r = {}
   for i = 1, depth do
      r[i] = wrk.format()
   end
   batch = table.concat(r)
end

request = function()
   return batch
end
