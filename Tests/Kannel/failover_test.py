"""Sending through two real providers while the first one fails: Kannel (bearerbox, smsbox and
fakesmsc, a fake carrier, from Debian's kannel and kannel-extras) and a Twilio-shaped server
that accepts 1,000 messages, then answers 503, then times out, then recovers.

Everything runs on loopback in a temporary folder and is stopped at the end. Run by
scripts/kannel-tests (and so by scripts/test); LIFELINE_BIN names the built binary.

Both providers are reached through small recording servers here, which note when each
request arrives (to the millisecond) and for which number: every recipient has a number of
their own, so a number stands for one message and its idempotency key.
"""

import http.server
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

BIN = os.environ["LIFELINE_BIN"]
RECIPIENTS = 5000
SMALL = 1500  # the second event's group, ended early
RATES = {"twilio": 200.0, "kannel": 150.0}
LEASE = 4  # seconds: the breaker's cool-down is one lease, a request's timeout a quarter
ACCOUNT = "AC" + "0" * 32
FAILURES = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        FAILURES.append(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, what, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port}")


class Recorder:
    """Requests that reached a carrier: (arrival time, number, text), per provider."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arrivals = {"twilio": [], "kannel": []}
        self.refused = []  # Twilio's 503s: (time,)

    def add(self, provider, number, text, at=None):
        with self.lock:
            self.arrivals[provider].append((at or time.time(), number, text))


recorder = Recorder()


class TwilioShaped(http.server.BaseHTTPRequestHandler):
    """Twilio's Messages API as a failing provider: 1,000 accepted, 503 for three seconds,
    no answer for four, then accepted again."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold each answer back 40 ms.
    disable_nagle_algorithm = True
    lock = threading.Lock()
    accepted = 0
    failing_since = None

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        fields = dict(urllib.parse.parse_qsl(body))
        number = fields.get("To", "").lstrip("+")
        cls = TwilioShaped
        with cls.lock:
            phase = "accept"
            if cls.accepted >= 1000 or cls.failing_since is not None:
                if cls.failing_since is None:
                    cls.failing_since = time.time()
                since = time.time() - cls.failing_since
                phase = "503" if since < 3 else ("timeout" if since < 7 else "accept")
            if phase == "accept":
                cls.accepted += 1
        if phase == "503":
            recorder.refused.append(time.time())
            self.answer(503, {"code": 20500, "message": "Service unavailable"})
            return
        # A request that times out may still have been taken: it counts as reaching the carrier.
        recorder.add("twilio", number, fields.get("Body", ""))
        if phase == "timeout":
            time.sleep(3)  # longer than Lifeline's request timeout (a quarter of the lease)
            self.close_connection = True
            return
        self.answer(201, {"sid": "SM%032d" % cls.accepted, "status": "queued"})

    def answer(self, status, document):
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def kannel_door(sendsms_port):
    """A recording pass-through in front of Kannel's sendsms, to time each request."""

    class Door(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # as TwilioShaped

        def log_message(self, *args):
            pass

        def do_GET(self):
            arrived = time.time()  # before Kannel's answer, whose time varies
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{sendsms_port}{self.path}", timeout=5) as answer:
                    status, data = answer.status, answer.read()
            except urllib.error.HTTPError as error:
                status, data = error.code, error.read()
            if status == 202:
                recorder.add("kannel", query.get("to", ""), query.get("text", ""), at=arrived)
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Door


def serve(handler, port):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def lifeline(folder, *arguments, stdin=None, env=None):
    result = subprocess.run(
        [BIN, "--database", f"{folder}/lifeline.db", *arguments], input=stdin, capture_output=True, text=True,
        env=env or os.environ)
    if result.returncode != 0:
        raise RuntimeError(f"lifeline {' '.join(arguments)} exited {result.returncode}: {result.stderr}")
    return result.stdout


def number(index):
    return "4477009%05d" % index


def main():
    folder = tempfile.mkdtemp(prefix="lifeline-kannel-")
    processes = []
    try:
        run(folder, processes)
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if FAILURES and os.environ.get("KEEP"):
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        sys.exit(1)


def run(folder, processes):
    ports = {name: free_port() for name in ["lifeline", "twilio", "door", "admin", "smsbox", "smsc", "sendsms"]}
    public = f"http://127.0.0.1:{ports['lifeline']}"
    env = dict(os.environ)
    env.update({
        "LIFELINE_SECRET": "ab" * 32,
        "LIFELINE_TWILIO_API_BASE": f"http://127.0.0.1:{ports['twilio']}",
        "LIFELINE_TWILIO_ACCOUNT_SID": ACCOUNT,
        "LIFELINE_TWILIO_AUTH_TOKEN": "t" * 32,
        "LIFELINE_TWILIO_FROM": "+447700900000",
        "LIFELINE_KANNEL_SENDSMS_URL": f"http://127.0.0.1:{ports['door']}/cgi-bin/sendsms",
        "LIFELINE_KANNEL_USERNAME": "lifeline",
        "LIFELINE_KANNEL_PASSWORD": "kannel-pw",
        "LIFELINE_KANNEL_FROM": "12345",
    })
    os.environ.update(env)

    # The directory: 5,000 in Everyone, the first 300 of them also in Small, and one more person
    # in no group who will text STOP through the fake carrier.
    rows = ["email,name,mobile,groups"]
    for index in range(1, RECIPIENTS + 1):
        groups = "Everyone;Small" if index <= SMALL else "Everyone"
        rows.append(f"u{index}@example.com,User {index},{number(index)},{groups}")
    rows.append(f"stopper@example.com,Stopper,{number(99999)},")
    with open(f"{folder}/staff.csv", "w") as file:
        file.write("\n".join(rows) + "\n")
    lifeline(folder, "migrate")
    lifeline(folder, "import", "users", f"{folder}/staff.csv")
    lifeline(folder, "sms", "attribute", "set", "mobile")
    emails = "\n".join([f"u{i}@example.com" for i in range(1, RECIPIENTS + 1)] + ["stopper@example.com"]) + "\n"
    lifeline(folder, "optin", "record", "--stdin", "--state", "opted_in", "--evidence", "signed forms", "--actor", "test",
             stdin=emails)
    portal_key = json.loads(lifeline(folder, "api-keys", "create", "portal", "--role", "portal", "--format", "json"))["key"]

    # Kannel's side: a core group and a fake SMSC written here, the rest from `lifeline kannel config`.
    groups = lifeline(folder, "kannel", "config", "--public-url", public)
    with open(f"{folder}/kannel.conf", "w") as file:
        file.write(f"""group = core
admin-port = {ports['admin']}
admin-password = "admin-pw"
admin-interface = 127.0.0.1
smsbox-port = {ports['smsbox']}
box-allow-ip = 127.0.0.1
log-file = "{folder}/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {ports['smsc']}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {ports['smsbox']}
sendsms-port = {ports['sendsms']}
sendsms-interface = 127.0.0.1
log-file = "{folder}/smsbox.log"
log-level = 1

{groups}""")
    logs = open(f"{folder}/kannel.out", "w")
    processes.append(subprocess.Popen(["/usr/sbin/bearerbox", "-v", "1", f"{folder}/kannel.conf"], stdout=logs, stderr=logs))
    wait_for_port(ports["smsbox"], "bearerbox")
    processes.append(subprocess.Popen(["/usr/sbin/smsbox", "-v", "1", f"{folder}/kannel.conf"], stdout=logs, stderr=logs))
    wait_for_port(ports["sendsms"], "smsbox")
    carrier_log = open(f"{folder}/fakesmsc.log", "w")
    processes.append(subprocess.Popen(
        ["/usr/lib/kannel/test/fakesmsc", "-H", "127.0.0.1", "-r", str(ports["smsc"]), "-i", "0.1", "-m", "1",
         f"{number(99999)} 12345 text STOP"], stdout=carrier_log, stderr=carrier_log))
    serve(TwilioShaped, ports["twilio"])
    serve(kannel_door(ports["sendsms"]), ports["door"])

    server_log = open(f"{folder}/serve.log", "w")
    processes.append(subprocess.Popen(
        [BIN, "--database", f"{folder}/lifeline.db", "serve", "--listen", f"127.0.0.1:{ports['lifeline']}",
         "--public-url", public, "--gateway", "twilio,kannel", "--gateway-rate", f"twilio={RATES['twilio']}",
         "--gateway-rate", f"kannel={RATES['kannel']}", "--lease-seconds", str(LEASE)],
        stdout=server_log, stderr=server_log, env=env))
    wait_for_port(ports["lifeline"], "lifeline serve")
    database = sqlite3.connect(f"file:{folder}/lifeline.db?mode=ro", uri=True, timeout=10)

    def scalar(sql, *parameters):
        return database.execute(sql, parameters).fetchone()[0]

    # STOP through the fake carrier opts the sender out (Kannel's sms-service get-url).
    deadline = time.time() + 20
    while time.time() < deadline and "opted_out" not in lifeline(folder, "optin", "status", "stopper@example.com"):
        time.sleep(0.2)
    check("opted_out" in lifeline(folder, "optin", "status", "stopper@example.com"),
          "a STOP sent through fakesmsc and Kannel opted the sender out")

    # The event, to 5,000.
    event = lifeline(folder, "events", "create", "--name", "Mail outage", "--group", "Everyone",
                     "--start-message", "Email is down ({event}), {name}. Use your phone.", "--end-message", "{event} is over.").strip()
    started_at = time.time()
    lifeline(folder, "events", "start", event)

    # Mid-event, once Kannel carries the alerts, someone asks for a reset code.
    code_number = number(4321)
    while len(recorder.arrivals["kannel"]) < 300 and time.time() - started_at < 60:
        time.sleep(0.02)
    request = urllib.request.Request(
        f"{public}/v1/password-resets", data=json.dumps({"email": "u4321@example.com"}).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {portal_key}"})
    code_requested_at = time.time()
    with urllib.request.urlopen(request, timeout=10) as answer:
        check(answer.status == 202, "the reset code was asked for")

    def remaining(event_id):
        return scalar("SELECT count(*) FROM outbox WHERE event_id = ? AND status IN ('queued', 'sending')", event_id)

    deadline = time.time() + 180
    while time.time() < deadline and remaining(event) > 0:
        time.sleep(0.25)
    check(remaining(event) == 0, f"the event's 5,000 alerts left the outbox ({time.time() - started_at:.1f} s)")

    # The second event, to 300, ended while its start alerts are still going out.
    small = lifeline(folder, "events", "create", "--name", "Short outage", "--group", "Small",
                     "--start-message", "Short outage, {name}.", "--end-message", "{event} is over.").strip()
    before_small = {provider: len(arrivals) for provider, arrivals in recorder.arrivals.items()}
    lifeline(folder, "events", "start", small)
    while scalar("SELECT count(*) FROM outbox WHERE event_id = ? AND kind = 'event_start' AND status = 'sent'", small) < 50:
        time.sleep(0.01)
    lifeline(folder, "events", "end", small)
    deadline = time.time() + 60
    while time.time() < deadline and remaining(small) > 0:
        time.sleep(0.1)
    time.sleep(1)  # receipts and the last answers
    database.close()
    database = sqlite3.connect(f"file:{folder}/lifeline.db?mode=ro", uri=True, timeout=10)

    # --- What reached the carriers for the 5,000.
    destinations = dict(database.execute(
        "SELECT destination, id FROM outbox WHERE event_id = ? AND kind = 'event_start'", (event,)).fetchall())
    alert_text = re.compile(r"^Email is down")
    reached = [(provider, at, number_) for provider, arrivals in recorder.arrivals.items()
               for at, number_, text in arrivals if alert_text.match(text)]
    keys = [destinations.get(n) for _, _, n in reached]
    check(None not in keys, "every alert that reached a carrier is one of the event's messages")
    check(len(set(keys)) == RECIPIENTS, f"exactly {RECIPIENTS} distinct idempotency keys reached a carrier ({len(set(keys))})")
    maybe = dict(database.execute("SELECT id, maybe_sent FROM outbox WHERE event_id = ?", (event,)).fetchall())
    counts = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    extra = {key: count - 1 for key, count in counts.items() if count > 1}
    check(all(maybe.get(key, 0) >= repeats for key, repeats in extra.items()),
          f"duplicates ({sum(extra.values())}) only among counted maybe_sent attempts ({sum(maybe.values())})")

    # --- The switch.
    first_refusal = min(recorder.refused) if recorder.refused else None
    check(first_refusal is not None, "the Twilio-shaped provider refused with 503 after 1,000")
    kannel_after = [at for _, at, _ in [("kannel", at, n) for at, n, t in recorder.arrivals["kannel"]] if first_refusal and at >= first_refusal]
    switch = (min(kannel_after) - first_refusal) if kannel_after else None
    check(switch is not None and switch <= 2 * LEASE,
          f"the switch to Kannel came within two lease periods ({switch if switch is None else round(switch, 2)} s, lease {LEASE} s)")

    # --- The pace: no window of 0.95 s (loopback jitter aside) holds more than a second's worth.
    for provider, rate in RATES.items():
        times = sorted(at for at, _, _ in recorder.arrivals[provider])
        worst, start = 0, 0
        for end in range(len(times)):
            while times[end] - times[start] >= 0.95:
                start += 1
            worst = max(worst, end - start + 1)
        check(worst <= rate, f"{provider} was never sent more than {rate:.0f} a second (busiest window: {worst})")

    # --- Recovery: after the timeouts, traffic went back to the first provider.
    recovered = TwilioShaped.failing_since + 7 if TwilioShaped.failing_since else None
    after = [at for at, _, _ in recorder.arrivals["twilio"] if recovered and at > recovered]
    check(len(after) > 100, f"traffic returned to the first provider when it recovered ({len(after)} messages after)")

    # --- The code went before the alerts queued ahead of it.
    code_at = [at for provider, arrivals in recorder.arrivals.items() for at, n, text in arrivals
               if n == code_number and "code" in text.lower()]
    check(len(code_at) >= 1, "the reset code reached a carrier")
    if code_at:
        overtaken = sum(1 for _, at, _ in reached if code_requested_at <= at < code_at[0])
        later = sum(1 for _, at, _ in reached if at > code_at[0])
        batch = int(max(RATES.values()))
        check(overtaken <= 2 * batch and later > 1000,
              f"the code went within a batch of being asked for ({overtaken} alerts before it, {later} after)")

    # --- Ending the second event expired what was left of its start alert.
    expired = scalar("SELECT count(*) FROM outbox WHERE event_id = ? AND kind = 'event_start' AND status = 'expired'", small)
    sent = scalar("SELECT count(*) FROM outbox WHERE event_id = ? AND kind = 'event_start' AND status IN ('sent', 'delivered')", small)
    small_reached = {n for provider, arrivals in recorder.arrivals.items() for at, n, text in arrivals[before_small[provider]:]
                     if text.startswith("Short outage, ")}
    check(expired > 0 and expired + sent == SMALL and len(small_reached) <= sent,
          f"ending the event expired the rest of its start alert ({sent} sent, {expired} expired, {len(small_reached)} reached a carrier)")
    ends = scalar("SELECT count(*) FROM outbox WHERE event_id = ? AND kind = 'event_end' AND status IN ('sent', 'delivered')", small)
    check(ends == SMALL, f"its end alert went to all {SMALL} ({ends})")

    # --- Kannel's receipts.
    kannel_sent = scalar("SELECT count(*) FROM outbox WHERE provider = 'kannel'")
    delivered = scalar("SELECT count(*) FROM outbox WHERE provider = 'kannel' AND status = 'delivered'")
    check(kannel_sent > 0 and delivered == kannel_sent,
          f"Kannel's delivery receipts marked its messages delivered ({delivered} of {kannel_sent})")
    print(f"twilio: {len(recorder.arrivals['twilio'])} requests, {len(recorder.refused)} refused; "
          f"kannel: {len(recorder.arrivals['kannel'])}; maybe_sent {sum(maybe.values())}")


if __name__ == "__main__":
    main()
