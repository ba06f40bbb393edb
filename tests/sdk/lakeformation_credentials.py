#!/usr/bin/env python3
"""End-to-end LakeFormation temporary-credential test using the unmodified Huawei Cloud SDKs.

Gets an admin token from iam-svc and creates a permanent access key (AK/SK) for the admin with
it. Then:

* lakeformation-svc through ``huaweicloudsdklakeformation`` (``LakeFormationClient`` with
  ``BasicCredentials(ak, sk, project_id)``): CreateLakeFormationInstance, ShowLakeFormationInstance
  (until RUNNING), ListLakeFormationInstances, and ShowCredential three times (body ``{}``,
  ``{"roles": ["member"]}``, no body) -> ``{access (20 chars), secret (40), security_token}``;
* swr-svc through ``huaweicloudsdkswr``: with the admin key, an instance and one long-term
  credential; then ListInstanceLtCredentials with
  ``BasicCredentials(access, secret, project_id).with_security_token(token)`` -> 200;
* refusals: the temporary AK without its token -> 401, a tampered token -> 401;
* revocation: ``POST /v1/{project_id}/credential-revocations`` ``{"access": ...}`` with the admin's
  X-Auth-Token -> 204, then the same SWR call is refused (401) within 10 s, while another
  credential that was not revoked still works;
* ShowCredential asking for a role the caller does not have -> 400/404 with a ``common.`` error
  code (also checked on the raw body: error_code, error_msg, solution_msg), and on an unknown
  instance -> 404;
* expiry is not tested here (the Rust tests use a short configured lifetime);
* cleanup through the APIs: SWR credential and instance, LakeFormation instance, admin key.

Wire facts used here are in docs/api/lakeformation-wire.md and docs/api/swr-wire.md.

Environment (see common.py): IAM_URL, SWR_URL, LAKEFORMATION_URL (e.g. http://127.0.0.1:8083),
IAM_ADMIN_DOMAIN, IAM_ADMIN_USER, IAM_ADMIN_PASSWORD, IAM_ADMIN_USER_ID, IAM_ADMIN_PROJECT_ID.

Prints one line per step; exits non-zero on the first failure.
"""

import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
import uuid

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkiam.v3 import ListPermanentAccessKeysRequest
from huaweicloudsdklakeformation.v1 import (
    CreateInstanceRequestBody as LfCreateInstanceRequestBody,
    CreateLakeFormationInstanceRequest,
    DeleteLakeFormationInstanceRequest,
    IdentityInput,
    LakeFormationClient,
    ListLakeFormationInstancesRequest,
    ShowCredentialRequest,
    ShowLakeFormationInstanceRequest,
)
from huaweicloudsdkswr.v2 import (
    CreateInstanceLtCredentialRequest,
    CreateInstanceRequest as SwrCreateInstanceRequest,
    CreateInstanceRequestBody as SwrCreateInstanceRequestBody,
    CreateLongTermCredentialRequestBody,
    DeleteInstanceLtCredentialRequest,
    DeleteInstanceRequest as SwrDeleteInstanceRequest,
    ListInstanceLtCredentialsRequest,
    ShowInstanceRequest as SwrShowInstanceRequest,
    SwrClient,
)

from common import (
    ADMIN_PROJECT_ID,
    ADMIN_USER,
    CODE_AND_MESSAGE,
    IAM_URL,
    LAKEFORMATION_URL,
    SWR_URL,
    admin_access_key,
    best_effort,
    delete_admin_access_key,
    expect_client_error,
    expect_status,
    iam_client,
    raw_json,
    run_test,
    step,
)

SWR_SPEC = "swr.ee.professional"
CHARGE_MODE = "postPaid"
ENTERPRISE_PROJECT_ID = "0"
RUNNING_TIMEOUT = float(os.environ.get("LF_RUNNING_TIMEOUT", "60"))
REVOKE_DEADLINE = 10.0   # revoked credentials must be refused within this many seconds
REVOKE_POLL_MAX = 12.0   # keep polling this long to report how late it was
REVOKE_POLL_EVERY = 0.5
DELETE_TIMEOUT = 30.0


# ---------------------------------------------------------------------------- clients

def basic(ak, sk, security_token=None):
    creds = BasicCredentials(ak, sk, ADMIN_PROJECT_ID)
    if security_token is not None:
        creds = creds.with_security_token(security_token)
    return creds


