-- wrk script: a Tencent API 3.0 action ($BENCH_ACTION with the JSON body $BENCH_BODY)
-- signed with TC3-HMAC-SHA256 by $BENCH_SECRET_ID/$BENCH_SECRET_KEY, X-TC-Timestamp now.
-- As in sdk-signed-get.lua, the signature is recomputed each second and replayed within
-- it. tcr-svc answers errors with HTTP 200, so response() counts {"Error": ...} answers.
local common = dofile("bench/common.lua")
local crypto = dofile("bench/sha256.lua")
local id, key = os.getenv("BENCH_SECRET_ID"), os.getenv("BENCH_SECRET_KEY")
local action, body = os.getenv("BENCH_ACTION"), os.getenv("BENCH_BODY")
local second, cached = -1, nil
failures = 0

local function sign(ts)
  local host = wrk.host .. ":" .. wrk.port
  local date = os.date("!%Y-%m-%d", ts)
  local canonical = "POST\n/\n\ncontent-type:application/json\nhost:" .. host
    .. "\n\ncontent-type;host\n" .. crypto.hex(crypto.sha256(body))
  local scope = date .. "/tcr/tc3_request"
  local sts = "TC3-HMAC-SHA256\n" .. ts .. "\n" .. scope .. "\n" .. crypto.hex(crypto.sha256(canonical))
  local k = crypto.hmac(crypto.hmac(crypto.hmac("TC3" .. key, date), "tcr"), "tc3_request")
  return wrk.format("POST", "/", {
    ["Host"] = host,
    ["Content-Type"] = "application/json",
    ["X-TC-Action"] = action,
    ["X-TC-Version"] = "2019-09-24",
    ["X-TC-Region"] = "ap-guangzhou",
    ["X-TC-Timestamp"] = tostring(ts),
    ["Authorization"] = "TC3-HMAC-SHA256 Credential=" .. id .. "/" .. scope
      .. ", SignedHeaders=content-type;host, Signature=" .. crypto.hex(crypto.hmac(k, sts)),
  }, body)
end

function request()
  local now = os.time()
  if now ~= second then
    cached, second = sign(now), now
  end
  return cached
end

function response(status, headers, answer)
  if status ~= 200 or answer:find('"Error"', 1, true) then
    failures = failures + 1
  end
end
