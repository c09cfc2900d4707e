-- Scenarios 1 and 2: the URL's path, with the Cookie header from
-- BENCH_COOKIE when set (a session obtained once, before the run).
-- No request() or response() function: wrk sends one pre-built
-- request, so the client spends as little CPU as it can.
local cookie = os.getenv("BENCH_COOKIE")
if cookie ~= nil and cookie ~= "" then
	wrk.headers["Cookie"] = cookie
end
