-- wrk script: GET one path per request, counting 5xx answers.
--   wrk ... -s lookups.lua URL -- livez
--   wrk ... -s lookups.lua URL -- optins NUMBERS_FILE API_KEY   (a random number from the file each time)
-- Prints "RESULT requests_per_second p99_ms server_errors requests" at the end.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    mode = args[1]
    server_errors = 0
    numbers = {}
    headers = {}
    if mode == "optins" then
        for line in io.lines(args[2]) do numbers[#numbers + 1] = line end
        headers["Authorization"] = "Bearer " .. args[3]
    end
    math.randomseed(os.time() + #numbers + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
    if mode == "optins" then
        return wrk.format("GET", "/v1/optins/" .. numbers[math.random(#numbers)], headers)
    end
    return wrk.format("GET", "/livez")
end

function response(status, headers, body)
    if status >= 500 then server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
    local errors = 0
    for _, thread in ipairs(threads) do errors = errors + thread:get("server_errors") end
    io.write(string.format("RESULT %.0f %.2f %d %d\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, errors, summary.requests))
end
