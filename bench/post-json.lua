-- wrk script: POST the JSON body in $BENCH_BODY_FILE with $BENCH_HEADER_NAME: $BENCH_HEADER_VALUE,
-- and count non-2xx answers so a run that only measured refusals is visible.
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
local name = os.getenv("BENCH_HEADER_NAME")
if name and name ~= "" then
  wrk.headers[name] = os.getenv("BENCH_HEADER_VALUE")
end

local failures = 0
function response(status, headers, body)
  if status < 200 or status > 299 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
