#!/usr/bin/env python3
"""End-to-end SWR Enterprise Edition test for swr-svc using the unmodified Huawei Cloud SDK.

Gets an admin token from iam-svc and creates a permanent access key (AK/SK) for the admin
with it. It then drives swr-svc through ``huaweicloudsdkswr`` (``SwrClient`` with
``BasicCredentials(ak, sk, project_id)``, so every request is SDK-HMAC-SHA256 signed):

* instances: CreateInstance, ShowInstance (until ``status`` is Running), ListInstance;
* long-term credentials: CreateInstanceLtCredential (x3), ListInstanceLtCredentials
  (offset/limit pages, no ``auth_token`` in the list), UpdateInstanceLtCredential
  (``enable: false``), DeleteInstanceLtCredential;
* refusals: bad names -> 400, duplicate name -> 409 (or 400), unknown instance/credential
  -> 404, wrong secret -> 401, each with its ``SVCSTG.SWR.`` error code;
* CreateInstanceTempCredential, which the long-term Update and Delete do not find (404);
* cleanup through the API: credentials, instance (then 404), admin access key.

Wire facts used here are in docs/api/swr-wire.md.

Environment (see common.py): IAM_URL, SWR_URL (e.g. http://127.0.0.1:8082), IAM_ADMIN_DOMAIN,
IAM_ADMIN_USER, IAM_ADMIN_PASSWORD, IAM_ADMIN_USER_ID, IAM_ADMIN_PROJECT_ID.

Prints one line per step; exits non-zero on the first failure.
"""

import os
import re
import secrets
import sys
import time
import uuid
from datetime import datetime, timezone
from functools import partial

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkswr.v2 import (
    CreateInstanceLtCredentialRequest,
    CreateInstanceRequest,
    CreateInstanceRequestBody,
    CreateInstanceTempCredentialRequest,
    CreateLongTermCredentialRequestBody,
    DeleteInstanceLtCredentialRequest,
    DeleteInstanceRequest,
    ListInstanceLtCredentialsRequest,
    ListInstanceRequest,
    ShowInstanceRequest,
    SwrClient,
    UpdateInstanceLtCredentialRequest,
    UpdateLongTermCredentialRequestBody,
)

from common import (
    ADMIN_PROJECT_ID,
    ADMIN_USER,
    ADMIN_USER_ID,
    CODE_AND_MESSAGE,
    IAM_URL,
    SWR_URL,
    admin_access_key,
    best_effort,
    delete_admin_access_key,
    expect_client_error,
    expect_status,
    raw_json,
    run_test,
    step,
)

SPEC = "swr.ee.professional"
CHARGE_MODE = "postPaid"
ENTERPRISE_PROJECT_ID = "0"
RUNNING_TIMEOUT = float(os.environ.get("SWR_RUNNING_TIMEOUT", "60"))

# RFC 3339 UTC with an optional fraction, e.g. 2023-10-20T15:30:00Z or 2021-03-16T03:05:41.863418Z
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
CRED_NAMES = ["ci-a", "ci-b", "ci-c"]
# Each breaks ^[a-z0-9]+([._-][a-z0-9]+)*$ or the 1-64 length rule.
BAD_NAMES = ["Bad_Name", "", "-ab", "ab-", "a..b", "a_-b", "a b", "x" * 65]


# ---------------------------------------------------------------------------- clients

def swr_client(ak, sk, project_id=ADMIN_PROJECT_ID):
    return (SwrClient.new_builder()
            .with_credentials(BasicCredentials(ak, sk, project_id))
            .with_endpoints([SWR_URL])
            .build())


# ---------------------------------------------------------------------------- helpers

# swr-svc's refusals carry an error body of their own with an SVCSTG.SWR. code; the refusal of a
# wrong signature, below, is checked without the prefix.
expect_swr_error = partial(expect_client_error, body=CODE_AND_MESSAGE, code_prefix="SVCSTG.SWR.")


def parse_time(value, what):
    assert isinstance(value, str) and TIME_RE.match(value), (
        f"{what}: {value!r} is not YYYY-MM-DDTHH:MM:SS[.fraction]Z")
    base = value[:19]
    return datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)


def show_instance(swr, instance_id):
    return swr.show_instance(ShowInstanceRequest(instance_id=instance_id))


