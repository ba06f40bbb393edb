"""Scenario 1: kill -9 under write load.

For each service's create path, 8 clients create credentials while the service is killed
with SIGKILL at random moments (seeded; the seed is in the row, RELIABILITY_SEED replays
it) and started again at once. Afterwards every create that was answered 2xx must be in
the database by the id the answer gave, no row may be half-written, the counters the
services keep must agree with the rows and with the API's totals, a sample of the
acknowledged credentials must still work, SQLite must pass its integrity check, and the
service must serve again. A client's transport error while the process is dead is
expected; any other error is not.
"""

import os
import random
import time

from harness import identity, stack, writes
from harness.load import Load
from harness.report import Result

NAME = "kill -9 under writes"
BACKENDS = ("sqlite", "postgres")
SERVICES = ("iam", "lakeformation", "swr", "tcr")
CLIENTS = 8
KILLS = 3
# The fault is the kill, not the rate limit: tcr-svc's CreateInstanceToken limit (100/s
# per account) is lifted so that every client's call reaches the database.
OVERRIDES = {"tcr": {"RATE_LIMITS__CREATE_INSTANCE_TOKEN_PER_SECOND": "1000000"}}


def seed():
    """The run's seed: RELIABILITY_SEED to replay one, else a fresh one."""
    return int(os.environ.get("RELIABILITY_SEED") or random.SystemRandom().randrange(1 << 31))


def run(backend):
    run_seed = seed()
    rng = random.Random(run_seed)
    with stack.Stack(backend) as s:
        s.start_all(OVERRIDES)
        admin = identity.Admin(s)
        return [guarded(s, admin, name, backend, rng, run_seed) for name in SERVICES]


def guarded(s, admin, name, backend, rng, run_seed):
    """One service's row; a scenario that cannot go on fails that row only."""
    try:
        return kill_under_writes(s, admin, name, backend, rng, run_seed)
    except Exception as e:  # noqa: BLE001 - the other services' rows still run
        print(s.logs(30))
        return Result(f"{NAME}: {name}-svc", backend, f"{CLIENTS} clients creating", "kill -9",
                      ok=False, notes=f"seed {run_seed}: {type(e).__name__}: {e}"[:300])


def kill_under_writes(s, admin, name, backend, rng, run_seed):
    writer = writes.writer(name, s, admin, CLIENTS)
    service = s.replicas(name)[0]
    load = Load(writer.create, CLIENTS).start()
    recoveries = [kill_and_restart(service, load, rng) for _ in range(KILLS)]
    time.sleep(0.5)  # writes after the last restart belong to the check too
    load.stop()

    keys = load.acknowledged
    lost = writer.lost(keys)
    problems = writer.check(keys)
    verdict = writes.integrity(s, name)
    if verdict != "ok":
        problems.append(f"integrity_check: {verdict[:120]}")
    if None in recoveries:
        problems.append("no request succeeded within 15 s of a restart")
    unexpected = {k: v for k, v in load.errors.items() if not expected(k)}
    if unexpected:
        problems.append(f"errors besides the kill's: {dict(unexpected)}")
    served = [r for r in recoveries if r is not None]
    return Result(
        f"{NAME}: {name}-svc", backend,
        f"{CLIENTS} clients creating {writer.what} ({load.requests} requests)",
        f"kill -9 x{KILLS}, random moments (seed {run_seed})",
        acknowledged=len(keys), lost=len(lost), errors=load.error_summary(),
        recovery=f"max {max(served):.2f} s" if served else "never",
        ok=not problems and not lost,
        notes="; ".join([f"recoveries {', '.join(f'{r:.2f}' for r in served)} s"] + problems)[:600])


def kill_and_restart(service, load, rng):
    """Kill at a random moment under the load, start again at once; the seconds from the
    kill to the first request that succeeded after it (None if none within 15 s)."""
    time.sleep(rng.uniform(0.5, 2.0))
    killed = time.monotonic()
    service.kill9()
    service.start()
    deadline = time.monotonic() + 15
    while writes.recovery(load, killed) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return writes.recovery(load, killed)


def expected(error):
    """What a client may see while the process is dead or starting: its connection
    refused or cut (a transport error), or a 503 in the service's envelope."""
    return error.startswith("transport:") or error.endswith(" unavailable")
