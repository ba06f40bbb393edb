"""Service processes of this work tree, started, killed and restarted by the scenarios.

A ``Stack`` owns a scratch directory (key files, SQLite files, logs) and, on PostgreSQL, a
schema per service that it drops at the end. Each ``Service`` is one process; replicas are
several ``Service`` objects of one name that share a database and the key files. The other
services find iam-svc and lakeformation-svc through ``Stack.links``, which a scenario may
point at a load balancer before it starts them.

Binaries come from ``$CARGO_TARGET_DIR`` (or ``target/``) / ``$STACK_PROFILE`` (``debug``).
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

from . import http

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

# The settings every fault scenario wants: fast password hashing, a revocation feed
# polled often, a short drain (the load balancer checks readiness every 200 ms).
COMMON = {
    "SERVER__HOST": "127.0.0.1",
    "SERVER__DRAIN_MS": "1500",
    "SERVER__SHUTDOWN_TIMEOUT_SECONDS": "10",
    "DATABASE__ACQUIRE_TIMEOUT_MS": "2000",
}

PREFIX = {"iam": "IAM", "lakeformation": "LAKEFORMATION", "swr": "SWR", "tcr": "TCR"}


# Ports handed out by this process. A port is only reserved once something listens on it,
# and the kernel may offer a just-released port again: two replicas given one port would
# leave the second one's listener silently answered by the first (a health check passes,
# every API request gets 404).
_HANDED_OUT = set()


def free_port():
    """A free local port never handed out before by this process."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def binary(name):
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    if not os.path.isabs(target):
        target = os.path.join(ROOT, target)
    path = os.path.join(target, os.environ.get("STACK_PROFILE", "debug"), f"{name}-svc")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is missing: build the services first (cargo build --bins)")
    return path


class Service:
    """One process of one service. ``start`` waits until ``/readyz`` answers 200."""

    def __init__(self, stack, name, env, port, replica):
        self.stack = stack
        self.name = name
        self.env = env
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.replica = replica
        self.log_path = os.path.join(stack.dir, "log", f"{name}-{replica}.log")
        self.proc = None

    def __repr__(self):
        return f"{self.name}-svc#{self.replica}({self.url})"

    def spawn(self, *args):
        """Run a one-shot command (migrate, bootstrap, gen-keys) to completion."""
        with open(self.log_path, "ab") as log:
            done = subprocess.run([binary(self.name), *args], cwd=self.stack.dir, env=self.env,
                                  stdout=log, stderr=subprocess.STDOUT, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}-svc {' '.join(args)} failed (log: {self.log_path})")

    def start(self, wait=True, timeout=30):
        assert not self.running(), f"{self} is already running"
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([binary(self.name), "serve"], cwd=self.stack.dir,
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self} exited with {self.proc.returncode} before it was ready "
                                   f"(log: {self.log_path})")
            if self.ready():
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self} not ready after {timeout} s (log: {self.log_path})")

    def ready(self):
        try:
            return http.request("GET", self.url + "/readyz", timeout=2).status == 200
        except OSError:
            return False

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        """SIGKILL: no drain, no flush, no goodbye."""
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def term(self):
        """SIGTERM: the graceful stop. Returns at once; see ``wait_exit``."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)

    def wait_exit(self, timeout=30):
        """The exit status after a ``term``; kills the process if it outlives ``timeout``."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"{self} did not exit within {timeout} s of SIGTERM")

    def stop(self):
        if self.running():
            self.term()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()

    def restart(self, wait=True):
        self.stop()
        return self.start(wait=wait)


