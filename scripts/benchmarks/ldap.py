"""scripts/bench's ldap case: the first `lifeline sync ldap` of USERS inetOrgPerson entries from
Debian's slapd on loopback (paged, 500 a page), against `lifeline import users` of the same
users as a CSV file, each into a new database, alternating, RUNS times. The ratio is what
reading the directory costs over reading a file; the import behind both is the same. The
goal is against the import plus ldapsearch's own paged read of the same entries: what slapd
and the network cost is not Lifeline's to save.

    python3 ldap.py BIN TEMPLATE_DATABASE WORK USERS RUNS
"""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

BIN, TEMPLATE, WORK, USERS, RUNS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
SUFFIX, PEOPLE = "dc=example,dc=org", "ou=People,dc=example,dc=org"
folder = os.path.join(WORK, "slapd")
os.makedirs(os.path.join(folder, "data"), exist_ok=True)

with open(os.path.join(folder, "slapd.conf"), "w") as conf:
    conf.write(f"""include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
sizelimit size.soft=1000 size.hard=1000 size.prtotal=unlimited
database mdb
maxsize 4294967296
suffix "{SUFFIX}"
rootdn "cn=admin,{SUFFIX}"
rootpw bench-admin
directory {folder}/data
index objectClass eq
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
""")
with open(os.path.join(folder, "seed.ldif"), "w") as ldif, open(os.path.join(WORK, "ldap-users.csv"), "w") as csv:
    ldif.write(f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\n"
               f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: People\n\n"
               f"dn: cn=reader,{SUFFIX}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: bench-reader\n\n")
    csv.write("email,name,mobile,department\n")
    for n in range(1, USERS + 1):
        uid, mobile, department = f"u{n:06d}", f"+44 7700 9{n % 100000:05d}", f"D{n % 7}"
        ldif.write(f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: Person {n}\nsn: P{n}\n"
                   f"displayName: Person {uid}\nmail: {uid}@example.org\nmobile: {mobile}\ndepartmentNumber: {department}\n\n")
        csv.write(f"{uid}@example.org,Person {uid},{mobile},{department}\n")
with open(os.path.join(folder, "password"), "w") as password:
    password.write("bench-reader")
os.chmod(os.path.join(folder, "password"), 0o600)
subprocess.run(["slapadd", "-q", "-f", f"{folder}/slapd.conf", "-l", f"{folder}/seed.ldif"], check=True, capture_output=True)
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
subprocess.run(["slapd", "-f", f"{folder}/slapd.conf", "-h", f"ldap://127.0.0.1:{port}/"], check=True)
try:
    for _ in range(100):
        ready = subprocess.run(["ldapsearch", "-x", "-H", f"ldap://127.0.0.1:{port}", "-D", f"cn=reader,{SUFFIX}", "-y", f"{folder}/password",
                                "-b", SUFFIX, "-s", "base"], capture_output=True)
        if ready.returncode == 0:
            break
        time.sleep(0.05)

    def timed(database, arguments):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(database + suffix):
                os.remove(database + suffix)
        shutil.copy(TEMPLATE, database)
        started = time.perf_counter()
        subprocess.run([BIN, "--database", database, *arguments], check=True, capture_output=True)
        return time.perf_counter() - started

    sync = ["sync", "ldap", "--url", f"ldap://127.0.0.1:{port}", "--base", PEOPLE, "--bind-dn", f"cn=reader,{SUFFIX}",
            "--password-file", f"{folder}/password", "--map", "mail=email,displayName=name,mobile=mobile,departmentNumber=department"]
    imports = ["import", "users", os.path.join(WORK, "ldap-users.csv")]
    def search():
        """The directory's own answer, paged as the sync asks, read by OpenLDAP's ldapsearch."""
        started = time.perf_counter()
        subprocess.run(["ldapsearch", "-x", "-LLL", "-H", f"ldap://127.0.0.1:{port}", "-D", f"cn=reader,{SUFFIX}", "-y", f"{folder}/password",
                        "-E", "pr=500/noprompt", "-b", PEOPLE, "(&(objectClass=person)(mail=*))", "mail", "displayName", "mobile",
                        "departmentNumber"], check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started

    ldap_times, csv_times, search_times = [], [], []
    for run in range(RUNS):
        ldap_times.append(timed(os.path.join(WORK, "ldap-sync.db"), sync))
        csv_times.append(timed(os.path.join(WORK, "ldap-csv.db"), imports))
        search_times.append(search())
        print(f"   run {run + 1}: sync ldap {ldap_times[-1]:.2f} s, import users {csv_times[-1]:.2f} s, "
              f"ldapsearch alone {search_times[-1]:.2f} s", flush=True)
    a, b, c = statistics.median(ldap_times), statistics.median(csv_times), statistics.median(search_times)
    print(f"ldap sync ({USERS} entries): {a:.2f} s vs the CSV import's {b:.2f} s, ratio {a / b:.2f}x; "
          f"vs the import plus ldapsearch's read of the same entries ({b + c:.2f} s), ratio {a / (b + c):.2f}x (goal <= 1.2x)")
finally:
    with open(f"{folder}/slapd.pid") as pid:
        os.kill(int(pid.read()), 15)
