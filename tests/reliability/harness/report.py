"""The one line of figures each scenario prints, and bench/reliability.md."""

import datetime
import os
import platform

COLUMNS = ["scenario", "backend", "load", "fault", "acknowledged", "lost", "errors seen",
           "recovery", "verdict"]


class Result:
    def __init__(self, scenario, backend, load, fault, acknowledged=0, lost=0, errors="none",
                 recovery="-", ok=True, notes=""):
        self.scenario = scenario
        self.backend = backend
        self.load = load
        self.fault = fault
        self.acknowledged = acknowledged
        self.lost = lost
        self.errors = errors
        self.recovery = recovery if isinstance(recovery, str) else f"{recovery:.2f} s"
        self.ok = ok
        self.notes = notes

    def cells(self):
        return [self.scenario, self.backend, self.load, self.fault, str(self.acknowledged),
                str(self.lost), self.errors, self.recovery, "pass" if self.ok else "FAIL"]

    def line(self):
        return " | ".join(f"{c}={v}" for c, v in zip(COLUMNS, self.cells()))


def write_markdown(results, path, elapsed):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Reliability: faults and scale-out",
        "",
        f"Written by `make reliability` ({now}, {platform.machine()}, {os.cpu_count()} cores, "
        f"{elapsed:.0f} s). Each row is one scenario of `tests/reliability/` on one backend:",
        "the client load it ran, the fault it caused, the writes the services acknowledged (2xx)",
        "and how many of those were missing afterwards, the errors clients saw, and how long",
        "service took to return. See docs/operations.md for what each fault does.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for r in results:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in r.cells()) + " |")
    notes = [r for r in results if r.notes]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- {r.scenario} ({r.backend}): {r.notes}" for r in notes]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
