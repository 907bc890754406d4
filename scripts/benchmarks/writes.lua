-- wrk script for two loads on the server at once:
--   wrk ... -s writes.lua URL -- signins API_KEY                sign-ins with unknown emails, as fast as they go
--   wrk ... -s writes.lua URL -- decisions EMAILS_FILE API_KEY PAUSE_MS
--       an operator's writes: an opt-out recorded for a user from the file, one every PAUSE_MS per connection
-- Prints "RESULT requests_per_second p50_ms p99_ms server_errors requests" at the end.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    mode = args[1]
    server_errors = 0
    emails = {}
    headers = { ["Content-Type"] = "application/json" }
    if mode == "signins" then
        headers["Authorization"] = "Bearer " .. args[2]
    else
        for line in io.lines(args[2]) do emails[#emails + 1] = line end
        headers["Authorization"] = "Bearer " .. args[3]
        pause = tonumber(args[4])
    end
    serial = 0
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function delay()
    if mode == "decisions" then return pause end
    return 0
end

function request()
    serial = serial + 1
    if mode == "signins" then
        -- A new unknown email each time: it costs the server the same hashing as a real one.
        local email = string.format("nobody-%d-%d@example.com", math.random(1e9), serial)
        return wrk.format("POST", "/v1/logins", headers, '{"email":"' .. email .. '","password":"Wrong-Guess-2026"}')
    end
    local email = emails[math.random(#emails)]
    return wrk.format("POST", "/v1/optins/" .. email .. "/decisions", headers,
        '{"state":"opted_out","evidence":"bench: asked by phone"}')
end

function response(status, headers, body)
    if status >= 500 then server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
    local errors = 0
    for _, thread in ipairs(threads) do errors = errors + thread:get("server_errors") end
    io.write(string.format("RESULT %.0f %.2f %.2f %d %d\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        errors, summary.requests))
end
