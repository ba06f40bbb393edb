"""The create paths of the four services, driven as their clients drive them, and the
checks that what they acknowledged is whole in the database afterwards.

A writer prepares the identities it needs, then gives ``create(client, n)`` and
``read(client, n)`` for a ``load.Load`` (one request each; a create's Outcome key is the
id the answer gave) and ``check(keys)``: the problems found, as sentences. A problem is an
acknowledged id missing from the database, a row without what the schema says it needs
(sealed secret, digest, owner), a counter the service keeps that disagrees with its rows,
an API total that disagrees with the rows, or an acknowledged credential that no longer
works. Operations never raise but OSError (the load counts those as transport failures):
an answer that is not the one hoped for is an Outcome with its status and a short detail;
the detail is ``unavailable`` when the answer is the service's own "try again later" in
its vendor's envelope, so outage scenarios can tell a proper 503 from anything else.

Writers are stateful per client thread and safe for ``Load`` (each client index is used
by one thread only).
"""

import base64
import json
import random
import re
import secrets
import threading

from . import http, identity, signing
from .load import Outcome

HEX64 = re.compile(r"^[0-9a-f]{64}$")
# iam-svc's sealed secrets: "<key id>$<base64url>" (migrations/iam/*/000002_access_keys).
SEALED = re.compile(r"^[A-Za-z0-9_-]{1,32}\$[A-Za-z0-9_-]+=*$")
# How many sampled credentials ``check`` proves still work (each costs a request).
PROVE = 5


def rows(stack, name, sql):
    """The rows of ``sql`` on service ``name``'s database, as lists of strings."""
    out = stack.query(name, sql)
    return [line.split("|") for line in out.splitlines() if line]


def missing(stack, name, sql, keys):
    """The acknowledged ``keys`` that ``sql`` (one id column) does not return."""
    present = {r[0] for r in rows(stack, name, sql)}
    return sorted(set(keys) - present)


def integrity(stack, name):
    """SQLite's own verdict on the file ('ok'); PostgreSQL needs none."""
    if stack.backend != "sqlite":
        return "ok"
    return stack.query(name, "PRAGMA integrity_check;")


def _json(resp):
    try:
        return resp.json() or {}
    except ValueError:
        return {}


class Writer:
    """What the four writers share: the stack, the admin, per-client state, a lock for
    what the clients record together (secrets of acknowledged credentials, to prove a few
    of them still work at the end)."""

    name = ""

    def __init__(self, stack, admin, timeout=10):
        self.stack = stack
        self.admin = admin
        self.timeout = timeout
        self.state = {}
        self.lock = threading.Lock()
        self.secrets = {}

    @property
    def url(self):
        return self.stack.replicas(self.name)[0].url

    def remember(self, key, secret):
        with self.lock:
            self.secrets[key] = secret

    def sample(self, keys):
        """Up to ``PROVE`` acknowledged keys whose secrets this writer kept."""
        known = sorted(k for k in set(keys) if k in self.secrets)
        return random.Random(len(known)).sample(known, min(PROVE, len(known)))

    def failed(self, what, resp):
        """The Outcome of an answer that is not a success."""
        detail = "unavailable" if self.unavailable(resp) else f"{what}: {resp.text()[:120]}"
        return Outcome(False, resp.status, None, detail)

    def unavailable(self, resp):
        raise NotImplementedError

    def lost(self, keys):
        """The acknowledged ``keys`` the database does not hold."""
        return missing(self.stack, self.name, self.ids, keys)

    def check(self, keys):
        """Every problem: lost keys first, then what the writer's own checks find."""
        lost = self.lost(keys)
        problems = [f"{len(lost)} acknowledged {self.what} missing: {lost[:3]}"] if lost else []
        return problems + self.whole(keys)

    def whole(self, keys):
        raise NotImplementedError


