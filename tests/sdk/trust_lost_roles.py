#!/usr/bin/env python3
"""Losing a role or a group loses its power everywhere within ~10 s.

Users hold ``member`` on the project through a group. Each logs in (IAM token) and gets a
LakeFormation temporary key; the token creates an SWR long-term credential (a member's
right) and lists swr-svc's and lakeformation-svc's instances. Then the admin
(``huaweicloudsdkiam``) either

* removes one user from the group, or
* removes the group's role grant on the project (two members: both are affected),

and the test polls (up to 15 s) until each affected user's old X-Auth-Token is refused
on swr-svc and on lakeformation-svc (401; 403 is accepted too) and their temporary key
on swr-svc (401/403).

Environment (see common.py): IAM_URL, LAKEFORMATION_URL, SWR_URL, IAM_ADMIN_*.
"""

import sys
import time

from huaweicloudsdkiam.v3 import (
    KeystoneRemoveProjectPermissionFromGroupRequest,
    KeystoneRemoveUserFromGroupRequest,
)
from huaweicloudsdkswr.v2 import ListInstanceRequest

from common import expect_status, sdk_status, step
from trust_common import (
    CUT_DEADLINE,
    CUT_POLL_MAX,
    POLL_EVERY,
    distinct_limit,
    hw_creds,
    run_tests,
    setting,
    swr,
    token_http,
)

REFUSED = (401, 403)


def probes_of(world, user, key):
    """Token probes are not signed; the signed one varies its page size so that no probe
    is refused as a replay of the one before."""
    project = setting("ADMIN_PROJECT_ID")
    return {
        f"{user.name}: token on swr-svc": lambda: token_http(
            "GET", f"{setting('SWR_URL')}/v2/{project}/instances", user.token)[0],
        f"{user.name}: token on lakeformation-svc": lambda: token_http(
            "GET", f"{setting('LAKEFORMATION_URL')}/v1/{project}/instances", user.token)[0],
        f"{user.name}: temporary key on swr-svc": lambda: sdk_status(
            lambda: swr(hw_creds(key.access, key.secret, key.token)).list_instance(
                ListInstanceRequest(limit=distinct_limit()))),
    }


def member_with_everything(world, group_id=None):
    user = world.user(project_roles=("member",), group_id=group_id)
    key = world.temp_key(user.ak, user.sk)
    status, _, text = token_http(
        "POST", f"{setting('SWR_URL')}/v2/{setting('ADMIN_PROJECT_ID')}/instances/{world.swr_inst()}"
                "/long-term-credential", user.token, {"name": "member-right"})
    assert status == 201, f"{user.name}: a member's token creates an SWR credential: HTTP {status}: {text[:200]}"
    probes = probes_of(world, user, key)
    for label, probe in probes.items():
        status = probe()
        assert status == 200, f"before the change: {label}: HTTP {status}"
    return user, probes


def expect_cut(probes, what):
    start = time.monotonic()
    cut_at, last = {}, {}
    while len(cut_at) < len(probes) and time.monotonic() - start < CUT_POLL_MAX:
        for label, probe in probes.items():
            if label not in cut_at:
                last[label] = probe()
                if last[label] in REFUSED:
                    cut_at[label] = time.monotonic() - start
        time.sleep(POLL_EVERY)
    for label, at in sorted(cut_at.items(), key=lambda kv: kv[1]):
        step(f"cut: {label}", f"HTTP {last[label]} after {at:.1f} s")
    alive = [f"{label} (still HTTP {last[label]} after {CUT_POLL_MAX:.0f} s)"
             for label in probes if label not in cut_at]
    late = [f"{label} (cut only after {at:.1f} s)" for label, at in cut_at.items() if at > CUT_DEADLINE]
    assert not alive and not late, f"after {what}: " + "; ".join(alive + late)


def test_group_removal_cuts_member_rights(world):
    user, probes = member_with_everything(world)
    expect_status(world.admin().keystone_remove_user_from_group(KeystoneRemoveUserFromGroupRequest(
        group_id=user.group_id, user_id=user.id)), 204, "remove from group")
    step("removed from the group", user.name)
    expect_cut(probes, "removal from the group")


def test_role_grant_removal_cuts_member_rights(world):
    group_id = world.group(project_roles=("member",))
    first, probes = member_with_everything(world, group_id)
    second, more = member_with_everything(world, group_id)
    probes.update(more)
    expect_status(world.admin().keystone_remove_project_permission_from_group(
        KeystoneRemoveProjectPermissionFromGroupRequest(
            project_id=setting("ADMIN_PROJECT_ID"), group_id=group_id, role_id=world.roles["member"])),
        204, "remove the group's member grant")
    step("removed the group's grant", f"members {first.name}, {second.name}")
    expect_cut(probes, "removal of the role grant")


if __name__ == "__main__":
    sys.exit(run_tests("trust_lost_roles", [
        test_group_removal_cuts_member_rights,
        test_role_grant_removal_cuts_member_rights,
    ]))
