-- Scenario 6: order submission and confirmation, as a member does it.
-- POST /certificates/new/natural with the whole form (BENCH_BODY, CSRF
-- token included) creates a draft and answers 303 to
-- /orders/ID/review; the ID goes on this thread's queue, and a later
-- request POSTs /orders/ID/confirm (303 to /orders/ID).  Each is one
-- durable transaction.  done() prints how many orders were confirmed.
local form = os.getenv("BENCH_BODY")
local confirm_body = "csrf_token=" .. os.getenv("BENCH_CSRF")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

local threads = {}
function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	drafts, confirmed, other = 0, 0, 0
	queue, head, tail = {}, 1, 0
end

function request()
	if head <= tail then
		local id = queue[head]
		queue[head] = nil
		head = head + 1
		return wrk.format("POST", "/orders/" .. id .. "/confirm", nil, confirm_body)
	end
	return wrk.format("POST", "/certificates/new/natural", nil, form)
end

function response(status, headers, body)
	-- haproxy (HTX) sends header names in lower case
	local loc = headers["Location"] or headers["location"] or ""
	local id = string.match(loc, "^/orders/(%d+)/review$")
	if status == 303 and id ~= nil then
		drafts = drafts + 1
		tail = tail + 1
		queue[tail] = id
	elseif status == 303 and string.match(loc, "^/orders/%d+$") then
		confirmed = confirmed + 1
	else
		other = other + 1
	end
end

function done(summary, latency, requests)
	local d, c, x = 0, 0, 0
	for _, t in ipairs(threads) do
		d = d + t:get("drafts")
		c = c + t:get("confirmed")
		x = x + t:get("other")
	end
	io.write(string.format("bench: drafts=%d confirmed=%d failed=%d\n", d, c, x))
end
