-- wrk script: code requests and checks, paced. Each connection asks for a two-step code for
-- the next user in EMAILS_FILE (each user once), then checks a wrong code against a request it
-- was given, so requests and checks alternate. DELAY_MS between requests paces the rate.
--   wrk -t THREADS ... -s codes.lua URL -- EMAILS_FILE API_KEY DELAY_MS THREADS
-- Prints "RESULT requests_per_second p99_ms server_errors requests busy" at the end.
local threads = {}
local count = 0

function setup(thread)
    count = count + 1
    thread:set("index", count)
    table.insert(threads, thread)
end

function init(args)
    emails = {}
    for line in io.lines(args[1]) do emails[#emails + 1] = line end
    headers = { ["Authorization"] = "Bearer " .. args[2], ["Content-Type"] = "application/json" }
    pause = tonumber(args[3])
    -- Thread i takes users i, i + THREADS, i + 2 THREADS, ...: no user is asked twice.
    step = tonumber(args[4])
    next_email = index
    pending = {}
    server_errors = 0
    busy = 0
end

function delay()
    return pause
end

function request()
    if #pending > 0 then
        local id = table.remove(pending, 1)
        return wrk.format("POST", "/v1/verifications/" .. id .. "/check", headers, '{"code":"000000"}')
    end
    local email = emails[(next_email - 1) % #emails + 1]
    next_email = next_email + step
    return wrk.format("POST", "/v1/verifications", headers, '{"email":"' .. email .. '","purpose":"two_step"}')
end

function response(status, headers, body)
    if status >= 500 then server_errors = server_errors + 1 end
    if body:find("busy", 1, true) then busy = busy + 1 end
    local id = body:match('"request_id":"([^"]+)"')
    -- Only a code request's answer carries a request_id: the next request checks it.
    if id then table.insert(pending, id) end
end

function done(summary, latency, requests)
    local errors, busy_answers = 0, 0
    for _, thread in ipairs(threads) do
        errors = errors + thread:get("server_errors")
        busy_answers = busy_answers + thread:get("busy")
    end
    io.write(string.format("RESULT %.0f %.2f %d %d %d %.2f\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, errors, summary.requests, busy_answers,
        latency:percentile(50) / 1000))
end