class IamKeys(Writer):
    """Permanent access keys, ``POST /v3.0/OS-CREDENTIAL/credentials``. A user holds at
    most 2, so each client makes a user and then 2 keys for it (attempts, not successes,
    decide when to move on: a key written but not answered still counts there)."""

    name = "iam"
    what = "access keys"
    ids = "SELECT access FROM access_keys"

    def unavailable(self, resp):
        return resp.status == 503 and _json(resp).get("error", {}).get("code") == 503

    def create(self, client, n):
        user, attempts = self.state.get(client, (None, 2))
        if attempts >= 2:
            resp = http.request("POST", self.url + "/v3/users", headers=self.admin.headers(),
                                timeout=self.timeout, json={"user": {
                                    "name": f"rel-{client}-{n}-{secrets.token_hex(3)}",
                                    "password": "Rel-" + secrets.token_urlsafe(9) + "9a",
                                    "domain_id": self.admin.domain_id, "enabled": True}})
            if resp.status != 201:
                return self.failed("create user", resp)
            user, attempts = resp.json()["user"]["id"], 0
        self.state[client] = (user, attempts + 1)
        resp = http.request("POST", self.url + "/v3.0/OS-CREDENTIAL/credentials",
                            headers=self.admin.headers(), timeout=self.timeout,
                            json={"credential": {"user_id": user, "description": f"c{client}-{n}"}})
        if resp.status != 201:
            return self.failed("create key", resp)
        c = resp.json()["credential"]
        self.remember(c["access"], c["secret"])
        return Outcome(True, 201, c["access"])

    def read(self, client, n):
        resp = http.request("GET", self.url + "/v3.0/OS-CREDENTIAL/credentials",
                            headers=self.admin.headers(), timeout=self.timeout)
        return Outcome(True, 200) if resp.status == 200 else self.failed("list keys", resp)

    def whole(self, keys):
        s, problems = self.stack, []
        bad = [r[0] for r in rows(s, "iam", "SELECT a.access, a.sealed_secret, u.id FROM access_keys a "
                                            "LEFT JOIN users u ON u.id = a.user_id")
               if not SEALED.match(r[1]) or not r[2]]
        if bad:
            problems.append(f"{len(bad)} access keys without a sealed secret or owner: {bad[:3]}")
        over = rows(s, "iam", "SELECT user_id FROM access_keys GROUP BY user_id HAVING COUNT(*) > 2")
        if over:
            problems.append(f"{len(over)} users hold more than 2 access keys")
        problems += self._listed(keys)
        problems += self._prove(keys)
        return problems

    def _listed(self, keys):
        """The API lists, for the owners of some acknowledged keys, as many as the rows."""
        owners = rows(self.stack, "iam", "SELECT user_id, COUNT(*) FROM access_keys "
                                         "WHERE description LIKE 'c%' GROUP BY user_id")
        problems = []
        for user, count in random.Random(len(owners)).sample(owners, min(10, len(owners))):
            resp = http.request("GET", f"{self.url}/v3.0/OS-CREDENTIAL/credentials?user_id={user}",
                                headers=self.admin.headers(), timeout=self.timeout)
            listed = len(_json(resp).get("credentials", [])) if resp.status == 200 else None
            if listed != int(count):
                problems.append(f"user {user}: the API lists {listed} keys, the table holds {count}")
        return problems

    def _prove(self, keys):
        """Acknowledged keys still sign: their sealed secrets open after the fault."""
        problems = []
        for access in self.sample(keys):
            resp = signing.huawei("GET", f"{self.url}/v3.0/OS-CREDENTIAL/credentials/{access}",
                                  access, self.secrets[access], timeout=self.timeout)
            if resp.status != 200:
                problems.append(f"access key {access} no longer signs: {resp!r}")
        return problems


class ListsInstances(Writer):
    """A writer whose read is a token-authenticated list of the project's instances at
    ``self.base`` (swr-svc and lakeformation-svc speak the same shape of it)."""

    def read(self, client, n):
        resp = http.request("GET", f"{self.url}{self.base}?limit=1", headers=self.admin.headers(),
                            timeout=self.timeout)
        return Outcome(True, 200) if resp.status == 200 else self.failed("list instances", resp)


