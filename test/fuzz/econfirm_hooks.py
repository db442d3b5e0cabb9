"""Schemathesis hooks for the gateway's fuzz suite (test/src/fuzz/openapi-fuzz.test.ts).

Every request to the gateway must carry its own API token: an ES256 JWT signed by the caller's API
credential key, for one method and one URL (htm/htu), used once (jti), short-lived
(gateway/src/auth/api-token.ts, gateway/README.md "Authenticate"). A static header cannot do that,
and schemathesis' auth providers see the test case before it becomes a request, so the token is
signed at the last moment by a `requests` auth object, from the prepared request's own method and
URL.

The registered auth provider only hands out a placeholder. Schemathesis treats it as the
operation's credentials: its `ignored_auth` check strips or replaces it and sends probes
(directly through the transport, not through `before_call`), which must then be refused. Only a
request that still carries the placeholder is signed.

Settings, from the environment (set by the suite):
  ECONFIRM_FUZZ_CREDENTIAL  a JSON file {"credentialId": "...", "privateJwk": {...}}
  ECONFIRM_FUZZ_PUBLIC_URL  the gateway's publicUrl (the htu is publicUrl + path)
  ECONFIRM_FUZZ_AUDIENCE    its audience (default: the publicUrl)
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
import schemathesis
from jwt.algorithms import ECAlgorithm

PLACEHOLDER = "Bearer econfirm-fuzz-placeholder"
# Short: the gateway refuses tokens living longer than limits.tokenLifetimeSeconds.
TOKEN_LIFETIME_SECONDS = 120


@lru_cache(maxsize=1)
def _credential() -> tuple[str, Any]:
    with open(os.environ["ECONFIRM_FUZZ_CREDENTIAL"], encoding="utf-8") as file:
        credential = json.load(file)
    key = ECAlgorithm.from_jwk(json.dumps(credential["privateJwk"]))
    return credential["credentialId"], key


def api_token(method: str, url: str) -> str:
    """A token for exactly this request, as gateway/src/auth/api-token.ts createApiToken makes it."""
    credential_id, key = _credential()
    public_url = os.environ["ECONFIRM_FUZZ_PUBLIC_URL"].rstrip("/")
    now = int(time.time())
    claims = {
        "iss": credential_id,
        "aud": os.environ.get("ECONFIRM_FUZZ_AUDIENCE") or public_url,
        "iat": now,
        "exp": now + TOKEN_LIFETIME_SECONDS,
        "jti": str(uuid.uuid4()),
        "htm": method.upper(),
        # The path as it goes on the wire (percent-encoded), without query: what the gateway compares.
        "htu": public_url + (urlsplit(url).path or "/"),
    }
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": credential_id, "typ": "JWT"})


class SignPerRequest(requests.auth.AuthBase):
    """Signs a fresh token into each prepared request (also each resend of it)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {api_token(request.method or 'GET', request.url or '/')}"
        return request


@schemathesis.auth(refresh_interval=None, retry_on=[])
class Placeholder:
    def get(self, case: Any, ctx: Any) -> str:
        return PLACEHOLDER

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = data


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers or {}
    if headers.get("Authorization") == PLACEHOLDER:
        kwargs["auth"] = SignPerRequest()


# Rules between members or depending on the caller that OpenAPI 3.0 cannot state: a valid value of
# each parameter, but not this combination or not for this role. The gateway refuses them 400
# VALIDATION_FAILED with these messages (and the operation's description says so); schemathesis,
# reading only the schemas, calls them "schema-valid request rejected" (ST202). Only these are
# let through — any other refusal of valid data still fails the run. (method, path, message;
# None: any.)
CROSS_MEMBER_RULES = [
    # At most one selector (ListConfirmationsQuery, ListMortgagesQuery): no "at most one of" for parameters.
    ("GET", "/v1/confirmations", re.compile(r"^choose one of ")),
    ("GET", "/v1/mortgages", re.compile(r"^choose one of ")),
    # Which selector is required depends on the caller's role.
    ("GET", "/v1/confirmations", re.compile(r"^role [\w-]+ has no default list: give a selector$")),
    ("GET", "/v1/mortgages", re.compile(r"lists a client's registrations: give clientId$")),
    ("GET", "/v1/receivables", re.compile(r"^only the regulator names another party$|^the regulator lists an institution's receivables: give partyId$")),
    # Two parameters that go together; a block range inside the chain (its height is the ledger's, not the document's).
    ("GET", "/v1/ledger/integrity", re.compile(r"^anchorBlock and anchorHash go together")),
    ("GET", "/v1/ledger/integrity", re.compile(r"^no blocks in \d+\.\.\d+ \(height \d+\)$")),
    # A form of the catalogue, but not one of the letter kind's.
    ("POST", "/v1/bulk/jobs", re.compile(r"^form [\w.-]+ is not a form for [\w-]+$")),
    # __proto__, constructor and prototype are refused as keys anywhere in a body (json-body.ts),
    # also inside the free-form letters and replies: OpenAPI 3.0 has no propertyNames to say so.
    (None, None, re.compile(r": a reserved key name, not a field$")),
    # A webhook URL is parsed as WHATWG's URL parser does (http or https): no pattern says that
    # exactly, and one stricter than the parser is refused by it (ST201) where the parser is not.
    ("POST", "/v1/webhooks", re.compile(r"^url: (not an absolute URL|must be http or https)$")),
    ("PATCH", "/v1/webhooks/{id}", re.compile(r"^url: (not an absolute URL|must be http or https)$")),
    # An engagement's period in order (the upload's multipart fields; each date is checked by its pattern).
    ("POST", "/v1/bulk/jobs", re.compile(r"periodEnd: before periodStart")),
    # The amount member depends on the registration's kind (ordinary: securedPrincipal; maximum: the ceiling).
    ("POST", "/v1/mortgages", re.compile(r"mortgage takes \w+ and not the other$")),
]


def _refusal_message(response: Any) -> str | None:
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or error.get("code") != "VALIDATION_FAILED":
        return None
    message = error.get("message")
    return message if isinstance(message, str) else None


@schemathesis.hook
def filter_failure(ctx: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keeps every failure but an ST202 for one of CROSS_MEMBER_RULES."""
    if getattr(failure, "code", None) != "ST202" or response.status_code != 400:
        return True
    message = _refusal_message(response)
    if message is None:
        return True
    method, path = case.method.upper(), case.operation.path
    return not any((m is None or method == m) and (p is None or path == p) and rule.search(message) for m, p, rule in CROSS_MEMBER_RULES)
