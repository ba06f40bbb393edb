#!/usr/bin/env python3
"""Prepare what the benchmark cases need on a freshly started stack, and check each path
once so a case that would only measure refusals fails here, with the answer, instead.

    bench/setup.py OUT_DIR POOL_SIZE

Reads the stack's environment (IAM_URL, SWR_URL, TCR_URL, LAKEFORMATION_URL and the
IAM_ADMIN_* values of the bootstrap env file) and writes into OUT_DIR:

    setup.env     shell assignments (sourced by scripts/bench.sh)
    login.json    a password login body for the admin
    check.json    a signature check body for /internal/v1/signature-checks
    lf-body.json  the body of a LakeFormation credential request ({})
    pool.txt      POOL_SIZE swr instance ids, one a line, for the durable creates

Only the standard library: it runs on a fresh machine.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

E = os.environ
PROJECT = E["IAM_ADMIN_PROJECT_ID"]


def call(method, url, body=None, headers=None, expect=(200, 201, 202, 204)):
    """One HTTP request; returns (status, headers, parsed JSON or None). Dies on surprise."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    hdrs = {"Content-Type": "application/json"} if data is not None else {}
    hdrs.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=hdrs, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, resp_headers, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, resp_headers, raw = err.code, err.headers, err.read()
    if status not in expect:
        sys.exit(f"setup: {method} {url} answered {status}: {raw[:300]!r}")
    return status, resp_headers, (json.loads(raw) if raw else None)


def sdk_signed_headers(ak, sk, method, url, body=b""):
    """Huawei SDK-HMAC-SHA256 headers for a project-scoped request (the same signer the
    wrk script sdk-signed-get.lua implements), to check the path before the load runs."""
    parts = urlsplit(url)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    signed = {"host": parts.netloc, "x-project-id": PROJECT, "x-sdk-date": date}
    canonical = "\n".join([
        method, parts.path.rstrip("/") + "/", parts.query,
        "".join(f"{k}:{v}\n" for k, v in sorted(signed.items())),
        ";".join(sorted(signed)), hashlib.sha256(body).hexdigest()])
    sts = f"SDK-HMAC-SHA256\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    sig = hmac.new(sk.encode(), sts.encode(), hashlib.sha256).hexdigest()
    return {"X-Project-Id": PROJECT, "X-Sdk-Date": date,
            "Authorization": f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(sorted(signed))}, Signature={sig}"}


