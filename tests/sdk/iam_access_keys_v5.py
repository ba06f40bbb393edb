#!/usr/bin/env python3
"""End-to-end IAM v5 access key test for iam-svc using the unmodified Huawei Cloud SDK.

Drives ``/v5/users/{user_id}/access-keys`` through ``huaweicloudsdkiam.v5`` as its
``IamClient`` sends it: signed with AK/SK by ``GlobalCredentials`` (SDK-HMAC-SHA256 with
X-Domain-Id). The signing key is the admin's, made through v3.0 (common.py), so the quota
shared by both APIs is walked too: create (the secret once), the third key refused
(``PAP5.0102``), list in pages of one with ``marker``/``page_info.next_marker``, a bad
marker (``PAP5.0010``), update the status, the signing key's last use, delete, and the
deleted key not found (``PAP5.0104``), each refusal in v5's envelope.

Environment (see common.py): IAM_URL, IAM_ADMIN_DOMAIN, IAM_ADMIN_DOMAIN_ID, IAM_ADMIN_USER,
IAM_ADMIN_PASSWORD, IAM_ADMIN_USER_ID, IAM_ADMIN_PROJECT_ID.

Prints one line per step; exits non-zero on the first failure.
"""

import re
import sys

from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkiam.v5 import (
    AccessKeyStatus,
    CreateAccessKeyV5Request,
    DeleteAccessKeyV5Request,
    IamClient,
    ListAccessKeysV5Request,
    ShowAccessKeyLastUsedV5Request,
    UpdateAccessKeyReqBody,
    UpdateAccessKeyV5Request,
)

from common import (
    ADMIN_DOMAIN_ID,
    ADMIN_USER_ID,
    CODE_AND_MESSAGE,
    IAM_URL,
    admin_access_key,
    best_effort,
    delete_admin_access_key,
    expect_client_error,
    expect_status,
    run_test,
    step,
)

AK_RE = re.compile(r"^[A-Z0-9]{20}$")
SK_RE = re.compile(r"^[A-Za-z0-9]{40}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def is_time(value):
    """A datetime field as the SDK leaves it: a datetime with python-dateutil installed,
    else the string as sent."""
    if isinstance(value, str):
        return bool(TIME_RE.match(value))
    return value is not None and hasattr(value, "isoformat")


def v5_client(ak, sk):
    creds = GlobalCredentials(ak, sk, ADMIN_DOMAIN_ID)
    return IamClient.new_builder().with_credentials(creds).with_endpoints([IAM_URL]).build()


def list_page(client, limit=None, marker=None):
    resp = client.list_access_keys_v5(ListAccessKeysV5Request(user_id=ADMIN_USER_ID, limit=limit, marker=marker))
    expect_status(resp, 200, "list access keys v5")
    return resp


def run(state):
    _, ak, sk = admin_access_key(state, "sdk v5 test signing key")
    iam = v5_client(ak, sk)

    resp = iam.create_access_key_v5(CreateAccessKeyV5Request(user_id=ADMIN_USER_ID))
    expect_status(resp, 201, "create access key v5")
    k = resp.access_key
    assert k is not None and AK_RE.match(k.access_key_id or ""), f"create: access_key_id {k and k.access_key_id!r}"
    assert SK_RE.match(k.secret_access_key or ""), "create: secret_access_key is not 40 chars [A-Za-z0-9]"
    assert k.user_id == ADMIN_USER_ID, f"create: user_id={k.user_id!r}"
    assert k.status == AccessKeyStatus.ACTIVE, f"create: status={k.status!r}"
    assert is_time(k.created_at), f"create: created_at {k.created_at!r} is not 2026-01-02T03:04:05.000Z"
    state["v5_ak"] = k.access_key_id
    step("create", f"201 access_key_id={k.access_key_id}")

    # The v3.0 key and this one fill the user's quota of two.
    expect_client_error(lambda: iam.create_access_key_v5(CreateAccessKeyV5Request(user_id=ADMIN_USER_ID)),
                        400, "third key", body=CODE_AND_MESSAGE, code_prefix="PAP5.0102")
    step("quota shared with v3.0", "400 PAP5.0102")

    first = list_page(iam, limit=1)
    assert first.page_info is not None and first.page_info.current_count == 1, f"page 1: {first.page_info}"
    assert first.page_info.next_marker, "page 1: no next_marker"
    second = list_page(iam, limit=1, marker=first.page_info.next_marker)
    assert second.page_info.current_count == 1 and not second.page_info.next_marker, f"page 2: {second.page_info}"
    seen = sorted([first.access_keys[0].access_key_id, second.access_keys[0].access_key_id])
    assert seen == sorted([ak, state["v5_ak"]]), f"pages: {seen}"
    for key in first.access_keys + second.access_keys:
        assert not hasattr(key, "secret_access_key"), "a list shows no secret"
    step("list in pages of one", f"{seen}")

    expect_client_error(lambda: list_page(iam, marker="not-a-marker"), 400, "bad marker",
                        body=CODE_AND_MESSAGE, code_prefix="PAP5.0010")
    expect_client_error(lambda: list_page(iam, limit=201), 400, "limit 201",
                        body=CODE_AND_MESSAGE, code_prefix="PAP5.0101")
    step("bad marker and limit", "400 PAP5.0010, PAP5.0101")

    resp = iam.update_access_key_v5(UpdateAccessKeyV5Request(
        user_id=ADMIN_USER_ID, access_key_id=state["v5_ak"],
        body=UpdateAccessKeyReqBody(status=AccessKeyStatus.INACTIVE)))
    expect_status(resp, 200, "update access key v5")
    assert resp.access_key.status == AccessKeyStatus.INACTIVE, f"update: status={resp.access_key.status!r}"
    step("update", "200 inactive")

    resp = iam.show_access_key_last_used_v5(ShowAccessKeyLastUsedV5Request(user_id=ADMIN_USER_ID, access_key_id=ak))
    expect_status(resp, 200, "last used of the signing key")
    used = resp.access_key_last_used and resp.access_key_last_used.last_used_at
    assert is_time(used), f"last used: {used!r}"
    resp = iam.show_access_key_last_used_v5(
        ShowAccessKeyLastUsedV5Request(user_id=ADMIN_USER_ID, access_key_id=state["v5_ak"]))
    assert resp.access_key_last_used.last_used_at is None, "a key that never signed has no last use"
    step("last used", f"signing key {used}, new key never")

    resp = iam.delete_access_key_v5(DeleteAccessKeyV5Request(user_id=ADMIN_USER_ID, access_key_id=state["v5_ak"]))
    expect_status(resp, 204, "delete access key v5")
    expect_client_error(lambda: iam.delete_access_key_v5(
        DeleteAccessKeyV5Request(user_id=ADMIN_USER_ID, access_key_id=state.pop("v5_ak"))),
        404, "deleted key", body=CODE_AND_MESSAGE, code_prefix="PAP5.0104")
    step("delete", "204, then 404 PAP5.0104")

    delete_admin_access_key(state)


def cleanup(state):
    if state.get("v5_ak") and state.get("admin_ak"):
        from common import token_client
        from huaweicloudsdkiam.v3 import DeletePermanentAccessKeyRequest
        iam = token_client(state["admin_token"])
        best_effort([lambda: iam.delete_permanent_access_key(
            DeletePermanentAccessKeyRequest(access_key=state["v5_ak"]))])


if __name__ == "__main__":
    sys.exit(run_test("iam_access_keys_v5", f"IAM_URL={IAM_URL} user={ADMIN_USER_ID}", run, cleanup))
