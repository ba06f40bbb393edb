-- wrk script: GET signed with Huawei SDK-HMAC-SHA256 by an access key ($BENCH_AK,
-- $BENCH_SK), scoped to project $BENCH_PROJECT with a signed X-Project-Id, dated now
-- (X-Sdk-Date). A signature depends only on the request and its one-second date, so it
-- is recomputed when the second changes and replayed within it: the server still checks
-- every request in full (nothing is cached there), and the client stays cheap.
local common = dofile("bench/common.lua")
local crypto = dofile("bench/sha256.lua")
local ak, sk, project = os.getenv("BENCH_AK"), os.getenv("BENCH_SK"), os.getenv("BENCH_PROJECT")
local EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
local second, cached = -1, nil

-- The canonical request of credential_core::sign::huawei for a bodiless GET.
local function sign(date)
  local host = wrk.host .. ":" .. wrk.port
  local path, query = wrk.path:match("^([^?]*)%??(.*)$")
  if path:sub(-1) ~= "/" then
    path = path .. "/"
  end
  -- The query must already be in canonical order (sorted, encoded); ours are.
  local canonical = table.concat({
    "GET", path, query,
    "host:" .. host .. "\nx-project-id:" .. project .. "\nx-sdk-date:" .. date .. "\n",
    "host;x-project-id;x-sdk-date", EMPTY_SHA256,
  }, "\n")
  local sts = "SDK-HMAC-SHA256\n" .. date .. "\n" .. crypto.hex(crypto.sha256(canonical))
  local signature = crypto.hex(crypto.hmac(sk, sts))
  return wrk.format("GET", wrk.path, {
    ["Host"] = host,
    ["X-Project-Id"] = project,
    ["X-Sdk-Date"] = date,
    ["Authorization"] = "SDK-HMAC-SHA256 Access=" .. ak
      .. ", SignedHeaders=host;x-project-id;x-sdk-date, Signature=" .. signature,
  })
end

function request()
  local now = os.time()
  if now ~= second then
    cached, second = sign(os.date("!%Y%m%dT%H%M%SZ", now)), now
  end
  return cached
end
