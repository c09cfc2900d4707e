-- Scenarios 3 and 4: GET /orders/ID<suffix> for an ID drawn at random
-- from BENCH_ORDER_IDS (the logged-in member's orders), with the
-- session cookie BENCH_COOKIE.  BENCH_SUFFIX is "" (order page) or
-- "/proforma.pdf".
local ids = {}
for id in string.gmatch(os.getenv("BENCH_ORDER_IDS") or "", "%d+") do
	ids[#ids + 1] = id
end
assert(#ids > 0, "BENCH_ORDER_IDS is empty")
local suffix = os.getenv("BENCH_SUFFIX") or ""
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("id", threads)
end

function init(args)
	math.randomseed(id * 7919)
end

function request()
	return wrk.format("GET", "/orders/" .. ids[math.random(#ids)] .. suffix)
end
