-- wrk script: GET with $BENCH_HEADER_NAME: $BENCH_HEADER_VALUE and X-Subject-Token:
-- $BENCH_SUBJECT_TOKEN (each if set). The request is built once and replayed.
local common = dofile("bench/common.lua")
common.static_headers()
