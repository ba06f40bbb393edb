"""Scenario 3: iam-svc or lakeformation-svc goes away while the other services serve.

swr-svc, lakeformation-svc and tcr-svc reach iam-svc (and iam-svc, swr-svc and tcr-svc
reach lakeformation-svc) through proxies the scenario controls, so the issuers themselves
keep running while the link to them is down (refused) or hung (blackholed). Six probes
repeat one kind of request each, every PERIOD seconds, for the whole scenario: token reads
on swr-svc and lakeformation-svc (verified offline, fresh while the revocation feed is),
AK/SK-signed reads on swr-svc and tcr-svc (checked by iam-svc on every request) and
temporary-key reads on both (checked by lakeformation-svc). Writers create instances with
a token throughout. The promises checked:

- iam-svc down: tokens keep working until ``iam.max_staleness_seconds``, then 503 in the
  vendor's envelope; signed requests answer 503 at once (not 401, not 500); no 500
  anywhere; every acknowledged write is still there; all recover by themselves.
- iam-svc hung: signed requests answer 503 within the internal client's 5 s timeout, not
  a hang.
- lakeformation-svc down: temporary keys answer 503 at once; permanent keys and tokens
  are not affected; temporary keys recover by themselves.
"""

import random
import threading
import time

from harness import http, identity, load, proxy, report, signing
from harness.stack import Stack

NAME = "issuer goes away"
BACKENDS = ("sqlite", "postgres")

STALENESS = 6  # iam.max_staleness_seconds of the linked services
LINKED = {"IAM__MAX_STALENESS_SECONDS": str(STALENESS)}
PERIOD = 0.2  # seconds between two calls of one probe
QUICK = 1.0  # a refused issuer must be reported faster than this
INTERNAL_TIMEOUT = 5.0  # service-kit's internal client timeout (auth/client.rs)
HUNG_MARGIN = 1.5  # over INTERNAL_TIMEOUT: timers and scheduling on a busy machine
RECOVERY_LIMIT = 15.0
WRITERS = 4

SWR_UNAVAILABLE = "SVCSTG.SWR.5038001"
LF_UNAVAILABLE = "common.01000008"


def huawei_kind(resp, unavailable_code):
    """``ok``, ``unavailable`` (503 with the service's outage code) or what else came."""
    if resp.status == 200:
        return "ok"
    try:
        code = (resp.json() or {}).get("error_code")
    except ValueError:
        code = "unreadable body"
    if resp.status == 503 and code == unavailable_code:
        return "unavailable"
    return f"{resp.status} {code}"


def tencent_kind(status, body, passed=()):
    """TCR answers HTTP 200 with an ``Error``; an outage is InternalError with the
    'temporarily unavailable' message, anything else InternalError is TCR's 500. Codes in
    ``passed`` come after the signature check and count as ok."""
    if status != 200:
        return f"http {status}"
    error = body.get("Error")
    if not error or error.get("Code") in passed:
        return "ok"
    if error.get("Code") == "InternalError" and "temporarily unavailable" in error.get("Message", ""):
        return "unavailable"
    return error.get("Code", "no code")


class Probe:
    """One kind of request, repeated on its own thread; each answer is kept as
    (started, finished, kind) so each phase can read its window afterwards."""

    def __init__(self, name, call):
        self.name = name
        self.call = call
        self.samples = []

    def run(self, stop):
        n = 0
        while not stop.is_set():
            n += 1
            started = time.monotonic()
            try:
                kind = self.call(n)
            except OSError as e:
                kind = f"transport {type(e).__name__}"
            except Exception as e:  # noqa: BLE001 - an unreadable answer is a failure to count
                kind = f"unreadable answer {type(e).__name__}: {e}"[:120]
            self.samples.append((started, time.monotonic(), kind))
            stop.wait(PERIOD)

    def window(self, t0, t1):
        return [s for s in list(self.samples) if t0 <= s[0] < t1]

    def first_ok_after(self, since):
        return next((s[1] - since for s in list(self.samples) if s[0] >= since and s[2] == "ok"), None)


