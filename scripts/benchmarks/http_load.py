"""The benchmarks' HTTP load: requests over a few keep-alive connections, each timed, and the
line a case prints for them. Shared by the scim and replies cases, so both measure alike."""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time


def run(port, requests, concurrency, name):
    """Sends (method, path, body, headers) requests over `concurrency` keep-alive connections;
    returns (seconds, sorted latencies). Any answer of 300 or more ends the benchmark."""
    latencies, failures, lock = [], [], threading.Lock()
    queue = list(reversed(requests))

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port)
        while True:
            with lock:
                if not queue:
                    break
                method, path, body, headers = queue.pop()
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if answer.status >= 300:
                    failures.append((answer.status, path, text[:200]))
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        sys.exit(f"{name} bench: {len(failures)} requests failed, the first: {failures[0]}")
    return time.perf_counter() - started, sorted(latencies)


def report(name, seconds, latencies, unit="requests"):
    """Prints the count, time, rate and p99 of one run; returns (rate, p99 in ms)."""
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    rate = len(latencies) / seconds
    print(f"   {name}: {len(latencies)} {unit} in {seconds:.2f} s, {rate:.0f}/s, p99 {p99:.1f} ms", flush=True)
    return rate, p99


def serve(binary, database, arguments=(), environment=None):
    """Starts `lifeline serve` on a free loopback port and waits for it to listen; returns
    (process, port). Its log is drained in the background; one that never listens ends the run."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--database", database, "serve", "--listen", f"127.0.0.1:{port}", *arguments],
        env={**os.environ, **(environment or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in server.stderr:
        lines.append(line)
        if '"message":"listening"' in line:
            break
    else:
        server.wait()
        sys.exit("the server did not start:\n" + "".join(lines))
    threading.Thread(target=server.stderr.read, daemon=True).start()
    return server, port
