"""Two replicas of every service on one PostgreSQL database per service, behind HAProxy
(deploy/haproxy as is): the promises a single process keeps must hold across replicas,
since replicas share nothing but the database.

Checks, one row each: the two-key quota under 50 concurrent creates spread over both
iam-svc replicas; TCR's per-account rate limit counted once for both tcr-svc replicas;
the failed-login limit counted once for both iam-svc replicas; revocations made through
one replica honoured by every replica of every service within 10 s; registry logins
through either replica and through the balancer.
"""

import base64
import collections
import concurrent.futures
import secrets
import threading
import time
import urllib.parse

from harness import haproxy, http, identity, signing, stack
from harness.report import Result

NAME = "replicas behind haproxy"
BACKENDS = ("postgres",)

ACCESS_KEY_QUOTA = 2
RATE_LIMIT = 20
LOGIN_FAILURES = 10
ADDRESS_FAILURES = 30
REVOCATION_DEADLINE = 10.0

OVERRIDES = {
    "iam": {"LOGIN_LIMITS__MAX_FAILURES_PER_USER": str(LOGIN_FAILURES),
            "LOGIN_LIMITS__MAX_FAILURES_PER_ADDRESS": str(ADDRESS_FAILURES)},
    "tcr": {"RATE_LIMITS__OTHER_PER_SECOND": str(RATE_LIMIT)},
}


def run(backend):
    with stack.Stack(backend) as s:
        balancer, replicas = haproxy.start_cluster(s, overrides=OVERRIDES)
        try:
            world = World(s, balancer, replicas)
            return [check(world) for check in (access_key_quota, tcr_rate_limit, login_limit,
                                               address_limit, registry_logins, revoke_access_key,
                                               disable_user, delete_swr_credential)]
        finally:
            balancer.close()


class World:
    """The cluster and the identities the checks use, made through the balancer."""

    def __init__(self, s, balancer, replicas):
        self.stack = s
        self.balancer = balancer
        self.replicas = replicas
        self.iam = balancer.url("iam")
        self.admin = identity.Admin(s, self.iam)
        self.project = self.admin.project_id
        self.ak, self.sk = self.admin.access_key()
        self.swr_instance = identity.swr_instance(balancer.url("swr"), self.admin.token,
                                                  self.project)
        self.registry = identity.tcr_registry(balancer.url("tcr"), self.ak, self.sk)
        self.unique = Counter()

    def urls(self, name):
        """Each replica of ``name`` directly, then the balancer."""
        return [r.url for r in self.replicas[name]] + [self.balancer.url(name)]

    def swr_credential(self, token):
        resp = identity.expect(http.request(
            "POST", f"{self.balancer.url('swr')}/v2/{self.project}/instances/"
                    f"{self.swr_instance}/long-term-credential",
            headers={"X-Auth-Token": token}, json={"name": f"rel{secrets.token_hex(4)}"}), 201)
        body = resp.json()
        return body["user_id"], body["auth_token"], body["token_id"]

    def tcr_token(self, ak, sk):
        status, body = signing.tencent(self.balancer.url("tcr"), "CreateInstanceToken",
                                       {"RegistryId": self.registry, "TokenType": "longterm"},
                                       ak, sk)
        if status != 200 or "Error" in body:
            raise identity.Fail(f"CreateInstanceToken: {status} {body}")
        return body["Username"], body["Token"]


class Counter:
    """Distinct numbers for request parameters: a signature is accepted once, so two
    polls in one second must not sign the same request."""

    def __init__(self):
        self.lock = threading.Lock()
        self.n = 0

    def next(self):
        with self.lock:
            self.n += 1
            return self.n


def concurrently(calls, workers):
    """Run every call at once; their results, or the OSError a call raised."""
    def guarded(call):
        try:
            return call()
        except OSError as e:
            return e
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(guarded, calls))


def keystone_refusal(resp, status, message):
    """A refusal in the Keystone envelope: {"error": {"code", "message", "title"}}."""
    try:
        error = resp.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return resp.status == status and error.get("code") == status and error.get("message") == message


def summary(counter):
    return ", ".join(f"{k} x{v}" for k, v in counter.most_common(4)) or "none"


# -- the two-key quota -----------------------------------------------------------------

