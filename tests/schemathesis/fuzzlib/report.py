"""The markdown section ``## Schemathesis`` from a run's results (fuzzlib.runtime dumps them),
or, with --check, only the verdict (exit 1 on any finding).

  report.py --mode smoke --examples 8 --results results.json --panics panics.txt
  report.py --check --results results.json
"""

import argparse
import json
import os
import sys

SERVICES = ("iam", "swr", "lakeformation", "tcr")
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "negative_data_rejection", "no_panic", "state_unchanged", "transport", "harness")


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def failed(results, panics):
    if results is None:
        return True
    return bool(results["findings"] or results["missing"] or results["derivation_errors"] or panics)


def _fence(text):
    return "```\n" + text.replace("```", "'''") + "\n```"


def render(args, results, panics):
    out = ["## Schemathesis", ""]
    if results is None:
        out += ["_No results: the run stopped before schemathesis finished (see pytest.log beside "
                f"{args.results})._"]
        return "\n".join(out)
    verdict = "FAILED" if failed(results, panics) else "passed"
    out += [f"Mode **{args.mode}**: up to {args.examples} generated examples per operation (valid and "
            "invalid inputs), each request authenticated as its operation's `security` says "
            "(X-Auth-Token, SDK-HMAC-SHA256, TC3-HMAC-SHA256; alternating when it allows several). "
            "Checks: no 5xx, status/content type/body as documented, requests the document calls invalid refused, no panic in the service's log, "
            "and a database unchanged by a refused (4xx) POST/PUT/PATCH/DELETE. "
            f"Verdict: **{verdict}**.", ""]
    stats = results["stats"]
    for svc in SERVICES:
        s = stats.get(svc)
        out += [f"### {svc}-svc", ""]
        if svc in results["missing"]:
            out += [f"**No document**: {results['missing'][svc]}. Not fuzzed.", ""]
            if not s or not s["requests"]:
                continue
        if not s or not s["operations"]:
            out += ["No operation was fuzzed.", ""]
            continue
        fails = s["failures"]
        out += ["| operations | requests sent | " + " | ".join(c for c in CHECKS) + " |",
                "|---:|---:|" + "---:|" * len(CHECKS),
                f"| {len(s['operations'])} | {s['requests']} | "
                + " | ".join(str(fails.get(c, 0)) for c in CHECKS) + " |", ""]
        seen = ", ".join(f"{k}: {v}" for k, v in sorted(s.get("statuses", {}).items()))
        out += [f"Statuses answered: {seen or 'none'}.", ""]
        schemes = s.get("schemes", {})
        if schemes:
            out += ["By authentication: " + "; ".join(
                f"{name} ({', '.join(f'{k}: {v}' for k, v in sorted(st.items()))})"
                for name, st in sorted(schemes.items())) + ".", ""]
        bad = sorted((op for op, o in s["operations"].items() if o["failures"]))
        if bad:
            out += ["Operations with failing requests: " + ", ".join(f"`{op}`" for op in bad), ""]
    derivation = results.get("derivation_errors") or {}
    if derivation:
        out += ["### tcr-svc document convention", ""]
        out += [f"- {k}: {v}" for k, v in sorted(derivation.items())] + [""]
    out += ["### Findings", ""]
    findings = results["findings"]
    if not findings and not panics:
        out += ["None.", ""]
    for i, f in enumerate(sorted(findings, key=lambda f: (f["service"], f["operation"], f["check"])), 1):
        out += [f"{i}. **{f['service']}-svc `{f['operation']}`: {f['check']}** "
                f"({f['count']} request(s){', auth ' + f['scheme'] if f.get('scheme') else ''})", ""]
        req = f.get("request")
        if req:
            out += ["   Request:", "", _indent(_fence(json.dumps(req, indent=1, ensure_ascii=False))), ""]
        resp = f.get("response")
        if resp:
            out += ["   Response:", "", _indent(_fence(json.dumps(resp, indent=1, ensure_ascii=False))), ""]
        out += ["   Check:", "", _indent(_fence(f["message"][:2000])), ""]
    if panics:
        out += ["Panics in the services' logs:", "", _fence("\n".join(panics[:20])), ""]
    notes = results.get("notes") or []
    out += ["### Notes", "",
            f"- The fuzzer's identity was made anew {results.get('identity_refreshes', 0)} time(s) "
            "(a generated request deleted, disabled or revoked part of it)"
            + (": after " + "; ".join(f"{why} ({n}x)" for why, n in sorted(
                (results.get("identity_remade_after") or {}).items())) if results.get("identity_remade_after") else "")
            + "."]
    out += [f"- {n}" for n in notes[:30]]
    if len(notes) > 30:
        out.append(f"- ... and {len(notes) - 30} more")
    out += ["- Excluded operations or parameters: none."]
    return "\n".join(out) + "\n"


def _indent(text):
    return "\n".join("   " + line for line in text.splitlines())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="full")
    ap.add_argument("--examples", default="?")
    ap.add_argument("--results", required=True)
    ap.add_argument("--panics", default="")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    results = load(args.results)
    panics = []
    if args.panics and os.path.exists(args.panics):
        with open(args.panics, errors="replace") as f:
            panics = [line.rstrip() for line in f if line.strip()]
    if args.check:
        if failed(results, panics):
            n = len(results["findings"]) if results else "?"
            print(f"schemathesis: FAILED ({n} distinct finding(s), "
                  f"{len((results or {}).get('missing', {}))} service(s) without a document)", file=sys.stderr)
            return 1
        print("schemathesis: no findings")
        return 0
    print(render(args, results, panics), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
