"""schemathesis hooks of the session run (SCHEMATHESIS_HOOKS).

The run acts as one signed-in admin. A call that would change that
admin's own account — a new password ends every session of theirs — is
aimed at another account instead, so the run keeps its session to the end
and every operation is reached signed in. Every other value is left as
schemathesis made it.
"""

import os
from urllib.parse import quote, unquote

import schemathesis

OWN = os.environ["INTERIM_CONTRACT_ADMIN"].lower()
OTHER = os.environ["INTERIM_CONTRACT_OTHER"]


@schemathesis.hook
def before_call(context, case, kwargs):
    # Path parameters arrive percent-encoded (`admin%40example.com`).
    parameters = case.path_parameters or {}
    if unquote(str(parameters.get("email", ""))).lower() == OWN:
        parameters["email"] = quote(OTHER, safe="")