def create_cred(swr, instance_id, name):
    return swr.create_instance_lt_credential(CreateInstanceLtCredentialRequest(
        instance_id=instance_id, body=CreateLongTermCredentialRequestBody(name=name)))


def list_creds(swr, instance_id, offset=None, limit=None, self_only=None):
    return swr.list_instance_lt_credentials(ListInstanceLtCredentialsRequest(
        instance_id=instance_id, offset=offset, limit=limit, self_only=self_only))


def update_cred(swr, instance_id, token_id, enable):
    return swr.update_instance_lt_credential(UpdateInstanceLtCredentialRequest(
        instance_id=instance_id, credential_id=token_id,
        body=UpdateLongTermCredentialRequestBody(enable=enable)))


def delete_cred(swr, instance_id, token_id):
    return swr.delete_instance_lt_credential(DeleteInstanceLtCredentialRequest(
        instance_id=instance_id, credential_id=token_id))


def check_issued(resp, what, secrets_seen):
    """Fields of a CreateInstanceLtCredential / CreateInstanceTempCredential response."""
    assert resp.auth_token, f"{what}: empty auth_token"
    assert resp.auth_token not in secrets_seen, f"{what}: auth_token repeats an earlier one"
    assert resp.token_id, f"{what}: empty token_id"
    assert resp.user_id == ADMIN_USER_ID, f"{what}: user_id={resp.user_id!r}, want {ADMIN_USER_ID!r}"
    created = parse_time(resp.created_at, f"{what} created_at")
    expires = parse_time(resp.expire_date, f"{what} expire_date")
    assert expires > created, f"{what}: expire_date {resp.expire_date} is not after created_at {resp.created_at}"
    now = datetime.now(timezone.utc)
    assert abs((now - created).total_seconds()) < 600, f"{what}: created_at {resp.created_at} is not now ({now})"
    secrets_seen.add(resp.auth_token)


def list_page(swr, instance_id, offset, limit, what, secrets_seen):
    """One page of ListInstanceLtCredentials, checked against the raw JSON; returns (total, items)."""
    resp = list_creds(swr, instance_id, offset=offset, limit=limit)
    expect_status(resp, 200, what)
    raw = raw_json(resp, what)
    text = resp.raw_content.decode("utf-8")
    assert isinstance(raw.get("total"), int) and not isinstance(raw.get("total"), bool), (
        f"{what}: total={raw.get('total')!r} is not a JSON integer")
    items = raw.get("auth_tokens")
    assert isinstance(items, list), f"{what}: auth_tokens={items!r} is not a list"
    for item in items:
        assert "auth_token" not in item, f"{what}: list item {item.get('name')!r} carries auth_token"
        assert isinstance(item.get("enable"), bool), f"{what}: enable={item.get('enable')!r} is not a JSON bool"
        assert item.get("instance_id") == instance_id, (
            f"{what}: instance_id={item.get('instance_id')!r}, want {instance_id!r}")
        assert item.get("user_id") == ADMIN_USER_ID, f"{what}: user_id={item.get('user_id')!r}"
        assert item.get("token_id") and item.get("name"), f"{what}: item without token_id/name: {item}"
        parse_time(item.get("created_at"), f"{what} {item.get('name')} created_at")
        parse_time(item.get("expire_date"), f"{what} {item.get('name')} expire_date")
    for s in secrets_seen:
        assert s not in text, f"{what}: a credential password appears in the list response"
    # The SDK model agrees with the raw JSON.
    assert resp.total == raw["total"], f"{what}: model total {resp.total} != raw {raw['total']}"
    assert [t.token_id for t in (resp.auth_tokens or [])] == [i["token_id"] for i in items], (
        f"{what}: model auth_tokens differ from the raw JSON")
    return raw["total"], items


# ---------------------------------------------------------------------------- the test

