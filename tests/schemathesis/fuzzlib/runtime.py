"""One generated request, end to end: authenticate it as the operation's ``security`` says,
send it, run the checks, and record what was sent and what failed.

Checks (each failure is counted under its name):
- not_a_server_error: no 5xx at all (no dependency is down during the run, so not even a
  documented 503 is excused);
- status_code_conformance, content_type_conformance, response_schema_conformance:
  schemathesis's checks that the answer is documented (status, media type, body schema);
- negative_data_rejection: a request the document calls invalid (schemathesis's negative
  mode) was refused, not accepted: accepting it means the document is stricter than the
  code, or the code lets through what it documents it refuses. tcr-svc refuses with HTTP
  200 and ``Response.Error``, which counts as the refusal here. A negation the
  authentication overwrote, a negated header HTTP trimmed into a valid value, or a left-out
  body the document does not require, does not count: the service never saw an invalid
  request;
- no_panic: the service's log gained no "panicked" line while it answered;
- state_unchanged: a POST, PUT, PATCH or DELETE answered 4xx left the service's database as
  it was (fuzzlib.state says what is ignored and why);
- transport: the request got an answer at all (a connection reset is a crash or a hang).

A failing request does not stop the operation's run: every example is sent, and the
failures are kept (the first example of each distinct one, with a count) for the summary.
"""

import copy
import json
import os
import random
import time

import requests
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario, negated_parameters
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from . import documents, signing
from .identity import Identity, session
from .state import Snapshotter

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
CHECK_NAMES = [c.__name__ for c in CHECKS] + ["negative_data_rejection", "no_panic", "state_unchanged",
                                              "transport"]
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Headers the authentication sets or drops (fuzzlib.signing, _substitute).
# Stands for the whole body among the names a negative case made invalid.
BODY = object()

AUTH_HEADERS = {"authorization", "x-auth-token", "x-sdk-date", "x-project-id", "x-domain-id",
                "x-tc-timestamp", "x-tc-token", signing.NONCE_HEADER.lower()}
SECRET_HEADERS = {"authorization", "x-auth-token", "x-subject-token", "x-security-token", "x-tc-token"}
SECRET_FIELDS = ("secret", "password", "auth_token", "security_token", "token", "Token", "Password")

# Path parameters and body fields that name a real resource in most generated requests
# (three in four), so those requests reach the operation past its lookup; the rest keep
# the generated value.
KNOWN_SHARE = 0.75
KNOWN_PATH = {
    "project_id": "project_id", "domain_id": "domain_id", "user_id": "user_id",
    "group_id": "group_id", "role_id": "role_id", "access": "access",
}
KNOWN_BY_SERVICE = {
    "swr": {"instance_id": "swr_instance_id", "credential_id": "swr_credential_id"},
    "lakeformation": {"instance_id": "lakeformation_instance_id"},
}
KNOWN_TCR_BODY = {"RegistryId": "tcr_registry_id"}
# The registry login's `service` query parameter.
KNOWN_QUERY = {"swr": {"service": "swr_service"}, "tcr": {"service": "tcr_service"}}


