"""Collects what tests/schemathesis/test_fuzz.py found: a test that errored outside its
requests (generation, the harness) is recorded as a finding too, and at the end the run's
statistics and findings go to FUZZ_RESULTS (JSON) for fuzzlib/report.py; any finding fails
the session."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from fuzzlib import runtime  # noqa: E402


def pytest_runtest_logreport(report):
    if report.when != "call" and not report.failed:
        return
    run = runtime.CURRENT
    if run is None or not report.failed:
        return
    name = report.nodeid.split("::")[-1]
    svc = name.removeprefix("test_").split("_")[0].split("[")[0]
    if svc not in run.stats:
        return
    if name.endswith("_document"):
        return  # a missing document is reported as such
    run.record_error(svc, name, report.longreprtext[-3000:])


def pytest_sessionfinish(session, exitstatus):
    run = runtime.CURRENT
    if run is None:
        return
    run.check_authentication()
    path = os.environ.get("FUZZ_RESULTS")
    if path:
        run.dump(path)
    if run.findings or run.missing or run.derivation_errors:
        session.exitstatus = 1
