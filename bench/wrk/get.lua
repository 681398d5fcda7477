-- One request at a time per connection: `wrk -s get.lua URL -- ["Name: value" ...]`.
-- With no request() function wrk formats the request once, after init() has set the headers,
-- and sends the same bytes every time.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(here .. "report.lua")

init = function(args)
   report.add_headers(args, 1)
end
