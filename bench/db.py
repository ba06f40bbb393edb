#!/usr/bin/env python3
"""Database work for scripts/bench.sh: the raw insert ceilings the service figures are
compared with, and rows seeded straight into a service's database (far faster than
creating them through the API, which is what is being measured).

    db.py ceiling-sqlite PATH SECONDS ROWS_PER_TX
        Durable inserts into a scratch table of PATH with the services' own PRAGMAs
        (WAL, synchronous=FULL, foreign_keys, busy_timeout), one BEGIN IMMEDIATE ...
        COMMIT per transaction of ROWS_PER_TX single-row INSERTs (executemany), for SECONDS.
    db.py ceiling-pg URL SECONDS ROWS_PER_TX CLIENTS
        The same on PostgreSQL with pgbench (CLIENTS connections, default synchronous
        commit), in a schema of its own that is dropped afterwards; a transaction is one
        INSERT of ROWS_PER_TX rows. Without pgbench: CLIENTS psql processes (no latencies).
    db.py seed-users URL ADMIN_USER_ID COUNT OUT_FILE
        COUNT users cloned from the admin (same domain and password hash); their ids go
        to OUT_FILE, one a line.
    db.py seed-credentials URL INSTANCE_ID ADMIN_USER_ID FROM TO
        swr-svc long-term credentials number FROM..TO-1 on INSTANCE_ID: the first 100
        are the admin's, the rest belong to made-up users, 20 each (the default quota);
        then VACUUM (ANALYZE) on PostgreSQL.
    db.py delete-created URL
        Delete the swr credentials the create cases made (their names start with "r").

The ceiling table is the simplest durable one: an integer key (appended, as SQLite's rowid
and PostgreSQL's bigserial are) and a 100-byte payload; the services' tables, with random
text keys and several indexes, can only be slower.

Ceilings print one line: "tx_per_s=... rows_per_s=... p50_ms=... p99_ms=...".
URLs are the services' own: sqlite://PATH, or postgres://...?options=-csearch_path%3D...
"""

import glob
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

PAYLOAD = "x" * 100


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def report(tx, rows_per_tx, seconds, latencies_ms):
    latencies_ms.sort()
    print(f"tx_per_s={tx / seconds:.1f} rows_per_s={tx * rows_per_tx / seconds:.1f} "
          f"p50_ms={percentile(latencies_ms, 50):.3f} p99_ms={percentile(latencies_ms, 99):.3f}")


def sqlite_path(url):
    for prefix in ("sqlite://", "sqlite:"):
        if url.startswith(prefix):
            return url[len(prefix):]
    return url


def sqlite_connect(path):
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    # The services' connection set-up (service_kit::db::connection).
    conn.executescript("PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; "
                       "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
    return conn


def ceiling_sqlite(path, seconds, rows):
    conn = sqlite_connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
    latencies, tx = [], 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        t0 = time.perf_counter()
        if t0 >= deadline:
            break
        conn.execute("BEGIN IMMEDIATE")
        # executemany runs the prepared INSERT in C, so SQLite, not Python, is measured.
        conn.executemany("INSERT INTO bench_raw (payload) VALUES (?)", ((PAYLOAD,) for _ in range(rows)))
        conn.execute("COMMIT")
        latencies.append((time.perf_counter() - t0) * 1000)
        tx += 1
    elapsed = time.perf_counter() - start
    conn.execute("DROP TABLE bench_raw")
    conn.close()
    report(tx, rows, elapsed, latencies)


def psql(url, sql, capture=False):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtX", "-c", sql],
                          check=True, text=True, env=dict(os.environ, PGOPTIONS="--client-min-messages=warning"),
                          stdout=subprocess.PIPE if capture else subprocess.DEVNULL).stdout


def with_schema(url, schema):
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"


def ceiling_pg(url, seconds, rows, clients):
    schema = "bench_ceiling_" + uuid.uuid4().hex[:10]
    psql(url, f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.bench_raw "
              "(id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)")
    target = with_schema(url, schema)
    work = tempfile.mkdtemp(prefix="bench-pg-")
    try:
        if rows == 1:
            statement = f"INSERT INTO bench_raw (payload) VALUES ('{PAYLOAD}');"
        else:
            statement = f"INSERT INTO bench_raw (payload) SELECT '{PAYLOAD}' FROM generate_series(1, {rows});"
        if shutil.which("pgbench"):
            pgbench(target, work, statement, seconds, rows, clients)
        else:
            psql_loop(target, work, statement, seconds, rows, clients)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        psql(url, f"DROP SCHEMA {schema} CASCADE")


def pgbench(url, work, statement, seconds, rows, clients):
    script = os.path.join(work, "insert.sql")
    with open(script, "w") as f:
        f.write(statement + "\n")
    # -l logs every transaction's latency (third field, µs) for the percentiles.
    subprocess.run(["pgbench", "-n", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)),
                    "-T", str(seconds), "-f", script, "-l", "--log-prefix", os.path.join(work, "log"), url],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=work)
    latencies = []
    for log in glob.glob(os.path.join(work, "log*")):
        with open(log) as f:
            latencies.extend(int(line.split()[2]) / 1000 for line in f)
    report(len(latencies), rows, seconds, latencies)


