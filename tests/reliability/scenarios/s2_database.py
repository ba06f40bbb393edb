"""Scenario 2: the database goes away and comes back.

Every service runs under a light mixed load (per service one client creating, one
reading, through the public API). Then the database fails:

- PostgreSQL: the services reach the server through a proxy, which first refuses (the
  server is down: connections reset, new ones refused) and then blackholes (the network
  hangs: nothing passes, only the services' own timeouts end a wait), each for a few
  seconds. Every request must answer within the bound (acquire timeout + 1 s), with the
  service's "unavailable" in its vendor's envelope (iam-svc 503 Keystone-style, swr-svc
  503 SVCSTG.SWR.5038001, lakeformation-svc 503 common.01000008, tcr-svc HTTP 200 with
  InternalError, as every answer of the API 3.0), never another error and never a hang;
  /readyz must say 503. When the proxy forwards again, service must return without a
  restart.
- SQLite: the database files are made immutable (``chattr +i`` on the file and its WAL),
  then another process holds each file's write lock (``BEGIN IMMEDIATE``) with the
  services' busy timeout at 500 ms: writes must answer the same "unavailable" within the
  bound, reads must keep working, and everything must recover when the fault goes.

Nothing acknowledged before or during the outage may be lost.
"""

import os
import subprocess
import threading
import time

from harness import http, identity, stack, writes
from harness.load import Load
from harness.proxy import Proxy
from harness.report import Result

NAME = "database away and back"
BACKENDS = ("sqlite", "postgres")
SERVICES = ("iam", "lakeformation", "swr", "tcr")
OUTAGE = 5.0
PAUSE = 0.05
ACQUIRE_TIMEOUT_MS = 2000
# The promise: a request waits for the database no longer than the acquire timeout, and
# answers within a second after that.
BOUND = ACQUIRE_TIMEOUT_MS / 1000 + 1.0
# /readyz waits for a connection at most min(acquire timeout, 2 s) and for the whole check
# twice that (service-kit's health check), then says 503.
READY_BOUND = 2 * min(ACQUIRE_TIMEOUT_MS / 1000, 2.0) + 1.0
DATABASE = {"DATABASE__ACQUIRE_TIMEOUT_MS": str(ACQUIRE_TIMEOUT_MS),
            "DATABASE__STATEMENT_TIMEOUT_MS": str(ACQUIRE_TIMEOUT_MS)}
# How long a SQLite write waits for a lock another process holds before it answers 503.
LOCK_WAIT = {"DATABASE__BUSY_TIMEOUT_MS": "500"}
# tcr-svc's rate limits are not under test here.
TCR = {"RATE_LIMITS__CREATE_INSTANCE_TOKEN_PER_SECOND": "1000000",
       "RATE_LIMITS__OTHER_PER_SECOND": "1000000"}


