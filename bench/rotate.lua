-- wrk script: rotates over pre-built requests (many users, tokens and paths).
-- Usage: wrk ... -s bench/rotate.lua URL -- REQUESTS_FILE OFFSET
-- Each line of REQUESTS_FILE: METHOD <TAB> PATH <TAB> HEADERS <TAB> BODY, where HEADERS are
-- "Name: value" pairs separated by the byte 0x1f. Every thread starts at its own offset.

local threads = {}
local requests = {}
local index = 1

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

local function split(text, separator)
  local parts = {}
  for part in string.gmatch(text, "([^" .. separator .. "]+)") do
    table.insert(parts, part)
  end
  return parts
end

function init(args)
  local path = args[1]
  local offset = tonumber(args[2] or "0")
  for line in io.lines(path) do
    local fields = {}
    local start = 1
    for _ = 1, 3 do
      local stop = string.find(line, "\t", start, true)
      table.insert(fields, string.sub(line, start, stop - 1))
      start = stop + 1
    end
    local body = string.sub(line, start)
    local headers = {}
    for _, pair in ipairs(split(fields[3], "\31")) do
      local colon = string.find(pair, ": ", 1, true)
      headers[string.sub(pair, 1, colon - 1)] = string.sub(pair, colon + 2)
    end
    if body == "" then
      body = nil
    end
    table.insert(requests, wrk.format(fields[1], fields[2], headers, body))
  end
  index = (offset + thread_number * 7919) % #requests + 1
end

function request()
  local r = requests[index]
  index = index % #requests + 1
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "status_errors": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