def run(state):
    suffix = secrets.token_hex(4)
    secrets_seen = set()

    # 1. admin token and a permanent access key for the admin
    _, ak, sk = admin_access_key(state, "sdk swr_credentials test")
    swr = swr_client(ak, sk)
    state["swr"] = swr

    # 2. instance: create, show until Running, list
    inst_name = f"sdk-swr-{suffix}"
    vpc_id, subnet_id = str(uuid.uuid4()), str(uuid.uuid4())
    resp = swr.create_instance(CreateInstanceRequest(body=CreateInstanceRequestBody(
        name=inst_name, description="created by tests/sdk/swr_credentials.py", spec=SPEC,
        vpc_id=vpc_id, subnet_id=subnet_id, project_id=ADMIN_PROJECT_ID, charge_mode=CHARGE_MODE,
        enterprise_project_id=ENTERPRISE_PROJECT_ID)))
    expect_status(resp, (200, 201, 202), "create instance")
    assert resp.instance_id, "create instance: empty instance_id"
    instance_id = resp.instance_id
    state["instance_id"] = instance_id
    step("create instance", f"{resp.status_code} instance_id={instance_id} job_id={resp.job_id!r}")

    deadline = time.monotonic() + RUNNING_TIMEOUT
    while True:
        resp = show_instance(swr, instance_id)
        expect_status(resp, 200, "show instance")
        status = resp.status or ""
        if status.lower() == "running":
            break
        assert status.lower() not in ("unavailable", "failed", "error"), f"show instance: status={status!r}"
        assert time.monotonic() < deadline, f"show instance: status still {status!r} after {RUNNING_TIMEOUT}s"
        time.sleep(0.5)
    assert resp.id == instance_id, f"show instance: id={resp.id!r}, want {instance_id!r}"
    assert resp.name == inst_name, f"show instance: name={resp.name!r}, want {inst_name!r}"
    assert resp.spec == SPEC, f"show instance: spec={resp.spec!r}, want {SPEC!r}"
    parse_time(resp.created_at, "show instance created_at")
    step("show instance", f"200 status={resp.status} name={resp.name} spec={resp.spec} created_at={resp.created_at}")

    resp = swr.list_instance(ListInstanceRequest(offset=0, limit=100))
    expect_status(resp, 200, "list instances")
    raw = raw_json(resp, "list instances")
    assert isinstance(raw.get("total"), int) and not isinstance(raw.get("total"), bool), (
        f"list instances: total={raw.get('total')!r} is not a JSON integer")
    mine = [i for i in (resp.instances or []) if i.id == instance_id]
    assert len(mine) == 1, f"list instances: instance {instance_id} appears {len(mine)} times"
    assert mine[0].name == inst_name and mine[0].status and mine[0].status.lower() == "running", (
        f"list instances: name={mine[0].name!r} status={mine[0].status!r}")
    assert resp.total >= len(resp.instances or []) >= 1, f"list instances: total={resp.total}, items={len(resp.instances or [])}"
    resp1 = swr.list_instance(ListInstanceRequest(offset=0, limit=1))
    expect_status(resp1, 200, "list instances limit=1")
    assert len(resp1.instances or []) == 1, f"list instances limit=1: {len(resp1.instances or [])} items"
    assert resp1.total == resp.total, f"list instances limit=1: total {resp1.total} != {resp.total}"
    resp2 = swr.list_instance(ListInstanceRequest(offset=0, limit=100, status=mine[0].status))
    expect_status(resp2, 200, "list instances status filter")
    assert any(i.id == instance_id for i in (resp2.instances or [])), "list instances ?status: instance missing"
    step("list instances", f"200 total={resp.total}; limit=1 gives 1 item; ?status={mine[0].status} finds it")

    # 3. three long-term credentials
    creds = {}
    state["tokens"] = []
    for name in CRED_NAMES:
        resp = create_cred(swr, instance_id, name)
        expect_status(resp, 201, f"create credential {name}")
        check_issued(resp, f"create credential {name}", secrets_seen)
        assert resp.token_id not in [c.token_id for c in creds.values()], f"create credential {name}: token_id repeats"
        creds[name] = resp
        state["tokens"].append(resp.token_id)
    c = creds["ci-a"]
    step("create 3 credentials", f"201 x3; e.g. token_id={c.token_id} user_id={c.user_id} "
                                 f"created_at={c.created_at} expire_date={c.expire_date}")

    # 4. pages of 2
    total1, page1 = list_page(swr, instance_id, 0, 2, "list offset=0 limit=2", secrets_seen)
    total2, page2 = list_page(swr, instance_id, 2, 2, "list offset=2 limit=2", secrets_seen)
    assert total1 == 3 and total2 == 3, f"list pages: total={total1}/{total2}, want 3"
    assert len(page1) == 2 and len(page2) == 1, f"list pages: sizes {len(page1)}/{len(page2)}, want 2/1"
    ids1 = [i["token_id"] for i in page1]
    ids2 = [i["token_id"] for i in page2]
    assert not set(ids1) & set(ids2), f"list pages overlap: {ids1} / {ids2}"
    by_id = {c.token_id: (n, c) for n, c in creds.items()}
    assert set(ids1 + ids2) == set(by_id), f"list pages: {ids1 + ids2} != created {sorted(by_id)}"
    for item in page1 + page2:
        name, created = by_id[item["token_id"]]
        assert item["name"] == name, f"list: token {item['token_id']} name={item['name']!r}, want {name!r}"
        assert item["enable"] is True, f"list: {name} enable={item['enable']!r}, want true"
        assert item["created_at"] == created.created_at and item["expire_date"] == created.expire_date, (
            f"list: {name} times {item['created_at']}/{item['expire_date']} differ from create "
            f"{created.created_at}/{created.expire_date}")
    _, again = list_page(swr, instance_id, 0, 2, "list offset=0 limit=2 again", secrets_seen)
    assert [i["token_id"] for i in again] == ids1, f"list order not stable: {ids1} then {[i['token_id'] for i in again]}"
    total_all, all_items = list_page(swr, instance_id, None, None, "list (defaults)", secrets_seen)
    assert total_all == 3 and [i["token_id"] for i in all_items] == ids1 + ids2, (
        f"list (defaults): total={total_all}, order {[i['token_id'] for i in all_items]} != {ids1 + ids2}")
    step("list pages", f"total=3; [0:2]={[by_id[i][0] for i in ids1]} [2:]={[by_id[i][0] for i in ids2]}; "
                       "stable, no overlap, no auth_token")

    # 5. disable ci-b
    b = creds["ci-b"].token_id
    resp = update_cred(swr, instance_id, b, False)
    expect_status(resp, (200, 201, 204), "update ci-b enable=false")
    _, items = list_page(swr, instance_id, 0, 100, "list after disable", secrets_seen)
    enabled = {i["name"]: i["enable"] for i in items}
    assert enabled == {"ci-a": True, "ci-b": False, "ci-c": True}, f"list after disable: enable={enabled}"
    step("update credential", f"{resp.status_code}; list shows ci-b enable=false, others true")

    # 6. delete ci-c
    cc = creds["ci-c"].token_id
    resp = delete_cred(swr, instance_id, cc)
    expect_status(resp, 204, "delete ci-c")
    state["tokens"].remove(cc)
    total, items = list_page(swr, instance_id, 0, 100, "list after delete", secrets_seen)
    assert total == 2 and sorted(i["name"] for i in items) == ["ci-a", "ci-b"], (
        f"list after delete: total={total} names={[i['name'] for i in items]}")
    e = expect_swr_error(lambda: delete_cred(swr, instance_id, cc), 404, "delete ci-c again",
                         code_prefix="SVCSTG.SWR.4048002")
    step("delete credential", f"204; 2 left; delete again -> 404 {e.error_code}")

    # 7. refusals
    for bad in BAD_NAMES:
        e = expect_swr_error(lambda: create_cred(swr, instance_id, bad), 400, f"create name {bad!r}",
                             code_prefix="SVCSTG.SWR.4001008")
        if bad == "Bad_Name":
            first = e
    total, _ = list_page(swr, instance_id, 0, 100, "list after bad names", secrets_seen)
    assert total == 2, f"list after bad names: total={total}, want 2"
    step("refusal: bad names", f"400 for {len(BAD_NAMES)} names; Bad_Name -> {first.error_code} {first.error_msg!r}")

    e = expect_swr_error(lambda: create_cred(swr, instance_id, "ci-a"), 409, "duplicate name ci-a",
                         code_prefix="SVCSTG.SWR.4098001")
    total, _ = list_page(swr, instance_id, 0, 100, "list after duplicate", secrets_seen)
    assert total == 2, f"list after duplicate: total={total}, want 2"
    step("refusal: duplicate name", f"{e.status_code} {e.error_code} {e.error_msg!r}")

    ghost = str(uuid.uuid4())
    e = expect_swr_error(lambda: create_cred(swr, ghost, "ci-x"), 404, "create on unknown instance",
                         code_prefix="SVCSTG.SWR.4048001")
    expect_swr_error(lambda: list_creds(swr, ghost), 404, "list on unknown instance")
    expect_swr_error(lambda: show_instance(swr, ghost), 404, "show unknown instance")
    expect_swr_error(lambda: update_cred(swr, instance_id, str(uuid.uuid4()), True), 404,
                     "update unknown credential")
    step("refusal: unknown ids", f"404 {e.error_code} (create/list/show instance, update credential)")

    wrong_sk = sk[:-1] + ("A" if sk[-1] != "A" else "B")
    e = expect_client_error(lambda: list_creds(swr_client(ak, wrong_sk), instance_id), 401, "wrong secret",
                            body=CODE_AND_MESSAGE, code_prefix="SVCSTG.SWR.4010000")
    step("refusal: wrong secret", f"401 {e.error_code} {e.error_msg!r}")

    # 8. temporary credential
    resp = swr.create_instance_temp_credential(CreateInstanceTempCredentialRequest(instance_id=instance_id))
    expect_status(resp, (200, 201), "temp credential")
    check_issued(resp, "temp credential", secrets_seen)
    total, items = list_page(swr, instance_id, 0, 100, "list after temp credential", secrets_seen)
    assert total == 2, f"list after temp credential: total={total}, want 2 (temp is not long-term)"
    expect_swr_error(lambda: swr.create_instance_temp_credential(
        CreateInstanceTempCredentialRequest(instance_id=ghost)), 404, "temp credential on unknown instance")
    temp_id = resp.token_id
    for enable in (False, True):
        expect_swr_error(lambda: update_cred(swr, instance_id, temp_id, enable), 404,
                         f"update temp credential enable={enable}", code_prefix="SVCSTG.SWR.4048002")
    expect_swr_error(lambda: delete_cred(swr, instance_id, temp_id), 404, "delete temp credential",
                     code_prefix="SVCSTG.SWR.4048002")
    total, _ = list_page(swr, instance_id, 0, 100, "list after temp refusals", secrets_seen)
    assert total == 2, f"list after temp refusals: total={total}, want 2"
    step("temp credential", f"{resp.status_code} token_id={resp.token_id} expire_date={resp.expire_date}; "
                            "not in the long-term list; long-term update/delete of its id -> 404 SVCSTG.SWR.4048002")

    # 9. cleanup through the API
    for token_id in list(state["tokens"]):
        resp = delete_cred(swr, instance_id, token_id)
        expect_status(resp, 204, f"delete credential {token_id}")
        state["tokens"].remove(token_id)
    total, _ = list_page(swr, instance_id, 0, 100, "list after cleanup", secrets_seen)
    assert total == 0, f"list after cleanup: total={total}"
    resp = swr.delete_instance(DeleteInstanceRequest(instance_id=instance_id))
    expect_status(resp, (200, 202, 204), "delete instance")
    state.pop("instance_id")
    expect_swr_error(lambda: show_instance(swr, instance_id), 404, "show deleted instance")
    expect_swr_error(lambda: list_creds(swr, instance_id), 404, "list on deleted instance")
    delete_status = resp.status_code
    delete_admin_access_key(state)
    step("cleanup", f"credentials deleted; instance delete {delete_status}, then 404; admin key deleted")


def best_effort_cleanup(state):
    """After a failure, remove what was created (errors ignored)."""
    actions = []
    swr = state.get("swr")
    instance_id = state.get("instance_id")
    if swr is not None and instance_id:
        actions += [lambda t=t: delete_cred(swr, instance_id, t) for t in state.get("tokens", [])]
        actions.append(lambda: swr.delete_instance(DeleteInstanceRequest(instance_id=instance_id)))
    best_effort(actions)


if __name__ == "__main__":
    sys.exit(run_test("swr_credentials", f"SWR_URL={SWR_URL} IAM_URL={IAM_URL} user={ADMIN_USER}",
                      run, best_effort_cleanup))
