#!/usr/bin/env python3
"""The services' OpenAPI documents: every docs/openapi/*.json is a valid OpenAPI document
(openapi-spec-validator, pinned in run.sh), and each running service serves exactly its
committed document at GET /openapi.json (byte for byte).

Each of the four services (iam, swr, lakeformation, tcr) must have its document at
docs/openapi/<service>.json: a missing one is reported by name and fails the test, after
the present ones have been checked.

Environment (see common.py): IAM_URL, SWR_URL, LAKEFORMATION_URL, TCR_URL.

Prints one line per check; exits non-zero when any fails.
"""

import json
import pathlib
import sys
import urllib.request

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from common import env, step

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "openapi"
SERVICES = {"iam": "IAM_URL", "swr": "SWR_URL", "lakeformation": "LAKEFORMATION_URL", "tcr": "TCR_URL"}

# The services run on loopback: never through a proxy.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def served(url):
    with OPENER.open(url.rstrip("/") + "/openapi.json", timeout=30) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), resp.read()


def first_difference(a, b):
    la, lb = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(la, lb), 1):
        if x != y:
            return f"line {i}: committed {x[:120]!r}, served {y[:120]!r}"
    return f"committed has {len(la)} lines, served {len(lb)}"


def main():
    print(f"openapi_documents: {DOCS.relative_to(ROOT)} against the running services", flush=True)
    failures = []
    for path in sorted(DOCS.glob("*.json")):
        name = str(path.relative_to(ROOT))
        try:
            spec, _ = read_from_filename(str(path))
            validate(spec)
        except Exception as e:  # noqa: BLE001 - any error is the finding, worded below
            failures.append(f"{name} is not a valid OpenAPI document: {type(e).__name__}: {str(e)[:500]}")
            continue
        step("valid", f"{name} (OpenAPI {spec.get('openapi')}, {len(spec.get('paths', {}))} paths)")
    for svc, var in SERVICES.items():
        path = DOCS / f"{svc}.json"
        name = str(path.relative_to(ROOT))
        if not path.exists():
            failures.append(f"{name} does not exist: {svc}-svc's document is not committed")
            continue
        committed = path.read_bytes()
        try:
            status, content_type, body = served(env(var))
        except OSError as e:
            failures.append(f"{svc}-svc: GET /openapi.json failed: {e}")
            continue
        if status != 200 or not content_type.startswith("application/json"):
            failures.append(f"{svc}-svc: GET /openapi.json answered {status} {content_type!r}")
            continue
        if body != committed:
            try:
                json.loads(body)
            except ValueError:
                failures.append(f"{svc}-svc serves a document that is not JSON")
                continue
            failures.append(f"{svc}-svc serves a document other than {name} "
                            f"({first_difference(committed.decode(errors='replace'), body.decode(errors='replace'))})")
            continue
        step("served", f"{svc}-svc serves {name} exactly ({len(body)} bytes)")
    for f in failures:
        print(f"FAIL {f}", flush=True)
    if failures:
        return 1
    print("PASS openapi_documents", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
