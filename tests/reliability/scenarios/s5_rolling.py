"""A rolling restart of two replicas of every service behind HAProxy, under a mixed load.

Each replica in turn gets SIGTERM (after a pause of 0.2-1 s drawn from a seed printed in
the row; RELIABILITY_SEED replays one), must exit 0, starts again and rejoins once HAProxy
sees it UP, then the next. Between SIGTERM and the listener closing the replica answers
/readyz 503 for server.drain_ms, so HAProxy stops sending it requests first; clients must
see no failure at all, and every acknowledged create must be in the database after.
PostgreSQL only: on SQLite a service runs as one process by design.
"""

import json
import os
import random
import secrets
import time

from harness import haproxy, http, identity, load, signing, stack
from harness.report import Result

NAME = "rolling restart behind haproxy"
BACKENDS = ("postgres",)

THREADS = 12
PAUSE = 0.05
SERVICES = ("iam", "lakeformation", "swr", "tcr")

# The load signs many TCR calls for one account: the rate limit is not what is tested here.
OVERRIDES = {"tcr": {"RATE_LIMITS__OTHER_PER_SECOND": "10000"}}


def run(backend):
    with stack.Stack(backend) as s:
        balancer, replicas = haproxy.start_cluster(s, overrides=OVERRIDES)
        try:
            return [rolling_restart(s, balancer, replicas)]
        finally:
            balancer.close()


class Clients:
    """The mixed load, all through the balancer: token reads on swr-svc and
    lakeformation-svc, lakeformation instances created (kept, to be found afterwards),
    SWR credentials created and deleted, TCR calls signed with an access key, and iam-svc
    password logins."""

    def __init__(self, s, balancer):
        self.url = {name: balancer.url(name) for name in SERVICES}
        self.admin = identity.Admin(s, self.url["iam"])
        self.project = self.admin.project_id
        self.ak, self.sk = self.admin.access_key()
        self.swr_instance = identity.swr_instance(self.url["swr"], self.admin.token, self.project)
        self.ops = (self.swr_read, self.lakeformation_read, self.lakeformation_create,
                    self.swr_create_delete, self.tcr_signed, self.iam_login)
        self.run_id = secrets.token_hex(3)

    def op(self, index, n):
        return self.ops[index % len(self.ops)](index, n)

    def headers(self):
        return {"X-Auth-Token": self.admin.token}

    def swr_read(self, index, n):
        resp = http.request("GET", f"{self.url['swr']}/v2/{self.project}/instances",
                            headers=self.headers())
        return outcome(resp, 200)

    def lakeformation_read(self, index, n):
        resp = http.request("GET", f"{self.url['lakeformation']}/v1/{self.project}/instances"
                                   "?limit=1", headers=self.headers())
        return outcome(resp, 200)

    def lakeformation_create(self, index, n):
        resp = http.request("POST", f"{self.url['lakeformation']}/v1/{self.project}/instances",
                            headers=self.headers(),
                            json={"name": f"r{self.run_id}-{index}-{n}"})
        if resp.status != 202:
            return outcome(resp, 202)
        return load.Outcome(True, 202, resp.json()["instance_id"])

    def swr_create_delete(self, index, n):
        base = f"{self.url['swr']}/v2/{self.project}/instances/{self.swr_instance}"
        resp = http.request("POST", base + "/long-term-credential", headers=self.headers(),
                            json={"name": f"c{index}x{n}"})
        if resp.status != 201:
            return outcome(resp, 201, "create")
        token_id = resp.json()["token_id"]
        resp = http.request("DELETE", f"{base}/long-term-credentials/{token_id}",
                            headers=self.headers())
        return outcome(resp, 204, "delete")

    def tcr_signed(self, index, n):
        # Offset differs per call: a signature is accepted once.
        body = json.dumps({"Offset": index * 1_000_000 + n}).encode()
        headers = signing.tc3_headers(self.ak, self.sk, self.url["tcr"][len("http://"):],
                                      "DescribeInstances", body)
        resp = http.request("POST", self.url["tcr"] + "/", body=body, headers=headers)
        try:
            error = resp.json()["Response"].get("Error")
        except (ValueError, KeyError, TypeError, AttributeError):
            return outcome(resp, None)
        if resp.status == 200 and error is None:
            return load.Outcome(True, resp.status)
        return load.Outcome(False, resp.status, detail=str(error))

    def iam_login(self, index, n):
        a = self.admin
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": a.user, "password": a.password, "domain": {"name": a.domain}}}},
            "scope": {"project": {"id": a.project_id}}}}
        return outcome(http.request("POST", self.url["iam"] + "/v3/auth/tokens", json=body), 201)


def outcome(resp, expected, what=""):
    if resp.status == expected:
        return load.Outcome(True, resp.status)
    text = " ".join(resp.text().split())[:60]
    return load.Outcome(False, resp.status, detail=f"{what} {text}".strip())


def seed():
    """The run's seed: RELIABILITY_SEED to replay one, else a fresh one."""
    return int(os.environ.get("RELIABILITY_SEED") or random.SystemRandom().randrange(1 << 31))


def restart(balancer, replica):
    """SIGTERM, out of HAProxy's rotation, exit, start, UP in HAProxy again: (exit status,
    seconds until HAProxy took it out, until it exited, until HAProxy sent it traffic
    again), each from the SIGTERM."""
    started = time.monotonic()
    replica.term()
    out = balancer.wait(replica, "DOWN")
    status = replica.wait_exit(30)
    exited = time.monotonic() - started
    replica.start()
    balancer.wait(replica, "UP")
    return status, out, exited, time.monotonic() - started


def rolling_restart(s, balancer, replicas):
    run_seed = seed()
    rng = random.Random(run_seed)
    clients = Clients(s, balancer)
    traffic = load.Load(clients.op, threads=THREADS, pause=PAUSE).start()
    time.sleep(1.0)
    restarts = []
    try:
        for name in SERVICES:
            for replica in replicas[name]:
                time.sleep(rng.uniform(0.2, 1.0))
                restarts.append((replica, *restart(balancer, replica)))
        time.sleep(1.0)
    finally:
        traffic.stop()
    acknowledged = traffic.acknowledged
    found = s.count("lakeformation", "SELECT count(*) FROM instances WHERE id IN ("
                    + ",".join(f"'{i}'" for i in acknowledged) + ")") if acknowledged else 0
    bad_exits = [f"{r}: {status}" for r, status, *_ in restarts if status != 0]
    ok = traffic.failed == 0 and found == len(acknowledged) and not bad_exits
    times = ", ".join(f"{r.name}#{r.replica} {out:.1f}/{exited:.1f}/{back:.1f}"
                      for r, _, out, exited, back in restarts)
    return Result(NAME, "postgres", f"{THREADS} clients mixed, {traffic.requests} requests",
                  f"SIGTERM + restart, each of 8 replicas in turn (seed {run_seed})",
                  acknowledged=len(acknowledged), lost=len(acknowledged) - found,
                  errors=traffic.error_summary() if traffic.failed else "none",
                  recovery=f"{max(r[-1] for r in restarts):.1f} s per replica", ok=ok,
                  notes=f"{traffic.requests} requests, {traffic.failed} failed, p99 "
                        f"{traffic.p99() * 1000:.0f} ms; exit statuses "
                        f"{'all 0' if not bad_exits else bad_exits}; per replica, seconds from "
                        f"SIGTERM until out of haproxy / exited / UP in haproxy again: {times}")
