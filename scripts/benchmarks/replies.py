"""scripts/bench's replies case: answers to an event's question arriving during a big event,
as the provider posts them (signed, to /v1/webhooks/inbound), against the same number of
signed free-text messages from the same numbers, which are stored and counted nowhere. Same
server, same client, same concurrency; the ratio is what finding the event and keeping the
tally costs over receiving a message at all.

    python3 replies.py BIN DATABASE REPLIES CONCURRENCY
"""

import hashlib
import hmac
import json
import sqlite3
import sys
import time

import http_load

BIN, DATABASE = sys.argv[1], sys.argv[2]
REPLIES, CONCURRENCY = int(sys.argv[3]), int(sys.argv[4])
SECRET = "replies-bench-secret-of-32-bytes"


def run(messages):
    """Posts each message as the provider would, signed; returns (seconds, sorted latencies)."""
    requests = []
    for message in messages:
        body = json.dumps(message)
        timestamp = str(int(time.time()))
        signature = hmac.new(SECRET.encode(), (timestamp + "." + body).encode(), hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Lifeline-Timestamp": timestamp, "X-Lifeline-Signature": "sha256=" + signature}
        requests.append(("POST", "/v1/webhooks/inbound", body, headers))
    return http_load.run(PORT, requests, CONCURRENCY, "replies")


with sqlite3.connect(DATABASE) as database:
    event, recipients = database.execute(
        "SELECT event_id, count(*) FROM outbox WHERE kind = 'event_start' AND status = 'sent' GROUP BY event_id ORDER BY event_id DESC").fetchone()
    numbers = [row[0] for row in database.execute(
        "SELECT destination FROM outbox WHERE event_id = ? AND kind = 'event_start' ORDER BY id LIMIT ?", (event, REPLIES))]

server, PORT = http_load.serve(BIN, DATABASE, environment={"LIFELINE_WEBHOOK_SECRET": SECRET})
try:
    # The answers in the spellings phones send, then the baseline's free text from the same numbers.
    spellings = ["1", " 2 ", "2.", "one"]
    answers = [{"id": f"answer-{n}", "from": "+" + number, "text": spellings[n % 4]} for n, number in enumerate(numbers)]
    seconds, latencies = run(answers)
    answer_rate, answer_p99 = http_load.report(f"answers tallied during an event to {recipients} recipients", seconds, latencies, "messages")
    chatter = [{"id": f"text-{n}", "from": "+" + number, "text": "thanks, noted"} for n, number in enumerate(numbers)]
    seconds, latencies = run(chatter)
    base_rate, base_p99 = http_load.report("baseline: free text from the same numbers", seconds, latencies, "messages")
finally:
    server.terminate()
    server.wait()

# An answer counts for each recipient at the number that got the start alert: the directory
# has people sharing a number, so the recipients answering outnumber the numbers.
with sqlite3.connect(DATABASE) as database:
    counted = database.execute("SELECT count(*) FROM event_reply_current WHERE event_id = ?", (event,)).fetchone()[0]
    database.execute("CREATE TEMP TABLE answered (number TEXT PRIMARY KEY)")
    database.executemany("INSERT OR IGNORE INTO answered VALUES (?)", [(number,) for number in numbers])
    expected = database.execute(
        "SELECT count(*) FROM outbox WHERE event_id = ? AND kind = 'event_start' AND destination IN (SELECT number FROM answered)",
        (event,)).fetchone()[0]
if counted != expected:
    sys.exit(f"replies bench: {counted} answers counted, not {expected}")
print(f"replies: {answer_rate:.0f}/s tallied (p99 {answer_p99:.1f} ms) vs free text {base_rate:.0f}/s (p99 {base_p99:.1f} ms), "
      f"ratio {answer_rate / base_rate:.2f}x (goal >= 0.5x); {counted} answers counted")
