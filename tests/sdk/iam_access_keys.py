#!/usr/bin/env python3
"""End-to-end access key (AK/SK) test for iam-svc using the unmodified Huawei Cloud SDK.

Drives the permanent access key operations (``/v3.0/OS-CREDENTIAL/credentials``) through
``huaweicloudsdkiam`` with token auth (``IamCredentials``) and with SDK-HMAC-SHA256 signed
requests (``BasicCredentials`` -> ``X-Project-Id``, ``GlobalCredentials`` -> ``X-Domain-Id``),
then checks the refusals of the signature middleware: wrong secret, stale ``X-Sdk-Date``,
tampered body, inactive key, deleted key, and a member listing the admin's keys.

The stale-date and tampered-body requests cannot be made through the SDK client (it sets
the date itself and signs what it sends), so they are signed by hand with the SDK's own
``huaweicloudsdkcore.signer.signer.Signer`` and sent with ``requests``. A correctly signed
hand-made request is sent first as a control, so a refusal cannot come from the hand
signing itself.

Environment (see common.py): IAM_URL, IAM_ADMIN_DOMAIN, IAM_ADMIN_DOMAIN_ID, IAM_ADMIN_USER,
IAM_ADMIN_PASSWORD, IAM_ADMIN_USER_ID, IAM_ADMIN_PROJECT_ID.

Prints one line per step; exits non-zero on the first failure.
"""

import json
import re
import secrets
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkiam.v3 import (
    CreateCredentialOption,
    CreatePermanentAccessKeyRequest,
    CreatePermanentAccessKeyRequestBody,
    DeletePermanentAccessKeyRequest,
    KeystoneAddUserToGroupRequest,
    KeystoneAssociateGroupWithProjectPermissionRequest,
    KeystoneCreateGroupOption,
    KeystoneCreateGroupRequest,
    KeystoneCreateGroupRequestBody,
    KeystoneCreateUserOption,
    KeystoneCreateUserRequest,
    KeystoneCreateUserRequestBody,
    KeystoneDeleteGroupRequest,
    KeystoneDeleteUserRequest,
    KeystoneListPermissionsRequest,
    KeystoneRemoveProjectPermissionFromGroupRequest,
    KeystoneRemoveUserFromGroupRequest,
    ListPermanentAccessKeysRequest,
    ShowPermanentAccessKeyRequest,
    UpdateCredentialOption,
    UpdatePermanentAccessKeyRequest,
    UpdatePermanentAccessKeyRequestBody,
)

from common import (
    ADMIN_DOMAIN,
    ADMIN_DOMAIN_ID,
    ADMIN_PROJECT_ID,
    ADMIN_USER,
    ADMIN_USER_ID,
    IAM_URL,
    admin_token,
    best_effort,
    expect_client_error,
    expect_status,
    iam_client,
    raw_json,
    run_test,
    step,
    token_client,
)

USER_PASSWORD = "Str0ng-Passw0rd!"
ROLE_NAME = "member"
CREDENTIALS_PATH = "/v3.0/OS-CREDENTIAL/credentials"

AK_RE = re.compile(r"^[A-Z0-9]{20}$")
SK_RE = re.compile(r"^[A-Za-z0-9]{40}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")

# auth_refusal messages (crates/iam-svc/src/error.rs), matched as substrings.
MSG_MISMATCH = "signature does not match"
MSG_STALE = "X-Sdk-Date is too far"
MSG_INACTIVE = "access key is inactive"
MSG_UNKNOWN = "access key does not exist"
QUOTA_MSG = "akSkNumExceed"


# ---------------------------------------------------------------------------- clients

def project_signed(ak, sk, project_id=ADMIN_PROJECT_ID):
    """BasicCredentials: SDK-HMAC-SHA256 signature plus X-Project-Id."""
    return iam_client(BasicCredentials(ak, sk, project_id))


def domain_signed(ak, sk, domain_id=ADMIN_DOMAIN_ID):
    """GlobalCredentials: SDK-HMAC-SHA256 signature plus X-Domain-Id."""
    return iam_client(GlobalCredentials(ak, sk, domain_id))


# ---------------------------------------------------------------------------- helpers