def lf_client(creds):
    return LakeFormationClient.new_builder().with_credentials(creds).with_endpoints([LAKEFORMATION_URL]).build()


def swr_client(creds):
    return SwrClient.new_builder().with_credentials(creds).with_endpoints([SWR_URL]).build()


# ---------------------------------------------------------------------------- helpers

# urllib without any proxy: the services run locally.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_json(method, url, token, body=None):
    """Plain HTTP with X-Auth-Token; returns (status, parsed JSON body or None, raw text)."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("X-Auth-Token", token)
    req.add_header("Content-Type", "application/json")
    try:
        with _opener.open(req, timeout=30) as r:
            status, text = r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text.strip() else None
    except ValueError:
        parsed = None
    return status, parsed, text


def show_credential(lf, instance_id, identity="empty"):
    """identity: "empty" -> body {} ; None -> no body ; IdentityInput -> that body."""
    if identity == "empty":
        return lf.show_credential(ShowCredentialRequest(instance_id=instance_id, body=IdentityInput()))
    if identity is None:
        return lf.show_credential(ShowCredentialRequest(instance_id=instance_id))
    return lf.show_credential(ShowCredentialRequest(instance_id=instance_id, body=identity))


def check_temp_credential(resp, what, admin_ak):
    expect_status(resp, 200, what)
    raw = raw_json(resp, what)
    for field in ("access", "secret", "security_token"):
        assert isinstance(raw.get(field), str), f"{what}: {field}={raw.get(field)!r} is not a JSON string"
    assert len(resp.access) == 20, f"{what}: access {resp.access!r} has {len(resp.access)} chars, want 20"
    assert len(resp.secret) == 40, f"{what}: secret has {len(resp.secret)} chars, want 40"
    assert resp.security_token, f"{what}: empty security_token"
    assert resp.access != admin_ak, f"{what}: access equals the admin's permanent AK"
    assert resp.secret not in resp.security_token, f"{what}: the secret appears in clear inside security_token"
    return resp.access, resp.secret, resp.security_token


def list_lt(swr, instance_id):
    return swr.list_instance_lt_credentials(ListInstanceLtCredentialsRequest(
        instance_id=instance_id, offset=0, limit=100))


def tamper(token):
    """Flip one character in the middle of the token."""
    i = len(token) // 2
    c = token[i]
    repl = "A" if c != "A" else "B"
    return token[:i] + repl + token[i + 1:]


def wait_running(show, what, ok_status, bad_status):
    deadline = time.monotonic() + RUNNING_TIMEOUT
    while True:
        resp = show()
        expect_status(resp, 200, what)
        status = (resp.status or "")
        if status.upper() == ok_status:
            return resp
        assert status.upper() not in bad_status, f"{what}: status={status!r}"
        assert time.monotonic() < deadline, f"{what}: status still {status!r} after {RUNNING_TIMEOUT}s"
        time.sleep(0.5)


# ---------------------------------------------------------------------------- the test

def run(state):
    suffix = secrets.token_hex(4)

    # 1. admin token and a permanent access key for the admin
    admin_token, ak, sk = admin_access_key(state, "sdk lakeformation_credentials test")
    lf = lf_client(basic(ak, sk))
    swr = swr_client(basic(ak, sk))
    state["lf"], state["swr"] = lf, swr

    # 2. LakeFormation instance: create, show until RUNNING, list
    lf_name = f"sdk-lf-{suffix}"
    resp = lf.create_lake_formation_instance(CreateLakeFormationInstanceRequest(body=LfCreateInstanceRequestBody(
        name=lf_name, charge_mode=CHARGE_MODE, shared=True,
        description="created by tests/sdk/lakeformation_credentials.py")))
    expect_status(resp, (200, 201, 202), "create lakeformation instance")
    assert resp.instance_id, "create lakeformation instance: empty instance_id"
    lf_instance = resp.instance_id
    state["lf_instance"] = lf_instance
    assert resp.name == lf_name, f"create lakeformation instance: name={resp.name!r}, want {lf_name!r}"
    raw = raw_json(resp, "create lakeformation instance")
    assert isinstance(raw.get("shared"), bool), f"create lakeformation instance: shared={raw.get('shared')!r} is not a JSON bool"
    step("create lakeformation instance", f"{resp.status_code} instance_id={lf_instance} status={resp.status}")

    resp = wait_running(lambda: lf.show_lake_formation_instance(ShowLakeFormationInstanceRequest(instance_id=lf_instance)),
                        "show lakeformation instance", "RUNNING",
                        ("RESOURCE_PREPARATION_FAIL", "DELETED", "DELETING", "RESOURCE_RELEASE"))
    assert resp.instance_id == lf_instance, f"show lakeformation instance: instance_id={resp.instance_id!r}"
    assert resp.name == lf_name, f"show lakeformation instance: name={resp.name!r}"
    raw = raw_json(resp, "show lakeformation instance")
    for tf in ("create_time", "update_time"):
        assert isinstance(raw.get(tf), str) and raw[tf].endswith("Z"), (
            f"show lakeformation instance: {tf}={raw.get(tf)!r} is not a UTC string ending in Z")
    step("show lakeformation instance", f"200 status={resp.status} create_time={raw.get('create_time')}")

    resp = lf.list_lake_formation_instances(ListLakeFormationInstancesRequest(offset=0, limit=100))
    expect_status(resp, 200, "list lakeformation instances")
    raw = raw_json(resp, "list lakeformation instances")
    assert isinstance(raw.get("total"), int) and not isinstance(raw.get("total"), bool), (
        f"list lakeformation instances: total={raw.get('total')!r} is not a JSON integer")
    mine = [i for i in (resp.instances or []) if i.instance_id == lf_instance]
    assert len(mine) == 1, f"list lakeformation instances: {lf_instance} appears {len(mine)} times"
    assert mine[0].name == lf_name, f"list lakeformation instances: name={mine[0].name!r}"
    assert resp.total >= len(resp.instances or []) >= 1, (
        f"list lakeformation instances: total={resp.total}, items={len(resp.instances or [])}")
    resp = lf.list_lake_formation_instances(ListLakeFormationInstancesRequest())
    expect_status(resp, 200, "list lakeformation instances (no query)")
    step("list lakeformation instances", f"200 total={raw['total']}; found by instance_id")

    # 3. temporary credentials: body {}, roles=["member"], no body
    resp = show_credential(lf, lf_instance, "empty")
    t_ak, t_sk, t_tok = check_temp_credential(resp, "show credential {}", ak)
    step("show credential {}", f"200 access={t_ak} secret=<40 chars> security_token=<{len(t_tok)} chars>")

    resp = show_credential(lf, lf_instance, IdentityInput(roles=["member"]))
    m_ak, _, m_tok = check_temp_credential(resp, "show credential roles=[member]", ak)
    assert m_ak != t_ak and m_tok != t_tok, "show credential roles=[member]: same access/token as the first issuance"
    step("show credential roles=[member]", f"200 access={m_ak}")

    resp = show_credential(lf, lf_instance, None)
    c_ak, c_sk, c_tok = check_temp_credential(resp, "show credential (no body)", ak)
    assert c_ak not in (t_ak, m_ak), "show credential (no body): access repeats"
    step("show credential (no body)", f"200 access={c_ak}")

    # 4. an SWR instance and one long-term credential, with the admin key
    swr_name = f"sdk-lf-{suffix}"
    resp = swr.create_instance(SwrCreateInstanceRequest(body=SwrCreateInstanceRequestBody(
        name=swr_name, description="created by tests/sdk/lakeformation_credentials.py", spec=SWR_SPEC,
        vpc_id=str(uuid.uuid4()), subnet_id=str(uuid.uuid4()), project_id=ADMIN_PROJECT_ID,
        charge_mode=CHARGE_MODE, enterprise_project_id=ENTERPRISE_PROJECT_ID)))
    expect_status(resp, (200, 201, 202), "create swr instance")
    assert resp.instance_id, "create swr instance: empty instance_id"
    swr_instance = resp.instance_id
    state["swr_instance"] = swr_instance
    wait_running(lambda: swr.show_instance(SwrShowInstanceRequest(instance_id=swr_instance)),
                 "show swr instance", "RUNNING", ("UNAVAILABLE", "FAILED", "ERROR"))
    resp = swr.create_instance_lt_credential(CreateInstanceLtCredentialRequest(
        instance_id=swr_instance, body=CreateLongTermCredentialRequestBody(name="lf-ci")))
    expect_status(resp, 201, "create swr long-term credential")
    assert resp.token_id, "create swr long-term credential: empty token_id"
    state["swr_token"] = resp.token_id
    lt_token_id = resp.token_id
    step("swr instance + credential (admin key)", f"instance_id={swr_instance} token_id={lt_token_id}")

    # 5. list it with the temporary credentials (X-Security-Token, signed)
    swr_tmp = swr_client(basic(t_ak, t_sk, t_tok))
    resp = list_lt(swr_tmp, swr_instance)
    expect_status(resp, 200, "swr list with temporary credentials")
    ids = [t.token_id for t in (resp.auth_tokens or [])]
    assert lt_token_id in ids, f"swr list with temporary credentials: {lt_token_id} not in {ids}"
    assert resp.total == len(ids) == 1, f"swr list with temporary credentials: total={resp.total} items={len(ids)}"
    step("swr list with temporary credentials", f"200 total={resp.total} (AK {t_ak} + X-Security-Token)")

    # 5b. iam-svc accepts them too (it asks lakeformation-svc): list the caller's own keys
    iam_tmp = iam_client(basic(t_ak, t_sk, t_tok))
    resp = iam_tmp.list_permanent_access_keys(ListPermanentAccessKeysRequest())
    expect_status(resp, 200, "iam list with temporary credentials")
    assert ak in [k.access for k in (resp.credentials or [])], "iam list with temporary credentials: admin key missing"
    step("iam list with temporary credentials", f"200 ({len(resp.credentials)} permanent keys of the caller)")

    # 6. refusals
    e = expect_client_error(lambda: list_lt(swr_client(basic(t_ak, t_sk)), swr_instance), 401,
                            "temporary AK without its security token", body=CODE_AND_MESSAGE)
    step("refusal: temporary AK without token", f"401 {e.error_code} {e.error_msg!r}")

    bad_tok = tamper(t_tok)
    assert bad_tok != t_tok
    e = expect_client_error(lambda: list_lt(swr_client(basic(t_ak, t_sk, bad_tok)), swr_instance), 401,
                            "tampered security token", body=CODE_AND_MESSAGE)
    step("refusal: tampered token", f"401 {e.error_code} {e.error_msg!r} (char {len(t_tok) // 2} flipped)")

    e = expect_client_error(lambda: list_lt(swr_client(basic(t_ak, t_sk, c_tok)), swr_instance), 401,
                            "another credential's security token", body=CODE_AND_MESSAGE)
    step("refusal: token of another credential", f"401 {e.error_code}")

    resp = list_lt(swr_tmp, swr_instance)
    expect_status(resp, 200, "swr list with temporary credentials (after refusals)")
    step("temporary credentials still valid", "200")

    # 7. ShowCredential refusals (LakeFormation envelope)
    e = expect_client_error(lambda: show_credential(lf, lf_instance, IdentityInput(roles=["nonexistent-role"])),
                            (400, 404), "show credential roles=[nonexistent-role]",
                            body=CODE_AND_MESSAGE, code_prefix="common.")
    status, body, text = http_json(
        "POST", f"{LAKEFORMATION_URL}/v1/{ADMIN_PROJECT_ID}/instances/{lf_instance}/credential",
        admin_token, {"roles": ["nonexistent-role"]})
    assert status in (400, 404), f"raw show credential roles=[nonexistent-role]: HTTP {status}: {text[:300]}"
    assert isinstance(body, dict), f"raw show credential roles=[nonexistent-role]: body is not a JSON object: {text[:300]}"
    for field in ("error_code", "error_msg", "solution_msg"):
        assert isinstance(body.get(field), str) and body[field], (
            f"raw show credential roles=[nonexistent-role]: {field}={body.get(field)!r} (want a non-empty string)")
    assert body["error_code"].startswith("common."), f"raw: error_code={body['error_code']!r}"
    step("refusal: unknown role", f"{e.status_code} {e.error_code} {e.error_msg!r}; solution_msg present")

    e = expect_client_error(lambda: show_credential(lf, str(uuid.uuid4()), "empty"), 404,
                            "show credential on unknown instance", body=CODE_AND_MESSAGE,
                            code_prefix="common.")
    step("refusal: unknown instance", f"404 {e.error_code}")

    # 8. revoke the first temporary credential
    status, body, text = http_json(
        "POST", f"{LAKEFORMATION_URL}/v1/{ADMIN_PROJECT_ID}/credential-revocations", admin_token,
        {"access": t_ak})
    assert status == 204, f"revoke {t_ak}: expected HTTP 204, got {status}: {text[:300]}"
    revoked_at = time.monotonic()
    refused_after = None
    last = None
    while time.monotonic() - revoked_at < REVOKE_POLL_MAX:
        try:
            resp = list_lt(swr_tmp, swr_instance)
            last = f"HTTP {resp.status_code}"
        except ClientRequestException as ex:
            if ex.status_code == 401:
                refused_after = time.monotonic() - revoked_at
                e = ex
                break
            raise
        time.sleep(REVOKE_POLL_EVERY)
    assert refused_after is not None, f"revoked credential still accepted after {REVOKE_POLL_MAX}s (last: {last})"
    assert refused_after <= REVOKE_DEADLINE, (
        f"revoked credential refused only after {refused_after:.1f}s (limit {REVOKE_DEADLINE}s)")
    assert e.error_code and str(e.error_code) != "401" and e.error_msg, (
        f"revoked credential: 401 without error_code/error_msg body ({e.error_code!r})")
    step("revocation", f"204; SWR refuses {t_ak} after {refused_after:.1f}s: 401 {e.error_code} {e.error_msg!r}")

    resp = list_lt(swr_client(basic(c_ak, c_sk, c_tok)), swr_instance)
    expect_status(resp, 200, "swr list with a credential that was not revoked")
    step("other credential unaffected", f"200 with {c_ak}")

    print("skip expiry: covered by the Rust tests with a short configured lifetime", flush=True)

    # 9. cleanup through the APIs
    resp = swr.delete_instance_lt_credential(DeleteInstanceLtCredentialRequest(
        instance_id=swr_instance, credential_id=lt_token_id))
    expect_status(resp, 204, "delete swr credential")
    state.pop("swr_token")
    resp = swr.delete_instance(SwrDeleteInstanceRequest(instance_id=swr_instance))
    expect_status(resp, (200, 202, 204), "delete swr instance")
    state.pop("swr_instance")

    resp = lf.delete_lake_formation_instance(DeleteLakeFormationInstanceRequest(instance_id=lf_instance))
    expect_status(resp, (200, 202, 204), "delete lakeformation instance")
    lf_delete_status = resp.status_code
    state.pop("lf_instance")
    deadline = time.monotonic() + DELETE_TIMEOUT
    gone = None
    while gone is None:
        try:
            r = lf.show_lake_formation_instance(ShowLakeFormationInstanceRequest(instance_id=lf_instance))
            if (r.status or "").upper() == "DELETED":
                gone = "status DELETED"
        except ClientRequestException as ex:
            assert ex.status_code == 404, f"show deleted lakeformation instance: HTTP {ex.status_code} {ex.error_code}"
            gone = f"404 {ex.error_code}"
        if gone is None:
            assert time.monotonic() < deadline, f"lakeformation instance still present {DELETE_TIMEOUT}s after delete"
            time.sleep(0.5)

    delete_admin_access_key(state)
    step("cleanup", f"swr credential + instance deleted; lakeformation delete {lf_delete_status}, then {gone}; "
                    "admin key deleted")


def best_effort_cleanup(state):
    """After a failure, remove what was created (errors ignored)."""
    actions = []
    swr, lf = state.get("swr"), state.get("lf")
    if swr is not None and state.get("swr_instance"):
        if state.get("swr_token"):
            actions.append(lambda: swr.delete_instance_lt_credential(DeleteInstanceLtCredentialRequest(
                instance_id=state["swr_instance"], credential_id=state["swr_token"])))
        actions.append(lambda: swr.delete_instance(SwrDeleteInstanceRequest(instance_id=state["swr_instance"])))
    if lf is not None and state.get("lf_instance"):
        actions.append(lambda: lf.delete_lake_formation_instance(
            DeleteLakeFormationInstanceRequest(instance_id=state["lf_instance"])))
    best_effort(actions)


if __name__ == "__main__":
    sys.exit(run_test("lakeformation_credentials",
                      f"LAKEFORMATION_URL={LAKEFORMATION_URL} SWR_URL={SWR_URL} IAM_URL={IAM_URL} user={ADMIN_USER}",
                      run, best_effort_cleanup))
