-- Scenario 5: POST /login, each request a full login of a random demo
-- account (demo00001 .. demo<BENCH_MEMBERS>) with the shared password.
-- The anonymous CSRF cookie and its token were fetched once before the
-- run (BENCH_COOKIE, BENCH_CSRF).  A success is "303 See Other"; every
-- other status is counted and printed by done().
local members = tonumber(os.getenv("BENCH_MEMBERS") or "1")
local password = os.getenv("BENCH_PASSWORD")
local csrf = os.getenv("BENCH_CSRF")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

local threads = {}
function setup(thread)
	table.insert(threads, thread)
	thread:set("id", #threads)
end

function init(args)
	ok, other = 0, 0
	math.randomseed(id * 104729)
end

function request()
	local body = string.format("username=demo%05d&password=%s&csrf_token=%s&next=%%2F",
		math.random(members), password, csrf)
	return wrk.format("POST", "/login", nil, body)
end

function response(status, headers, body)
	if status == 303 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
	local o, x = 0, 0
	for _, t in ipairs(threads) do
		o = o + t:get("ok")
		x = x + t:get("other")
	end
	io.write(string.format("bench: logins_ok=%d logins_failed=%d\n", o, x))
end
