#!/usr/bin/env python3
"""iam-svc's temporary keys through the official SDKs, used at the other services.

* A member gets a temporary key for their token with ``huaweicloudsdkiam``'s
  CreateTemporaryAccessKeyByToken (``methods: ["token"]``, ``duration_seconds``): 201
  with ``access``, ``secret``, ``securitytoken`` and ``expires_at`` at most the asked
  lifetime away. ``methods: ["assume_role"]`` is a 400 saying agencies are not supported.
* The key signs ``huaweicloudsdkswr``'s ListInstance (``X-Security-Token``): 200. With
  ``tencentcloud-sdk-python-tcr`` (``X-TC-Token``) tcr-svc accepts the key as its user: a
  project member holds no account role, so DescribeInstances is ``UnauthorizedOperation``
  (a policy refusal), never ``AuthFailure``.
* The admin disables the user: the key is refused at once by swr-svc (401) and tcr-svc
  (``AuthFailure.*``), since every service asks iam-svc, which reads the user live.
* A key with a session policy (``ServicePolicy``: Allow ``swr:*:*``, Deny
  ``swr:instance:createTempCredential``) lists SWR instances but is refused
  CreateInstanceTempCredential with SWR's 403 (``SVCSTG.SWR.4039002``), which a key of the same
  user without the policy may do; a policy naming an unknown action is a 400 at issue.

Expiry is tested in crates/iam-svc/tests/it/securitytokens.rs on a moved clock (the
shortest key lives 900 s).

Environment (see common.py): IAM_URL, SWR_URL, TCR_URL, IAM_ADMIN_*.
"""

import sys
from datetime import datetime, timedelta, timezone

from huaweicloudsdkiam.v3 import (
    CreateTemporaryAccessKeyByTokenRequest,
    ServicePolicy,
    ServiceStatement,
    CreateTemporaryAccessKeyByTokenRequestBody,
    IdentityToken,
    KeystoneUpdateUserByAdminRequest,
    KeystoneUpdateUserByAdminRequestBody,
    KeystoneUpdateUserOption,
    TokenAuth,
    TokenAuthIdentity,
)
from huaweicloudsdkswr.v2 import CreateInstanceTempCredentialRequest, ListInstanceRequest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.tcr.v20190924 import models

from common import MESSAGE, expect_client_error, expect_status, step
from trust_common import (
    hw_creds,
    iam,
    parse_time,
    poll,
    swr,
    tcr,
    tcr_req,
    run_tests,
    token_creds,
)


def ask(token, methods=("token",), duration=None, policy=None):
    identity = TokenAuthIdentity(methods=list(methods), token=IdentityToken(duration_seconds=duration),
                                 policy=policy)
    return iam(token_creds(token)).create_temporary_access_key_by_token(
        CreateTemporaryAccessKeyByTokenRequest(body=CreateTemporaryAccessKeyByTokenRequestBody(
            auth=TokenAuth(identity=identity))))


def tcr_outcome(key):
    """The Tencent error code DescribeInstances gets with the key, or "ok"."""
    try:
        tcr(key.access, key.secret, key.securitytoken).DescribeInstances(
            tcr_req(models.DescribeInstancesRequest))
        return "ok"
    except TencentCloudSDKException as e:
        return e.code


def swr_status(key):
    try:
        resp = swr(hw_creds(key.access, key.secret, key.securitytoken)).list_instance(
            ListInstanceRequest(offset=0, limit=10))
        return resp.status_code
    except Exception as e:  # noqa: BLE001 - the status is what is checked
        return getattr(e, "status_code", repr(e))