def access_key_quota(w):
    """50 concurrent creates of one user's keys, alternating the iam-svc replicas."""
    user_id, _, _ = w.admin.create_user(admin=False)
    iams = [r.url for r in w.replicas["iam"]]

    def create(i):
        return lambda: http.request("POST", iams[i % 2] + "/v3.0/OS-CREDENTIAL/credentials",
                                    headers=w.admin.headers(),
                                    json={"credential": {"user_id": user_id}})
    answers = concurrently([create(i) for i in range(50)], 50)
    seen = collections.Counter()
    created = refused = 0
    for a in answers:
        if isinstance(a, OSError):
            seen[f"transport {type(a).__name__}"] += 1
        elif a.status == 201:
            created += 1
        elif keystone_refusal(a, 400, "akSkNumExceed"):
            refused += 1
        else:
            seen[f"{a.status} {a.text()[:80]}"] += 1
    rows = w.stack.count("iam", f"SELECT count(*) FROM access_keys WHERE user_id = '{user_id}'")
    ok = created == ACCESS_KEY_QUOTA and rows == ACCESS_KEY_QUOTA and refused == 50 - created
    return Result(NAME, "postgres", "50 concurrent AK creates, one user, 2 iam replicas",
                  "quota of 2 across replicas", acknowledged=created,
                  lost=max(0, created - rows), errors=summary(seen), ok=ok,
                  notes=f"access-key quota: {created} created, {refused} refused akSkNumExceed, "
                        f"{rows} rows")


# -- TCR rate limit ----------------------------------------------------------------------

def tcr_rate_limit(w):
    """16 clients call DescribeInstances for one account on both tcr-svc replicas for 4 s.

    The replicas count in windows of their clock's seconds; they run on this machine, so
    a call sent and answered within one second of this clock was counted in that second.
    Those are counted per second; the few that straddle a second's end are reported, and
    the total must stay within the limit for every second the run touched."""
    tcrs = [r.url for r in w.replicas["tcr"]]
    accepted = collections.Counter()
    straddling = 0
    seen = collections.Counter()
    lock = threading.Lock()
    stop = time.monotonic() + 4.0

    def client(index):
        nonlocal straddling
        while time.monotonic() < stop:
            n = w.unique.next()
            url = tcrs[(index + n) % 2]
            body = b'{"Offset": %d}' % n
            headers = signing.tc3_headers(w.ak, w.sk, urllib.parse.urlsplit(url).netloc,
                                          "DescribeInstances", body)
            sent = int(time.time())
            try:
                resp = http.request("POST", url + "/", body=body, headers=headers)
            except OSError as e:
                with lock:
                    seen[f"transport {type(e).__name__}"] += 1
                continue
            answered = int(time.time())
            error = (resp.json().get("Response") or {}).get("Error", {}).get("Code")
            with lock:
                if resp.status == 200 and error is None:
                    if sent == answered:
                        accepted[sent] += 1
                    else:
                        straddling += 1
                elif error == "RequestLimitExceeded":
                    seen["RequestLimitExceeded"] += 1
                else:
                    seen[f"{resp.status} {error}"] += 1
    began = int(time.time())
    concurrently([lambda i=i: client(i) for i in range(16)], 16)
    seconds_touched = int(time.time()) - began + 1
    # The first and last seconds are partial: only whole seconds between them count.
    per_second = [accepted[t] for t in sorted(accepted)[1:-1]]
    worst = max(per_second, default=0)
    total = sum(accepted.values()) + straddling
    refused = seen.pop("RequestLimitExceeded", 0)
    ok = (per_second and worst <= RATE_LIMIT * 1.1 and refused > 0 and not seen
          and total <= RATE_LIMIT * 1.1 * seconds_touched)
    return Result(NAME, "postgres", "16 clients DescribeInstances, one account, 2 tcr replicas",
                  f"rate limit {RATE_LIMIT}/s across replicas", acknowledged=total,
                  errors=summary(seen), ok=bool(ok),
                  notes=f"TCR rate limit: accepted per whole second {per_second} (limit "
                        f"{RATE_LIMIT}, at most {RATE_LIMIT * 1.1:.0f}), {straddling} more across "
                        f"a second's end, {total} in the {seconds_touched} seconds touched; "
                        f"{refused} refused RequestLimitExceeded")


# -- failed-login limit ------------------------------------------------------------------

def login_body(domain, user, password):
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "password": password, "domain": {"name": domain}}}}}}


