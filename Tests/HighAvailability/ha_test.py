"""High availability on one machine: a pg_auto_failover monitor with a primary and a
synchronous standby (Debian's pg-auto-failover-cli and postgresql-15-auto-failover), and two
`lifeline serve` processes sharing one multi-host URL and all background work.

While both servers dispatch an event's alerts through the file gateway, and a second event's
start is in flight, the primary's whole node is killed (kill -9 of its keeper and its
postmaster, as when a machine is lost: the keeper alone would restart PostgreSQL in place),
then one Lifeline server is killed too. Clients keep asking for codes and recording consent
decisions throughout, retrying what was not acknowledged as a real client does.

It measures how long until the new primary takes writes and until the surviving server
acknowledges a write, and checks that every alert was queued once and sent once by its
idempotency key, that every acknowledged code request and consent decision is there once,
that the survivor starts a scheduled event and runs the nightly purge alone, and that `lifeline
doctor` is clean on the new primary. Goal: back within 30 s of the kill, nothing lost, nothing
doubled. Exits 1 when a check fails.

Run by scripts/ha-test (small, in scripts/test) and scripts/bench (full size). Everything runs
on loopback in a temporary folder and is stopped and removed at the end. LIFELINE_BIN names
the built binary; HA_USERS the directory's size (default 10,000).
"""

import datetime
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BIN = os.environ["LIFELINE_BIN"]
USERS = int(os.environ.get("HA_USERS", "10000"))
GOAL = 30.0  # seconds from the kill until the surviving server acknowledges a write
LEASE = 5  # seconds a claimed message stays reserved
RATE = max(400, USERS // 25)  # SMS a second per server: both still sending when the node dies
SECRET = "5e" * 32
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in p.split("/")[-2].split(".")])[-1]
IS_ROOT = os.getuid() == 0
FAILURES = []
FIGURES = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        FAILURES.append(message)


