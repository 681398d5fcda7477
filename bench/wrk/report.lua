-- Loaded by the other scripts here: bench/compare reads the last line wrk prints, one JSON
-- object, instead of parsing wrk's human-readable report. Latencies are in microseconds.

local function add_headers(args, first)
   for i = first, #args do
      local name, value = args[i]:match("^([^:]+):%s*(.*)$")
      if not name then
         error("not a header: " .. args[i])
      end
      wrk.headers[name] = value
   end
end

-- wrk corrects for coordinated omission by adding counts at lower latencies, and with pipelining
-- (where its interval estimate counts responses, not batches) adds them below the minimum,
-- where latency:percentile() never looks: it then answers 0. In that case the percentile is
-- taken over the values wrk can enumerate, its recorded ones and the corrections above them.
local function percentile(latency, p)
   local value = latency:percentile(p)
   if value > 0 or latency.max == 0 then
      return value
   end
   local values, total = {}, 0
   local i = 1
   while true do
      local v, count = latency(i)
      if count == 0 then
         break
      end
      values[i] = { v, count }
      total = total + count
      i = i + 1
   end
   local rank, seen = math.ceil(p / 100 * total), 0
   for _, vc in ipairs(values) do
      seen = seen + vc[2]
      if seen >= rank then
         return vc[1]
      end
   end
   return latency.max
end

done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      '{"requests":%.0f,"bytes":%.0f,"duration_us":%.0f,' ..
      '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
      '"latency_us":{"p50":%.0f,"p99":%.0f,"max":%.0f}}\n',
      summary.requests, summary.bytes, summary.duration,
      e.connect, e.read, e.write, e.status, e.timeout,
      percentile(latency, 50), percentile(latency, 99), latency.max))
end

return { add_headers = add_headers }
