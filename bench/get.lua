-- wrk script: GET with $BENCH_HEADER_NAME: $BENCH_HEADER_VALUE and X-Subject-Token:
-- $BENCH_SUBJECT_TOKEN (each if set).
local name = os.getenv("BENCH_HEADER_NAME")
if name and name ~= "" then
  wrk.headers[name] = os.getenv("BENCH_HEADER_VALUE")
end
local subject = os.getenv("BENCH_SUBJECT_TOKEN")
if subject and subject ~= "" then
  wrk.headers["X-Subject-Token"] = subject
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
