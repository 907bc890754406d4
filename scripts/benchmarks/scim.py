"""scripts/bench's scim case: an identity provider's first push, 10,000 users created over SCIM
and 1,000 group PATCHes adding members (as Entra ID sends them), against the API's own small
write in the same run: an operator's consent decision for each of the same users
(`POST /v1/optins/{email}/decisions`). Same server, same client, same concurrency; the ratio is
what SCIM's parsing, checks and documents cost over an ordinary write.

    python3 scim.py BIN DATABASE USERS PATCHES CONCURRENCY
"""

import http.client
import json
import subprocess
import sys

import http_load

BIN, DATABASE = sys.argv[1], sys.argv[2]
USERS, PATCHES, CONCURRENCY = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def lifeline(*arguments):
    return subprocess.run([BIN, "--database", DATABASE, *arguments], check=True, capture_output=True, text=True).stdout


def key(name, role):
    return json.loads(lifeline("api-keys", "create", name, "--role", role, "--format", "json"))["key"]


def run(requests, token, content_type):
    """Sends (method, path, body) requests as JSON under the key; returns (seconds, sorted latencies)."""
    headers = {"Authorization": "Bearer " + token, "Content-Type": content_type}
    return http_load.run(PORT, [(method, path, json.dumps(body), headers) for method, path, body in requests], CONCURRENCY, "scim")


lifeline("migrate", "--no-backup")
provisioning, operator = key("bench-idp", "provisioning"), key("bench-ops", "operator")
server, PORT = http_load.serve(BIN, DATABASE, ["--provisioning-limit", "1000000", "--address-limit", "100000"])
try:
    users = [("POST", "/scim/v2/Users", {
        "schemas": [SCHEMA], "userName": f"user{n:06d}@corp.example", "externalId": f"ext-{n}", "active": True,
        "displayName": f"User {n}", "emails": [{"value": f"user{n:06d}@example.org", "type": "work", "primary": True}],
        "phoneNumbers": [{"type": "mobile", "value": f"+44 7700 9{n % 100000:05d}"}],
    }) for n in range(USERS)]
    seconds, latencies = run(users, provisioning, "application/scim+json")
    scim_rate, scim_p99 = http_load.report("SCIM user creations", seconds, latencies)

    groups = max(1, PATCHES // 10)
    ids = []
    for n in range(groups):
        connection = http.client.HTTPConnection("127.0.0.1", PORT)
        connection.request("POST", "/scim/v2/Groups", body=json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": f"Team {n}"}),
                           headers={"Authorization": "Bearer " + provisioning, "Content-Type": "application/scim+json"})
        ids.append(json.loads(connection.getresponse().read())["id"])
        connection.close()
    # Each PATCH adds 10 members to one group, the groups' PATCHes spread so none waits on another's.
    patches = [("PATCH", f"/scim/v2/Groups/{ids[n % groups]}", {
        "schemas": [PATCH], "Operations": [{"op": "Add", "path": "members", "value": [{"value": str(1 + (n * 10 + m) % USERS)} for m in range(10)]}],
    }) for n in range(PATCHES)]
    seconds, latencies = run(patches, provisioning, "application/scim+json")
    patch_rate, patch_p99 = http_load.report("SCIM group PATCHes (10 members each)", seconds, latencies)

    # Consent belongs to a number: the attribute SCIM filled becomes the SMS attribute first.
    lifeline("sms", "attribute", "set", "mobile")
    decisions = [("POST", f"/v1/optins/user{n:06d}@example.org/decisions", {"state": "opted_in", "evidence": "signed form"})
                 for n in range(USERS)]
    seconds, latencies = run(decisions, operator, "application/json")
    base_rate, base_p99 = http_load.report("baseline: consent decisions", seconds, latencies)

    print(f"scim users: {scim_rate:.0f}/s vs the baseline's {base_rate:.0f}/s, ratio {scim_rate / base_rate:.2f}x (goal >= 0.5x); "
          f"p99 {scim_p99:.1f} ms vs {base_p99:.1f} ms")
    print(f"scim group patches: {patch_rate:.0f}/s, p99 {patch_p99:.1f} ms; ratio to the baseline's rate {patch_rate / base_rate:.2f}x (goal >= 0.5x)")
finally:
    server.terminate()
    server.wait()
