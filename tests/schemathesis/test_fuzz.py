"""Schemathesis against every running service's served /openapi.json (tests/schemathesis/
run.sh starts the stack and sets the environment). One pytest test per service and
operation (per action for tcr-svc); fuzzlib.runtime says what each request is checked for.

Environment: IAM_URL, SWR_URL, LAKEFORMATION_URL, TCR_URL, IAM_ADMIN_*, STACK_DIR, each
<SVC>__DATABASE__URL; FUZZ_EXAMPLES (examples per operation, default 10), FUZZ_SERVICES
(a comma-separated subset, default all four), FUZZ_COVERAGE=1 (schemathesis's
coverage phase too), FUZZ_DOCUMENT_<SVC> (a file to fuzz
that service from instead of its served document, while writing one).
"""

import os

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.config import SchemathesisConfig

from fuzzlib import documents
from fuzzlib import runtime

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
COVERAGE = os.environ.get("FUZZ_COVERAGE") == "1"
WANTED = [s for s in os.environ.get("FUZZ_SERVICES", ",".join(documents.SERVICES)).split(",") if s]

RUN = runtime.get()


def _config(base_url):
    return SchemathesisConfig.from_dict({
        "base-url": base_url,
        "generation": {
            # Valid and invalid inputs: the refusals are where the state check matters.
            "mode": "all",
            "max-examples": EXAMPLES,
            # The harness authenticates every request itself (fuzzlib.signing).
            "with-security-parameters": False,
            "database": "none",
        },
        "phases": {
            "examples": {"enabled": True},
            # Boundary values of every parameter, deterministic and not bounded by
            # FUZZ_EXAMPLES: the full run only. Other methods than the documented ones
            # are not sent (their 405 is not a documented answer of any operation).
            "coverage": {"enabled": COVERAGE, "unexpected-methods": []},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    })


def _settings(func):
    return hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # The smoke's examples are the same every run (run.sh); the full run's are not.
        derandomize=os.environ.get("FUZZ_DERANDOMIZE") == "1",
        # Failures are recorded, not raised, so there is nothing to shrink.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )(func)


def _test_for(svc, label_of):
    def test(case):
        RUN.run_case(svc, case, label_of(case))

    test.fuzz_service = svc
    return test


def _missing(svc, why):
    def test():
        raise AssertionError(f"{svc}-svc serves no OpenAPI document: {why}")

    test.fuzz_service = svc
    return test


for _svc in WANTED:
    _url = RUN.urls.get(_svc)
    if not _url:
        RUN.missing[_svc] = f"{_svc.upper()}_URL is not set"
        globals()[f"test_{_svc}_document"] = _missing(_svc, RUN.missing[_svc])
        continue
    _file = os.environ.get(f"FUZZ_DOCUMENT_{_svc.upper()}")
    if _file:
        # While a document is being written: fuzz the service from that file instead.
        _doc, _why = documents.load(_file)
        RUN.notes.append(f"{_svc}: fuzzed from {_file}, not from its served document")
    else:
        _doc, _why = documents.fetch(RUN.http, _url)
    if _doc is None:
        RUN.missing[_svc] = _why
        globals()[f"test_{_svc}_document"] = _missing(_svc, _why)
        continue
    if _svc != "tcr":
        _schema = schemathesis.openapi.from_dict(_doc, config=_config(_url))
        globals()[f"test_{_svc}"] = _schema.parametrize()(_settings(
            _test_for(_svc, lambda case: case.operation.label)))
        continue
    _rest = documents.tcr_without_actions(_doc)
    if _rest["paths"]:
        _schema = schemathesis.openapi.from_dict(_rest, config=_config(_url))
        globals()["test_tcr"] = _schema.parametrize()(_settings(
            _test_for("tcr", lambda case: case.operation.label)))
    try:
        _actions = documents.tcr_actions(_doc)
    except ValueError as e:
        RUN.derivation_errors["tcr"] = str(e)
        globals()["test_tcr_document"] = _missing("tcr", f"not as the convention says: {e}")
        continue
    for _action in _actions:
        try:
            _derived = documents.tcr_for_action(_doc, _action)
        except ValueError as e:
            RUN.derivation_errors[f"tcr {_action}"] = str(e)
            globals()[f"test_tcr_{_action}_document"] = _missing("tcr", f"action {_action}: {e}")
            continue
        _schema = schemathesis.openapi.from_dict(_derived, config=_config(_url))
        globals()[f"test_tcr_{_action}"] = _schema.parametrize()(_settings(
            _test_for("tcr", lambda case, a=_action: a)))