def check_key(c, what, user_id, status="active", description=None, secret=False):
    """Fields of a credential object in a create/update/show/list response."""
    assert c is not None, f"{what}: response has no credential object"
    assert c.access and AK_RE.match(c.access), f"{what}: access {c.access!r} is not 20 chars [A-Z0-9]"
    assert c.user_id == user_id, f"{what}: user_id={c.user_id!r}, want {user_id!r}"
    assert c.status == status, f"{what}: status={c.status!r}, want {status!r}"
    if description is not None:
        assert c.description == description, f"{what}: description={c.description!r}, want {description!r}"
    assert c.create_time and TIME_RE.match(c.create_time), (
        f"{what}: create_time {c.create_time!r} is not YYYY-MM-DDTHH:MM:SS.ffffffZ")
    if secret:
        assert c.secret and SK_RE.match(c.secret), f"{what}: secret is not 40 chars [A-Za-z0-9]"


def create_key(client, user_id, description, what):
    resp = client.create_permanent_access_key(CreatePermanentAccessKeyRequest(
        body=CreatePermanentAccessKeyRequestBody(
            credential=CreateCredentialOption(user_id=user_id, description=description))))
    expect_status(resp, 201, what)
    check_key(resp.credential, what, user_id, "active", description, secret=True)
    return resp.credential.access, resp.credential.secret


def list_keys(client, user_id=None):
    return client.list_permanent_access_keys(ListPermanentAccessKeysRequest(user_id=user_id))


def show_key(client, access):
    return client.show_permanent_access_key(ShowPermanentAccessKeyRequest(access_key=access))


def update_key(client, access, status=None, description=None):
    return client.update_permanent_access_key(UpdatePermanentAccessKeyRequest(
        access_key=access,
        body=UpdatePermanentAccessKeyRequestBody(
            credential=UpdateCredentialOption(status=status, description=description))))


def delete_key(client, access):
    return client.delete_permanent_access_key(DeletePermanentAccessKeyRequest(access_key=access))


# ---------------------------------------------------------------------------- hand signing

_HTTP = requests.Session()
_HTTP.trust_env = False  # local service: no proxies from the environment


def hand_signed(method, ak, sk, path, query=None, body=None, sign_body=None, sdk_date=None):
    """Sign a request with the SDK's Signer and send it with requests.

    ``sign_body`` (if given) is what the signature covers while ``body`` is what is sent;
    ``sdk_date`` (a datetime, UTC) replaces the current time in X-Sdk-Date.
    Returns (status, parsed JSON body or None, raw text).
    """
    url = urlsplit(IAM_URL)
    headers = {
        "Content-Type": "application/json;charset=utf-8" if body is not None else "application/json",
        "User-Agent": "iam-access-keys-test/1.0",
        "X-Project-Id": ADMIN_PROJECT_ID,
    }
    if sdk_date is not None:
        headers["X-Sdk-Date"] = sdk_date.strftime("%Y%m%dT%H%M%SZ")
    signed_bytes = (sign_body if sign_body is not None else body)
    req = SdkRequest(
        method=method,
        schema=url.scheme,
        host=url.netloc,
        resource_path=path,
        query_params=list((query or {}).items()),
        header_params=headers,
        body=signed_bytes.encode("utf-8") if signed_bytes is not None else "",
    )
    Signer(BasicCredentials(ak, sk, ADMIN_PROJECT_ID)).sign(req)
    sent = body.encode("utf-8") if body is not None else None
    r = _HTTP.request(method, req.url, headers=req.header_params, data=sent, timeout=30,
                      allow_redirects=False)
    try:
        parsed = r.json()
    except ValueError:
        parsed = None
    return r.status_code, parsed, r.text


def expect_hand_refusal(result, status, msg, what):
    code, body, text = result
    assert code == status, f"{what}: expected HTTP {status}, got {code}: {text[:300]}"
    message = ((body or {}).get("error") or {}).get("message", "") if isinstance(body, dict) else ""
    assert msg in message, f"{what}: error.message {message!r} does not contain {msg!r} (body {text[:300]})"
    return message


# ---------------------------------------------------------------------------- the test

