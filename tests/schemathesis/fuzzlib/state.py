"""Snapshots of a service's database, to check that a refused request changed nothing.

A snapshot is every row of every table of the service's database (a SQLite file in the
stack directory, opened read-only; or the service's PostgreSQL schema), less what changes
legitimately when a request is refused. Those exceptions, from migrations/<service>/:

- iam ``login_limits``: a failed login counts an attempt against the user and the client
  address before the password is checked (2026-12-02-000003_login_limits); counting a
  refused login is its whole point.
- ``accepted_signatures`` (iam and lakeformation, 2026-12-02-000010 / -400002): a signed
  request records its signature's digest before the handler runs, so a replay is refused
  even while the first is still running; a refused request gives its use back, but the
  row (uses 0) and its expiry stay until they age out.
- iam ``access_keys.last_used_at``: stamped when a key's signature verifies, before the
  handler decides; a request refused afterwards (404, 400, 403) still used the key.
- tcr ``rate_windows``: every request counts against its account's and action's window
  (2026-12-02-300006_rate_windows, PostgreSQL only), refused ones included, since
  counting is what bounds them.
- ``__diesel_schema_migrations``: written by migrations only, never by a request; skipped
  as bookkeeping, not data.
"""

import sqlite3
import urllib.parse

IGNORED_TABLES = {
    "iam": {"login_limits", "accepted_signatures", "__diesel_schema_migrations"},
    "lakeformation": {"accepted_signatures", "__diesel_schema_migrations"},
    "swr": {"__diesel_schema_migrations"},
    "tcr": {"rate_windows", "__diesel_schema_migrations"},
}
IGNORED_COLUMNS = {
    "iam": {"access_keys": {"last_used_at"}},
}


class Snapshotter:
    """``snapshot()`` returns {table: digest of its rows}; ``rows(table)`` the rows."""

    def __init__(self, service, database_url):
        self.service = service
        self.url = database_url
        self.ignored = IGNORED_TABLES.get(service, set())
        self.ignored_columns = IGNORED_COLUMNS.get(service, {})
        self._pg = None
        if database_url.startswith(("postgres://", "postgresql://")):
            import psycopg  # only installed for a PostgreSQL run

            self._pg = psycopg.connect(database_url, autocommit=True)
            self._pg.execute("SET default_transaction_read_only = on")

    # -- reading
    def _sqlite(self):
        path = self.url.removeprefix("sqlite://")
        db = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True, timeout=30)
        return db

    def _tables_and_columns(self, cur, pg):
        if pg:
            cur.execute("SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
            rows = cur.fetchall()
        else:
            names = [r[0] for r in cur.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            rows = [(t, c[1]) for t in names for c in cur.execute(f'PRAGMA table_info("{t}")').fetchall()]
        tables = {}
        for table, column in rows:
            if table in self.ignored or column in self.ignored_columns.get(table, set()):
                continue
            tables.setdefault(table, []).append(column)
        return tables

    def _read(self):
        if self._pg is not None:
            cur = self._pg.cursor()
            tables = self._tables_and_columns(cur, True)
            out = {}
            for table, cols in tables.items():
                select = ", ".join(f'"{c}"::text' for c in cols)
                cur.execute(f'SELECT {select} FROM "{table}"')
                out[table] = sorted((tuple(r) for r in cur.fetchall()), key=repr)
            return out
        db = self._sqlite()
        try:
            cur = db.cursor()
            cur.execute("BEGIN")  # one read transaction: a consistent view of all tables
            tables = self._tables_and_columns(cur, False)
            out = {}
            for table, cols in tables.items():
                select = ", ".join(f'"{c}"' for c in cols)
                out[table] = sorted((tuple(r) for r in cur.execute(f'SELECT {select} FROM "{table}"')),
                                    key=repr)
            cur.execute("COMMIT")
            return out
        finally:
            db.close()

    def snapshot(self):
        return self._read()

    @staticmethod
    def diff(before, after):
        """A short description of what changed, or "" when nothing did."""
        changes = []
        for table in sorted(set(before) | set(after)):
            old, new = before.get(table, []), after.get(table, [])
            if old == new:
                continue
            old_set, new_set = set(map(repr, old)), set(map(repr, new))
            added = [r for r in new_set if r not in old_set]
            removed = [r for r in old_set if r not in new_set]
            changes.append(f"{table}: {len(added)} row(s) added/changed, {len(removed)} removed/changed"
                           + (f"; e.g. now {added[0][:200]}" if added else "")
                           + (f"; e.g. was {removed[0][:200]}" if removed else ""))
        return "\n".join(changes)

