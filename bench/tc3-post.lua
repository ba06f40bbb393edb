-- wrk script: a Tencent API 3.0 action ($BENCH_ACTION with the JSON body $BENCH_BODY)
-- signed with TC3-HMAC-SHA256 by $BENCH_SECRET_ID/$BENCH_SECRET_KEY, X-TC-Timestamp now.
-- A signature of an action that is not a read is accepted once, so each request is a new
-- one: the body's "Desc":"bench" becomes "Desc":"bench-<thread>-<n>" and is signed anew
-- (the day's signing key is derived once). tcr-svc answers errors with HTTP 200, so
-- response() counts {"Error": ...} answers.
local common = dofile("bench/common.lua")
local crypto = dofile("bench/sha256.lua")
local id, key = os.getenv("BENCH_SECRET_ID"), os.getenv("BENCH_SECRET_KEY")
local action, body = os.getenv("BENCH_ACTION"), os.getenv("BENCH_BODY")
local day, signing_key = nil, nil
local sent = 0
failures = 0

local function sign(ts, payload)
  local host = wrk.host .. ":" .. wrk.port
  local date = os.date("!%Y-%m-%d", ts)
  if date ~= day then
    signing_key = crypto.hmac(crypto.hmac(crypto.hmac("TC3" .. key, date), "tcr"), "tc3_request")
    day = date
  end
  local canonical = "POST\n/\n\ncontent-type:application/json\nhost:" .. host
    .. "\n\ncontent-type;host\n" .. crypto.hex(crypto.sha256(payload))
  local scope = date .. "/tcr/tc3_request"
  local sts = "TC3-HMAC-SHA256\n" .. ts .. "\n" .. scope .. "\n" .. crypto.hex(crypto.sha256(canonical))
  return wrk.format("POST", "/", {
    ["Host"] = host,
    ["Content-Type"] = "application/json",
    ["X-TC-Action"] = action,
    ["X-TC-Version"] = "2019-09-24",
    ["X-TC-Region"] = "ap-guangzhou",
    ["X-TC-Timestamp"] = tostring(ts),
    ["Authorization"] = "TC3-HMAC-SHA256 Credential=" .. id .. "/" .. scope
      .. ", SignedHeaders=content-type;host, Signature=" .. crypto.hex(crypto.hmac(signing_key, sts)),
  }, payload)
end

function request()
  sent = sent + 1
  local desc = string.format('"Desc":"bench-%d-%d"', tid or 0, sent)
  local payload = body:gsub('"Desc":"bench"', desc, 1)
  return sign(os.time(), payload)
end

function response(status, headers, answer)
  if status ~= 200 or answer:find('"Error"', 1, true) then
    failures = failures + 1
  end
end
