-- wrk's done hook for the properties benchmark (Wrk.cs): prints the exact totals and latencies (µs) on one line.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LTRESULT %.0f %.0f %.0f %.0f %.0f %.0f %.1f %.1f %.1f %.1f\n",
    summary.duration, summary.requests, summary.bytes,
    e.connect + e.read + e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
end
