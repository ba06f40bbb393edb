"""Client load: threads that repeat one operation until told to stop, recording what was
acknowledged (a 2xx with the id the service gave) and every error a client saw."""

import collections
import threading
import time


class Outcome:
    """What one call returned: ``ok`` with the created thing's ``key`` when acknowledged."""

    __slots__ = ("ok", "status", "key", "detail")

    def __init__(self, ok, status=None, key=None, detail=""):
        self.ok, self.status, self.key, self.detail = ok, status, key, detail


class Load:
    """``threads`` clients calling ``op(client_index, n)`` (returns an Outcome, or raises
    OSError for a transport failure) in a loop, with ``pause`` seconds between calls."""

    def __init__(self, op, threads=8, pause=0.0):
        self.op = op
        self.threads = threads
        self.pause = pause
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged = []
        self.errors = collections.Counter()
        self.samples = []  # (monotonic time, ok)
        self.latencies = []
        self.workers = []

    def _run(self, index):
        n = 0
        while not self.stopping.is_set():
            n += 1
            started = time.monotonic()
            try:
                out = self.op(index, n)
            except OSError as e:
                out = Outcome(False, None, None, f"transport: {type(e).__name__}")
            except Exception as e:  # noqa: BLE001 - an answer the op could not read is a failure too
                out = Outcome(False, None, None, f"unreadable: {type(e).__name__}")
            elapsed = time.monotonic() - started
            with self.lock:
                self.samples.append((started, out.ok))
                self.latencies.append(elapsed)
                if out.ok:
                    if out.key is not None:
                        self.acknowledged.append(out.key)
                else:
                    status = "" if out.status is None else str(out.status)
                    self.errors[f"{status} {out.detail}".strip()] += 1
            if self.pause:
                time.sleep(self.pause)

    def start(self):
        for i in range(self.threads):
            t = threading.Thread(target=self._run, args=(i,), daemon=True)
            t.start()
            self.workers.append(t)
        return self

    def stop(self, timeout=30):
        self.stopping.set()
        for t in self.workers:
            t.join(timeout)
        return self

    @property
    def requests(self):
        return len(self.samples)

    @property
    def failed(self):
        return sum(self.errors.values())

    def error_summary(self):
        return ", ".join(f"{k} x{v}" for k, v in self.errors.most_common(4)) or "none"

    def p99(self):
        if not self.latencies:
            return 0.0
        s = sorted(self.latencies)
        return s[min(len(s) - 1, int(len(s) * 0.99))]

    def recovered_after(self, since):
        """Seconds from ``since`` to the first success after it (None if none came)."""
        later = [t for t, ok in self.samples if ok and t >= since]
        return (min(later) - since) if later else None
