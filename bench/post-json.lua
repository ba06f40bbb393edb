-- wrk script: POST the JSON body in $BENCH_BODY_FILE with $BENCH_HEADER_NAME:
-- $BENCH_HEADER_VALUE. The request is built once and replayed.
local common = dofile("bench/common.lua")
common.static_headers()
wrk.method = "POST"
wrk.body = common.read_file(os.getenv("BENCH_BODY_FILE"))
wrk.headers["Content-Type"] = "application/json"