def tc3(secret_id, secret_key, action, params):
    """A TC3-HMAC-SHA256 signed tcr-svc action (what tc3-post.lua does); returns Response."""
    url = E["TCR_URL"] + "/"
    body = json.dumps(params).encode()
    host = urlsplit(url).netloc
    ts = int(time.time())
    date = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d")
    canonical = (f"POST\n/\n\ncontent-type:application/json\nhost:{host}\n\ncontent-type;host\n"
                 + hashlib.sha256(body).hexdigest())
    scope = f"{date}/tcr/tc3_request"
    sts = f"TC3-HMAC-SHA256\n{ts}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = ("TC3" + secret_key).encode()
    for part in (date, "tcr", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    headers = {"Host": host, "X-TC-Action": action, "X-TC-Version": "2019-09-24",
               "X-TC-Timestamp": str(ts), "X-TC-Region": "ap-guangzhou",
               "Authorization": f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
                                f"SignedHeaders=content-type;host, Signature={sig}"}
    _, _, answer = call("POST", url, body, headers)
    response = answer["Response"]
    if "Error" in response:
        sys.exit(f"setup: tcr {action}: {response['Error']}")
    return response


def main():
    out, pool_size = sys.argv[1], int(sys.argv[2])
    iam, swr, lf = E["IAM_URL"], E["SWR_URL"], E["LAKEFORMATION_URL"]
    values = {}

    # A project-scoped admin token (one PBKDF2 at the configured cost).
    login = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "domain": {"name": E["IAM_ADMIN_DOMAIN"]}, "name": E["IAM_ADMIN_USER"],
        "password": E["IAM_ADMIN_PASSWORD"]}}},
        "scope": {"project": {"id": PROJECT}}}}
    _, headers, _ = call("POST", iam + "/v3/auth/tokens?nocatalog", login)
    token = headers["X-Subject-Token"]
    auth = {"X-Auth-Token": token}
    values["TOKEN"] = token

    # The admin's permanent access key: signs the SWR list (SDK-HMAC) and the TCR actions (TC3).
    _, _, key = call("POST", iam + "/v3.0/OS-CREDENTIAL/credentials",
                     {"credential": {"user_id": E["IAM_ADMIN_USER_ID"], "description": "bench"}}, auth)
    ak, sk = key["credential"]["access"], key["credential"]["secret"]
    values.update(AK=ak, SK=sk)
    sts = "SDK-HMAC-SHA256\n20240101T000000Z\n" + hashlib.sha256(b"bench").hexdigest()
    check = {"algorithm": "SDK-HMAC-SHA256", "access": ak, "string_to_sign": sts,
             "signature": hmac.new(sk.encode(), sts.encode(), hashlib.sha256).hexdigest(),
             "project_id": PROJECT,
             # wrk sends this one check again and again: measured as a read that may repeat,
             # it costs the MAC check alone (an accepted-once write is measured by the TC3 case).
             "replay": "repeatable"}

    # swr-svc: one instance with 10 credentials to list, a pool for the durable creates,
    # and the instance the growth cases fill with seeded rows.
    base = f"{swr}/v2/{PROJECT}/instances"
    instance = lambda name: call("POST", base, {"name": name}, auth)[2]["instance_id"]
    list_id = instance("bench-list")
    for i in range(10):
        _, _, cred = call("POST", f"{base}/{list_id}/long-term-credential", {"name": f"listed{i}"}, auth)
    values.update(SWR_LIST_INSTANCE=list_id, SWR_USER=cred["user_id"], SWR_SECRET=cred["auth_token"])
    values["SWR_BIG_INSTANCE"] = instance("bench-growth")
    pool = [instance(f"bench-pool-{i:04d}") for i in range(pool_size)]

    # The signed list must be accepted before wrk replays the same signer at load.
    list_url = f"{base}/{list_id}/long-term-credentials"
    _, _, listed = call("GET", list_url, headers=sdk_signed_headers(ak, sk, "GET", list_url))
    assert listed["total"] == 10, listed

    # Registry login: Basic user_id:auth_token and a push+pull scope in a namespace of the
    # credential's instance (a repository elsewhere would be granted nothing).
    call("POST", f"{base}/{list_id}/namespaces",
         {"namespace_name": "library", "metadata": {"public": "false"}}, auth)
    basic = base64.b64encode(f"{values['SWR_USER']}:{values['SWR_SECRET']}".encode()).decode()
    values["SWR_BASIC"] = "Basic " + basic
    values["SWR_TOKEN_QUERY"] = "service=swr-registry&scope=repository:library/app:pull,push"
    _, _, answer = call("GET", f"{swr}/service/token?{values['SWR_TOKEN_QUERY']}",
                        headers={"Authorization": values["SWR_BASIC"]})
    claims = answer["token"].split(".")[1]
    access = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["access"]
    assert access and access[0]["actions"], f"registry token grants nothing: {access}"

    # lakeformation-svc: an instance whose credential endpoint the create case calls.
    _, _, lfi = call("POST", f"{lf}/v1/{PROJECT}/instances", {"name": "bench_lf"}, auth)
    values["LF_INSTANCE"] = lfi["instance_id"]
    call("POST", f"{lf}/v1/{PROJECT}/instances/{lfi['instance_id']}/credential", {}, auth)

    # tcr-svc: a registry of the admin's account (TC3 with the same access key).
    reg = tc3(ak, sk, "CreateInstance", {"RegistryName": "bench-tcr", "RegistryType": "basic"})
    values["TCR_REGISTRY"] = reg["RegistryId"]
    values["TCR_BODY"] = json.dumps({"RegistryId": reg["RegistryId"], "TokenType": "longterm",
                                     "Desc": "bench"}, separators=(",", ":"))
    tc3(ak, sk, "CreateInstanceToken", json.loads(values["TCR_BODY"]))

    with open(os.path.join(out, "login.json"), "w") as f:
        json.dump(login, f)
    with open(os.path.join(out, "check.json"), "w") as f:
        json.dump(check, f)
    with open(os.path.join(out, "lf-body.json"), "w") as f:
        f.write("{}")
    with open(os.path.join(out, "pool.txt"), "w") as f:
        f.write("\n".join(pool) + "\n")
    with open(os.path.join(out, "setup.env"), "w") as f:
        for k, v in values.items():
            f.write(f"BENCH_{k}='{v}'\n")


if __name__ == "__main__":
    main()
