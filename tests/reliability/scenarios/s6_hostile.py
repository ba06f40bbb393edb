"""Scenario 6: hostile clients against swr-svc (harness defaults: the server's own
timeouts, ``server.client_request_timeout_ms`` 5000 and ``server.body_timeout_ms`` 10000).

- A thousand slow or idle connections at once, held from one thread with ``selectors``:
  idle (connect, send nothing), slow heads (a header line a second), slow bodies
  (Content-Length 1000, a byte a second). Meanwhile a normal client makes REQUESTS token
  reads and creates: every one must succeed with p99 under P99_LIMIT. Then the server must
  close the slow connections by itself, the heads after their timeout, the bodies after
  theirs: the row records how many it closed and when.
- Oversized requests are refused without being read whole: a 100 MiB Content-Length with
  a few bytes of body gets each service's "too large" answer in its envelope at once; a
  64 KiB+ header block gets 431 (or 400) at once; a JSON body just over
  ``server.max_body_bytes`` gets 413.
"""

import json
import random
import resource
import selectors
import socket
import time

from harness import http, identity, load, report
from harness.stack import Stack

NAME = "hostile clients"
BACKENDS = ("sqlite", "postgres")

SLOW = 1000  # connections, split evenly over the three kinds
REQUESTS = 200
P99_LIMIT = 2.0
HEAD_TIMEOUT = 5.0  # server.client_request_timeout_ms default
BODY_TIMEOUT = 10.0  # server.body_timeout_ms default
CLOSE_MARGIN = 3.0  # a timer's own granularity and a busy machine
PROMPT = 1.0  # an oversized request must be refused faster than this
MAX_BODY = 65536  # server.max_body_bytes default
HEAD_BYTES = 64 * 1024 + 512  # a header block over 64 KiB
WAIT = 2 * PROMPT  # how long an oversized request's answer is waited for


class SlowConnection:
    """One hostile socket: ``kind`` idle, head or body. ``closed_at`` is when the server
    ended it (EOF, reset, or an answer); ``answer`` the status and error code it sent, if
    any."""

    def __init__(self, kind, sock, opened):
        self.kind = kind
        self.sock = sock
        self.opened = opened
        self.closed_at = None
        self.answer = ""
        self.sent = 0


