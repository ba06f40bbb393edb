#!/usr/bin/env python3
"""Short-lived keys do not mint long-lived credentials.

With the domain admin's LakeFormation temporary key (the admin's own roles, so only the
kind of key is at stake):

* CreatePermanentAccessKey (``huaweicloudsdkiam``): 403, Keystone envelope; no new key;
* CreateInstanceLtCredential (``huaweicloudsdkswr``): 403 with an ``SVCSTG.SWR.`` code; no new
  credential;
* CreateInstanceToken ``longterm`` (``tencentcloud-sdk-python-tcr``, ``X-TC-Token``):
  ``UnauthorizedOperation``; no new token;
* an SWR temporary credential and a TCR ``temp`` token it creates expire no later than
  the key itself (tcr-svc may instead refuse the token: temporary keys hold no account
  role);
* ShowCredential (``huaweicloudsdklakeformation``) signed by the temporary key: 403, so
  it cannot renew itself.

Environment (see common.py): IAM_URL, LAKEFORMATION_URL, SWR_URL, TCR_URL, IAM_ADMIN_*.
"""

import sys
import time
from datetime import timedelta

from huaweicloudsdkiam.v3 import (
    CreateCredentialOption,
    CreatePermanentAccessKeyRequest,
    CreatePermanentAccessKeyRequestBody,
)
from huaweicloudsdklakeformation.v1 import IdentityInput, ShowCredentialRequest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.tcr.v20190924 import models

from common import MESSAGE, expect_client_error, expect_status, step
from trust_common import (
    Checks,
    hw_creds,
    hw_signed,
    iam,
    keystone_error,
    lf,
    parse_time,
    refused_tc,
    run_tests,
    setting,
    tcr,
    tcr_req,
)

REFUSED_TC = ("UnauthorizedOperation", "OperationDenied")
# Clock rounding between services (seconds in one, milliseconds in another).
SLACK = timedelta(seconds=1)


def test_temporary_key_mints_no_long_lived_credential(world):
    key = world.temp_key(world.admin_ak, world.admin_sk)
    creds = hw_creds(key.access, key.secret, key.token)
    checks = Checks()

    with checks.check("iam permanent key"):
        before = world.keys_now(setting("ADMIN_USER_ID"))
        e = expect_client_error(lambda: iam(creds).create_permanent_access_key(CreatePermanentAccessKeyRequest(
            body=CreatePermanentAccessKeyRequestBody(credential=CreateCredentialOption(
                user_id=setting("ADMIN_USER_ID"), description="minted by a temporary key")))),
            403, "temporary key creates a permanent access key", body=MESSAGE)
        status, body, text = hw_signed(setting("IAM_URL"), "POST", "/v3.0/OS-CREDENTIAL/credentials",
                                       key.access, key.secret, security_token=key.token,
                                       body={"credential": {"user_id": setting("ADMIN_USER_ID")}})
        keystone_error(status, body, text, 403, "the same, signed by hand")
        after = world.access_keys_of(setting("ADMIN_USER_ID"))
        assert after == before, f"the admin's permanent keys changed: {before} -> {after}"
        step("iam: CreatePermanentAccessKey", f"403 {e.error_msg!r}")

    with checks.check("swr long-term credential"):
        before = sorted(c.token_id for c in world.swr_credentials())
        e = expect_client_error(lambda: world.swr_lt(creds, "minted-by-temp"), 403,
                                "temporary key creates an SWR long-term credential", body=MESSAGE,
                                code_prefix="SVCSTG.SWR.")
        after = sorted(c.token_id for c in world.swr_credentials())
        assert after == before, f"SWR long-term credentials changed: {before} -> {after}"
        step("swr: CreateInstanceLtCredential", f"403 {e.error_code} {e.error_msg!r}")

    with checks.check("tcr longterm token"):
        rid = world.tcr_reg()
        before = sorted(t.Id for t in world.tcr_tokens())
        e = refused_tc(lambda: tcr(key.access, key.secret, key.token).CreateInstanceToken(tcr_req(
            models.CreateInstanceTokenRequest, RegistryId=rid, TokenType="longterm", Desc="minted-by-temp")),
            "temporary key creates a TCR longterm token", REFUSED_TC)
        after = sorted(t.Id for t in world.tcr_tokens())
        assert after == before, f"TCR longterm tokens changed: {before} -> {after}"
        step("tcr: CreateInstanceToken longterm", f"{e.code} {e.message!r}")
    checks.done()


def test_temporary_key_mints_nothing_outliving_it(world):
    key = world.temp_key(world.admin_ak, world.admin_sk)
    step("temporary key", f"expires at {key.expires_at.isoformat()}")
    # Credentials made later than the key, as they would be in use: a lifetime counted
    # from their own creation would outlive the key.
    time.sleep(2 * SLACK.total_seconds())

    resp = world.swr_temp(hw_creds(key.access, key.secret, key.token))
    expect_status(resp, 201, "temporary key creates an SWR temporary credential")
    expires = parse_time(resp.expire_date)
    late = []
    if expires > key.expires_at + SLACK:
        late.append(f"SWR temporary credential expires {expires.isoformat()}, "
                    f"{(expires - key.expires_at).total_seconds():.0f} s after the key")
    step("swr: CreateInstanceTempCredential", f"expire_date {resp.expire_date}")

    # tcr-svc may refuse temporary keys account actions altogether (they hold no role on
    # the account): nothing outlives the key then either.
    try:
        resp = tcr(key.access, key.secret, key.token).CreateInstanceToken(tcr_req(
            models.CreateInstanceTokenRequest, RegistryId=world.tcr_reg(), TokenType="temp"))
    except TencentCloudSDKException as e:
        assert e.code.startswith(REFUSED_TC), f"tcr: CreateInstanceToken temp: {e.code} {e.message!r}"
        step("tcr: CreateInstanceToken temp", f"refused: {e.code}")
    else:
        key_ms = int(key.expires_at.timestamp() * 1000)
        if resp.ExpTime > key_ms + SLACK.total_seconds() * 1000:
            late.append(f"TCR temp token expires at {resp.ExpTime} ms, "
                        f"{(resp.ExpTime - key_ms) / 1000:.0f} s after the key")
        step("tcr: CreateInstanceToken temp", f"ExpTime {resp.ExpTime} (key {key_ms})")
    assert not late, "; ".join(late)


def test_temporary_key_issues_no_temporary_key(world):
    """A temporary key cannot renew itself: LakeFormation ShowCredential signed by one is
    refused (403, LakeFormation envelope, code `403`), so a leaked key cannot be chained past its
    expiry."""
    key = world.temp_key(world.admin_ak, world.admin_sk)
    client = lf(hw_creds(key.access, key.secret, key.token))
    e = expect_client_error(lambda: client.show_credential(ShowCredentialRequest(
        instance_id=world.lake(), body=IdentityInput())), 403, "temporary key issues a temporary key",
        body=MESSAGE, code_prefix="403")
    step("lakeformation: ShowCredential", f"403 {e.error_code} {e.error_msg!r}")


if __name__ == "__main__":
    sys.exit(run_tests("trust_temporary_minting", [
        test_temporary_key_mints_no_long_lived_credential,
        test_temporary_key_mints_nothing_outliving_it,
        test_temporary_key_issues_no_temporary_key,
    ]))
