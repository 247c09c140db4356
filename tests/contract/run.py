"""The API contract, checked against the real server binary.

1. The server's OpenAPI document is valid OpenAPI 3.1 (openapi-spec-validator).
2. schemathesis runs every check over every operation of that document,
   once authenticated by an API key and once by a session: 0 failures.
3. The vendor replay (vendor_replay.py): every operation of the vendor's
   documents, called as a vendor client would with a key of exactly the
   documented permission level, succeeds and answers the vendor's shape;
   a key of the other level is refused.

Run by `cargo xtask test` (step "API contract") with INTERIM_SERVER set to
the server binary, inside the virtualenv that holds the pinned tools.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request

from openapi_spec_validator import validate

import vendor_replay

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "contract-test-password-2026"


class Server:
    """The real binary on a free port, over a fresh demo company."""

    def __init__(self, binary, name):
        self.dir = tempfile.mkdtemp(prefix=f"interim-contract-{name}-")
        self.process = subprocess.Popen(
            [
                binary,
                "--listen", "127.0.0.1:0",
                "--demo",
                "--database", os.path.join(self.dir, "interim.db"),
                "--portal", os.path.join(self.dir, "no-portal"),
                "--admin-password", PASSWORD,
                # schemathesis writes hundreds of times a second as one
                # person; the throttle has its own tests.
                "--writes-per-second", "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.url = None
        for line in self.process.stdout:
            if "Interim listening on " in line:
                self.url = line.split("Interim listening on ")[1].split()[0]
                break
        if not self.url:
            raise SystemExit("the server did not say where it listens")
        # Keep reading, so the server never writes to a closed pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        self.cookies = {}

    def call(self, method, path, body=None, headers=None):
        """(status, parsed JSON or text) of one request."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if body is not None:
            request.add_header("content-type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request) as response:
                status, raw, got = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), error.headers
        for cookie in got.get_all("set-cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";")[0]
        text = raw.decode()
        try:
            return status, json.loads(text) if text else None
        except json.JSONDecodeError:
            return status, text

    def sign_in(self):
        status, body = self.call(
            "POST", "/api/v1/auth/sign-in",
            {"email": "admin@example.com", "password": PASSWORD},
        )
        if status != 200:
            raise SystemExit(f"sign-in: {status} {body}")
        session = self.cookies["interim_session"]
        csrf = body["csrfToken"]
        # Header names as schemathesis writes them, so that its checks of
        # missing or ignored credentials recognise these.
        self.session = session
        return {"Cookie": f"interim_session={session}", "x-csrf-token": csrf}

    def key(self, session, scopes, label, days=1):
        query = "&".join(f"scopes={s}" for s in scopes)
        status, body = self.call(
            "POST",
            f"/api/v1/access/company/demo/system-api-key?expirationDays={days}&label={label}&{query}",
            headers=session,
        )
        if status != 200:
            raise SystemExit(f"creating a {scopes} key: {status} {body}")
        return body["apiKey"]

    def stop(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def schemathesis(server, headers, name, extra, env=None, config_extra=""):
    """One schemathesis run with every check; True when nothing failed.
    `config_extra` is TOML added to schemathesis.toml for this run."""
    report = os.path.join(os.environ.get("INTERIM_CONTRACT_OUT", tempfile.gettempdir()), name)
    with open(os.path.join(HERE, "schemathesis.toml")) as f:
        config = f.read() + config_extra
    config_file = os.path.join(server.dir, "schemathesis.toml")
    with open(config_file, "w") as f:
        f.write(config)
    command = [
        os.path.join(os.path.dirname(sys.executable), "schemathesis"),
        "--config-file", config_file,
        "run", server.url + "/api/openapi.json",
        "--checks", "all",
        "--seed", os.environ.get("INTERIM_CONTRACT_SEED", "1"),
        "--generation-database", "none",
        "--no-color",
        "--report", "junit,ndjson", "--report-dir", report,
    ] + extra
    for header, value in headers.items():
        command += ["-H", f"{header}: {value}"]
    print(f"\n==> schemathesis, authenticated by {name}", flush=True)
    return subprocess.run(command, env=dict(os.environ, **(env or {}))).returncode == 0


def main():
    binary = os.environ["INTERIM_SERVER"]
    failed = []

    server = Server(binary, "schema")
    try:
        status, document = server.call("GET", "/api/openapi.json")
        validate(document)
        print(f"OpenAPI document: valid OpenAPI {document['openapi']}, "
              f"{sum(len(p) for p in document['paths'].values())} operations")
        session = server.sign_in()
        key = server.key(session, ["COMPANY", "DEV", "SECURITY"], "schemathesis")
        # Keys never reach the session-only operations (403, tested by
        # crates/server/tests/it/keys.rs).
        session_only = ["--exclude-operation-id", "signOut",
                        "--exclude-operation-id", "createActivationLink",
                        "--exclude-operation-id", "changePassword"]
        if not schemathesis(server, {"Authorization": f"Bearer {key}"}, "api-key", session_only):
            failed.append("schemathesis with an API key")
    finally:
        server.stop()

    # A fresh company for the session run: the key run changed the first.
    server = Server(binary, "session")
    try:
        session = server.sign_in()
        other = "contract.other@example.com"
        status, body = server.call(
            "POST", "/api/v1/users",
            {"email": other, "firstName": "Contract", "lastName": "Other"}, session)
        if status != 201:
            raise SystemExit(f"creating {other}: {status} {body}")
        # Signing out would end the session the run is authenticated by;
        # so would a new password of its own (see session_hooks.py).
        hooks = {
            "SCHEMATHESIS_HOOKS": os.path.join(HERE, "session_hooks.py"),
            "INTERIM_CONTRACT_ADMIN": "admin@example.com",
            "INTERIM_CONTRACT_OTHER": other,
        }
        # The cookie as the document's `session` scheme, so that schemathesis
        # also sends requests without it (each must be a 401); the CSRF token
        # as a plain header. No generated Authorization headers: a malformed
        # one is a 401 even beside a good cookie (the credential presented
        # is the one used).
        cookie = f'\n[auth.openapi.session]\napi_key = "{server.session}"\n'
        extra = ["--exclude-operation-id", "signOut",
                 "--generation-with-security-parameters", "false"]
        csrf = {"x-csrf-token": session["x-csrf-token"]}
        if not schemathesis(server, csrf, "session", extra, hooks, cookie):
            failed.append("schemathesis with a session")
    finally:
        server.stop()

    server = Server(binary, "vendor")
    try:
        problems = vendor_replay.replay(server)
        for problem in problems:
            print(f"  vendor replay: {problem}")
        if problems:
            failed.append(f"vendor replay: {len(problems)} problems")
    finally:
        server.stop()

    if failed:
        print("\nAPI contract FAILED: " + "; ".join(failed))
        sys.exit(1)
    print("\nAPI contract: document valid, schemathesis 0 failures (key and session), vendor replay clean")


if __name__ == "__main__":
    main()