class SwrCredentials(ListsInstances):
    """Long-term credentials, ``POST /v2/{p}/instances/{i}/long-term-credential``. At most
    20 per user and instance, so each client makes an instance of its own and moves to a
    new one after 18 attempts (below the quota whatever happened to the unanswered ones)."""

    name = "swr"
    what = "long-term credentials"
    ids = "SELECT id FROM credentials"
    PER_INSTANCE = 18

    def __init__(self, stack, admin, timeout=10):
        super().__init__(stack, admin, timeout)
        self.base = f"/v2/{admin.project_id}/instances"

    def unavailable(self, resp):
        return resp.status == 503 and _json(resp).get("error_code") == "SVCSTG.SWR.5038001"

    def create(self, client, n):
        instance, attempts = self.state.get(client, (None, self.PER_INSTANCE))
        if attempts >= self.PER_INSTANCE:
            resp = http.request("POST", self.url + self.base, headers=self.admin.headers(),
                                timeout=self.timeout,
                                json={"name": f"rel-{client}-{n}-{secrets.token_hex(3)}"})
            if resp.status != 201:
                return self.failed("create instance", resp)
            instance, attempts = resp.json()["instance_id"], 0
        self.state[client] = (instance, attempts + 1)
        resp = http.request("POST", f"{self.url}{self.base}/{instance}/long-term-credential",
                            headers=self.admin.headers(), timeout=self.timeout,
                            json={"name": f"c{client}-{n}"})
        if resp.status != 201:
            return self.failed("create credential", resp)
        body = resp.json()
        self.remember(body["token_id"], (body["user_id"], body["auth_token"]))
        return Outcome(True, 201, body["token_id"])


    def whole(self, keys):
        s, problems = self.stack, []
        bad = [r[0] for r in rows(s, "swr", "SELECT c.id, c.token_digest, c.user_id, i.id "
                                            "FROM credentials c LEFT JOIN instances i ON i.id = c.instance_id")
               if not HEX64.match(r[1]) or not r[2] or not r[3]]
        if bad:
            problems.append(f"{len(bad)} credentials without a digest, owner or instance: {bad[:3]}")
        counts = rows(s, "swr", "SELECT i.id, i.long_term_credentials, (SELECT COUNT(*) FROM credentials c "
                                "WHERE c.instance_id = i.id AND c.kind = 'long_term') FROM instances i")
        for instance, kept, counted in counts:
            if kept != counted:
                problems.append(f"instance {instance}: counter {kept}, rows {counted}")
            resp = http.request("GET", f"{self.url}{self.base}/{instance}/long-term-credentials"
                                       "?self_only=false&limit=1",
                                headers=self.admin.headers(), timeout=self.timeout)
            total = _json(resp).get("total") if resp.status == 200 else resp.status
            if str(total) != counted:
                problems.append(f"instance {instance}: the API's total {total}, rows {counted}")
        over = rows(s, "swr", "SELECT instance_id, user_id FROM credentials "
                              "GROUP BY instance_id, user_id HAVING COUNT(*) > 20")
        if over:
            problems.append(f"{len(over)} users hold more than 20 credentials on an instance")
        for token_id in self.sample(keys):
            user, token = self.secrets[token_id]
            basic = base64.b64encode(f"{user}:{token}".encode()).decode()
            resp = http.request("GET", self.url + "/service/token?service=swr-registry",
                                headers={"Authorization": "Basic " + basic}, timeout=self.timeout)
            if resp.status != 200:
                problems.append(f"credential {token_id} no longer logs in: {resp!r}")
        return problems


class TcrTokens(Writer):
    """Long-term instance tokens, ``CreateInstanceToken`` (TC3-signed with the admin's
    access key). Each client writes to a registry of its own; ``Desc`` differs per call,
    so two calls signed in the same second are never one replayed signature."""

    name = "tcr"
    what = "longterm tokens"
    ids = "SELECT id FROM instance_tokens"

    def __init__(self, stack, admin, clients, timeout=10):
        super().__init__(stack, admin, timeout)
        self.ak, self.sk = admin.access_key()
        self.registries = [identity.tcr_registry(self.url, self.ak, self.sk) for _ in range(clients)]

    def unavailable(self, resp):
        error = _json(resp).get("Response", {}).get("Error", {})
        return (resp.status == 200 and error.get("Code") == "InternalError"
                and "temporarily unavailable" in error.get("Message", ""))

    def call(self, action, params):
        body = json.dumps(params).encode()
        host = self.url.split("//", 1)[1]
        headers = signing.tc3_headers(self.ak, self.sk, host, action, body)
        return http.request("POST", self.url + "/", body=body, headers=headers, timeout=self.timeout)

    def create(self, client, n):
        registry = self.registries[client % len(self.registries)]
        resp = self.call("CreateInstanceToken", {"RegistryId": registry, "TokenType": "longterm",
                                                 "Desc": f"c{client}-{n}"})
        answer = _json(resp).get("Response", {})
        if resp.status != 200 or "Error" in answer or not answer.get("TokenId"):
            return self.failed("CreateInstanceToken", resp)
        self.remember(answer["TokenId"], (answer["Username"], answer["Token"]))
        return Outcome(True, 200, answer["TokenId"])

    def read(self, client, n):
        # A signature is accepted once: the offset (past the end, an empty page) makes
        # each client's body, and so its signature, its own.
        resp = self.call("DescribeInstances", {"Limit": 1, "Offset": client * 1_000_000 + n})
        answer = _json(resp).get("Response", {})
        if resp.status == 200 and "Error" not in answer:
            return Outcome(True, 200)
        return self.failed("DescribeInstances", resp)

    def whole(self, keys):
        s, problems = self.stack, []
        bad = [r[0] for r in rows(s, "tcr", "SELECT t.id, t.token_digest, t.user_id, r.id "
                                            "FROM instance_tokens t LEFT JOIN registries r ON r.id = t.registry_id")
               if not HEX64.match(r[1]) or not r[2] or not r[3]]
        if bad:
            problems.append(f"{len(bad)} tokens without a digest, owner or registry: {bad[:3]}")
        counts = rows(s, "tcr", "SELECT r.id, r.longterm_tokens, (SELECT COUNT(*) FROM instance_tokens t "
                                "WHERE t.registry_id = r.id AND t.kind = 'longterm') FROM registries r")
        for registry, kept, counted in counts:
            if kept != counted:
                problems.append(f"registry {registry}: counter {kept}, rows {counted}")
            resp = self.call("DescribeInstanceToken", {"RegistryId": registry, "Limit": 1})
            total = _json(resp).get("Response", {}).get("TotalCount")
            if str(total) != counted:
                problems.append(f"registry {registry}: the API's TotalCount {total}, rows {counted}")
        for token_id in self.sample(keys):
            user, token = self.secrets[token_id]
            basic = base64.b64encode(f"{user}:{token}".encode()).decode()
            resp = http.request("GET", self.url + "/service/token?service=tcr-registry",
                                headers={"Authorization": "Basic " + basic}, timeout=self.timeout)
            if resp.status != 200:
                problems.append(f"token {token_id} no longer logs in: {resp!r}")
        return problems