class World:
    """The stack behind its proxies, the identities and the probes."""

    def __init__(self, stack):
        self.stack = stack
        self.lf_proxy = proxy.Proxy("127.0.0.1", stack.lakeformation_port)
        stack.links["lakeformation"] = f"http://{self.lf_proxy.address}"
        self.iam = stack.start("iam")
        self.iam_proxy = proxy.Proxy("127.0.0.1", self.iam.port)
        stack.links["iam"] = f"http://{self.iam_proxy.address}"
        self.lf = stack.start("lakeformation", LINKED)
        self.swr = stack.start("swr", LINKED)
        self.tcr = stack.start("tcr", LINKED)
        # The admin talks to iam-svc directly: only the services' link to it is cut.
        self.admin = identity.Admin(stack, iam_url=self.iam.url)
        self.pid = self.admin.project_id
        self.ak, self.sk = self.admin.access_key()
        identity.swr_instance(self.swr.url, self.admin.token, self.pid)
        lf_instance = identity.lakeformation_instance(self.lf.url, self.admin.token, self.pid)
        identity.tcr_registry(self.tcr.url, self.ak, self.sk)
        temp = identity.expect(http.request(
            "POST", f"{self.lf.url}/v1/{self.pid}/instances/{lf_instance}/credential",
            headers=self.admin.headers(), json={}), 200).json()
        self.temp = (temp["access"], temp["secret"], temp["security_token"])
        self.probes = self._probes()
        self.stop = threading.Event()

    def _probes(self):
        token = self.admin.headers()
        swr_list = f"{self.swr.url}/v2/{self.pid}/instances"
        lf_list = f"{self.lf.url}/v1/{self.pid}/instances"
        ak, sk, tok = self.temp

        # A signature is accepted once: each signed probe asks for another offset. tcr-svc
        # gives a temporary key no role on the account: its policy refusal comes after
        # lakeformation-svc accepted the key, which is what the probe watches.
        return {
            "token swr": Probe("token swr", lambda n: huawei_kind(
                http.request("GET", swr_list, headers=token, timeout=10), SWR_UNAVAILABLE)),
            "token lf": Probe("token lf", lambda n: huawei_kind(
                http.request("GET", lf_list, headers=token, timeout=10), LF_UNAVAILABLE)),
            "signed swr": Probe("signed swr", lambda n: huawei_kind(signing.huawei(
                "GET", f"{swr_list}?offset={n}", self.ak, self.sk, project_id=self.pid,
                timeout=10), SWR_UNAVAILABLE)),
            "signed tcr": Probe("signed tcr", lambda n: tencent_kind(*signing.tencent(
                self.tcr.url, "DescribeInstances", {"Offset": n, "Limit": 1}, self.ak, self.sk,
                timeout=10))),
            "temp swr": Probe("temp swr", lambda n: huawei_kind(signing.huawei(
                "GET", f"{swr_list}?offset={n}", ak, sk, security_token=tok, project_id=self.pid,
                timeout=10), SWR_UNAVAILABLE)),
            "temp tcr": Probe("temp tcr", lambda n: tencent_kind(*signing.tencent(
                self.tcr.url, "DescribeInstances", {"Offset": n, "Limit": 1}, ak, sk, token=tok,
                timeout=10), passed=("UnauthorizedOperation",))),
        }

    def start_probes(self):
        for p in self.probes.values():
            threading.Thread(target=p.run, args=(self.stop,), daemon=True).start()

    def writers(self):
        """Token-authenticated instance creates on swr-svc and lakeformation-svc."""
        headers = self.admin.headers()
        targets = [("swr", f"{self.swr.url}/v2/{self.pid}/instances", 201, SWR_UNAVAILABLE),
                   ("lakeformation", f"{self.lf.url}/v1/{self.pid}/instances", 202, LF_UNAVAILABLE)]

        def create(i, n):
            name, url, created, _ = targets[i % 2]
            resp = http.request("POST", url, headers=headers,
                                json={"name": f"w{i}-{n}-{random.randrange(1 << 30):x}"[:32]})
            if resp.status == created:
                return load.Outcome(True, resp.status, (name, resp.json()["instance_id"]))
            return load.Outcome(False, resp.status, None, huawei_kind(resp, targets[i % 2][3]))

        return load.Load(create, threads=WRITERS, pause=0.1)

    def wait_recovered(self, since, names):
        """Seconds from ``since`` to each probe's first success (None: not in the limit)."""
        deadline = since + RECOVERY_LIMIT
        while time.monotonic() < deadline:
            found = {n: self.probes[n].first_ok_after(since) for n in names}
            if all(v is not None for v in found.values()):
                return found
            time.sleep(0.1)
        return {n: self.probes[n].first_ok_after(since) for n in names}

    def lost(self, acknowledged):
        """Acknowledged creates that are not in their service's database."""
        missing = 0
        for service in ("swr", "lakeformation"):
            ids = [k for s, k in acknowledged if s == service]
            if ids:
                quoted = ",".join(f"'{i}'" for i in ids)
                found = self.stack.count(service, f"SELECT count(*) FROM instances WHERE id IN ({quoted})")
                missing += len(ids) - found
        return missing


