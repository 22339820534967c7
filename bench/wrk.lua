-- wrk script for bench/run.ts. The request comes from the environment (BENCH_METHOD, BENCH_BODY,
-- BENCH_AUTH, BENCH_COOKIE); BENCH_THINK_MS > 0 makes each connection wait that long before each
-- request (a paced client instead of a flood); every response that is not 2xx (or not
-- BENCH_EXPECT_STATUS, when set) is counted as "non2xx"; at the end one line
-- "BENCH_JSON {...}" carries the totals and a fine-grained latency quantile table (microseconds),
-- fine enough for run.ts to merge the distributions of two wrk processes (two-server runs).

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local auth = os.getenv("BENCH_AUTH") or ""
local cookie = os.getenv("BENCH_COOKIE") or ""
local think = tonumber(os.getenv("BENCH_THINK_MS") or "0") or 0
local expected = tonumber(os.getenv("BENCH_EXPECT_STATUS") or "0") or 0

wrk.method = method
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
if auth ~= "" then
  wrk.headers["Authorization"] = auth
end
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

if think > 0 then
  function delay()
    return think
  end
end

function response(status, headers, body)
  if (expected > 0 and status ~= expected) or (expected == 0 and (status < 200 or status > 299)) then
    non2xx = non2xx + 1
  end
end

local function quantiles(latency)
  local points = {}
  local function add(p)
    table.insert(points, string.format("[%g,%d]", p, latency:percentile(p)))
  end
  for p = 0, 98 do add(p) end
  for p = 990, 999 do add(p / 10) end
  for p = 9991, 9999 do add(p / 100) end
  -- wrk's percentile(100) answers 0: the maximum stands in for it.
  table.insert(points, string.format("[100,%d]", latency.max))
  return "[" .. table.concat(points, ",") .. "]"
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"non2xx":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"meanUs":%f,"maxUs":%d,"quantilesUs":%s}\n',
    summary.requests, summary.duration, bad, e.connect, e.read, e.write, e.timeout,
    latency.mean, latency.max, quantiles(latency)))
end