def test_a_key_for_a_token_signs_at_swr_and_tcr_and_dies_with_its_user(world):
    user = world.user(project_roles=("member",), with_key=False)
    before = datetime.now(timezone.utc)
    resp = ask(user.token, duration=1800)
    expect_status(resp, 201, "CreateTemporaryAccessKeyByToken")
    key = resp.credential
    assert key.access and key.secret and key.securitytoken, f"no key: {resp}"
    expires = parse_time(key.expires_at)
    assert before + timedelta(seconds=1790) <= expires <= before + timedelta(seconds=1810), \
        f"expires_at {key.expires_at} is not 1800 s away"
    step("CreateTemporaryAccessKeyByToken", f"{key.access}, expires {key.expires_at}")

    e = expect_client_error(lambda: ask(user.token, methods=("assume_role",)), 400,
                            "assume_role", body=MESSAGE)
    assert "Agencies are not supported" in e.error_msg, e.error_msg
    step("methods assume_role", f"400 {e.error_msg!r}")

    status = swr_status(key)
    assert status == 200, f"swr ListInstance with the key: {status}"
    step("swr ListInstance with X-Security-Token", "200")
    code = tcr_outcome(key)
    assert code == "ok" or code.startswith(("UnauthorizedOperation", "OperationDenied")), \
        f"tcr DescribeInstances with X-TC-Token: {code}"
    step("tcr DescribeInstances with X-TC-Token", f"accepted as the user ({code})")

    expect_status(world.admin().keystone_update_user_by_admin(KeystoneUpdateUserByAdminRequest(
        user_id=user.id, body=KeystoneUpdateUserByAdminRequestBody(user=KeystoneUpdateUserOption(
            enabled=False)))), 200, "disable the user")
    status, waited = poll(lambda: swr_status(key) == 401 or None)
    assert status, f"swr still answers {swr_status(key)} to the disabled user's key"
    step("swr after the user is disabled", f"401 after {waited:.1f}s")
    code, waited = poll(lambda: (lambda c: c if c.startswith("AuthFailure") else None)(tcr_outcome(key)))
    assert code, f"tcr still answers {tcr_outcome(key)} to the disabled user's key"
    step("tcr after the user is disabled", f"{code} after {waited:.1f}s")


def test_a_session_policy_denies_what_the_roles_allow(world):
    instance = world.swr_inst()
    user = world.user(project_roles=("member",), with_key=False)
    policy = ServicePolicy(version="1.1", statement=[
        ServiceStatement(effect="Allow", action=["swr:*:*"]),
        ServiceStatement(effect="Deny", action=["swr:instance:createTempCredential"]),
    ])
    resp = ask(user.token, policy=policy)
    expect_status(resp, 201, "CreateTemporaryAccessKeyByToken with a policy")
    narrowed = resp.credential
    creds = hw_creds(narrowed.access, narrowed.secret, narrowed.securitytoken)
    expect_status(swr(creds).list_instance(ListInstanceRequest(offset=0, limit=10)), 200,
                  "ListInstance, allowed by swr:*:*")
    e = expect_client_error(lambda: swr(creds).create_instance_temp_credential(
        CreateInstanceTempCredentialRequest(instance_id=instance)), 403,
        "CreateInstanceTempCredential, denied by the policy", code_prefix="SVCSTG.SWR.")
    step("denied by the session policy", f"403 {e.error_code} {e.error_msg!r}")

    plain = ask(user.token).credential
    resp = swr(hw_creds(plain.access, plain.secret, plain.securitytoken)).create_instance_temp_credential(
        CreateInstanceTempCredentialRequest(instance_id=instance))
    expect_status(resp, (200, 201), "CreateInstanceTempCredential without a policy")
    step("the same user's key without a policy", f"{resp.status_code}")

    typo = ServicePolicy(version="1.1", statement=[ServiceStatement(effect="Allow", action=["swr:instance:lsit"])])
    e = expect_client_error(lambda: ask(user.token, policy=typo), 400, "an unknown action", body=MESSAGE)
    step("a policy naming an unknown action", f"400 {e.error_msg!r}")


if __name__ == "__main__":
    sys.exit(run_tests("iam_security_tokens", [
        test_a_key_for_a_token_signs_at_swr_and_tcr_and_dies_with_its_user,
        test_a_session_policy_denies_what_the_roles_allow,
    ]))
