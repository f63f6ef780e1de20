-- Replays requests from a file, round robin, and prints the figures as one JSON line.
-- Each line of the file: METHOD <TAB> PATH <TAB> BODY (BODY may be empty).
-- Usage: wrk -s requests.lua URL -- FILE

local requests = {}
local i = 0

function init(args)
  local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^([^\t]*)\t([^\t]*)\t?(.*)$")
    if body == "" then body = nil end
    table.insert(requests, wrk.format(method, path, headers, body))
  end
  i = math.random(#requests) - 1
end

function request()
  i = i % #requests + 1
  return requests[i]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_s":%f,"errors":%d,"non2xx":%d,' ..
    '"p50_ms":%f,"p90_ms":%f,"p99_ms":%f,"mean_ms":%f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000))
end