def psql_loop(url, work, statement, seconds, rows, clients):
    """Fallback: each client runs a fixed batch of autocommitted statements through psql;
    the rate is what they managed together. No per-transaction latency."""
    batch = os.path.join(work, "batch.sql")
    count = max(50, 300 * seconds // rows)
    with open(batch, "w") as f:
        f.write((statement + "\n") * count)
    start = time.perf_counter()
    procs = [subprocess.Popen(["psql", url, "-qX", "-v", "ON_ERROR_STOP=1", "-f", batch],
                              stdout=subprocess.DEVNULL) for _ in range(clients)]
    if any(p.wait() for p in procs):
        sys.exit("db.py: psql fallback failed")
    elapsed = time.perf_counter() - start
    print(f"tx_per_s={clients * count / elapsed:.1f} rows_per_s={clients * count * rows / elapsed:.1f} "
          "p50_ms=nan p99_ms=nan")


def run_sql(url, sqlite_sql, pg_sql, params=()):
    """The statement for the URL's engine: SQLite through the module, PostgreSQL through psql
    (params are then already in pg_sql)."""
    if url.startswith("postgres"):
        psql(url, pg_sql)
    else:
        conn = sqlite_connect(sqlite_path(url))
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(sqlite_sql, params)
        conn.execute("COMMIT")
        conn.close()


def quote(value):
    return "'" + value.replace("'", "''") + "'"


def seed_users(url, admin, count, out):
    cols = "id, domain_id, name, password_hash, enabled, description, created_at, updated_at"
    run_sql(
        url,
        f"WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ? - 1) "
        f"INSERT INTO users ({cols}) SELECT printf('benchuser%08d', i), domain_id, "
        f"printf('bench-user-%d', i), password_hash, enabled, '', created_at, updated_at "
        f"FROM seq, users WHERE users.id = ?",
        f"INSERT INTO users ({cols}) SELECT 'benchuser' || lpad(i::text, 8, '0'), domain_id, "
        f"'bench-user-' || i, password_hash, enabled, '', created_at, updated_at "
        f"FROM generate_series(0, {count} - 1) i, users WHERE users.id = {quote(admin)}; ANALYZE users",
        (count, admin))
    with open(out, "w") as f:
        f.write("".join(f"benchuser{i:08d}\n" for i in range(count)))


def seed_credentials(url, instance, admin, lo, hi):
    if hi <= lo:
        return
    cols = ("id, instance_id, user_id, user_name, name, kind, token_digest, access, enabled, "
            "created_at, expires_at")
    # Older than anything the cases create, in creation order; digests unique and random.
    run_sql(
        url,
        f"WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ? - 1) "
        f"INSERT INTO credentials ({cols}) SELECT printf('seed-%09d', i), ?, "
        f"CASE WHEN i < 100 THEN ? ELSE printf('seed-user-%07d', i / 20) END, 'seed', "
        f"printf('s%d', i), 'long_term', lower(hex(randomblob(32))), 'pull,push', 1, "
        f"strftime('%Y-%m-%d %H:%M:%f', 'now', printf('-%d seconds', 20000000 - i)), "
        f"strftime('%Y-%m-%d %H:%M:%f', 'now', '+365 days') FROM seq",
        f"INSERT INTO credentials ({cols}) SELECT 'seed-' || lpad(i::text, 9, '0'), {quote(instance)}, "
        f"CASE WHEN i < 100 THEN {quote(admin)} ELSE 'seed-user-' || lpad((i / 20)::text, 7, '0') END, "
        f"'seed', 's' || i, 'long_term', encode(sha256(('seed' || i)::bytea), 'hex'), 'pull,push', true, "
        f"(now() AT TIME ZONE 'UTC') - make_interval(secs => 20000000 - i), "
        f"(now() AT TIME ZONE 'UTC') + interval '365 days' "
        f"FROM generate_series({lo}, {hi} - 1) i",
        (lo, hi, instance, admin))
    if url.startswith("postgres"):
        # What a long-lived table has had: otherwise autovacuum, woken by the million new
        # rows, would run on the same 2 cores during the next cases. (Not in a transaction.)
        psql(url, "VACUUM (ANALYZE) credentials")


def delete_created(url):
    sql = "DELETE FROM credentials WHERE name LIKE 'r%'"
    run_sql(url, sql, sql)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ceiling-sqlite":
        ceiling_sqlite(args[0], int(args[1]), int(args[2]))
    elif cmd == "ceiling-pg":
        ceiling_pg(args[0], int(args[1]), int(args[2]), int(args[3]))
    elif cmd == "seed-users":
        seed_users(args[0], args[1], int(args[2]), args[3])
    elif cmd == "seed-credentials":
        seed_credentials(args[0], args[1], args[2], int(args[3]), int(args[4]))
    elif cmd == "delete-created":
        delete_created(args[0])
    else:
        sys.exit(f"db.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
