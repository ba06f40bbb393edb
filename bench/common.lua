-- Shared by every wrk script here (loaded with dofile; scripts/bench.sh runs wrk from the
-- repository root): environment helpers, thread ids for scripts that split work between
-- wrk's threads, and the one machine-readable summary line scripts/bench.sh parses.
local common = {}

-- $NAME, or default when it is unset or empty.
function common.env(name, default)
  local value = os.getenv(name)
  if value == nil or value == "" then
    return default
  end
  return value
end

function common.read_file(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

-- $BENCH_HEADER_NAME: $BENCH_HEADER_VALUE and X-Subject-Token: $BENCH_SUBJECT_TOKEN, each
-- when set, on every request built from wrk.headers.
function common.static_headers()
  local name = common.env("BENCH_HEADER_NAME")
  if name then
    wrk.headers[name] = os.getenv("BENCH_HEADER_VALUE")
  end
  local subject = common.env("BENCH_SUBJECT_TOKEN")
  if subject then
    wrk.headers["X-Subject-Token"] = subject
  end
end

-- Each wrk thread has a Lua state of its own; setup() runs in the main state, once per
-- thread, and gives each a number (the global `tid`, 0-based) so scripts can split
-- their slots without overlap. done() reads the threads' `failures` counters back, and
-- `exhausted` (set by a script whose thread stopped early, its slots used up).
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- One line with exact figures (microseconds), instead of parsing wrk's rounded text.
-- app_errors counts answers a script's response() judged wrong although their status
-- was 2xx (tcr-svc answers errors with 200).
function done(summary, latency, requests)
  local app, exhausted = 0, 0
  for _, thread in ipairs(threads) do
    app = app + (thread:get("failures") or 0)
    exhausted = exhausted + (thread:get("exhausted") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d status_errors=%d socket_errors=%d app_errors=%d exhausted=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, app, exhausted))
end

return common
