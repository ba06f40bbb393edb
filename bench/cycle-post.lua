-- wrk script: durable creates that must not hit a per-owner quota. Each request takes a
-- slot (a line of $BENCH_SLOTS_FILE: a user id, an instance id) into its path and body,
-- using each slot $BENCH_PER_SLOT times before the next; wrk's threads take alternate
-- slots ($BENCH_THREADS of them), so no slot is shared. Past the last slot it wraps.
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
local n = 0

function request()
  local index = math.floor(n / per_slot) * nthreads + tid
  local slot = slots[index % #slots + 1]
  local name = string.format("r%s-t%d-%d", run, tid, n)
  n = n + 1
  local fill = function(s) return (s:gsub("{slot}", slot):gsub("{name}", name)) end
  return wrk.format("POST", fill(path_template), nil, fill(body_template))
end