def figure(line):
    print("     " + line, flush=True)
    FIGURES.append(line)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, condition, seconds=120, pause=0.2):
    """Polls another process's state, which offers no event to await."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(pause)
    raise RuntimeError(f"{what}: not within {seconds} s")


class Cluster:
    """A pg_auto_failover formation in `folder`: a monitor and two nodes, run as the postgres
    user when this runs as root (initdb and postgres refuse root), each node's keeper in a
    process group of its own so that killing the group is losing the machine."""

    def __init__(self, folder):
        self.folder = folder
        self.ports = {"monitor": free_port(), "node1": free_port(), "node2": free_port()}
        self.keepers = {}
        self.password = os.urandom(12).hex()

    def owner(self, command):
        environment = [
            "env", "-i", f"PATH={PG_BIN}:/usr/bin:/bin", f"HOME={self.folder}",
            f"XDG_CONFIG_HOME={self.folder}/config", f"XDG_DATA_HOME={self.folder}/share",
            f"XDG_RUNTIME_DIR={self.folder}/run", f"PGHOST={self.folder}",
        ]
        return (["runuser", "-u", "postgres", "--"] if IS_ROOT else []) + environment + command

    def run(self, command, log):
        with open(os.path.join(self.folder, log), "ab") as out:
            subprocess.run(self.owner(command), stdout=out, stderr=subprocess.STDOUT, check=True, timeout=300)

    def keep(self, name):
        log = open(os.path.join(self.folder, f"{name}.log"), "ab")
        self.keepers[name] = subprocess.Popen(
            self.owner(["pg_autoctl", "run", "--pgdata", self.data(name)]),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def data(self, name):
        return os.path.join(self.folder, name)

    def sql(self, name, statement, database="lifeline"):
        """As the superuser over loopback (pg_autoctl's initdb trusts it there)."""
        result = subprocess.run(
            [f"{PG_BIN}/psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", str(self.ports[name]), "-U", "postgres",
             "-d", database, "-v", "ON_ERROR_STOP=1", "-c", statement],
            capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql on {name}: {result.stderr.strip()}")
        return result.stdout

    def initdb(self, name):
        """Our own initdb, so that the socket is in the folder and only loopback is listened on
        (pg_autoctl would take Debian's socket folder and every address)."""
        self.run(["initdb", "-D", self.data(name), "--encoding=UTF8", "--locale=C.UTF-8", "--auth-local=trust",
                  "--auth-host=trust"], "initdb.log")
        with open(os.path.join(self.data(name), "postgresql.conf"), "a") as conf:
            # fsync off: a kill -9 loses nothing the kernel already holds, and what is measured
            # is the failover, not this machine's disk. Commits still wait for the standby.
            conf.write(f"unix_socket_directories = '{self.folder}'\nlisten_addresses = '127.0.0.1'\nfsync = off\n")

    def state(self):
        result = subprocess.run(
            self.owner(["pg_autoctl", "show", "state", "--pgdata", self.data("monitor"), "--json"]),
            capture_output=True, text=True, timeout=30)
        try:
            return {node["nodename"]: node for node in json.loads(result.stdout)}
        except ValueError:
            return {}

    def settled(self, wanted):
        state = self.state()
        return all(
            name in state and state[name]["current_group_state"] == role and state[name]["assigned_group_state"] == role
            for name, role in wanted.items())

    def start(self):
        for sub in ("config", "share", "run"):
            os.makedirs(os.path.join(self.folder, sub), exist_ok=True)
            if IS_ROOT:
                shutil.chown(os.path.join(self.folder, sub), "postgres", "postgres")
        self.initdb("monitor")
        self.run(["pg_autoctl", "create", "monitor", "--pgdata", self.data("monitor"), "--pgport",
                  str(self.ports["monitor"]), "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl"], "create.log")
        self.run(["pg_autoctl", "config", "set", "--pgdata", self.data("monitor"), "postgresql.listen_addresses",
                  "127.0.0.1"], "create.log")
        self.keep("monitor")
        wait_until("the monitor answers", lambda: self.try_sql("monitor", "SELECT 1", "pg_auto_failover"))
        # Failure noticed in about 5 s and a standby promoted within about 12 (the defaults
        # take 20 + 30): the same settings docs/high-availability.md gives. The keepers'
        # network-partition timeout stays below the demote timeout, so no two primaries.
        for setting, value in [("health_check_period", 1000), ("health_check_timeout", 1000),
                               ("health_check_max_retries", 1), ("health_check_retry_delay", 500),
                               ("node_considered_unhealthy_timeout", 5000), ("primary_demote_timeout", 10000)]:
            self.sql("monitor", f"ALTER SYSTEM SET pgautofailover.{setting} TO {value}", "pg_auto_failover")
        self.sql("monitor", "SELECT pg_reload_conf()", "pg_auto_failover")
        monitor_url = f"postgres://autoctl_node@127.0.0.1:{self.ports['monitor']}/pg_auto_failover?sslmode=disable"

        self.initdb("node1")
        # Lifeline signs in with a password (SCRAM), ahead of the trust lines pg_autoctl adds
        # for its own roles; the standby's base backup copies this file.
        hba = os.path.join(self.data("node1"), "pg_hba.conf")
        with open(hba) as f:
            rules = f.read()
        with open(hba, "w") as f:
            f.write("host all lifeline 127.0.0.1/32 scram-sha-256\n" + rules)
        for name in ("node1", "node2"):
            self.run(["pg_autoctl", "create", "postgres", "--pgdata", self.data(name), "--pgport", str(self.ports[name]),
                      "--listen", "127.0.0.1", "--hostname", "127.0.0.1", "--name", name, "--dbname", "lifeline",
                      "--monitor", monitor_url, "--auth", "trust", "--no-ssl"], "create.log")
            self.run(["pg_autoctl", "config", "set", "--pgdata", self.data(name), "timeout.network_partition_timeout", "5"],
                     "create.log")
            self.keep(name)
            if name == "node1":
                wait_until("node1 is the single primary", lambda: self.settled({"node1": "single"}) and self.writable("node1"))
                self.sql("node1", f"CREATE ROLE lifeline LOGIN PASSWORD '{self.password}'")
                self.sql("node1", "ALTER DATABASE lifeline OWNER TO lifeline")
                self.sql("node1", "ALTER SCHEMA public OWNER TO lifeline")
        wait_until("node2 is a synchronous secondary",
                   lambda: self.settled({"node1": "primary", "node2": "secondary"}), seconds=180)
        standby_names = self.sql("node1", "SHOW synchronous_standby_names").strip()
        check(standby_names != "", f"replication is synchronous ({standby_names})")

    def try_sql(self, name, statement, database="lifeline"):
        try:
            return self.sql(name, statement, database) or "ok"
        except (RuntimeError, subprocess.TimeoutExpired):
            return None

    def url(self):
        return (f"postgres://lifeline:{self.password}@127.0.0.1:{self.ports['node1']},127.0.0.1:{self.ports['node2']}"
                f"/lifeline?target_session_attrs=read-write&connect_timeout=2&sslmode=disable")

    def writable(self, name):
        answer = self.try_sql(name, "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only')::boolean")
        return answer is not None and answer.strip() == "f"

    def primary(self):
        return next((n for n, s in self.state().items() if s["current_group_state"] in ("primary", "single", "wait_primary")
                     and s["assigned_group_state"] == s["current_group_state"]), None)

    def lose(self, name):
        """The machine is gone: its keeper, the keeper's services and PostgreSQL, at once."""
        os.killpg(self.keepers[name].pid, signal.SIGKILL)
        self.keepers[name].wait()

    def stop(self):
        for keeper in self.keepers.values():
            if keeper.poll() is None:
                try:
                    os.killpg(keeper.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                keeper.wait()


def lifeline(*arguments, database, input_text=None, check_status=True):
    result = subprocess.run([BIN, "--database", database, *arguments], input=input_text, capture_output=True, text=True,
                            env={**os.environ, "LIFELINE_SECRET": SECRET}, timeout=600)
    if check_status and result.returncode != 0:
        raise RuntimeError(f"lifeline {' '.join(arguments)}: exit {result.returncode}: {result.stderr.strip()}")
    return result


class Server:
    def __init__(self, name, folder, database, purge_at):
        self.name = name
        self.home = os.path.join(folder, name)
        os.makedirs(self.home)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        log = open(os.path.join(self.home, "serve.log"), "ab")
        self.process = subprocess.Popen(
            [BIN, "--database", database, "serve", "--listen", f"127.0.0.1:{self.port}", "--gateway", "file",
             "--gateway-rate", f"file={RATE}", "--lease-seconds", str(LEASE), "--purge-at", purge_at,
             "--address-limit", "100000", "--email-limit", "1000"],
            stderr=log, stdout=log,
            env={**os.environ, "LIFELINE_SECRET": SECRET, "LIFELINE_OUTBOX_FILE": os.path.join(self.home, "sent.jsonl"),
                 "TZ": "UTC"})

    def alive(self):
        return self.process.poll() is None

    def sent(self):
        """What this server handed to its gateway: one JSON object a line."""
        try:
            with open(os.path.join(self.home, "sent.jsonl")) as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def log_lines(self):
        with open(os.path.join(self.home, "serve.log")) as f:
            return [json.loads(line) for line in f if line.startswith("{")]


def call(server, method, path, key, body=None, timeout=45):
    """(status, document); status 0 when the server could not be reached or hung up."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.base + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"{}")
        except ValueError:
            return error.code, {}
    except (OSError, ValueError):
        return 0, {}


class Clients:
    """What a portal backend and an admin do during the outage: code requests (each under a
    request id of its own) and consent decisions (each with evidence of its own), sent to either
    server as a load balancer would, and sent again, unchanged, until acknowledged."""

    def __init__(self, servers, portal_key, admin_key, code_users, decision_users):
        self.servers = servers
        self.keys = {"portal": portal_key, "admin": admin_key}
        self.code_users = code_users
        self.decision_users = decision_users
        self.lock = threading.Lock()
        self.acknowledged_codes = {}  # request id -> email
        self.acknowledged_decisions = []  # evidence
        self.unavailable = 0  # 503 answers seen, each then sent again
        self.unreached = 0  # requests a killed server never answered, sent again elsewhere
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.ask_codes, daemon=True),
                        threading.Thread(target=self.decide, daemon=True)]

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(120)

    def until_acknowledged(self, role, path, body, turn):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            live = [s for s in self.servers if s.alive()] or self.servers
            server = live[turn % len(live)]
            status, _ = call(server, "POST", path, self.keys[role], body)
            if status in (200, 201):
                return True
            with self.lock:
                if status == 0:
                    self.unreached += 1
                elif status == 503:
                    self.unavailable += 1
                else:
                    FAILURES.append(f"{path} answered {status}")
                    return False
            turn += 1
            time.sleep(0.2)
        return False

    def ask_codes(self):
        for index, email in enumerate(self.code_users):
            if self.stopping.is_set():
                return
            request_id = f"ha-code-{index}"
            if self.until_acknowledged("portal", "/v1/verifications",
                                       {"email": email, "purpose": "two_step", "request_id": request_id}, index):
                with self.lock:
                    self.acknowledged_codes[request_id] = email
            time.sleep(0.02)

    def decide(self):
        for index, email in enumerate(self.decision_users):
            if self.stopping.is_set():
                return
            evidence = f"ha form {index}"
            if self.until_acknowledged("admin", f"/v1/optins/{email}/decisions",
                                       {"state": "opted_in", "evidence": evidence}, index):
                with self.lock:
                    self.acknowledged_decisions.append(evidence)
            time.sleep(0.02)


def prepare(folder, database):
    """The directory: Staff (everyone), Ops (half of them) and Oncall (30), nine in ten opted
    in; Visitors, not opted in, whose consent the clients record; a few ended codes three days
    old for the purge."""
    visitors = max(200, USERS // 20)
    rows = ["email,name,mobile,groups"]
    for i in range(USERS):
        groups = ["Staff"] + (["Ops"] if i < USERS // 2 else []) + (["Oncall"] if i < 30 else [])
        rows.append(f"u{i}@example.com,User {i},44770{i:07d},{';'.join(groups)}")
    for i in range(visitors):
        rows.append(f"v{i}@example.com,Visitor {i},44771{i:07d},Visitors")
    path = os.path.join(folder, "staff.csv")
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")
    lifeline("migrate", database=database)
    started = time.monotonic()
    lifeline("import", "users", path, database=database)
    figure(f"imported {USERS + visitors:,} users in {time.monotonic() - started:.1f} s")
    lifeline("sms", "attribute", "set", "mobile", database=database)
    opted = [f"u{i}@example.com" for i in range(USERS) if i % 10 != 0]
    lifeline("optin", "record", "--stdin", "--state", "opted_in", "--evidence", "signed forms",
             database=database, input_text="\n".join(opted) + "\n")
    for i in range(5):
        lifeline("codes", "request", f"v{visitors - 1 - i}@example.com", "--purpose", "password_reset",
                 "--request-id", f"old-{i}", database=database)
    expected = {
        "Staff": sum(1 for i in range(USERS) if i % 10 != 0),
        "Ops": sum(1 for i in range(USERS // 2) if i % 10 != 0),
        "Oncall": sum(1 for i in range(30) if i % 10 != 0),
    }
    keys = {}
    for role in ("portal", "admin"):
        out = lifeline("api-keys", "create", f"ha-{role}", "--role", role, "--format", "csv", database=database).stdout
        keys[role] = out.strip().splitlines()[-1].split(",")[2]
    return expected, keys, visitors


def create_event(server, key, name, group, starts_at=None):
    body = {"name": name, "group": group, "start_message": f"{name}: email is down, use your phone",
            "end_message": f"{name}: email is back"}
    if starts_at:
        body["starts_at"] = starts_at
    status, event = call(server, "POST", "/v1/events", key, body)
    if status != 201:
        raise RuntimeError(f"creating {name}: {status} {event}")
    return event["id"]


def main():
    if not shutil.which("pg_autoctl"):
        sys.exit("ha-test: pg_autoctl is missing; run scripts/bootstrap")
    folder = tempfile.mkdtemp(prefix="lifeline-ha-")
    os.chmod(folder, 0o711)
    if IS_ROOT:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder)
    servers = []
    clients = None
    try:
        started = time.monotonic()
        cluster.start()
        figure(f"pg_auto_failover monitor, primary and synchronous standby up in {time.monotonic() - started:.1f} s")
        database = cluster.url()
        expected, keys, visitors = prepare(folder, database)
        # The purge's time: late enough that both kills come before it, so only the survivor
        # can run it.
        now = datetime.datetime.now(datetime.timezone.utc)
        purge_time = (now + datetime.timedelta(seconds=75 + USERS / 1000)).replace(second=0, microsecond=0) \
            + datetime.timedelta(minutes=1)
        servers = [Server(name, folder, database, purge_time.strftime("%H:%M")) for name in ("a", "b")]
        a, b = servers
        for server in servers:
            def ready(server=server):
                if not server.alive():
                    raise RuntimeError(f"server {server.name} exited: {open(server.home + '/serve.log').read()[-500:]}")
                return call(server, "GET", "/readyz", keys["admin"], timeout=2)[0] == 200
            wait_until(f"server {server.name} is ready", ready, seconds=60)
        old_codes = int(cluster.sql("node1", "SELECT count(*) FROM verification_requests WHERE request_id LIKE 'old-%'"))
        cluster.sql("node1", "UPDATE verification_requests SET created_at = created_at - 259200000, "
                             "closed_at = closed_at - 259200000 WHERE request_id LIKE 'old-%'")

        first = create_event(a, keys["admin"], "Mail outage", "Staff")
        second = create_event(a, keys["admin"], "Mail outage, Ops", "Ops")
        clients = Clients(servers, keys["portal"], keys["admin"],
                          code_users=[f"u{i}@example.com" for i in range(1, USERS, 7)],
                          decision_users=[f"v{i}@example.com" for i in range(visitors - 5)])
        clients.start()
        status, _ = call(a, "POST", f"/v1/events/{first}/start", keys["admin"])
        check(status == 200, f"the first event started ({status})")
        wait_until("a fifth of the first event's alerts sent",
                   lambda: sum(1 for s in servers for m in s.sent() if m.get("event_id") == first) >= expected["Staff"] // 5,
                   pause=0.05)

        # The second event's start is in flight on server a when the primary's machine is lost.
        second_started = {}

        def start_second():
            second_started["acknowledged"] = clients.until_acknowledged(
                "admin", f"/v1/events/{second}/start", {}, 0)
        starter = threading.Thread(target=start_second)
        starter.start()
        time.sleep(0.1)
        killed_at = time.monotonic()
        cluster.lose("node1")
        print("     killed node1 (the primary's keeper and postmaster, kill -9)", flush=True)

        recovered = {}

        def watch_database():
            wait_until("node2 takes writes", lambda: cluster.writable("node2"), seconds=120, pause=0.1)
            recovered["database"] = time.monotonic() - killed_at

        def probe_survivor():
            # A write through the surviving server, sent again until acknowledged.
            for attempt in range(200):
                status, _ = call(b, "POST", "/v1/verifications", keys["portal"],
                                 {"email": f"v{visitors - 5}@example.com", "purpose": "two_step",
                                  "request_id": "ha-probe"}, timeout=60)
                if status in (200, 201):
                    recovered["lifeline"] = time.monotonic() - killed_at
                    return
                time.sleep(0.1)

        readiness = []

        def watch_readiness():
            while "lifeline" not in recovered and time.monotonic() - killed_at < 120:
                readiness.append((time.monotonic() - killed_at, call(b, "GET", "/readyz", keys["admin"], timeout=5)[0]))
                time.sleep(0.25)

        watchers = [threading.Thread(target=f) for f in (watch_database, probe_survivor, watch_readiness)]
        for watcher in watchers:
            watcher.start()
        time.sleep(2)
        a.process.send_signal(signal.SIGKILL)
        a.process.wait()
        print(f"     killed lifeline server a (kill -9) {time.monotonic() - killed_at:.1f} s after node1", flush=True)
        for watcher in watchers:
            watcher.join(180)
        starter.join(120)

        new_primary = cluster.primary()
        check(new_primary == "node2",
              "pg_auto_failover made node2 the primary" + ("" if new_primary == "node2" else f": {cluster.state()}"))
        if "database" in recovered:
            figure(f"the new primary took writes {recovered['database']:.1f} s after the kill")
        lifeline_back = recovered.get("lifeline")
        figure(f"server b acknowledged a write {lifeline_back:.1f} s after the kill" if lifeline_back
               else "server b acknowledged no write")
        check(lifeline_back is not None and lifeline_back <= GOAL,
              f"back within {GOAL:.0f} s of the kill ({lifeline_back and round(lifeline_back, 1)} s)")
        unready = [at for at, status in readiness if status == 503]
        check(bool(unready), f"/readyz on b said 503 while no primary took writes "
                             f"({len(unready)} of {len(readiness)} looks, the last {unready[-1] if unready else 0:.1f} s in)")
        check(second_started.get("acknowledged") is True, "the second event's start, in flight, was acknowledged on retry")

        # A scheduled event, created after server a died: only b can start it.
        due = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3)
        scheduled = create_event(b, keys["admin"], "Scheduled notice", "Oncall", due.strftime("%Y-%m-%dT%H:%M:%SZ"))
        wait_until("the scheduled event started",
                   lambda: call(b, "GET", f"/v1/events/{scheduled}", keys["admin"])[1].get("state") == "active",
                   seconds=90, pause=0.5)
        late = (datetime.datetime.now(datetime.timezone.utc) - due).total_seconds()
        check(late <= 60, f"server b alone started the scheduled event {late:.1f} s after its time (goal: within a minute)")

        events = {first: expected["Staff"], second: expected["Ops"], scheduled: expected["Oncall"]}
        id_list = ",".join(str(e) for e in events)

        def all_sent():
            rows = cluster.sql("node2", f"SELECT count(*) FROM outbox WHERE event_id IN ({id_list}) "
                                        "AND status NOT IN ('sent', 'delivered')")
            return int(rows) == 0
        sending_since = time.monotonic()
        wait_until("every alert sent", all_sent, seconds=max(180, USERS // 100), pause=0.5)
        figure(f"every alert out {time.monotonic() - killed_at:.1f} s after the kill "
               f"({time.monotonic() - sending_since:.1f} s of it after the scheduled event)")
        clients.stop()

        # Alerts: queued once per member of each event, and each sent under its key.
        for event, count in events.items():
            line = cluster.sql("node2", f"SELECT count(*), count(DISTINCT user_id) FROM outbox "
                                        f"WHERE event_id = {event} AND kind = 'event_start'").strip()
            queued, people = (int(x) for x in line.split("|"))
            check(queued == count and people == count,
                  f"event {event}: {queued:,} alerts queued for {people:,} people, {count:,} expected")
        outbox_keys = {f"lifeline-{row}" for row in cluster.sql(
            "node2", f"SELECT id FROM outbox WHERE event_id IN ({id_list})").split()}
        handed = [m["idempotency_key"] for s in servers for m in s.sent() if m.get("event_id") in events]
        check(set(handed) == outbox_keys,
              f"every alert reached a gateway under its own key ({len(set(handed)):,} keys of {len(outbox_keys):,})")
        repeats = len(handed) - len(set(handed))
        by_server = {s.name: sum(1 for m in s.sent() if m.get("event_id") in events) for s in servers}
        figure(f"alerts handed to a gateway: {by_server}; {repeats} handed again under the same key "
               "(their record of sending was lost with server a or with the old primary, and the lease ran out)")
        check(repeats <= RATE * LEASE, f"repeats bounded by what one server sends in one lease ({repeats})")

        # Code requests and consent decisions a client saw acknowledged.
        stored = {}
        for row in cluster.sql("node2", "SELECT request_id, user_id FROM verification_requests "
                                        "WHERE request_id LIKE 'ha-code-%'").split():
            request_id, user = row.split("|")
            stored[request_id] = user
        missing = [r for r in clients.acknowledged_codes if r not in stored]
        check(not missing, f"{len(clients.acknowledged_codes):,} acknowledged code requests all stored ({missing[:3]})")
        doubled = cluster.sql("node2", "SELECT count(*) FROM (SELECT v.user_id FROM verification_requests v "
                                       "JOIN outbox o ON o.user_id = v.user_id AND o.program = 'verification' "
                                       "WHERE v.request_id LIKE 'ha-code-%' GROUP BY v.user_id HAVING count(*) > 1) d")
        check(int(doubled) == 0, f"no code request sent a second code ({int(doubled)} users had two)")
        ledger = {}
        for row in cluster.sql("node2", "SELECT evidence, count(*) FROM consent_ledger "
                                        "WHERE evidence LIKE 'ha form %' GROUP BY evidence").split("\n"):
            if row:
                evidence, count = row.rsplit("|", 1)
                ledger[evidence] = int(count)
        lost = [e for e in clients.acknowledged_decisions if e not in ledger]
        twice = [e for e, c in ledger.items() if c > 1]
        check(not lost and not twice,
              f"{len(clients.acknowledged_decisions):,} acknowledged consent decisions each in the ledger once "
              f"(lost {lost[:3]}, twice {twice[:3]})")
        figure(f"clients: {len(clients.acknowledged_codes):,} code requests and {len(clients.acknowledged_decisions):,} "
               f"consent decisions acknowledged; {clients.unavailable} answers 503 and {clients.unreached} unanswered "
               "(server a killed), each sent again")

        # The nightly purge, which only the survivor is left to run.
        wait_until("the purge time", lambda: datetime.datetime.now(datetime.timezone.utc) >= purge_time, seconds=400,
                   pause=1)
        wait_until("server b purged", lambda: any(line.get("message") == "purged" for line in b.log_lines()),
                   seconds=60, pause=0.5)
        left = int(cluster.sql("node2", "SELECT count(*) FROM verification_requests WHERE request_id LIKE 'old-%'"))
        check(old_codes == 5 and left == 0,
              f"server b alone ran the nightly purge at {purge_time:%H:%M} ({old_codes} ended codes, {left} left)")

        doctor = lifeline("doctor", database=database, check_status=False)
        check(doctor.returncode == 0, "lifeline doctor is clean on the new primary"
              + ("" if doctor.returncode == 0 else f": {doctor.stdout.strip()} {doctor.stderr.strip()}"))
        errors = [line for line in b.log_lines() if line.get("level") in ("error", "critical")
                  and "purge" not in line.get("message", "")]
        figure(f"server b logged {len(errors)} errors: {[e.get('message') for e in errors[:3]]}")
        b.process.send_signal(signal.SIGTERM)
        check(b.process.wait(30) == 0, "server b stopped cleanly on SIGTERM")
    finally:
        if clients:
            clients.stopping.set()
        for server in servers:
            if server.alive():
                server.process.kill()
                server.process.wait()
        cluster.stop()
        if os.environ.get("HA_KEEP"):
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"ha-test ({USERS:,} users): " + "; ".join(FIGURES), flush=True)
    if FAILURES:
        print(f"ha-test: {len(FAILURES)} checks failed", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
