-- wrk script: durable creates that must not hit a per-owner quota. Each request takes a
-- slot (a line of $BENCH_SLOTS_FILE: a user id, an instance id) into its path and body,
-- using each slot $BENCH_PER_SLOT times before the next; wrk's threads take alternate
-- slots ($BENCH_THREADS of them), so no slot is shared. Past the last slot it wraps, or,
-- with BENCH_WRAP=0 (each slot's uses are a quota, as iam-svc's two access keys per
-- user), the thread stops: a machine fast enough to use every slot within the case ends
-- the case early, and its rate is still requests over the time they took.
--
--   BENCH_PATH_TEMPLATE, BENCH_BODY_TEMPLATE   with {slot} and {name} (a name unique in
--                                              this run: r<BENCH_RUN>-t<thread>-<n>)
--   BENCH_HEADER_NAME/VALUE                    the credential (X-Auth-Token)
local common = dofile("bench/common.lua")
common.static_headers()
wrk.headers["Content-Type"] = "application/json"

local slots = {}
for line in common.read_file(os.getenv("BENCH_SLOTS_FILE")):gmatch("[^\n]+") do
  table.insert(slots, line)
end
local per_slot = tonumber(common.env("BENCH_PER_SLOT", "1"))
local nthreads = tonumber(common.env("BENCH_THREADS", "1"))
local run = common.env("BENCH_RUN", "0")
local path_template = os.getenv("BENCH_PATH_TEMPLATE")
local body_template = os.getenv("BENCH_BODY_TEMPLATE")
local wrap = common.env("BENCH_WRAP", "1") == "1"
local n = 0
-- The requests this thread may make without wrapping: its slots times their uses.
local function limit()
  local mine = math.floor((#slots - 1 - tid) / nthreads) + 1
  return math.max(mine, 0) * per_slot
end

function request()
  local index = math.floor(n / per_slot) * nthreads + tid
  local slot = slots[index % #slots + 1]
  local name = string.format("r%s-t%d-%d", run, tid, n)
  n = n + 1
  local fill = function(s) return (s:gsub("{slot}", slot):gsub("{name}", name)) end
  return wrk.format("POST", fill(path_template), nil, fill(body_template))
end

-- A connection asks for its next request only after its last response, so stopping here
-- once the thread's share is issued leaves no request past it.
function response()
  if not wrap and n >= limit() then
    exhausted = 1
    wrk.thread:stop()
  end
end