def login_limit(w):
    """20 concurrent wrong passwords for one user, alternating the iam-svc replicas; then
    the right one on each replica."""
    _, name, password = w.admin.create_user(admin=False)
    iams = [r.url for r in w.replicas["iam"]]
    wrong = login_body(w.admin.domain, name, password + "x")

    def attempt(i):
        return lambda: http.request("POST", iams[i % 2] + "/v3/auth/tokens", json=wrong)
    answers = concurrently([attempt(i) for i in range(2 * LOGIN_FAILURES)], 2 * LOGIN_FAILURES)
    seen = collections.Counter()
    failed = locked = 0
    for a in answers:
        if isinstance(a, OSError):
            seen[f"transport {type(a).__name__}"] += 1
        elif a.status == 401:
            failed += 1
        elif keystone_refusal(a, 429, "Too many failed login attempts; try again later."):
            locked += 1
        else:
            seen[f"{a.status} {a.text()[:80]}"] += 1
    right = login_body(w.admin.domain, name, password)
    while_locked = [http.request("POST", url + "/v3/auth/tokens", json=right).status
                    for url in w.urls("iam")]
    ok = (LOGIN_FAILURES <= failed <= LOGIN_FAILURES * 1.1 and locked == 2 * LOGIN_FAILURES - failed
          and while_locked == [429] * len(while_locked) and not seen)
    return Result(NAME, "postgres", f"{2 * LOGIN_FAILURES} concurrent wrong passwords, "
                  "2 iam replicas", f"limit of {LOGIN_FAILURES} failures per user across replicas",
                  errors=summary(seen), ok=ok,
                  notes=f"login limit: {failed} wrong passwords answered 401, {locked} refused "
                        f"TooManyAttempts (429); the right password while locked, on each "
                        f"replica and the balancer: {while_locked}")


def address_limit(w):
    """Through the balancer, one client address guesses until it is refused; another
    client is not. The replicas trust HAProxy (server.trusted_proxies), so each counts the
    address HAProxy forwards, not HAProxy's own. Here every client is local like the
    balancer, so the test names its clients with an X-Forwarded-For of its own, which
    HAProxy keeps in front of the address it appends."""
    def guess(client):
        body = login_body(w.admin.domain, f"nobody-{secrets.token_hex(4)}", "Wrong-password-1")
        return http.request("POST", w.iam + "/v3/auth/tokens", json=body,
                            headers={"X-Forwarded-For": client}).status
    first = [guess("198.51.100.1") for _ in range(ADDRESS_FAILURES + 2)]
    other = guess("198.51.100.2")
    allowed = first.index(429) if 429 in first else len(first)
    ok = (ADDRESS_FAILURES <= allowed <= ADDRESS_FAILURES * 1.1
          and set(first[allowed:]) == {429} and other == 401)
    return Result(NAME, "postgres", f"{len(first)} wrong logins from one client via haproxy",
                  f"limit of {ADDRESS_FAILURES} failures per client address",
                  errors="none" if ok else f"answers {first}, other client {other}", ok=ok,
                  notes=f"login limit per address behind haproxy: {allowed} failures answered "
                        f"401, then 429; another client's next failure: {other}")


# -- registry logins ---------------------------------------------------------------------

def registry_login(url, service, user, password):
    query = urllib.parse.urlencode({"service": service, "scope": "repository:rel/app:pull"})
    return http.request("GET", f"{url}/service/token?{query}",
                        headers={"Authorization": basic(user, password)})


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def registry_logins(w):
    """An SWR long-term credential and a TCR token log in on every replica and through
    the balancer."""
    user, password, w.admin_swr_credential = w.swr_credential(w.admin.token)
    w.admin_swr_login = (user, password)
    tcr_user, tcr_password = w.tcr_token(w.ak, w.sk)
    answers = {}
    for name, service, (u, p) in (("swr", "swr-registry", (user, password)),
                                  ("tcr", "tcr-registry", (tcr_user, tcr_password))):
        for url in w.urls(name):
            resp = registry_login(url, service, u, p)
            answers[f"{name} {url}"] = resp.status if resp.status != 200 or \
                "token" not in resp.json() else 200
    bad = {k: v for k, v in answers.items() if v != 200}
    return Result(NAME, "postgres", "registry logins, swr and tcr, each replica and haproxy",
                  "-", acknowledged=len(answers) - len(bad),
                  errors=", ".join(f"{k}: {v}" for k, v in bad.items()) or "none", ok=not bad,
                  notes=f"registry logins: {len(answers) - len(bad)} of {len(answers)} answered "
                        "200 with a token")


# -- revocations -------------------------------------------------------------------------

def revoked_everywhere(w, probes, what):
    """Poll every probe (name -> call returning True once refused) until all refuse; the
    row says the worst time, which must be within REVOCATION_DEADLINE."""
    started = time.monotonic()
    took = {}
    while len(took) < len(probes) and time.monotonic() - started < REVOCATION_DEADLINE + 2:
        for label, refused in probes.items():
            if label not in took and refused():
                took[label] = time.monotonic() - started
        time.sleep(0.05)
    missing = sorted(set(probes) - set(took))
    worst = max(took.values(), default=0.0)
    ok = not missing and worst <= REVOCATION_DEADLINE
    slowest = max(took, key=took.get) if took else "-"
    return Result(NAME, "postgres", f"{len(probes)} replicas polled", what,
                  errors=("still accepted by " + ", ".join(missing)) if missing else "none",
                  recovery=f"{worst:.2f} s worst", ok=ok,
                  notes=f"{what}: refused by {len(took)} of {len(probes)} replicas, slowest "
                        f"{slowest} after {worst:.2f} s")


