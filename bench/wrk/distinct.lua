-- Scenario 4c: GET /orders/ID/proforma.pdf of orders never drawn before,
-- so that every request is a miss of the document cache (src/docs/
-- cache.c) and a first rendering.  BENCH_ORDER_FILE lists the logged-in
-- member's printable order ids, one a line; thread t of T walks ids t,
-- t + T, t + 2T, ... in turn, so no id is asked twice unless a thread
-- runs out of its share (it then starts over, and done() says so).
-- BENCH_THREADS is wrk's -t.  Session cookie: BENCH_COOKIE.  done() prints the ids asked and the
-- answers other than 200.
local ids = {}
for line in io.lines(os.getenv("BENCH_ORDER_FILE")) do
	if string.match(line, "^%d+$") then
		ids[#ids + 1] = line
	end
end
assert(#ids > 0, "BENCH_ORDER_FILE lists no order")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

local threads = {}
function setup(thread)
	table.insert(threads, thread)
	thread:set("id", #threads)
end

function init(args)
	asked, failed, wrapped = 0, 0, 0
	step = 0
end

function request()
	if step == 0 then
		step = tonumber(os.getenv("BENCH_THREADS"))
		next_index = id
	end
	if next_index > #ids then
		next_index = id
		wrapped = 1
	end
	local order = ids[next_index]
	next_index = next_index + step
	asked = asked + 1
	return wrk.format("GET", "/orders/" .. order .. "/proforma.pdf")
end

function response(status, headers, body)
	if status ~= 200 then
		failed = failed + 1
	end
end

function done(summary, latency, requests)
	local a, f, w = 0, 0, 0
	for _, t in ipairs(threads) do
		a = a + t:get("asked")
		f = f + t:get("failed")
		w = w + t:get("wrapped")
	end
	io.write(string.format("bench: asked=%d failed=%d listed=%d wrapped=%d\n", a, f, #ids, w))
end
