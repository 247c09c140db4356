"""The vendor contract replay: every operation of the vendor's OpenAPI
documents (copies in `vendor/`), called as a vendor client would.

Each operation is called first with a key of the other permission level
(`DEV` for a `COMPANY` operation and the reverse), which must be refused
with 403 and change nothing, then with a key of exactly the documented
level, which must answer the vendor's success status with a body the
vendor's response schema accepts. Every operation of the documents must be
replayed: one missing from the script is a failure.
"""

import datetime
import glob
import os
import re

import yaml
from openapi_schema_validator import OAS31Validator

REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor")
USER = "replay.user@example.com"


def vendor_operations():
    """operationId -> (document, method, path, level, operation)."""
    found = {}
    for name in sorted(glob.glob(os.path.join(REFERENCE, "*.yml"))):
        with open(name) as f:
            document = yaml.safe_load(f)
        for path, item in document["paths"].items():
            for method, operation in item.items():
                level = re.search(r"permission level:\*\* `(\w+)`", operation["description"])
                found[operation["operationId"]] = (
                    document, method.upper(), path, level.group(1), operation)
    return found


def steps(ids):
    """The replay, in an order where each call finds what it needs:
    (operationId, path arguments, query, body, status)."""
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2))
    expiry = later.strftime("%Y-%m-%dT%H:%M:%SZ")
    pool = lambda: {"id": ids["pool"]}
    group = lambda: {"id": ids["group"]}
    return [
        ("listAgentPools", {}, "?page=0&size=20&sort=name,asc", None, 200),
        ("createAgentPool", {}, "", {"name": "Replay pool", "description": "Made by the vendor replay"}, 201),
        ("getAgentPool", pool, "", None, 200),
        ("updateAgentPool", pool, "", {"name": "Replay pool renamed", "description": "Renamed"}, 200),
        ("detachAgents", pool, "", None, 204),
        ("enableAgents", pool, "", None, 204),
        ("listUsers", {}, "?page=0&size=20&includeAccessAndPermissions=true", None, 200),
        ("createUser", {}, "", {"email": USER, "firstName": "Replay", "lastName": "User", "roles": ["DEVELOPER"]}, 201),
        ("getUser", {"email": USER}, "?includeAccessAndPermissions=true", None, 200),
        ("updateUser", {"email": USER}, "", {"firstName": "Replay", "lastName": "Person", "roles": ["DEVELOPER"]}, 200),
        ("disable", {"email": USER}, "", None, 204),
        ("enable", {"email": USER}, "", None, 204),
        ("listGroups", {}, "?includeMembers=true&sort=name,asc", None, 200),
        ("createGroup", {}, "", lambda: {"name": "Replay group", "agentPoolIds": [ids["pool"]], "roles": ["STANDARD"]}, 201),
        ("getGroup", group, "?includeMembers=true", None, 200),
        ("updateGroup", group, "", lambda: {"name": "Replay group", "agentPoolIds": [ids["pool"]], "roles": ["STANDARD"]}, 200),
        ("addMembers", group, "", [{"email": USER, "groupAdmin": False}], 200),
        ("updateMember", lambda: {"id": ids["group"], "email": USER}, "", {"groupAdmin": True, "elevatedRoles": ["PRIVILEGED"]}, 200),
        ("removeMembers", group, "", [USER], 200),
        ("listTempAccesses", {}, "?page=0&size=20", None, 200),
        ("addTempAccess", {}, "", lambda: {"agentPoolIds": [ids["pool"]], "userEmails": [USER], "roles": ["Standard"], "expirationDate": expiry, "name": "Replay grant"}, 201),
        ("revokeTempAccess", lambda: {"id": ids["grant"]}, "", None, 204),
        ("deleteGroup", group, "", None, 204),
        ("deleteAgentPool", pool, "", None, 204),
        ("deleteUser", {"email": USER}, "", None, 204),
        ("getSystemApiKeyList", {"company": "demo"}, "", None, 200),
        ("createSystemApiKey", {"company": "demo"}, "?expirationDays=1&label=Replay%20key&scopes=COMPANY", None, 200),
        ("updateSystemApiKeyLabel", lambda: {"company": "demo", "id": ids["key"]}, "", {"label": "Replay key renamed"}, 200),
        ("deleteSystemApiKey", lambda: {"company": "demo", "id": ids["key"]}, "", None, 200),
    ]


# Where an answer's id is kept for the steps after it.
KEEPS = {"createAgentPool": "pool", "createGroup": "group", "addTempAccess": "grant", "createSystemApiKey": "key"}


# Where the vendor's document contradicts itself, its example (what its
# server answers) wins: (operationId, path in the answer) -> why.
DOCUMENT_ERRORS = {
    ("getSystemApiKeyList", "items"):
        "SystemApiKeyListReadDTO.items is typed as one SystemApiKeyReadDTO; "
        "its own example (and every answer) is an array of them",
}


def schema_errors(op_id, document, operation, status, body):
    """Why the vendor's response schema refuses the body (empty: it fits)."""
    content = operation["responses"].get(str(status), {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None or body is None:
        return []
    rooted = dict(schema, components=document["components"])
    errors = []
    for e in OAS31Validator(rooted).iter_errors(body):
        at = "/".join(map(str, e.absolute_path))
        if (op_id, at) not in DOCUMENT_ERRORS:
            errors.append(f"{at}: {e.message}")
    return errors


def replay(server):
    """The problems found: empty when a vendor client works unchanged."""
    operations = vendor_operations()
    session = server.sign_in()
    # A week of life: the key a COMPANY key makes (1 day) may not outlive it.
    keys = {level: server.key(session, [level], f"replay-{level.lower()}", days=7)
            for level in ("DEV", "COMPANY")}
    other = {"DEV": "COMPANY", "COMPANY": "DEV"}
    ids, problems, replayed = {}, [], set()
    for op_id, args, query, body, want in steps(ids):
        document, method, template, level, operation = operations[op_id]
        replayed.add(op_id)
        try:
            args = args() if callable(args) else args
            body = body() if callable(body) else body
        except KeyError as missing:
            problems.append(f"{op_id}: not called, an earlier step made no {missing}")
            continue
        path = template
        for name, value in args.items():
            path = path.replace("{" + name + "}", value)
        path += query
        status, answer = server.call(method, path, body, {"authorization": f"Bearer {keys[other[level]]}"})
        if status != 403:
            problems.append(f"{op_id} with a {other[level]} key: {status}, not 403 ({answer})")
        status, answer = server.call(method, path, body, {"authorization": f"Bearer {keys[level]}"})
        if status != want:
            problems.append(f"{op_id} with a {level} key: {status}, not {want} ({answer})")
            continue
        for error in schema_errors(op_id, document, operation, status, answer):
            problems.append(f"{op_id}: the answer does not fit the vendor's schema: {error}")
        if op_id in KEEPS:
            ids[KEEPS[op_id]] = answer["id"]
        print(f"  {op_id:<26} {method:<6} {level:<7} {status}  (a {other[level]} key: 403)")
    for op_id in sorted(set(operations) - replayed):
        problems.append(f"{op_id} is in the vendor's documents but not replayed")
    return problems
