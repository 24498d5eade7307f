-- tests/bench/non200.lua: wrk's hook for the web benchmarks
-- (bench_web.sh, bench_staff.sh): counts every answer that is not a 200
-- (wrk's own count leaves out 3xx, and a lost session answers 303) and
-- prints it with the p99 latency in microseconds.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
	if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
	local n = 0
	for _, t in ipairs(threads) do n = n + t:get("bad") end
	io.write(string.format("non200=%d\n", n))
	io.write(string.format("p99_us=%d\n", latency:percentile(99)))
end