def raise_open_files():
    """A thousand sockets need more than the usual soft limit of 1024 descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096 <= hard or soft < hard < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))


def open_slow(url, pid, token, rng):
    """SLOW connections of the three kinds, in a shuffled order, each with its first bytes
    sent: nothing (idle), a request line and Host (head), a whole head (body)."""
    host, port = url.split("//", 1)[1].split(":")
    kinds = ["idle", "head", "body"] * (SLOW // 3 + 1)
    kinds = kinds[:SLOW]
    rng.shuffle(kinds)
    conns = []
    for kind in kinds:
        sock = socket.create_connection((host, int(port)), timeout=5)
        if kind == "head":
            sock.sendall(f"GET /v2/{pid}/instances HTTP/1.1\r\nHost: {host}\r\n".encode())
        elif kind == "body":
            sock.sendall((f"POST /v2/{pid}/instances HTTP/1.1\r\nHost: {host}\r\n"
                          f"X-Auth-Token: {token}\r\nContent-Type: application/json\r\n"
                          "Content-Length: 1000\r\n\r\n{").encode())
        sock.setblocking(False)
        conns.append(SlowConnection(kind, sock, time.monotonic()))
    return conns


class Trickler:
    """Drives the slow connections from one thread: a header line or a body byte a second
    on each that is still open, and notes when the server closes one."""

    def __init__(self, conns):
        self.conns = conns
        self.selector = selectors.DefaultSelector()
        for c in conns:
            self.selector.register(c.sock, selectors.EVENT_READ, c)
        self.next_tick = time.monotonic() + 1

    def _closed(self, c):
        if c.closed_at is None:
            c.closed_at = time.monotonic()
            self.selector.unregister(c.sock)
            c.sock.close()

    def _read(self, c):
        try:
            data = c.sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data and not c.answer:
            status = data.split(b"\r\n", 1)[0].decode(errors="replace")
            code = error_code(data.partition(b"\r\n\r\n")[2])
            c.answer = f"{status} {code}" if code else status
        # An answer ends the request: the client could only start over.
        self._closed(c)

    def _tick(self):
        for c in self.conns:
            if c.closed_at is not None or c.kind == "idle":
                continue
            c.sent += 1
            data = f"X-Slow-{c.sent}: {c.sent}\r\n".encode() if c.kind == "head" else b" "
            try:
                c.sock.send(data)
            except BlockingIOError:
                pass
            except OSError:
                self._closed(c)

    def run_until(self, deadline):
        """Trickle and watch until ``deadline`` or until every connection is closed."""
        while time.monotonic() < deadline and any(c.closed_at is None for c in self.conns):
            timeout = max(0.0, min(self.next_tick, deadline) - time.monotonic())
            for key, _ in self.selector.select(timeout):
                self._read(key.data)
            if time.monotonic() >= self.next_tick:
                self._tick()
                self.next_tick += 1

    def close(self):
        for c in self.conns:
            if c.closed_at is None:
                c.sock.close()
        self.selector.close()


def normal_client(url, pid, token):
    """Token reads and creates on swr-svc, as an ordinary user would make them."""
    headers = {"X-Auth-Token": token}

    def op(i, n):
        if n % 2:
            resp = http.request("GET", f"{url}/v2/{pid}/instances?limit=5", headers=headers)
            return load.Outcome(resp.status == 200, resp.status, None, resp.text()[:80])
        resp = http.request("POST", f"{url}/v2/{pid}/instances", headers=headers,
                            json={"name": f"h{i}-{n}-{random.randrange(1 << 24):x}"})
        key = resp.json().get("instance_id") if resp.status == 201 else None
        return load.Outcome(resp.status == 201, resp.status, key, resp.text()[:80])

    return load.Load(op, threads=4, pause=0.02)


def closing_figures(conns, problems):
    """Per kind: how many the server closed, and after how long (median, max)."""
    limits = {"idle": HEAD_TIMEOUT, "head": HEAD_TIMEOUT, "body": BODY_TIMEOUT}
    parts = []
    for kind, limit in limits.items():
        mine = [c for c in conns if c.kind == kind]
        times = sorted(c.closed_at - c.opened for c in mine if c.closed_at is not None)
        answers = sorted({c.answer for c in mine if c.answer})
        if len(times) < len(mine):
            problems.append(f"{len(mine) - len(times)} {kind} connections still open")
        if times and times[-1] > limit + CLOSE_MARGIN:
            problems.append(f"a {kind} connection closed after {times[-1]:.1f} s (timeout {limit:.0f} s)")
        if times and times[0] < limit - CLOSE_MARGIN:
            problems.append(f"a {kind} connection closed early, after {times[0]:.1f} s")
        median = times[len(times) // 2] if times else 0.0
        max_time = times[-1] if times else 0.0
        parts.append(f"{kind}: {len(times)}/{len(mine)} closed by the server after "
                     f"{median:.1f} s (median), {max_time:.1f} s (max), "
                     f"answers {answers or 'none'}")
    return "; ".join(parts)


def slow_connections(stack, swr, admin, rng, seed):
    """The row '1000 slow/idle connections'."""
    raise_open_files()
    pid, token = admin.project_id, admin.token
    conns = open_slow(swr.url, pid, token, rng)
    opened = time.monotonic()
    trickler = Trickler(conns)
    client = normal_client(swr.url, pid, token).start()
    while client.requests < REQUESTS and time.monotonic() - opened < HEAD_TIMEOUT:
        trickler.run_until(time.monotonic() + 0.2)
    client.stop()
    served = time.monotonic() - opened
    trickler.run_until(opened + BODY_TIMEOUT + CLOSE_MARGIN + 1)
    trickler.close()
    problems = []
    if client.failed:
        problems.append(f"normal client failed {client.failed} of {client.requests}: {client.error_summary()}")
    if client.requests < REQUESTS // 2:
        problems.append(f"normal client made only {client.requests} requests in {served:.1f} s")
    if client.p99() > P99_LIMIT:
        problems.append(f"p99 {client.p99():.2f} s over {P99_LIMIT} s")
    ids = client.acknowledged
    quoted = ",".join(f"'{i}'" for i in ids)
    lost = len(ids) - (stack.count("swr", f"SELECT count(*) FROM instances WHERE id IN ({quoted})")
                       if ids else 0)
    if lost:
        problems.append(f"{lost} acknowledged creates missing")
    figures = closing_figures(conns, problems)
    notes = (f"seed {seed}; normal client: {client.requests} requests in {served:.1f} s while "
             f"{SLOW} hostile connections were open, p99 {client.p99() * 1000:.0f} ms; {figures}")
    return report.Result(NAME, stack.backend,
                         f"{SLOW} idle/slow-head/slow-body connections + 4 normal clients",
                         "1000 slow/idle connections", acknowledged=len(ids), lost=lost,
                         errors=client.error_summary(), recovery=f"p99 {client.p99() * 1000:.0f} ms",
                         ok=not problems, notes="; ".join([notes] + problems))


def raw_exchange(url, head, body=b""):
    """Send ``head`` and ``body`` on a fresh socket; return (seconds to the answer's first
    bytes, status, answer body), the answer being read until the server closes, a
    complete answer is in, or WAIT seconds pass."""
    host, port = url.split("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=WAIT) as sock:
        started = time.monotonic()
        try:
            sock.sendall(head + body)
        except OSError:
            pass  # the server may close before it has read all we send
        data = b""
        first = None
        while len(data) < 65536:
            try:
                chunk = sock.recv(65536)
            except OSError:  # timed out or reset
                break
            if not chunk:
                break
            first = first or time.monotonic() - started
            data += chunk
            if complete(data):
                break
    if not data:
        return None, None, b""
    status = int(data.split(b" ", 2)[1])
    return first, status, data.split(b"\r\n\r\n", 1)[-1]


def complete(data):
    """A whole HTTP answer: head, and the body its Content-Length announces."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return True