class Stack:
    """The services of one scenario on one backend (``sqlite`` or ``postgres``)."""

    def __init__(self, backend, pg_url=None):
        assert backend in ("sqlite", "postgres")
        self.backend = backend
        self.pg_url = pg_url or os.environ.get("TEST_DATABASE_URL",
                                               "postgres://postgres@127.0.0.1:5432/test")
        self.dir = tempfile.mkdtemp(prefix="credential-reliability.")
        os.makedirs(os.path.join(self.dir, "keys"))
        os.makedirs(os.path.join(self.dir, "log"))
        self.services = []
        self.schemas = []
        self.databases = {}
        # Where the other services reach iam-svc and lakeformation-svc; a scenario may point
        # them at a load balancer or a proxy before starting the services that use them.
        self.lakeformation_port = free_port()
        self.links = {"lakeformation": f"http://127.0.0.1:{self.lakeformation_port}"}
        self.admin = {}

    # -- databases -----------------------------------------------------------------------

    def database_url(self, name):
        """The database of service ``name``: one per service, shared by its replicas."""
        if name in self.databases:
            return self.databases[name]
        if self.backend == "sqlite":
            url = f"sqlite://{self.dir}/{name}.db"
        else:
            schema = f"rel_{name}_{secrets.token_hex(5)}"
            self.psql(f"CREATE SCHEMA {schema}")
            self.schemas.append(schema)
            sep = "&" if "?" in self.pg_url else "?"
            url = f"{self.pg_url}{sep}options=-csearch_path%3D{schema}"
        self.databases[name] = url
        return url

    def psql(self, sql, url=None):
        """Run SQL with psql; returns its unaligned output."""
        done = subprocess.run(["psql", url or self.pg_url, "-v", "ON_ERROR_STOP=1", "-qtAc", sql],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PGOPTIONS": "--client-min-messages=warning"})
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def query(self, name, sql):
        """Run ``sql`` on service ``name``'s database (its schema or its SQLite file)."""
        url = self.database_url(name)
        if self.backend == "sqlite":
            done = subprocess.run(["sqlite3", url[len("sqlite://"):], sql], capture_output=True,
                                  text=True, timeout=60)
            if done.returncode != 0:
                raise RuntimeError(f"sqlite3 failed: {done.stderr.strip()}")
            return done.stdout.strip()
        schema = urllib.parse.unquote(url.split("options=-csearch_path%3D", 1)[1])
        return self.psql(f"SET search_path TO {schema}; {sql}")

    def count(self, name, sql):
        return int(self.query(name, sql).splitlines()[-1])

    # -- services ------------------------------------------------------------------------

    def env_for(self, name, port, overrides=None):
        prefix = PREFIX[name]
        keys = os.path.join(self.dir, "keys")
        internal = os.path.join(keys, "internal-credential")
        own = {
            "SERVER__PORT": str(port),
            "DATABASE__URL": self.database_url(name),
        }
        if name == "iam":
            own.update({
                "PUBLIC_URL": f"http://127.0.0.1:{port}",
                "PASSWORDS__PBKDF2_ITERATIONS": "10000",
                "TOKENS__SIGNING_KEY_FILE": os.path.join(keys, "iam-token-signing.keys"),
                "INTERNAL__CREDENTIAL_FILE": internal,
                "ACCESS_KEYS__MASTER_KEY_FILE": os.path.join(keys, "iam-master.keys"),
                "LAKEFORMATION__URL": self.links["lakeformation"],
            })
        else:
            own.update({
                "IAM__URL": self.links["iam"],
                "IAM__INTERNAL_CREDENTIAL_FILE": internal,
                "IAM__POLL_INTERVAL_MS": "500",
            })
        if name == "lakeformation":
            own["CREDENTIALS__SEALING_KEY_FILE"] = os.path.join(keys, "lakeformation-sealing.keys")
        if name in ("swr", "tcr"):
            own.update({
                "LAKEFORMATION__URL": self.links["lakeformation"],
                "REGISTRY__SIGNING_KEY_FILE": os.path.join(keys, f"{name}-registry-token.key"),
                "REGISTRY__CERTIFICATE_FILE": os.path.join(keys, f"{name}-registry-token.crt"),
            })
        settings = {**COMMON, **own, **(overrides or {})}
        env = {k: v for k, v in os.environ.items() if not k.startswith(tuple(p + "__" for p in PREFIX.values()))}
        env.update({f"{prefix}__{k}": v for k, v in settings.items()})
        env.setdefault("RUST_LOG", "info")
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        return env

    def add(self, name, overrides=None, port=None):
        """A new (not yet started) replica of service ``name``."""
        if port is None:
            port = self.lakeformation_port if name == "lakeformation" and not self.replicas(name) \
                else free_port()
        replica = len(self.replicas(name)) + 1
        service = Service(self, name, self.env_for(name, port, overrides), port, replica)
        self.services.append(service)
        return service

    def replicas(self, name):
        return [s for s in self.services if s.name == name]

    def start_iam(self, overrides=None):
        """The first iam-svc: keys, migrations and the bootstrap admin, then serve. Sets
        ``links["iam"]`` (unless a scenario set it already) and ``admin``."""
        iam = self.add("iam", overrides)
        self.bootstrap(iam)
        iam.start()
        self.links.setdefault("iam", iam.url)
        return iam

    def bootstrap(self, iam):
        """Write the key files and bootstrap the admin with the (not yet serving) iam-svc
        ``iam``; sets ``admin``."""
        iam.spawn("gen-keys")
        env_file = os.path.join(self.dir, "admin.env")
        iam.spawn("bootstrap", "--env-file", env_file)
        with open(env_file) as f:
            for line in f:
                key, _, value = line.strip().partition("=")
                if key:
                    self.admin[key] = value.strip("'\"")

    def start(self, name, overrides=None):
        """Add and start a replica of ``name`` (iam-svc's first replica: ``start_iam``)."""
        if name == "iam" and not self.replicas("iam"):
            return self.start_iam(overrides)
        return self.add(name, overrides).start()

    def start_all(self, overrides=None):
        """iam-svc, lakeformation-svc, swr-svc and tcr-svc, one replica each.
        ``overrides`` maps a service name to its extra settings."""
        overrides = overrides or {}
        return {name: self.start(name, overrides.get(name))
                for name in ("iam", "lakeformation", "swr", "tcr")}

    def logs(self, lines=60):
        out = []
        for s in self.services:
            try:
                with open(s.log_path, errors="replace") as f:
                    tail = f.readlines()[-lines:]
            except OSError:
                continue
            out.append(f"---- {s} ----\n" + "".join(l[:400] for l in tail))
        return "\n".join(out)

    def close(self):
        for s in self.services:
            try:
                s.kill9() if s.running() else None
            except Exception:  # noqa: BLE001 - closing must go on
                pass
        for schema in self.schemas:
            try:
                self.psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            except Exception as e:  # noqa: BLE001
                print(f"could not drop schema {schema}: {e}")
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is not None and os.environ.get("RELIABILITY_LOGS", "1") == "1":
            print(self.logs())
        self.close()
