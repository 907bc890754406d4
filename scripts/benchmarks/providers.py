"""scripts/bench's providers case: dispatch throughput through a chain of two providers whose
first is failing, against the second alone in the same run, and the time a server takes to move to the second provider when
the first starts failing, against its lease period.

Both providers are local HTTP receivers here (Twilio's Messages API, and a webhook relay), so
the receivers, not the providers, bound the rate: the ratio is what the chain costs.

    python3 providers.py BIN DATABASE RUNS
"""

import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

BIN, DATABASE, RUNS = sys.argv[1], sys.argv[2], int(sys.argv[3])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers like Twilio (201 with a sid) or a relay (200 with an id), or 503 once told to fail."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold each answer back 40 ms.
    disable_nagle_algorithm = True
    lock = threading.Lock()
    arrivals = {}  # port -> [times]
    failing = set()  # ports answering 503
    first_refusal = None

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        port = self.server.server_address[1]
        with Receiver.lock:
            if port in Receiver.failing:
                Receiver.first_refusal = Receiver.first_refusal or time.time()
                status, body = 503, b'{"code": 20500}'
            else:
                Receiver.arrivals.setdefault(port, []).append(time.time())
                status, body = 201, json.dumps({"sid": "SM1", "id": "m1"}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on this answer (its timeout, or its process ended)


def serve(port):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


twilio, relay = free_port(), free_port()
serve(twilio)
serve(relay)
env = dict(os.environ)
env.update({
    "LIFELINE_TWILIO_API_BASE": f"http://127.0.0.1:{twilio}", "LIFELINE_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "LIFELINE_TWILIO_AUTH_TOKEN": "t" * 32, "LIFELINE_TWILIO_FROM": "+447700900000",
    "LIFELINE_WEBHOOK_URL": f"http://127.0.0.1:{relay}/sms", "LIFELINE_WEBHOOK_SECRET": "s" * 32,
})
fast = ["--gateway-rate", "twilio=100000", "--gateway-rate", "webhook=100000"]


def dispatch(database, gateway):
    started = time.time()
    result = subprocess.run([BIN, "--database", database, "outbox", "dispatch", "--gateway", gateway, "--format", "json", *fast],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"providers: dispatch failed: {result.stderr}")
    summary = json.loads(result.stdout)
    return summary["sent"] / (time.time() - started), summary


def copy(name):
    path = os.path.join(os.path.dirname(DATABASE), name)
    for suffix in ["", "-wal", "-shm"]:
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    shutil.copy(DATABASE, path)
    return path


def median(values):
    return sorted(values)[(len(values) - 1) // 2]


one, chain = [], []
for run in range(1, RUNS + 1):
    # The baseline is the provider that carries the chain's messages, alone; in the chain the
    # first provider refuses everything, its breaker opens and the relay carries the rest.
    # Alternating which goes first, so neither always meets a warmer receiver.
    Receiver.failing = {twilio}
    if run % 2:
        rate_one, _ = dispatch(copy("providers-one.db"), "webhook")
        rate_chain, summary = dispatch(copy("providers-chain.db"), "twilio,webhook")
    else:
        rate_chain, summary = dispatch(copy("providers-chain.db"), "twilio,webhook")
        rate_one, _ = dispatch(copy("providers-one.db"), "webhook")
    one.append(rate_one)
    chain.append(rate_chain)
    print(f"   run {run}: the relay alone {rate_one:.0f} messages/s; twilio (failing) then the relay {rate_chain:.0f} messages/s "
          f"({summary['failovers']} failovers)")
print(f"dispatch through two providers, the first failing: median {median(chain):.0f} vs the second alone {median(one):.0f} "
      f"messages/s, ratio {median(chain) / median(one):.2f}x (goal >= 0.8x)")

# The time to fail over: a server sending through twilio,webhook; twilio starts answering 503.
lease = 4
Receiver.failing, Receiver.first_refusal, Receiver.arrivals = set(), None, {}
port = free_port()
server = subprocess.Popen(
    [BIN, "--database", copy("providers-serve.db"), "serve", "--listen", f"127.0.0.1:{port}", "--gateway", "twilio,webhook",
     "--gateway-rate", "twilio=500", "--gateway-rate", "webhook=500", "--lease-seconds", str(lease)],
    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    deadline = time.time() + 60
    while len(Receiver.arrivals.get(twilio, [])) < 1000 and time.time() < deadline:
        time.sleep(0.01)
    Receiver.failing = {twilio}
    while time.time() < deadline and not any(at > (Receiver.first_refusal or time.time() + 1) for at in Receiver.arrivals.get(relay, [])):
        time.sleep(0.01)
    moved = [at for at in Receiver.arrivals.get(relay, []) if Receiver.first_refusal and at >= Receiver.first_refusal]
    if not moved:
        sys.exit("providers: the relay never took over")
    seconds = min(moved) - Receiver.first_refusal
    print(f"failover: the second provider's first message {seconds:.3f} s after the first provider's first 503, "
          f"{seconds / lease:.3f} lease periods (goal <= 2)")
finally:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