def run(state):
    suffix = secrets.token_hex(4)

    # 1. admin token; a fresh member user in a fresh group with `member` on the admin project
    admin = token_client(admin_token(state))

    user_name = f"sdk-ak-user-{suffix}"
    resp = admin.keystone_create_user(KeystoneCreateUserRequest(body=KeystoneCreateUserRequestBody(
        user=KeystoneCreateUserOption(name=user_name, domain_id=ADMIN_DOMAIN_ID, password=USER_PASSWORD,
                                      enabled=True, description="created by tests/sdk/iam_access_keys.py"))))
    expect_status(resp, 201, "create user")
    assert resp.user is not None and resp.user.id, "create user: no user.id"
    user_id = resp.user.id
    state["user_id"] = user_id

    group_name = f"sdk-ak-group-{suffix}"
    resp = admin.keystone_create_group(KeystoneCreateGroupRequest(body=KeystoneCreateGroupRequestBody(
        group=KeystoneCreateGroupOption(name=group_name, domain_id=ADMIN_DOMAIN_ID,
                                        description="sdk access key test group"))))
    expect_status(resp, 201, "create group")
    assert resp.group is not None and resp.group.id, "create group: no group.id"
    group_id = resp.group.id
    state["group_id"] = group_id

    resp = admin.keystone_list_permissions(KeystoneListPermissionsRequest(name=ROLE_NAME))
    expect_status(resp, 200, "list roles")
    roles = [r for r in (resp.roles or []) if r.name == ROLE_NAME]
    assert len(roles) == 1, f"list roles ?name={ROLE_NAME}: found {len(roles)} roles named {ROLE_NAME!r}"
    role_id = roles[0].id

    resp = admin.keystone_associate_group_with_project_permission(
        KeystoneAssociateGroupWithProjectPermissionRequest(project_id=ADMIN_PROJECT_ID, group_id=group_id,
                                                           role_id=role_id))
    expect_status(resp, 204, "grant member on admin project")
    state["grant"] = (ADMIN_PROJECT_ID, group_id, role_id)
    resp = admin.keystone_add_user_to_group(KeystoneAddUserToGroupRequest(group_id=group_id, user_id=user_id))
    expect_status(resp, 204, "add user to group")
    state["member"] = (group_id, user_id)
    step("setup", f"user {user_name} ({user_id}) in group {group_name} with {ROLE_NAME} on {ADMIN_PROJECT_ID}")

    # 2. a permanent key for the admin, created with the admin's token
    admin_ak, admin_sk = create_key(admin, ADMIN_USER_ID, "sdk admin key", "create admin key (token)")
    state.setdefault("keys", []).append(admin_ak)
    step("create admin key", f"201 access={admin_ak} (20 [A-Z0-9]) secret 40 [A-Za-z0-9], status active")

    # 3. the admin manages the new user's keys with signed requests
    signed = project_signed(admin_ak, admin_sk)

    key_a, secret_a = create_key(signed, user_id, "first", "create user key A (signed)")
    state["keys"].append(key_a)
    step("signed create", f"201 key A={key_a} for {user_id}")

    resp = list_keys(signed, user_id)
    expect_status(resp, 200, "signed list ?user_id")
    got = resp.credentials or []
    assert [c.access for c in got] == [key_a], f"signed list ?user_id={user_id}: got {[c.access for c in got]}"
    check_key(got[0], "signed list ?user_id", user_id, "active", "first")
    listed = raw_json(resp, "signed list")["credentials"]
    assert all("secret" not in c for c in listed), "signed list: a listed credential carries a secret"
    step("signed list", f"200 ?user_id={user_id} -> [{key_a}], no secret")

    resp = show_key(signed, key_a)
    expect_status(resp, 200, "signed show")
    check_key(resp.credential, "signed show", user_id, "active", "first")
    raw = raw_json(resp, "signed show")["credential"]
    assert "last_use_time" in raw, f"signed show: no last_use_time key in {sorted(raw)}"
    assert "secret" not in raw, "signed show: the response carries the secret"
    step("signed show", f"200 last_use_time={raw['last_use_time']!r} (present)")

    resp = update_key(signed, key_a, description="renamed")
    expect_status(resp, 200, "signed update description")
    check_key(resp.credential, "signed update description", user_id, "active", "renamed")
    step("signed update description", "200 description=renamed, still active")

    # The user's own key works for the user (their X-Project-Id scope resolves) ...
    resp = list_keys(project_signed(key_a, secret_a))
    expect_status(resp, 200, "user key A lists own keys")
    assert [c.access for c in (resp.credentials or [])] == [key_a], (
        f"user key A lists own keys: got {[c.access for c in (resp.credentials or [])]}")
    # ... and that use shows up as last_use_time.
    resp = show_key(signed, key_a)
    expect_status(resp, 200, "show after use")
    last = raw_json(resp, "show after use")["credential"].get("last_use_time")
    assert last and TIME_RE.match(last), f"show after use: last_use_time={last!r}, want a time"
    step("user key in use", f"user lists own keys with key A; last_use_time={last}")

    resp = update_key(signed, key_a, status="inactive")
    expect_status(resp, 200, "signed update status")
    check_key(resp.credential, "signed update status", user_id, "inactive", "renamed")
    step("signed update status", "200 status=inactive")

    e = expect_client_error(lambda: list_keys(project_signed(key_a, secret_a)), 401,
                            "inactive key", msg=MSG_INACTIVE)
    step("refusal: inactive key", f"401 {e.error_msg!r}")

    resp = delete_key(signed, key_a)
    expect_status(resp, 204, "signed delete")
    state["keys"].remove(key_a)
    expect_client_error(lambda: show_key(signed, key_a), 404, "show deleted key")
    step("signed delete", "204; show -> 404")

    e = expect_client_error(lambda: list_keys(project_signed(key_a, secret_a)), 401,
                            "deleted key", msg=MSG_UNKNOWN)
    step("refusal: deleted key", f"401 {e.error_msg!r}")

    # GlobalCredentials: X-Domain-Id scope
    glob = domain_signed(admin_ak, admin_sk)
    key_b, secret_b = create_key(glob, user_id, "second", "create user key B (GlobalCredentials)")
    state["keys"].append(key_b)
    resp = list_keys(glob, user_id)
    expect_status(resp, 200, "GlobalCredentials list")
    assert [c.access for c in (resp.credentials or [])] == [key_b], (
        f"GlobalCredentials list: got {[c.access for c in (resp.credentials or [])]}")
    step("GlobalCredentials (X-Domain-Id)", f"create 201 key B={key_b}, list 200")

    # 4. quota: two keys, the third is refused
    key_c, _ = create_key(signed, user_id, "third", "create user key C (signed)")
    state["keys"].append(key_c)
    resp = list_keys(signed, user_id)
    expect_status(resp, 200, "list after two creates")
    got = sorted(c.access for c in (resp.credentials or []))
    assert got == sorted([key_b, key_c]), f"list after two creates: got {got}, want {sorted([key_b, key_c])}"
    e = expect_client_error(lambda: create_key(signed, user_id, "one too many", "third key"), 400,
                            "third key over quota", msg=QUOTA_MSG)
    resp = list_keys(signed, user_id)
    assert len(resp.credentials or []) == 2, f"after refused create: {len(resp.credentials or [])} keys, want 2"
    step("quota", f"user has 2 keys; third create -> 400 {e.error_msg!r}")

    # 5. refusals
    wrong_sk = admin_sk[:-1] + ("A" if admin_sk[-1] != "A" else "B")
    e = expect_client_error(lambda: list_keys(project_signed(admin_ak, wrong_sk), user_id), 401,
                            "wrong secret", msg=MSG_MISMATCH)
    step("refusal: wrong secret", f"401 {e.error_msg!r}")

    # hand-signed control: the same machinery with a good date and body must succeed
    code, body, text = hand_signed("GET", admin_ak, admin_sk, CREDENTIALS_PATH, query={"user_id": user_id})
    assert code == 200, f"hand-signed control GET: expected 200, got {code}: {text[:300]}"
    got = sorted(c["access"] for c in body["credentials"])
    assert got == sorted([key_b, key_c]), f"hand-signed control GET: got {got}"
    update_body = json.dumps({"credential": {"description": "hand signed"}}, separators=(", ", ": "))
    code, body, text = hand_signed("PUT", admin_ak, admin_sk, f"{CREDENTIALS_PATH}/{key_b}", body=update_body)
    assert code == 200, f"hand-signed control PUT: expected 200, got {code}: {text[:300]}"
    assert body["credential"]["description"] == "hand signed", f"hand-signed control PUT: {text[:300]}"
    step("hand-signed control", "GET 200 and PUT 200 with the SDK Signer and requests")

    stale = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=20)
    msg = expect_hand_refusal(
        hand_signed("GET", admin_ak, admin_sk, CREDENTIALS_PATH, query={"user_id": user_id}, sdk_date=stale),
        401, MSG_STALE, "stale X-Sdk-Date")
    step("refusal: X-Sdk-Date 20 minutes old", f"401 {msg!r}")

    signed_body = json.dumps({"credential": {"description": "signed"}}, separators=(", ", ": "))
    sent_body = json.dumps({"credential": {"description": "tampered"}}, separators=(", ", ": "))
    msg = expect_hand_refusal(
        hand_signed("PUT", admin_ak, admin_sk, f"{CREDENTIALS_PATH}/{key_b}", body=sent_body,
                    sign_body=signed_body),
        401, MSG_MISMATCH, "tampered body")
    resp = show_key(signed, key_b)
    assert resp.credential.description == "hand signed", (
        f"tampered body: description is now {resp.credential.description!r}, want 'hand signed'")
    step("refusal: tampered body", f"401 {msg!r}; description unchanged")

    member = project_signed(key_b, secret_b)
    resp = list_keys(member)
    expect_status(resp, 200, "member lists own keys")
    got = sorted(c.access for c in (resp.credentials or []))
    assert got == sorted([key_b, key_c]), f"member lists own keys: got {got}"
    e = expect_client_error(lambda: list_keys(member, ADMIN_USER_ID), 403, "member lists admin's keys")
    step("refusal: member lists admin's keys", f"403 {e.error_msg!r} (own keys: 200)")

    # 6. cleanup through the API
    for k in (key_b, key_c):
        resp = delete_key(signed, k)
        expect_status(resp, 204, f"delete user key {k}")
        state["keys"].remove(k)
    resp = list_keys(signed, user_id)
    assert (resp.credentials or []) == [], f"after deletes: user still has {len(resp.credentials)} keys"
    resp = delete_key(admin, admin_ak)
    expect_status(resp, 204, "delete admin key (token)")
    state["keys"].remove(admin_ak)
    expect_client_error(lambda: list_keys(signed, user_id), 401, "deleted admin key", msg=MSG_UNKNOWN)

    resp = admin.keystone_remove_project_permission_from_group(
        KeystoneRemoveProjectPermissionFromGroupRequest(project_id=ADMIN_PROJECT_ID, group_id=group_id,
                                                        role_id=role_id))
    expect_status(resp, 204, "revoke member from group")
    state.pop("grant", None)
    resp = admin.keystone_remove_user_from_group(KeystoneRemoveUserFromGroupRequest(group_id=group_id,
                                                                                     user_id=user_id))
    expect_status(resp, 204, "remove user from group")
    state.pop("member", None)
    resp = admin.keystone_delete_user(KeystoneDeleteUserRequest(user_id=user_id))
    expect_status(resp, 204, "delete user")
    state.pop("user_id", None)
    resp = admin.keystone_delete_group(KeystoneDeleteGroupRequest(group_id=group_id))
    expect_status(resp, 204, "delete group")
    state.pop("group_id", None)
    step("cleanup", "keys deleted (admin key then refused), grant revoked, user and group deleted")


def best_effort_cleanup(state):
    """After a failure, remove what was created (errors ignored)."""
    token = state.get("admin_token")
    if not token:
        return
    admin = token_client(token)
    actions = [lambda k=k: delete_key(admin, k) for k in state.get("keys", [])]
    if "grant" in state:
        p, g, r = state["grant"]
        actions.append(lambda: admin.keystone_remove_project_permission_from_group(
            KeystoneRemoveProjectPermissionFromGroupRequest(project_id=p, group_id=g, role_id=r)))
    if "member" in state:
        g, u = state["member"]
        actions.append(lambda: admin.keystone_remove_user_from_group(
            KeystoneRemoveUserFromGroupRequest(group_id=g, user_id=u)))
    if "user_id" in state:
        actions.append(lambda: admin.keystone_delete_user(KeystoneDeleteUserRequest(user_id=state["user_id"])))
    if "group_id" in state:
        actions.append(lambda: admin.keystone_delete_group(KeystoneDeleteGroupRequest(group_id=state["group_id"])))
    best_effort(actions)


if __name__ == "__main__":
    sys.exit(run_test("iam_access_keys", f"IAM_URL={IAM_URL} domain={ADMIN_DOMAIN} user={ADMIN_USER}",
                      run, best_effort_cleanup))