def kinds(samples):
    """Kinds other than ok in ``samples``, counted."""
    out = {}
    for _, _, kind in samples:
        if kind != "ok":
            out[kind] = out.get(kind, 0) + 1
    return out


def bad_kinds(probes, t0, t1, allowed=("ok", "unavailable")):
    """Answers in [t0, t1) that are neither success nor the outage answer (401, 500...)."""
    problems = []
    for p in probes:
        odd = {k: v for k, v in kinds(p.window(t0, t1)).items() if k not in allowed}
        if odd:
            problems.append(f"{p.name} saw {odd}")
    return problems


def summary(probes, t0, t1):
    seen = {}
    for p in probes:
        for k, v in kinds(p.window(t0, t1)).items():
            seen[k] = seen.get(k, 0) + v
    return ", ".join(f"{k} x{v}" for k, v in sorted(seen.items(), key=lambda kv: -kv[1])) or "none"


def recovery_figures(world, since, names, problems):
    found = world.wait_recovered(since, names)
    for n, v in found.items():
        if v is None:
            problems.append(f"{n} not recovered within {RECOVERY_LIMIT:.0f} s")
    worst = max((v for v in found.values() if v is not None), default=0.0)
    return worst, ", ".join(f"{n} {v:.2f} s" if v is not None else f"{n} never"
                            for n, v in found.items())


def served_figures(probe, t0, t1):
    """'200 for X s, 503 from Y s': the last success and the first outage answer after
    the cut."""
    window = probe.window(t0, t1)
    kept = max((s[1] - t0 for s in window if s[2] == "ok"), default=0.0)
    first_503 = min((s[1] - t0 for s in window if s[2] == "unavailable"), default=None)
    refused = "never" if first_503 is None else f"{first_503:.1f} s"
    return f"{probe.name} 200 for {kept:.1f} s, 503 from {refused}"


def token_figures(probe, t0, t1, problems):
    """Tokens must work until shortly before the staleness limit and be refused shortly
    after it."""
    window = probe.window(t0, t1)
    if any(s[2] != "ok" for s in window if s[1] - t0 < STALENESS - 1.5):
        problems.append(f"{probe.name} refused before the staleness limit")
    if not any(s[2] == "unavailable" for s in window) or any(
            s[2] == "ok" for s in window if s[0] - t0 > STALENESS + 1.5 and s[1] < t1):
        problems.append(f"{probe.name} still served after the staleness limit")
    return served_figures(probe, t0, t1)


def signed_figures(probes, t0, t1, limit, problems):
    """Every signed request started and answered during the cut answered the outage, all
    within ``limit`` (one still waiting when the link came back may well succeed)."""
    slowest = 0.0
    for p in probes:
        window = p.window(t0, t1)
        if not window:
            problems.append(f"{p.name}: no request during the cut")
        for started, done, kind in window:
            slowest = max(slowest, done - started)
            if kind != "unavailable" and done < t1:
                problems.append(f"{p.name} answered {kind!r} {started - t0:.2f} s into the cut")
                break
    if slowest > limit:
        problems.append(f"a signed request took {slowest:.2f} s (limit {limit:.1f} s)")
    return slowest


