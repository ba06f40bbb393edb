"""Replicas of every service behind HAProxy, run with deploy/haproxy/haproxy.cfg as is.

The config takes every address from the environment, so the test gives it the replicas'
ports and fast health checks, and reads which replica HAProxy holds UP from its stats
socket.
"""

import csv
import io
import os
import socket
import subprocess
import time

from . import stack as stacklib

CONFIG = os.path.join(stacklib.ROOT, "deploy", "haproxy", "haproxy.cfg")

# The test's checks: every 200 ms, out and back after one (the stack drains 1.5 s).
FAST_CHECKS = {"CHECK_INTER_MS": "200", "CHECK_FALL": "1", "CHECK_RISE": "1"}

# Frontends of the config: (frontend, service, port kind).
FRONTENDS = (("iam", "iam", "public"), ("iam-internal", "iam", "internal"),
             ("lakeformation", "lakeformation", "public"),
             ("lakeformation-internal", "lakeformation", "internal"),
             ("swr", "swr", "public"), ("tcr", "tcr", "public"))

FRONTEND_SERVICES = ("iam", "lakeformation", "swr", "tcr")
POOL = {"DATABASE__POOL_SIZE": "4"}

# Services with a second listener for /internal/v1/*, reached through their own frontend.
INTERNAL = ("iam", "lakeformation")


def add_replica(stack, name, overrides):
    """A replica (not started) that trusts the local balancer's X-Forwarded-For and, for
    iam-svc and lakeformation-svc, serves /internal/v1/* on a port of its own
    (``internal_port``), as deploy/config has it."""
    overrides = {"SERVER__TRUSTED_PROXIES": "127.0.0.1", **(overrides or {})}
    internal_port = None
    if name in INTERNAL:
        internal_port = stacklib.free_port()
        overrides["SERVER__INTERNAL_PORT"] = str(internal_port)
    replica = stack.add(name, overrides, stacklib.free_port())
    replica.internal_port = internal_port
    return replica


class Haproxy:
    """One HAProxy process with the deploy config, listening on free local ports."""

    def __init__(self, stack):
        self.stack = stack
        self.socket_path = os.path.join(stack.dir, "haproxy.sock")
        self.log_path = os.path.join(stack.dir, "log", "haproxy.log")
        self.ports = {frontend: stacklib.free_port() for frontend, _, _ in FRONTENDS}
        self.proc = None

    def url(self, frontend):
        return f"http://127.0.0.1:{self.ports[frontend]}"

    def env(self, replicas):
        """The config's variables: binds, checks and each frontend's replicas."""
        env = {**os.environ, **FAST_CHECKS, "HAPROXY_STATS_SOCKET": self.socket_path}
        for frontend, name, kind in FRONTENDS:
            var = frontend.upper().replace("-", "_")
            env[f"{var}_BIND"] = f"127.0.0.1:{self.ports[frontend]}"
            for i, r in enumerate(replicas[name], start=1):
                port = r.internal_port if kind == "internal" else r.port
                env[f"{var}_SERVER_{i}"] = f"127.0.0.1:{port}"
        return env

    def start(self, replicas):
        """Start with ``replicas`` ({service name: [Service, Service]}); returns once every
        frontend listens (the replicas may not be up yet: see ``wait_all_up``)."""
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(["haproxy", "-db", "-f", CONFIG],
                                         env=self.env(replicas), stdout=log,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.socket_path) or not self._listening():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haproxy did not start (log: {self.log_path})")
            time.sleep(0.05)
        return self

    def _listening(self):
        for port in self.ports.values():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                return False
        return True

    def command(self, line):
        """One runtime API command on the stats socket; its answer."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.socket_path)
            s.sendall(line.encode() + b"\n")
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return b"".join(chunks).decode()
                chunks.append(chunk)

    def states(self):
        """{(backend, server): status} for every server, e.g. ("iam", "iam1"): "UP"."""
        text = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {(r["pxname"], r["svname"]): r["status"].split()[0] for r in rows
                if r["svname"] not in ("FRONTEND", "BACKEND")}

    def servers_of(self, replica):
        """The (backend, server) pairs HAProxy sends ``replica``'s traffic to."""
        return [(frontend, f"{replica.name}{replica.replica}")
                for frontend, name, _ in FRONTENDS if name == replica.name]

    def wait(self, replica, status, timeout=10):
        """Seconds until HAProxy holds every server of ``replica`` in ``status``."""
        started = time.monotonic()
        while True:
            states = self.states()
            if all(states.get(s) == status for s in self.servers_of(replica)):
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"haproxy: {replica} not {status} after {timeout} s: "
                                   f"{ {s: states.get(s) for s in self.servers_of(replica)} }")
            time.sleep(0.05)

    def wait_all_up(self, replicas, timeout=20):
        for group in replicas.values():
            for r in group:
                self.wait(r, "UP", timeout)

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_cluster(stack, count=2, overrides=None):
    """``count`` replicas of every service behind one HAProxy, on ``stack``'s databases.

    The first iam-svc replica makes the keys, runs the migrations and the bootstrap; the
    others share them. Every service reaches iam-svc and lakeformation-svc through the
    balancer's internal frontends. Returns (haproxy, {service name: [Service, ...]}) once
    HAProxy holds every replica UP. ``overrides`` maps a service name to extra settings.
    """
    overrides = overrides or {}
    # Eight processes on one PostgreSQL server (100 connections by default, shared with
    # whatever else runs there): four connections each.
    small_pools = {name: {**POOL, **overrides.get(name, {})} for name in FRONTEND_SERVICES}
    balancer = Haproxy(stack)
    stack.links["iam"] = balancer.url("iam-internal")
    stack.links["lakeformation"] = balancer.url("lakeformation-internal")
    replicas = {name: [add_replica(stack, name, small_pools[name]) for _ in range(count)]
                for name in FRONTEND_SERVICES}
    balancer.start(replicas)
    try:
        first = replicas["iam"][0]
        stack.bootstrap(first)
        # Each service's first replica applies its migrations before the second starts.
        # The others reach iam-svc only through the balancer, and pull its keys once as
        # they start: the balancer must hold it UP by then.
        first.start()
        balancer.wait(first, "UP")
        for wave in ([replicas[n][0] for n in ("lakeformation", "swr", "tcr")],
                     [r for group in replicas.values() for r in group[1:]]):
            for r in wave:
                r.start(wait=False)
            for r in wave:
                r.wait_ready()
        balancer.wait_all_up(replicas)
    except BaseException:
        balancer.close()
        raise
    return balancer, replicas
