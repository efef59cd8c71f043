-- wrk script: the request comes from env (BENCH_METHOD, BENCH_BODY, BENCH_AUTH); BENCH_VARY picks a
-- per-request variation: "uuid" puts a fresh UUID in place of __UUID__ (idempotent writes must not
-- replay), "near" jitters __LAT__/__LON__ by up to ~5 km (phones stand in different places).
-- done() prints one JSON line: latency percentiles in ms, requests, errors, seconds.
local method = os.getenv("BENCH_METHOD") or "POST"
local body = os.getenv("BENCH_BODY") or ""
local auth = os.getenv("BENCH_AUTH")
local vary = os.getenv("BENCH_VARY") or ""
local counter = 0
local tid = 0
local threads = {}

function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = method
  wrk.headers["Content-Type"] = "application/json"
  if auth and auth ~= "" then wrk.headers["Authorization"] = "Bearer " .. auth end
  math.randomseed(tid * 7919 + os.time())
  bad = 0
end

function request()
  counter = counter + 1
  local b = body
  if vary == "uuid" then
    local u = string.format("%08x-%04x-4%03x-8%03x-%012x", math.random(0, 0x7fffffff), tid, counter % 4096,
                            math.random(0, 4095), counter * 65536 + math.random(0, 65535))
    b = string.gsub(b, "__UUID__", u)
  elseif vary == "near" then
    b = string.gsub(b, "__LAT__", string.format("%.5f", 29.56 + (math.random() - 0.5) * 0.09))
    b = string.gsub(b, "__LON__", string.format("%.5f", 106.55 + (math.random() - 0.5) * 0.09))
  end
  if method == "GET" then return wrk.format("GET", nil, nil, nil) end
  return wrk.format(method, nil, nil, b)
end

function response(status, headers, body)
  -- GraphQL answers 200 with "errors" on failure: count those too.
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end

function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do errs = errs + (t:get("bad") or 0) end
  io.write(string.format(
    '{"p50": %.3f, "p95": %.3f, "p99": %.3f, "mean": %.3f, "requests": %d, "seconds": %.3f, "errors": %d, "socket_errors": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, summary.requests, summary.duration / 1e6, errs,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
