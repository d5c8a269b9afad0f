-- wrk script for bench/run.mts: cycles through the paths in WRK_PATHS (one a line) and prints the summary
-- as one JSON line, with the percentiles wrk's own report leaves out (p95).
local paths = {}
for p in string.gmatch(os.getenv("WRK_PATHS") or "/", "[^\n]+") do
  table.insert(paths, p)
end

if #paths > 1 then
  local i = 0
  request = function()
    i = i % #paths + 1
    return wrk.format(nil, paths[i])
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"non2xx":%d,"errors":%d,"p50":%.3f,"p95":%.3f,"p99":%.3f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