def _redact_headers(headers):
    return {k: ("<hidden>" if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


def _redact_text(text):
    try:
        value = json.loads(text)
    except (ValueError, TypeError):
        return text

    def walk(v):
        if isinstance(v, dict):
            return {k: ("<hidden>" if k in SECRET_FIELDS and isinstance(x, str) else walk(x))
                    for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return json.dumps(walk(value), ensure_ascii=False)


def _text(data, limit=1500):
    if data is None:
        return ""
    if isinstance(data, (bytes, bytearray)):
        data = bytes(data).decode("utf-8", errors="replace")
    return data if len(data) <= limit else data[:limit] + f"... ({len(data)} chars)"


class Runtime:
    def __init__(self):
        self.http = session()
        self.urls = {}
        for svc in documents.SERVICES:
            url = os.environ.get(f"{svc.upper()}_URL", "").rstrip("/")
            if url:
                self.urls[svc] = url
        self.stack_dir = os.environ.get("STACK_DIR", "")
        self.identity = Identity()
        self.notes = self.identity.make_resources(self.urls)
        self._make_tcr_registry()
        self.snapshots = {}
        for svc in self.urls:
            db = os.environ.get(f"{svc.upper()}__DATABASE__URL", "")
            if db:
                self.snapshots[svc] = Snapshotter(svc, db)
                tables = self.snapshots[svc].snapshot()
                backend = "PostgreSQL" if db.startswith("postgres") else "SQLite"
                self.notes.append(f"{svc}: the state check watches {len(tables)} tables on {backend} "
                                  f"({', '.join(sorted(tables))})")
            else:
                self.notes.append(f"{svc}: no {svc.upper()}__DATABASE__URL, so no state check")
        self.rng = random.Random(int(os.environ.get("FUZZ_SEED", "0")) or None)
        self.stats = {svc: {"operations": {}, "requests": 0, "statuses": {},
                            "failures": {n: 0 for n in CHECK_NAMES}}
                      for svc in documents.SERVICES}
        self.findings = {}
        self.missing = {}
        self.derivation_errors = {}
        self.scheme_turn = {}
        self.remade = {}

    # -- setup
    def _make_tcr_registry(self):
        url = self.urls.get("tcr")
        if not url:
            return
        body = json.dumps({"RegistryName": "fuzz" + os.urandom(4).hex(), "RegistryType": "basic"})
        try:
            r = self.http.post(url + "/", data=body.encode(), timeout=30,
                               headers={"Content-Type": "application/json", "X-TC-Action": "CreateInstance",
                                        "X-TC-Version": "2019-09-24", "X-TC-Region": "ap-guangzhou"},
                               auth=signing.Tc3Auth(self.identity.key_now))
            registry = r.json()["Response"]["RegistryId"]
            self.identity.known["tcr_registry_id"] = registry
            body = json.dumps({"RegistryId": registry, "TokenType": "longterm", "Desc": "schemathesis"})
            r = self.http.post(url + "/", data=body.encode(), timeout=30,
                               headers={"Content-Type": "application/json", "X-TC-Action": "CreateInstanceToken",
                                        "X-TC-Version": "2019-09-24", "X-TC-Region": "ap-guangzhou"},
                               auth=signing.Tc3Auth(self.identity.key_now))
            made = r.json()["Response"]
            self.identity.registry_logins["tcr"] = (made["Username"], made["Token"])
            # The registry's `service` name: what the stack configured, else tcr-svc's
            # default `registry.service` (its API does not show it).
            self.identity.known["tcr_service"] = os.environ.get("TCR__REGISTRY__SERVICE") or "tcr-registry"
        except (KeyError, ValueError, requests.RequestException) as e:
            self.notes.append(f"tcr-svc registry: {e}")

    # -- authentication
    def _auth_for(self, svc, label, schemes):
        usable = [s for s in schemes if s in ("none", "x_auth_token", "sdk_hmac_sha256",
                                              "tc3_hmac_sha256", "registry_basic")]
        if not usable:
            return None, "none"
        turn = self.scheme_turn.get((svc, label), 0)
        self.scheme_turn[(svc, label)] = turn + 1
        scheme = usable[turn % len(usable)]
        if scheme == "none":
            return None, scheme
        if scheme == "x_auth_token":
            return signing.TokenAuth(self.identity.token_now), scheme
        if scheme == "sdk_hmac_sha256":
            return signing.SdkHmacAuth(self.identity.key_now, lambda: self.identity.sdk_scope(svc)), scheme
        if scheme == "tc3_hmac_sha256":
            return signing.Tc3Auth(self.identity.key_now), scheme
        # registry_basic: the registry login of docker, with a registry credential the
        # fuzzer made (fuzzlib.identity); without one, the AK/SK pair, which is refused.
        user, password = self.identity.registry_logins.get(svc, (self.identity.ak, self.identity.sk))
        return requests.auth.HTTPBasicAuth(user, password), scheme

    # -- known ids
    def _substitute(self, svc, case):
        known = self.identity.known
        names = {**KNOWN_PATH, **KNOWN_BY_SERVICE.get(svc, {})}
        # What a negative case made invalid stays as generated: a real name put over it
        # would send a valid request the check then expects refused.
        negated = set()
        meta = case.meta
        if meta is not None and meta.generation.mode.is_negative:
            negated = {name for name, _ in negated_parameters(meta)}
            if any(loc == ParameterLocation.BODY for _, loc in negated_parameters(meta)) \
                    or not negated:
                negated.add(BODY)
        for name in list((case.path_parameters or {}).keys()):
            key = names.get(name)
            if name in negated:
                continue
            if key and known.get(key) and self.rng.random() < KNOWN_SHARE:
                case.path_parameters[name] = known[key]
        for name, key in KNOWN_QUERY.get(svc, {}).items():
            if isinstance(case.query, dict) and name in case.query and known.get(key) \
                    and name not in negated and self.rng.random() < KNOWN_SHARE:
                case.query[name] = known[key]
        # A generated X-TC-Token (a temporary key's token) is refused before the action
        # runs: kept in one request in four, so the rest reach the action.
        if svc == "tcr" and case.headers and self.rng.random() < KNOWN_SHARE:
            for name in [n for n in case.headers if n.lower() == "x-tc-token"]:
                del case.headers[name]
        if svc == "tcr" and isinstance(case.body, dict) and BODY not in negated:
            for name, key in KNOWN_TCR_BODY.items():
                if name in case.body and known.get(key) and self.rng.random() < KNOWN_SHARE:
                    case.body[name] = known[key]

    # -- logs
    def _log_path(self, svc):
        return os.path.join(self.stack_dir, "log", f"{svc}-svc.log") if self.stack_dir else ""

    def _log_mark(self, svc):
        path = self._log_path(svc)
        try:
            return os.path.getsize(path)
        except OSError:
            return 0

    def _panics_since(self, svc, mark):
        path = self._log_path(svc)
        try:
            with open(path, "rb") as f:
                f.seek(mark)
                new = f.read().decode("utf-8", errors="replace")
        except OSError:
            return []
        return [line for line in new.splitlines() if "panicked" in line]

    @staticmethod
    def _negation_overridden(case):
        """Whether the invalid part of a negative case is a header the authentication
        replaced (a valid X-TC-Timestamp, the signature, the scope header) or dropped
        (X-TC-Token): the request sent was then not the invalid one."""
        meta = case.meta
        if meta is None or not meta.generation.mode.is_negative:
            return False
        named = [name.lower() for name, _ in negated_parameters(meta)]
        if named:
            return any(name in AUTH_HEADERS for name in named)
        # A negation that names no parameter: only the headers were negated, and among them
        # one the authentication sets.
        negative = [loc for loc, info in meta.components.items() if info.mode.is_negative]
        sent = {name.lower() for name in (case.headers or {})}
        return negative == [ParameterLocation.HEADER] and bool(sent & AUTH_HEADERS)

    @staticmethod
    def _negation_not_invalid(case):
        """Whether a negative case is valid after all: schemathesis's coverage phase
        leaves out a request body the document does not require."""
        meta = case.meta
        if meta is None or not meta.generation.mode.is_negative:
            return False
        data = meta.phase.data
        missing_body = getattr(data, "scenario", None) == CoverageScenario.MISSING_PARAMETER \
            and getattr(data, "parameter_location", None) == ParameterLocation.BODY
        body = case.operation.definition.raw.get("requestBody") or {}
        return missing_body and not body.get("required", False)

    @staticmethod
    def _negation_lost_in_transport(case, response):
        """Whether a negated header reached the service with another value than the one
        generated: HTTP drops a field value's leading and trailing whitespace (RFC 9110
        5.5), so a generated " " arrives as "", which the document allows. The service
        then judged a valid request."""
        meta = case.meta
        if meta is None or not meta.generation.mode.is_negative:
            return False
        generated = {str(k).lower(): v for k, v in (case.headers or {}).items()}
        sent = {str(k).lower(): v for k, v in response.request.headers.items()}
        # Headers left out against `required` (a negation naming no parameter), which the
        # harness or the signature then set: every required header went out.
        negative = [loc for loc, info in meta.components.items() if info.mode.is_negative]
        if negative == [ParameterLocation.HEADER] and not list(negated_parameters(meta)):
            required = [str(p.get("name", "")).lower()
                        for p in case.operation.definition.raw.get("parameters", [])
                        if p.get("in") == "header" and p.get("required")]
            if required and all(name in sent for name in required):
                return True
        for name, location in negated_parameters(meta):
            name = name.lower()
            if location == ParameterLocation.HEADER and name in generated:
                value = generated[name]
                if not isinstance(value, str) or sent.get(name) != value or value != value.strip(" \t"):
                    return True
        return False

    @staticmethod
    def _outcome(svc, response):
        """The status, and for tcr-svc's 200 the error code's class (``200 AuthFailure``)."""
        status = str(response.status_code)
        if svc != "tcr" or response.status_code != 200:
            return status
        try:
            error = json.loads(response.content)["Response"].get("Error")
        except (ValueError, KeyError, TypeError, AttributeError):
            return status
        if isinstance(error, dict) and isinstance(error.get("Code"), str):
            return f"{status} {error['Code'].split('.')[0]}"
        return status

    # -- one case
    def run_case(self, svc, case, label):
        stats = self.stats[svc]
        op_stats = stats["operations"].setdefault(label, {"requests": 0, "failures": 0})
        method = case.method.upper()
        schemes = documents.security_of(case.operation.schema.raw_schema, case.operation.definition.raw)
        auth, scheme = self._auth_for(svc, label, schemes)
        self._substitute(svc, case)
        mutating = method in MUTATING
        snap = self.snapshots.get(svc)
        before = snap.snapshot() if (snap and mutating) else None
        mark = self._log_mark(svc)
        stats["requests"] += 1
        op_stats["requests"] += 1
        failed = []
        response = None
        try:
            response = case.call(base_url=self.urls[svc], session=self.http, auth=auth, timeout=30)
        except requests.RequestException as e:
            failed.append(("transport", f"{type(e).__name__}: {e}", None))
        if response is not None:
            for check in CHECKS:
                try:
                    case.validate_response(response, checks=[check])
                except FailureGroup as group:
                    for failure in group.exceptions:
                        failed.append((check.__name__, f"{failure.title}: {failure.message}", response))
            refusal = response
            if svc == "tcr" and self._outcome(svc, response) != str(response.status_code):
                # Tencent's refusal is a 200 with Response.Error: as a 400 for this check.
                refusal = copy.copy(response)
                refusal.status_code = 400
            if not (self._negation_overridden(case) or self._negation_not_invalid(case)
                    or self._negation_lost_in_transport(case, response)):
                try:
                    case.validate_response(refusal, checks=[negative_data_rejection])
                except FailureGroup as group:
                    for failure in group.exceptions:
                        failed.append(("negative_data_rejection", f"{failure.title}: {failure.message}",
                                       response))
            status = response.status_code
            outcome = self._outcome(svc, response)
            stats["statuses"][outcome] = stats["statuses"].get(outcome, 0) + 1
            by_scheme = stats.setdefault("schemes", {}).setdefault(scheme, {})
            by_scheme[outcome] = by_scheme.get(outcome, 0) + 1
            op_stats.setdefault("statuses", {})
            op_stats["statuses"][outcome] = op_stats["statuses"].get(outcome, 0) + 1
            if before is not None and 400 <= status < 500:
                after = snap.snapshot()
                changed = snap.diff(before, after)
                if changed:
                    failed.append(("state_unchanged", f"refused with {status}, yet the database changed:\n"
                                   f"{changed}", response))
        # A panic is logged before the answer is sent; give the writer a moment anyway.
        panics = self._panics_since(svc, mark)
        if not panics and response is None:
            time.sleep(0.2)
            panics = self._panics_since(svc, mark)
        if panics:
            failed.append(("no_panic", "\n".join(panics[:5]), response))
        for check, message, resp in failed:
            stats["failures"][check] += 1
            self._record(svc, label, scheme, check, message, case, resp)
        if failed:
            op_stats["failures"] += 1
        if response is not None and (response.status_code == 401 or (
                svc == "iam" and mutating and response.status_code < 400)):
            if self.identity.ensure():
                why = f"{svc} {label} answered {response.status_code}"
                self.remade[why] = self.remade.get(why, 0) + 1

    def _record(self, svc, label, scheme, check, message, case, response):
        first_line = message.splitlines()[0][:160] if message else ""
        status = response.status_code if response is not None else None
        key = (svc, label, check, status, first_line)
        if key in self.findings:
            self.findings[key]["count"] += 1
            return
        request = getattr(response, "request", None)
        entry = {"service": svc, "operation": label, "scheme": scheme, "check": check,
                 "message": _text(message, 3000), "count": 1, "status": status}
        if request is not None:
            entry["request"] = {"method": request.method, "url": request.url,
                                "headers": _redact_headers(dict(request.headers)),
                                "body": _redact_text(_text(request.body))}
        else:
            entry["request"] = {"method": case.method, "path": case.formatted_path,
                                "query": case.query, "headers": _redact_headers(dict(case.headers or {})),
                                "body": _redact_text(_text(json.dumps(case.body, default=str)
                                                           if case.body is not None else ""))}
        if response is not None:
            entry["response"] = {"status": response.status_code,
                                 "content_type": ", ".join(response.headers.get("content-type", [])),
                                 "body": _redact_text(_text(response.content))}
        self.findings[key] = entry

    def record_error(self, svc, label, text):
        """A test that errored outside a request (generation, the harness itself)."""
        self.stats[svc]["failures"].setdefault("harness", 0)
        self.stats[svc]["failures"]["harness"] += 1
        key = (svc, label, "harness", None, text.splitlines()[0][:160] if text else "")
        if key not in self.findings:
            self.findings[key] = {"service": svc, "operation": label, "scheme": "", "check": "harness",
                                  "message": _text(text, 3000), "count": 1, "status": None}

    def check_authentication(self):
        """A scheme whose requests were nearly all answered 401 means the fuzzer was not
        authenticated, and its run says little: that is a failure of its own. (HTTP Basic
        on the registry login is refused by design: see _auth_for.)"""
        for svc, stats in self.stats.items():
            for scheme, statuses in stats.get("schemes", {}).items():
                total = sum(statuses.values())
                refused = statuses.get("401", 0) + statuses.get("200 AuthFailure", 0)
                if scheme in ("none", "registry_basic") or total < 10 or refused < 0.9 * total:
                    continue
                self.record_error(svc, f"{scheme} requests", f"{refused} of {total} requests signed or "
                                  f"authenticated with {scheme} were answered 401: the harness does not "
                                  "authenticate as the service expects")

    def dump(self, path):
        out = {"stats": self.stats, "findings": list(self.findings.values()), "missing": self.missing,
               "derivation_errors": self.derivation_errors, "notes": self.notes,
               "identity_refreshes": self.identity.refreshes, "identity_remade_after": self.remade}
        with open(path, "w") as f:
            json.dump(out, f, indent=1, default=str)


CURRENT = None


def get():
    """The run's one Runtime, made on first use (it logs in and makes identities)."""
    global CURRENT
    if CURRENT is None:
        CURRENT = Runtime()
    return CURRENT