class LakeformationKeys(ListsInstances):
    """Temporary keys, ``POST /v1/{p}/instances/{i}/credential``: one issuance record per
    key, by its AK. Clients share one instance (no quota)."""

    name = "lakeformation"
    what = "temporary keys (issuance records)"
    ids = "SELECT access FROM issuances"

    def __init__(self, stack, admin, timeout=10):
        super().__init__(stack, admin, timeout)
        self.base = f"/v1/{admin.project_id}/instances"
        self.instance = identity.lakeformation_instance(self.url, admin.token, admin.project_id)

    def unavailable(self, resp):
        return resp.status == 503 and _json(resp).get("error_code") == "common.01000008"

    def create(self, client, n):
        resp = http.request("POST", f"{self.url}{self.base}/{self.instance}/credential",
                            headers=self.admin.headers(), json={}, timeout=self.timeout)
        if resp.status != 200:
            return self.failed("issue key", resp)
        body = resp.json()
        self.remember(body["access"], (body["secret"], body["security_token"]))
        return Outcome(True, 200, body["access"])


    def whole(self, keys):
        s, problems = self.stack, []
        bad = [r[0] for r in rows(s, "lakeformation", "SELECT access, user_id, roles, instance_id FROM issuances")
               if len(r[0]) != 20 or not r[1] or not r[2] or not r[3]]
        if bad:
            problems.append(f"{len(bad)} issuance records without owner, roles or instance: {bad[:3]}")
        for access in self.sample(keys):
            secret, token = self.secrets[access]
            resp = signing.huawei("GET", f"{self.url}{self.base}?limit=1", access, secret,
                                  security_token=token, project_id=self.admin.project_id,
                                  timeout=self.timeout)
            if resp.status != 200:
                problems.append(f"temporary key {access} no longer signs: {resp!r}")
        return problems


def writer(name, stack, admin, clients, timeout=10):
    """The writer of service ``name``."""
    if name == "iam":
        return IamKeys(stack, admin, timeout)
    if name == "swr":
        return SwrCredentials(stack, admin, timeout)
    if name == "tcr":
        return TcrTokens(stack, admin, clients, timeout)
    if name == "lakeformation":
        return LakeformationKeys(stack, admin, timeout)
    raise ValueError(name)


def recovery(load, since):
    """Seconds from ``since`` until the first request begun after it came back a success
    (its answer in hand, not merely sent); None if none did."""
    with load.lock:
        done = [t + spent for (t, ok), spent in zip(load.samples, load.latencies)
                if ok and t >= since]
    return (min(done) - since) if done else None


def slowest(load, start=0.0, end=float("inf")):
    """The longest a request begun between ``start`` and ``end`` waited for its answer."""
    with load.lock:
        spent = [s for (t, _), s in zip(load.samples, load.latencies) if start <= t < end]
    return max(spent, default=0.0)
