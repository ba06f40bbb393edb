#!/usr/bin/env python3
"""Only an admin undoes an admin's disable; only the owner or an admin manages a token.

* SWR (``huaweicloudsdkswr``): a ``readonly`` user's long-term credential is disabled by
  the project admin; its owner's UpdateInstanceLtCredential ``enable: true`` is 403 with
  an ``SVCSTG.SWR.`` code, the credential stays disabled and its registry login stays 401.
* TCR (``tencentcloud-sdk-python-tcr``): a domain ``member`` may neither disable
  (ModifyInstanceToken) nor delete (DeleteInstanceToken) another member's ``longterm``
  token: ``UnauthorizedOperation``; the token stays enabled and logs in.

Environment (see common.py): IAM_URL, LAKEFORMATION_URL, SWR_URL, TCR_URL, IAM_ADMIN_*.
"""

import sys

from huaweicloudsdkswr.v2 import UpdateInstanceLtCredentialRequest, UpdateLongTermCredentialRequestBody
from tencentcloud.tcr.v20190924 import models

from common import MESSAGE, expect_client_error, expect_status, step
from trust_common import (
    Checks,
    hw_creds,
    refused_tc,
    registry_login,
    run_tests,
    setting,
    swr,
    tcr,
    tcr_req,
)

REFUSED_TC = ("UnauthorizedOperation", "OperationDenied")


def set_enable(client, instance, token_id, enable):
    return client.update_instance_lt_credential(UpdateInstanceLtCredentialRequest(
        instance_id=instance, credential_id=token_id, body=UpdateLongTermCredentialRequestBody(enable=enable)))


def test_owner_cannot_undo_admin_disable_of_swr_credential(world):
    owner = world.user(project_roles=("readonly",))
    instance = world.swr_inst()
    cred = world.swr_lt(hw_creds(owner.ak, owner.sk), "owner-cred")
    expect_status(cred, 201, "readonly owner creates a credential")
    status, actions, text = registry_login(setting("SWR_URL"), world.swr_service, cred.user_id, cred.auth_token)
    assert status == 200, f"owner's credential logs in: HTTP {status}: {text}"

    expect_status(set_enable(world.admin_swr(), instance, cred.token_id, False), (200, 201),
                  "project admin disables the owner's credential")
    status, _, text = registry_login(setting("SWR_URL"), world.swr_service, cred.user_id, cred.auth_token)
    assert status == 401, f"disabled credential logs in: HTTP {status}: {text}"
    step("admin disabled the credential", f"{cred.token_id}; login 401")

    e = expect_client_error(lambda: set_enable(swr(hw_creds(owner.ak, owner.sk)), instance, cred.token_id, True),
                            403, "readonly owner re-enables the credential the admin disabled",
                            body=MESSAGE, code_prefix="SVCSTG.SWR.")
    listed = [c for c in world.swr_credentials() if c.token_id == cred.token_id]
    assert listed and listed[0].enable is False, (
        f"after the refusal the credential is {'enabled' if listed and listed[0].enable else 'missing'}")
    status, _, text = registry_login(setting("SWR_URL"), world.swr_service, cred.user_id, cred.auth_token)
    assert status == 401, f"after the refusal the credential logs in: HTTP {status}: {text}"
    step("owner's re-enable refused", f"403 {e.error_code} {e.error_msg!r}; still disabled, login 401")


def test_member_cannot_disable_or_delete_anothers_tcr_token(world):
    rid = world.tcr_reg()
    owner = world.user(project_roles=(), domain_roles=("member",))
    other = world.user(project_roles=(), domain_roles=("member",))
    token = tcr(owner.ak, owner.sk).CreateInstanceToken(tcr_req(
        models.CreateInstanceTokenRequest, RegistryId=rid, TokenType="longterm", Desc="owner"))
    status, _, text = registry_login(setting("TCR_URL"), world.tcr_service(), token.Username, token.Token)
    assert status == 200, f"owner's token logs in: HTTP {status}: {text}"
    attacker = tcr(other.ak, other.sk)
    checks = Checks()
    with checks.check("ModifyInstanceToken Enable=false"):
        e = refused_tc(lambda: attacker.ModifyInstanceToken(tcr_req(
            models.ModifyInstanceTokenRequest, RegistryId=rid, TokenId=token.TokenId, Enable=False,
            ModifyFlag=2)), "another member disables the owner's token", REFUSED_TC)
        step("another member's disable refused", f"{e.code} {e.message!r}")
    with checks.check("DeleteInstanceToken"):
        e = refused_tc(lambda: attacker.DeleteInstanceToken(tcr_req(
            models.DeleteInstanceTokenRequest, RegistryId=rid, TokenId=token.TokenId)),
            "another member deletes the owner's token", REFUSED_TC)
        step("another member's delete refused", f"{e.code} {e.message!r}")
    with checks.check("the token afterwards"):
        listed = [t for t in world.tcr_tokens() if t.Id == token.TokenId]
        assert listed, "the owner's token is gone"
        assert listed[0].Enabled is True, "the owner's token is disabled"
        status, _, text = registry_login(setting("TCR_URL"), world.tcr_service(), token.Username, token.Token)
        assert status == 200, f"the owner's token no longer logs in: HTTP {status}: {text}"
    checks.done()


if __name__ == "__main__":
    sys.exit(run_tests("trust_admin_disable", [
        test_owner_cannot_undo_admin_disable_of_swr_credential,
        test_member_cannot_disable_or_delete_anothers_tcr_token,
    ]))