def error_code(body):
    """SWR's envelope code in an answer's body, or None."""
    try:
        return json.loads(body).get("error_code")
    except (ValueError, AttributeError):
        return None


def too_large_code(name, body):
    """The code of each service's envelope, where its 'too large' answer is read."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if name == "iam":
        return (data.get("error") or {}).get("code")
    if name == "tcr":
        return ((data.get("Response") or {}).get("Error") or {}).get("Code")
    return data.get("error_code")


# Each service's answer to a body over server.max_body_bytes: (HTTP status, envelope code).
TOO_LARGE = {
    "iam": (413, 413),
    "swr": (413, "SVCSTG.SWR.4131001"),
    "lakeformation": (413, "common.01000007"),
    "tcr": (200, "RequestSizeLimitExceeded"),  # TCR answers every error with HTTP 200
}


def huge_content_length(services, admin, problems):
    """Each service, told a 100 MiB body comes and given a few bytes of it, refuses at
    once in its envelope instead of waiting for the body."""
    pid, token = admin.project_id, admin.token
    paths = {"iam": "/v3/auth/tokens", "swr": f"/v2/{pid}/instances",
             "lakeformation": f"/v1/{pid}/instances", "tcr": "/"}
    parts = []
    for name, service in services.items():
        host = service.url.split("//", 1)[1]
        head = (f"POST {paths[name]} HTTP/1.1\r\nHost: {host}\r\nX-Auth-Token: {token}\r\n"
                "X-TC-Action: DescribeInstances\r\nContent-Type: application/json\r\n"
                "Content-Length: 104857600\r\n\r\n").encode()
        took, status, body = raw_exchange(service.url, head, b'{"name": "')
        code = too_large_code(name, body)
        parts.append(f"{name} {status} {code} after {fmt(took)}")
        if (status, code) != TOO_LARGE[name] or took is None or took > PROMPT:
            problems.append(f"{name}: a 100 MiB Content-Length answered {status} {body[:160]!r} "
                            f"after {fmt(took)}, not {TOO_LARGE[name]} within {PROMPT:.0f} s")
    return "Content-Length 100 MiB: " + ", ".join(parts)


def huge_head(swr, admin, problems):
    """A header block over 64 KiB is refused at once (actix parses every service's heads)."""
    host = swr.url.split("//", 1)[1]
    head = (f"GET /v2/{admin.project_id}/instances HTTP/1.1\r\nHost: {host}\r\n"
            f"X-Auth-Token: {admin.token}\r\nX-Padding: {'a' * HEAD_BYTES}\r\n\r\n").encode()
    took, status, body = raw_exchange(swr.url, head)
    if status not in (431, 400) or took is None or took > PROMPT:
        problems.append(f"a {len(head) / 1024:.1f} KiB header block answered {status} "
                        f"{body[:80]!r} after {fmt(took)}, not 431 within {PROMPT:.0f} s")
    return f"{len(head) / 1024:.1f} KiB header block: {status} after {fmt(took)}"


def json_over_limit(swr, admin, problems):
    """A JSON body just over server.max_body_bytes, sent whole, gets 413."""
    payload = json.dumps({"name": "oversized", "description": "d" * MAX_BODY}).encode()
    started = time.monotonic()
    resp = http.request("POST", f"{swr.url}/v2/{admin.project_id}/instances", body=payload,
                        timeout=10, headers={"X-Auth-Token": admin.token,
                                             "Content-Type": "application/json"})
    took = time.monotonic() - started
    code = error_code(resp.body)
    if resp.status != 413 or code != "SVCSTG.SWR.4131001":
        problems.append(f"JSON over max_body_bytes answered {resp!r}")
    return f"JSON body of {len(payload)} bytes: {resp.status} {code} after {fmt(took)}"


def oversized(stack, services, admin):
    """The row 'oversized body and headers'."""
    problems = []
    parts = [huge_content_length(services, admin, problems),
             huge_head(services["swr"], admin, problems),
             json_over_limit(services["swr"], admin, problems)]
    for name, service in services.items():
        if not service.ready():
            problems.append(f"{name}-svc not ready afterwards")
    return report.Result(NAME, stack.backend, "oversized requests to every service",
                         "oversized body and headers", errors="; ".join(parts),
                         ok=not problems, notes="; ".join(parts + problems))


def fmt(seconds):
    return "no answer" if seconds is None else f"{seconds * 1000:.0f} ms"


def run(backend):
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    print(f"    seed {seed}", flush=True)
    with Stack(backend) as stack:
        services = stack.start_all()
        admin = identity.Admin(stack)
        return [slow_connections(stack, services["swr"], admin, rng, seed),
                oversized(stack, services, admin)]
