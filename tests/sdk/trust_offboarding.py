#!/usr/bin/env python3
"""Off-boarding is total: once a user is removed from their group, disabled and deleted,
every credential they hold is refused everywhere within 10 s.

The user (``member`` on the project and on the domain) first gets, each checked to work:
an IAM token, a permanent key, a LakeFormation temporary key, an SWR long-term and an SWR
temporary credential (``huaweicloudsdkswr``), a TCR ``longterm`` and a ``temp`` token
(``tencentcloud-sdk-python-tcr``). Then the admin removes them from their group, disables
and deletes them (``huaweicloudsdkiam``), and the test polls (up to 15 s) until each is
refused:

* the temporary key creating an SWR long-term credential (401/403) or listing SWR
  instances (401);
* registry logins (``GET /service/token``, HTTP Basic) with the SWR credentials on
  swr-svc and the TCR tokens on tcr-svc: 401;
* the IAM token on swr-svc: 401, and iam-svc no longer validates it;
* the permanent key signing on swr-svc: 401.

A second test only disables a user (who could be enabled again): the same must hold.

Environment (see common.py): IAM_URL, LAKEFORMATION_URL, SWR_URL, TCR_URL, IAM_ADMIN_*.
"""

import sys
import time

from huaweicloudsdkiam.v3 import (
    KeystoneDeleteUserRequest,
    KeystoneRemoveUserFromGroupRequest,
    KeystoneUpdateUserByAdminRequest,
    KeystoneUpdateUserByAdminRequestBody,
    KeystoneUpdateUserOption,
)
from huaweicloudsdkswr.v2 import ListInstanceRequest
from tencentcloud.tcr.v20190924 import models

from common import expect_status, sdk_status, step
from trust_common import (
    CUT_DEADLINE,
    CUT_POLL_MAX,
    distinct_limit,
    hw_creds,
    registry_login,
    run_tests,
    setting,
    swr,
    tcr,
    tcr_req,
    token_http,
)

POLL_EVERY = 1.0  # the temporary key's probe creates a credential while it is accepted


def user_with_every_credential(world):
    """A member of the project and the domain holding one credential of each kind, and
    the probes that try each (checked to work now)."""
    user = world.user(project_roles=("member",), domain_roles=("member",))
    instance, rid = world.swr_inst(), world.tcr_reg()
    key = world.temp_key(user.ak, user.sk)
    user_creds = hw_creds(user.ak, user.sk)

    lt = world.swr_lt(user_creds, "offboard-lt")
    expect_status(lt, 201, "SWR long-term credential")
    tmp = world.swr_temp(user_creds)
    expect_status(tmp, 201, "SWR temporary credential")
    client = tcr(user.ak, user.sk)
    tcr_lt = client.CreateInstanceToken(tcr_req(models.CreateInstanceTokenRequest, RegistryId=rid,
                                                TokenType="longterm", Desc="offboard"))
    tcr_tmp = client.CreateInstanceToken(tcr_req(models.CreateInstanceTokenRequest, RegistryId=rid,
                                                 TokenType="temp"))

    # Signed probes vary their page size: each is a new signature, never a replay.
    key_creds = hw_creds(key.access, key.secret, key.token)
    probes = {
        "temporary key creates an SWR long-term credential":
            lambda: sdk_status(lambda: world.swr_lt(key_creds)),
        "temporary key lists SWR instances":
            lambda: sdk_status(lambda: swr(key_creds).list_instance(ListInstanceRequest(limit=distinct_limit()))),
        "SWR long-term credential logs in": lambda: registry_login(
            setting("SWR_URL"), world.swr_service, lt.user_id, lt.auth_token)[0],
        "SWR temporary credential logs in": lambda: registry_login(
            setting("SWR_URL"), world.swr_service, tmp.user_id, tmp.auth_token)[0],
        "TCR longterm token logs in": lambda: registry_login(
            setting("TCR_URL"), world.tcr_service(), tcr_lt.Username, tcr_lt.Token)[0],
        "TCR temp token logs in": lambda: registry_login(
            setting("TCR_URL"), world.tcr_service(), tcr_tmp.Username, tcr_tmp.Token)[0],
        "IAM token on swr-svc": lambda: token_http(
            "GET", f"{setting('SWR_URL')}/v2/{setting('ADMIN_PROJECT_ID')}/instances", user.token)[0],
        "IAM token validated by iam-svc": lambda: token_http(
            "GET", f"{setting('IAM_URL')}/v3/auth/tokens", world.admin_token, None,
            {"X-Subject-Token": user.token})[0],
        "permanent key on swr-svc": lambda: sdk_status(
            lambda: swr(user_creds).list_instance(ListInstanceRequest(limit=distinct_limit()))),
    }
    # Before: each works (a temporary key may be refused long-term credentials anyway).
    accepted = {"temporary key creates an SWR long-term credential": (201, 403)}
    for label, probe in probes.items():
        status = probe()
        assert status in accepted.get(label, (200, 201)), f"before off-boarding: {label}: HTTP {status}"
    step("before", f"all {len(probes)} credentials work (instance {instance}, registry {rid})")
    return user, probes


def disable(world, user):
    expect_status(world.admin().keystone_update_user_by_admin(KeystoneUpdateUserByAdminRequest(
        user_id=user.id, body=KeystoneUpdateUserByAdminRequestBody(user=KeystoneUpdateUserOption(
            enabled=False)))), 200, "disable")


def test_offboarding_cuts_every_credential(world):
    user, probes = user_with_every_credential(world)
    admin = world.admin()
    expect_status(admin.keystone_remove_user_from_group(KeystoneRemoveUserFromGroupRequest(
        group_id=user.group_id, user_id=user.id)), 204, "remove from group")
    disable(world, user)
    expect_status(admin.keystone_delete_user(KeystoneDeleteUserRequest(user_id=user.id)), 204, "delete")
    step("off-boarded", "removed from the group, disabled, deleted")
    expect_all_cut(probes, "off-boarding")


def test_disabling_a_user_cuts_every_credential(world):
    user, probes = user_with_every_credential(world)
    disable(world, user)
    step("disabled", user.name)
    expect_all_cut(probes, "disabling")


def expect_all_cut(probes, what):
    start = time.monotonic()

    # A dead credential is 401 (iam-svc's token validation: 404); only the long-term
    # create may be 403, the refusal a living temporary key gets too.
    refused = {"temporary key creates an SWR long-term credential": (401, 403),
               "IAM token validated by iam-svc": (401, 404)}
    cut_at, last = {}, {}
    while len(cut_at) < len(probes) and time.monotonic() - start < CUT_POLL_MAX:
        for label, probe in probes.items():
            if label in cut_at:
                continue
            last[label] = probe()
            if last[label] in refused.get(label, (401,)):
                cut_at[label] = time.monotonic() - start
        time.sleep(POLL_EVERY)
    for label, at in sorted(cut_at.items(), key=lambda kv: kv[1]):
        step(f"cut: {label}", f"HTTP {last[label]} after {at:.1f} s")
    alive = [f"{label} (still HTTP {last[label]} after {CUT_POLL_MAX:.0f} s)"
             for label in probes if label not in cut_at]
    late = [f"{label} (cut only after {at:.1f} s)" for label, at in cut_at.items() if at > CUT_DEADLINE]
    assert not alive and not late, f"after {what}: " + "; ".join(alive + late)


if __name__ == "__main__":
    sys.exit(run_tests("trust_offboarding", [
        test_offboarding_cuts_every_credential,
        test_disabling_a_user_cuts_every_credential,
    ]))