def iam_down(world, rng, seed):
    """iam-svc refused for STALENESS + 4 s, under writes."""
    probes = world.probes
    writes = world.writers().start()
    time.sleep(1 + rng.random())
    t0 = time.monotonic()
    world.iam_proxy.refuse()
    time.sleep(STALENESS + 4)
    t1 = time.monotonic()
    world.iam_proxy.forward()
    # Recovered first: every request started during the cut has then answered.
    problems = []
    worst, recovered = recovery_figures(world, t1, list(probes), problems)
    problems += bad_kinds(probes.values(), t0, t1)
    token_notes = [token_figures(probes[n], t0, t1, problems) for n in ("token swr", "token lf")]
    # Temporary keys are checked by lakeformation-svc, which follows the same feed.
    token_notes += [served_figures(probes[n], t0, t1) for n in ("temp swr", "temp tcr")]
    slowest = signed_figures([probes["signed swr"], probes["signed tcr"]], t0, t1, QUICK, problems)
    time.sleep(1)
    writes.stop()
    problems += [f"writer saw {k}" for k in writes.errors if "500" in k or "transport" in k]
    lost = world.lost(writes.acknowledged)
    if lost:
        problems.append(f"{lost} acknowledged writes lost")
    notes = (f"seed {seed}; " + "; ".join(token_notes)
             + f"; signed 503 within {slowest:.2f} s; recovered: {recovered}")
    return report.Result(NAME, world.stack.backend,
                         f"{WRITERS} token writers, 6 probes every {PERIOD} s",
                         f"iam-svc refused {t1 - t0:.0f} s (staleness {STALENESS} s)",
                         acknowledged=len(writes.acknowledged), lost=lost,
                         errors=f"{summary(probes.values(), t0, t1)}; writers: {writes.error_summary()}",
                         recovery=worst, ok=not problems, notes="; ".join([notes] + problems))


def iam_hung(world, rng, seed):
    """iam-svc blackholed: signed requests end at the internal client's timeout."""
    probes = world.probes
    time.sleep(rng.random())
    t0 = time.monotonic()
    world.iam_proxy.blackhole()
    # Longer than the limit: a request that hangs past it is still hanging when the link
    # comes back, and is seen.
    time.sleep(INTERNAL_TIMEOUT + HUNG_MARGIN + 1.5)
    t1 = time.monotonic()
    world.iam_proxy.forward()
    problems = []
    worst, recovered = recovery_figures(world, t1, list(probes), problems)
    problems += bad_kinds(probes.values(), t0, t1)
    slowest = signed_figures([probes["signed swr"], probes["signed tcr"]], t0, t1,
                             INTERNAL_TIMEOUT + HUNG_MARGIN, problems)
    served = "; ".join(served_figures(probes[n], t0, t1) for n in ("token swr", "token lf"))
    notes = (f"seed {seed}; signed requests answered 503 after at most {slowest:.2f} s; {served}; "
             f"recovered: {recovered}")
    return report.Result(NAME, world.stack.backend, f"6 probes every {PERIOD} s",
                         f"iam-svc hung {t1 - t0:.0f} s", errors=summary(probes.values(), t0, t1),
                         recovery=worst, ok=not problems, notes="; ".join([notes] + problems))


def lakeformation_down(world, rng, seed):
    """lakeformation-svc refused: temporary keys 503 at once, nothing else touched."""
    probes = world.probes
    time.sleep(rng.random())
    t0 = time.monotonic()
    world.lf_proxy.refuse()
    time.sleep(4)
    t1 = time.monotonic()
    world.lf_proxy.forward()
    temp = [probes["temp swr"], probes["temp tcr"]]
    others = [p for p in probes.values() if p not in temp]
    problems = []
    worst, recovered = recovery_figures(world, t1, [p.name for p in temp], problems)
    problems += bad_kinds(probes.values(), t0, t1)
    slowest = signed_figures(temp, t0, t1, QUICK, problems)
    problems += [f"{p.name} affected: {kinds(p.window(t0, t1))}" for p in others
                 if kinds(p.window(t0, t1))]
    notes = f"seed {seed}; temporary keys answered 503 within {slowest:.2f} s; recovered: {recovered}"
    return report.Result(NAME, world.stack.backend, f"6 probes every {PERIOD} s",
                         f"lakeformation-svc refused {t1 - t0:.0f} s",
                         errors=summary(probes.values(), t0, t1), recovery=worst,
                         ok=not problems, notes="; ".join([notes] + problems))


def run(backend):
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    print(f"    seed {seed}", flush=True)
    with Stack(backend) as stack:
        world = World(stack)
        try:
            world.start_probes()
            time.sleep(1)
            healthy = summary(world.probes.values(), 0, time.monotonic())
            if healthy != "none":
                raise identity.Fail(f"probes failed before any fault: {healthy}")
            return [iam_down(world, rng, seed), iam_hung(world, rng, seed),
                    lakeformation_down(world, rng, seed)]
        finally:
            world.stop.set()
            world.iam_proxy.close()
            world.lf_proxy.close()