def must_accept(probes):
    """Each probe must accept before the revocation, or its refusal proves nothing."""
    already = [label for label, refused in probes.items() if refused()]
    if already:
        raise identity.Fail(f"refused before the revocation: {already}")


def signed_probes(w, ak, sk):
    """A request signed with ``ak`` on every replica of swr, lakeformation, tcr and iam:
    True once refused. Each request differs (a signature is accepted once)."""
    probes = {}
    for r in w.replicas["swr"]:
        probes[f"swr#{r.replica}"] = lambda r=r: signing.huawei(
            "GET", f"{r.url}/v2/{w.project}/instances?offset={w.unique.next()}&limit=1", ak, sk,
            project_id=w.project).status == 401
    for r in w.replicas["lakeformation"]:
        def lakeformation(r=r):
            n = w.unique.next()
            url = f"{r.url}/v1/{w.project}/instances?offset={n % 1000}&limit={1 + n // 1000 % 1000}"
            return signing.huawei("GET", url, ak, sk, project_id=w.project).status == 401
        probes[f"lakeformation#{r.replica}"] = lakeformation
    for r in w.replicas["iam"]:
        probes[f"iam#{r.replica}"] = lambda r=r: signing.huawei(
            "GET", f"{r.url}/v3/projects?name=p{w.unique.next()}", ak, sk,
            project_id=w.project).status == 401
    for r in w.replicas["tcr"]:
        def tcr(r=r):
            status, body = signing.tencent(r.url, "DescribeInstances",
                                           {"Offset": w.unique.next()}, ak, sk)
            return "Error" in body and body["Error"]["Code"].startswith("AuthFailure")
        probes[f"tcr#{r.replica}"] = tcr
    return probes


def revoke_access_key(w):
    """An access key deleted through iam-svc replica 1."""
    user_id, _, _ = w.admin.create_user(admin=True)
    ak, sk = w.admin.access_key(user_id)
    probes = signed_probes(w, ak, sk)
    must_accept(probes)
    identity.expect(http.request("DELETE", f"{w.replicas['iam'][0].url}/v3.0/OS-CREDENTIAL/"
                                 f"credentials/{ak}", headers=w.admin.headers()), 204)
    return revoked_everywhere(w, probes, "access key deleted via iam#1")


def disable_user(w):
    """A user disabled through iam-svc replica 2: their token, SWR credential and TCR token
    die on every replica."""
    user_id, name, password = w.admin.create_user(admin=True)
    token = identity.login(w.iam, w.admin.domain, name, password, w.project)
    ak, sk = w.admin.access_key(user_id)
    swr_user, swr_password, _ = w.swr_credential(token)
    tcr_user, tcr_password = w.tcr_token(ak, sk)
    headers = {"X-Auth-Token": token}
    probes = {}
    for r in w.replicas["iam"]:
        probes[f"iam#{r.replica} token"] = lambda r=r: http.request(
            "GET", f"{r.url}/v3/users/{user_id}", headers=headers).status == 401
    for r in w.replicas["swr"]:
        probes[f"swr#{r.replica} token"] = lambda r=r: http.request(
            "GET", f"{r.url}/v2/{w.project}/instances", headers=headers).status == 401
        probes[f"swr#{r.replica} registry login"] = lambda r=r: registry_login(
            r.url, "swr-registry", swr_user, swr_password).status == 401
    for r in w.replicas["lakeformation"]:
        probes[f"lakeformation#{r.replica} token"] = lambda r=r: http.request(
            "GET", f"{r.url}/v1/{w.project}/instances", headers=headers).status == 401
    for r in w.replicas["tcr"]:
        probes[f"tcr#{r.replica} registry login"] = lambda r=r: registry_login(
            r.url, "tcr-registry", tcr_user, tcr_password).status == 401
    must_accept(probes)
    identity.expect(http.request("PATCH", f"{w.replicas['iam'][1].url}/v3/users/{user_id}",
                                 headers=w.admin.headers(),
                                 json={"user": {"enabled": False}}), 200)
    return revoked_everywhere(w, probes, "user disabled via iam#2")


def delete_swr_credential(w):
    """The SWR credential of the registry-login check, deleted through swr-svc replica 1."""
    user, password = w.admin_swr_login
    probes = {f"swr#{r.replica} registry login": lambda r=r: registry_login(
        r.url, "swr-registry", user, password).status == 401 for r in w.replicas["swr"]}
    must_accept(probes)
    identity.expect(http.request(
        "DELETE", f"{w.replicas['swr'][0].url}/v2/{w.project}/instances/{w.swr_instance}/"
                  f"long-term-credentials/{w.admin_swr_credential}",
        headers=w.admin.headers()), 204)
    return revoked_everywhere(w, probes, "SWR credential deleted via swr#1")
