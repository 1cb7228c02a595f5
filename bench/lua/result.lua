-- The RESULT line every bench/lua script ends with, in the format of the peers' harness
-- (../shared/peers/bench/lua/report.lua), so that one parser reads both. Loaded with dofile.
done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d sockerr=%d\n",
    summary.requests, s, summary.requests / s,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(90)),
    math.floor(latency:percentile(99)), math.floor(latency.max),
    e.status, e.connect + e.read + e.write + e.timeout))
end
