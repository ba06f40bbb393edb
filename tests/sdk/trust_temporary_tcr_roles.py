#!/usr/bin/env python3
"""A temporary key acts with no more than its user holds: project roles are not account
(domain) roles in tcr-svc.

A user with ``member`` on one project and no domain role calls CreateInstance through
``tencentcloud-sdk-python-tcr``, signed with their permanent key, then with their
LakeFormation temporary key (``X-TC-Token``): both are ``UnauthorizedOperation``, and no
registry of that name exists.

Environment (see common.py): IAM_URL, LAKEFORMATION_URL, TCR_URL, IAM_ADMIN_*.
"""

import secrets
import sys

from tencentcloud.tcr.v20190924 import models

from common import step
from trust_common import refused_tc, run_tests, tcr, tcr_req

REFUSED = ("UnauthorizedOperation", "OperationDenied")


def registries_named(world, name):
    resp = world.admin_tcr().DescribeInstances(tcr_req(
        models.DescribeInstancesRequest, Filters=[tcr_req(models.Filter, Name="RegistryName", Values=[name])]))
    return [r.RegistryId for r in (resp.Registries or []) if r.RegistryName == name]


def delete_registries_named(world, name):
    for rid in registries_named(world, name):
        world.admin_tcr().DeleteInstance(tcr_req(models.DeleteInstanceRequest, RegistryId=rid))


def test_project_member_gains_no_account_role_with_temporary_key(world):
    user = world.user(project_roles=("member",), domain_roles=())
    key = world.temp_key(user.ak, user.sk)
    for label, client in (("permanent key", tcr(user.ak, user.sk)),
                          ("temporary key", tcr(key.access, key.secret, key.token))):
        name = "trust" + secrets.token_hex(5)
        world.cleanups.append(lambda name=name: delete_registries_named(world, name))
        e = refused_tc(lambda: client.CreateInstance(tcr_req(
            models.CreateInstanceRequest, RegistryName=name, RegistryType="basic")),
            f"CreateInstance by a project member without a domain role ({label})", REFUSED)
        made = registries_named(world, name)
        assert not made, f"{label}: registry {name} exists after the refusal: {made}"
        step(f"CreateInstance with the {label}", f"{e.code} {e.message!r}")


if __name__ == "__main__":
    sys.exit(run_tests("trust_temporary_tcr_roles", [
        test_project_member_gains_no_account_role_with_temporary_key,
    ]))