class Traffic:
    """Per service, one client creating and one reading, each its own ``Load`` so that
    what a client saw is known per service and per kind."""

    def __init__(self, s, admin):
        self.writers = {name: writes.writer(name, s, admin, 1) for name in SERVICES}
        self.loads = {}
        for name, w in self.writers.items():
            self.loads[(name, "create")] = Load(w.create, 1, PAUSE)
            self.loads[(name, "read")] = Load(w.read, 1, PAUSE)

    def start(self):
        for load in self.loads.values():
            load.start()

    def stop(self):
        for load in self.loads.values():
            load.stop()

    def requests(self):
        return sum(load.requests for load in self.loads.values())

    def acknowledged(self, name):
        return self.loads[(name, "create")].acknowledged

    def errors(self):
        out = {}
        for (name, kind), load in self.loads.items():
            for error, count in load.errors.items():
                out[f"{name} {kind}: {error}"] = count
        return out

    def wait_recovered(self, since, timeout=30):
        """Per service, seconds from ``since`` to its first create answered 2xx."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            took = {n: writes.recovery(self.loads[(n, "create")], since) for n in SERVICES}
            if None not in took.values():
                return took
            time.sleep(0.05)
        return took


def readiness(s):
    """Each service's /readyz status now, asked of all at once (None: no answer within
    its bound)."""
    out = {}

    def ask(name):
        try:
            out[name] = http.request("GET", s.replicas(name)[0].url + "/readyz",
                                     timeout=READY_BOUND).status
        except OSError:
            out[name] = None

    askers = [threading.Thread(target=ask, args=(name,)) for name in SERVICES]
    for t in askers:
        t.start()
    for t in askers:
        t.join()
    return out


def outage(traffic, s, fault, restore):
    """Cause ``fault`` for OUTAGE seconds under the traffic, then ``restore``. Returns the
    window, /readyz in the middle and the seconds each service took to create again."""
    time.sleep(1.0)
    began = time.monotonic()
    fault()
    time.sleep(OUTAGE / 2)
    ready = readiness(s)
    time.sleep(max(0.0, began + OUTAGE - time.monotonic()))
    ended = time.monotonic()
    restore()
    return {"window": (began, ended), "ready": ready, "recovery": traffic.wait_recovered(ended)}


def judge(s, backend, traffic, phases, fault_text, read_ok_during):
    """The row: losses, errors besides the envelope's 503, slow answers, readiness and
    recovery against the promises."""
    problems, lost, acknowledged = [], 0, 0
    for name, w in traffic.writers.items():
        keys = traffic.acknowledged(name)
        acknowledged += len(keys)
        gone = w.lost(keys)
        lost += len(gone)
        problems += [f"{name}-svc: {p}" for p in w.check(keys)]
        verdict = writes.integrity(s, name)
        if verdict != "ok":
            problems.append(f"{name}-svc integrity_check: {verdict[:100]}")
    errors = traffic.errors()
    for key, count in errors.items():
        if not key.endswith(" unavailable"):
            problems.append(f"{key} x{count}")
    for (name, kind), load in traffic.loads.items():
        worst = writes.slowest(load)
        if worst > BOUND:
            problems.append(f"{name} {kind}: an answer took {worst:.1f} s (bound {BOUND:.0f} s)")
    worst_answer = max(writes.slowest(load) for load in traffic.loads.values())
    notes, worst_recovery = [f"slowest answer {worst_answer:.2f} s"], 0.0
    for label, phase in phases.items():
        if backend == "postgres":
            not_ready = {n: st for n, st in phase["ready"].items() if st != 503}
            if not_ready:
                problems.append(f"{label}: /readyz said {not_ready}, not 503")
        else:
            notes.append(f"{label}: /readyz {phase['ready']}")
        for name in read_ok_during:
            begun, ended = phase["window"]
            load = traffic.loads[(name, "read")]
            if served(load, begun, ended) == 0:
                problems.append(f"{label}: {name}-svc served no read")
        begun, ended = phase["window"]
        refused = sum(refusals(traffic.loads[(n, "create")], begun, ended) for n in SERVICES)
        reads = sum(served(traffic.loads[(n, "read")], begun, ended) for n in SERVICES)
        notes.append(f"{label}: {refused} creates refused, {reads} reads served")
        rec = phase["recovery"]
        if None in rec.values():
            problems.append(f"{label}: no create succeeded within 30 s on "
                            f"{[n for n, r in rec.items() if r is None]}")
        took = [r for r in rec.values() if r is not None]
        worst_recovery = max([worst_recovery] + took)
        notes.append(f"{label} recovery " + ", ".join(
            f"{n} {r:.2f} s" if r is not None else f"{n} never" for n, r in rec.items()))
    summary = ", ".join(f"{k} x{v}" for k, v in sorted(errors.items(), key=lambda kv: -kv[1])[:4])
    return Result(NAME, backend, f"4 services x (1 creating + 1 reading), {traffic.requests()} requests",
                  fault_text, acknowledged=acknowledged, lost=lost, errors=summary or "none",
                  recovery=f"max {worst_recovery:.2f} s", ok=not problems and lost == 0,
                  notes="; ".join(problems + notes)[:900])


def served(load, begun, ended):
    """Successful requests begun within the window."""
    with load.lock:
        return sum(1 for t, ok in load.samples if ok and begun <= t < ended)


def refusals(load, begun, ended):
    """Failed requests begun within the window."""
    with load.lock:
        return sum(1 for t, ok in load.samples if not ok and begun <= t < ended)


def run(backend):
    return [postgres() if backend == "postgres" else sqlite()]


def postgres():
    proxy = Proxy("127.0.0.1", 5432)
    try:
        with stack.Stack("postgres") as s:
            overrides = {}
            for name in SERVICES:
                url = s.database_url(name).replace("127.0.0.1:5432", proxy.address, 1)
                overrides[name] = {**DATABASE, "DATABASE__URL": url, **(TCR if name == "tcr" else {})}
            s.start_all(overrides)
            traffic = Traffic(s, identity.Admin(s))
            traffic.start()
            phases = {"refused": outage(traffic, s, proxy.refuse, proxy.forward),
                      "blackholed": outage(traffic, s, proxy.blackhole, proxy.forward)}
            time.sleep(1.0)
            traffic.stop()
            return judge(s, "postgres", traffic, phases,
                         f"PostgreSQL behind a proxy: refused {OUTAGE:.0f} s, then blackholed "
                         f"{OUTAGE:.0f} s", read_ok_during=())
    finally:
        proxy.close()


def sqlite():
    with stack.Stack("sqlite") as s:
        s.start_all({name: {**DATABASE, **LOCK_WAIT, **(TCR if name == "tcr" else {})}
                     for name in SERVICES})
        traffic = Traffic(s, identity.Admin(s))
        traffic.start()
        files = [f for name in SERVICES for f in database_files(s, name)]
        try:
            immutable = outage(traffic, s, lambda: chattr("+i", files), lambda: chattr("-i", files))
        finally:
            chattr("-i", files)
        holders = [WriteLock(database_files(s, name)[0]) for name in SERVICES]
        try:
            locked = outage(traffic, s, lambda: [h.take() for h in holders],
                            lambda: [h.give_back() for h in holders])
        finally:
            for h in holders:
                h.close()
        time.sleep(1.0)
        traffic.stop()
        # Reads that sign (tcr-svc's API 3.0 calls) record the signature against replay, a
        # write: they are held to the writes' promise only.
        return judge(s, "sqlite", traffic, {"immutable": immutable, "locked": locked},
                     f"chattr +i on each database file and its -wal {OUTAGE:.0f} s; then its "
                     f"write lock held by another process {OUTAGE:.0f} s (busy timeout "
                     f"{LOCK_WAIT['DATABASE__BUSY_TIMEOUT_MS']} ms)",
                     read_ok_during=("iam", "lakeformation", "swr"))


def database_files(s, name):
    path = s.database_url(name)[len("sqlite://"):]
    return [p for p in (path, path + "-wal") if os.path.exists(p)]


def chattr(flag, files):
    subprocess.run(["chattr", flag, *files], check=True, timeout=10)


class WriteLock:
    """Another process holding a SQLite file's write lock (``BEGIN IMMEDIATE``), as a
    long migration or a backup tool would."""

    def __init__(self, path):
        self.proc = subprocess.Popen(["sqlite3", path], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def say(self, sql):
        self.proc.stdin.write(sql + "\n")
        self.proc.stdin.flush()

    def take(self):
        """Returns once the lock is held (waiting out a service's write in progress)."""
        self.say(".timeout 5000")
        self.say("BEGIN IMMEDIATE; SELECT 'held';")
        if self.proc.stdout.readline().strip() != "held":
            raise identity.Fail("could not take the SQLite write lock")

    def give_back(self):
        self.say("ROLLBACK;")

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
