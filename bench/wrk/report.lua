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

-- wrk corrects for coordinated omission by adding counts at lower latencies. With pipelining its
-- interval estimate counts responses, not batches, and the counts land below the minimum, where
-- latency:percentile() never looks: p99 comes out 0 and p50 too high. Then both are taken over
-- the values wrk can enumerate, latency(i) (its recorded ones and the corrections above them).
local function enumerated(latency)
   local values, total, previous = {}, 0, -1
   local i = 1
   while true do
      -- Past the last value wrk answers 0 with a non-zero count: values only ever increase.
      local value, count = latency(i)
      if count == 0 or value <= previous then
         return values, total
      end
      values[i] = { value, count }
      total, previous, i = total + count, value, i + 1
   end
end

local function percentiles(latency, ps)
   local out = {}
   for i, p in ipairs(ps) do
      out[i] = latency:percentile(p)
   end
   if out[#out] > 0 or latency.max == 0 then
      return out
   end
   local values, total = enumerated(latency)
   for i, p in ipairs(ps) do
      local rank, seen = math.ceil(p / 100 * total), 0
      for _, vc in ipairs(values) do
         seen = seen + vc[2]
         if seen >= rank then
            out[i] = vc[1]
            break
         end
      end
   end
   return out
end

done = function(summary, latency, requests)
   local e = summary.errors
   local p = percentiles(latency, { 50, 99 })
   io.write(string.format(
      '{"requests":%.0f,"bytes":%.0f,"duration_us":%.0f,' ..
      '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
      '"latency_us":{"p50":%.0f,"p99":%.0f,"max":%.0f}}\n',
      summary.requests, summary.bytes, summary.duration,
      e.connect, e.read, e.write, e.status, e.timeout,
      p[1], p[2], latency.max))
end

return { add_headers = add_headers }
