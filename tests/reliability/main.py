"""Run the fault scenarios of tests/reliability/scenarios and write bench/reliability.md.

    python3 tests/reliability/main.py [--only NAME ...] [--backends sqlite,postgres] [--out PATH]

Each scenario module has ``NAME``, ``BACKENDS`` (the backends it runs on) and
``run(backend) -> [report.Result]``; it raises ``identity.Fail`` (or anything) when it
cannot go on, which fails its row. Every scenario runs, also after a failure; none is
retried. The exit status is 1 when a row failed.
"""

import argparse
import importlib
import os
import pkgutil
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import report  # noqa: E402
import scenarios  # noqa: E402


def modules():
    names = sorted(m.name for m in pkgutil.iter_modules(scenarios.__path__))
    return [importlib.import_module(f"scenarios.{n}") for n in names]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", default=[], help="scenario module names")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "bench", "reliability.md"))
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    started = time.monotonic()
    results = []
    for module in modules():
        short = module.__name__.split(".")[-1]
        if args.only and short not in args.only and module.NAME not in args.only:
            continue
        for backend in backends:
            if backend not in module.BACKENDS:
                continue
            print(f"==> {module.NAME} on {backend}", flush=True)
            t0 = time.monotonic()
            try:
                rows = module.run(backend)
            except Exception as e:  # noqa: BLE001 - one scenario's failure fails its row only
                traceback.print_exc()
                rows = [report.Result(module.NAME, backend, "-", "-", ok=False,
                                      notes=f"{type(e).__name__}: {e}"[:300])]
            for r in rows:
                print(("    " if r.ok else "    FAIL ") + r.line(), flush=True)
            print(f"    ({time.monotonic() - t0:.0f} s)", flush=True)
            results.extend(rows)
    elapsed = time.monotonic() - started
    report.write_markdown(results, os.path.abspath(args.out), elapsed)
    failed = [r for r in results if not r.ok]
    print(f"reliability: {len(results) - len(failed)} passed, {len(failed)} failed, "
          f"{elapsed:.0f} s; figures in {os.path.relpath(os.path.abspath(args.out))}")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
