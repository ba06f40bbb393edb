#!/usr/bin/env python3
"""The registries of an account through the unmodified Tencent Cloud SDK
(``tencentcloud-sdk-python-tcr``, 2019-09-24), read back through the SDK's response models:
DescribeInstances shows each registry's region id, the temp token lifetime in hours and its
tags, and lists the client's region unless AllRegion; CreateInstance refuses what it cannot
keep; DescribeInstanceStatus, CheckInstanceName and CheckInstance answer about the caller's
own account, to an admin and a readonly user alike (and to a temporary key as
DescribeInstances does), and never about another account's registries.

Environment as common.py (TCR_URL, IAM_URL, IAM_ADMIN_*, IAM_OTHER_*, and the lifetime
TCR__TOKENS__TEMP_LIFETIME_SECONDS when the stack sets one). Prints one line per step; each
test function reports PASS or FAIL, and the exit status is 1 when any failed.
"""

import math
import os
import sys

from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.tcr.v20190924 import models, tcr_client
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from trust_common import (
    TCR_REGION,
    Checks,
    refused_tc,
    run_tests,
    step,
    suffix,
    tcr,
    tcr_endpoint,
    tcr_req,
)

# Tencent's region ids of the regions these tests use (docs/api/tcr.md has them all).
REGION_IDS = {"ap-guangzhou": 1, "ap-shanghai": 4, "ap-beijing": 8}
OTHER_REGION = "ap-shanghai" if TCR_REGION != "ap-shanghai" else "ap-beijing"
TEMP_HOURS = math.ceil(int(os.environ.get("TCR__TOKENS__TEMP_LIFETIME_SECONDS") or 3600) / 3600)


def in_region(secret_id, secret_key, region):
    netloc, scheme = tcr_endpoint()
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=netloc, protocol=scheme))
    return tcr_client.TcrClient(Credential(secret_id, secret_key), region, profile)


def create(client, name, **fields):
    return client.CreateInstance(tcr_req(models.CreateInstanceRequest, RegistryName=name, RegistryType="basic",
                                         **fields)).RegistryId


def delete(client, rid):
    return client.DeleteInstance(tcr_req(models.DeleteInstanceRequest, RegistryId=rid))


def described(client, **fields):
    resp = client.DescribeInstances(tcr_req(models.DescribeInstancesRequest, Limit=100, **fields))
    return {r.RegistryId: r for r in resp.Registries or []}


def statuses(client, ids):
    resp = client.DescribeInstanceStatus(tcr_req(models.DescribeInstanceStatusRequest, RegistryIds=ids))
    return [(s.RegistryId, s.Status, s.Conditions) for s in resp.RegistryStatusSet or []]


def check_name(client, name):
    resp = client.CheckInstanceName(tcr_req(models.CheckInstanceNameRequest, RegistryName=name))
    assert resp.RequestId, "CheckInstanceName: no RequestId"
    return resp.IsValidated, resp.DetailCode


def check(client, rid):
    resp = client.CheckInstance(tcr_req(models.CheckInstanceRequest, RegistryId=rid))
    return resp.IsValidated, resp.RegionId


def test_describe_instances_tells_the_truth(world):
    s, admin = suffix(), world.admin_tcr()
    here = create(admin, f"here-{s}", TagSpecification=tcr_req(
        models.TagSpecification, ResourceType="instance",
        Tags=[tcr_req(models.Tag, Key="team", Value="sdk")]))
    world.cleanups.append(lambda: delete(admin, here))
    elsewhere_client = in_region(world.admin_ak, world.admin_sk, OTHER_REGION)
    there = create(elsewhere_client, f"there-{s}")
    world.cleanups.append(lambda: delete(admin, there))
    step("CreateInstance", f"{here} in {TCR_REGION} (tagged), {there} in {OTHER_REGION}")

    checks = Checks()
    with checks.check("DescribeInstances"):
        listed = described(admin)
        assert here in listed and there not in listed, f"{TCR_REGION} lists {sorted(listed)}"
        r = listed[here]
        assert r.RegionName == TCR_REGION, f"RegionName {r.RegionName!r}"
        if TCR_REGION in REGION_IDS:
            assert r.RegionId == REGION_IDS[TCR_REGION], f"RegionId {r.RegionId!r}"
        assert r.TokenValidTime == TEMP_HOURS, f"TokenValidTime {r.TokenValidTime!r}, want {TEMP_HOURS}"
        tags = [(t.Key, t.Value) for t in r.TagSpecification.Tags]
        assert r.TagSpecification.ResourceType == "instance" and tags == [("team", "sdk")], f"tags {tags}"
        assert r.PayMod == 0 and r.DeletionProtection is False, f"PayMod {r.PayMod} {r.DeletionProtection}"
        everywhere = described(admin, AllRegion=True)
        assert {here, there} <= set(everywhere), f"AllRegion lists {sorted(everywhere)}"
        assert everywhere[there].RegionId == REGION_IDS[OTHER_REGION], f"{everywhere[there].RegionId!r}"
        step("DescribeInstances", f"RegionId {r.RegionId}, TokenValidTime {r.TokenValidTime} h, tags {tags}; "
                                  f"AllRegion adds {OTHER_REGION}'s (RegionId {everywhere[there].RegionId})")
    with checks.check("CreateInstance refusals"):
        for label, fields in (("RegistryChargeType 1", {"RegistryChargeType": 1}),
                              ("DeletionProtection", {"DeletionProtection": True}),
                              ("EnableCosMAZ", {"EnableCosMAZ": True})):
            e = refused_tc(lambda f=fields: create(admin, f"refused-{s}", **f), label, ("UnsupportedOperation",))
        e2 = refused_tc(lambda: create(in_region(world.admin_ak, world.admin_sk, "ap-nowhere"), f"nowhere-{s}"),
                        "an unknown region", ("InvalidParameter.UnsupportedRegion",))
        assert f"refused-{s}" not in {r.RegistryName for r in described(admin, AllRegion=True).values()}
        step("CreateInstance refusals", f"settings it cannot keep -> {e.code}; ap-nowhere -> {e2.code}")
    checks.done()


def test_the_checks_see_the_callers_account_only(world):
    s, admin, rid = suffix(), world.admin_tcr(), world.tcr_reg()
    name = described(admin, AllRegion=True)[rid].RegistryName
    region_id = described(admin, AllRegion=True)[rid].RegionId
    reader_user = world.user(project_roles=(), domain_roles=("readonly",))
    reader = tcr(reader_user.ak, reader_user.sk)
    # A temporary key acts with its holder's roles on the account: the readonly user's.
    key = world.temp_key(reader_user.ak, reader_user.sk)
    temp = tcr(key.access, key.secret, key.token)
    other = world.other_account()
    theirs = tcr(other.ak, other.sk)

    checks = Checks()
    for label, client in (("admin", admin), ("readonly", reader)):
        with checks.check(label):
            got = statuses(client, [rid, "tcr-unknown1"])
            assert got == [(rid, "Running", [])], f"DescribeInstanceStatus {got}"
            assert check_name(client, name) == (False, 3), f"CheckInstanceName {name}"
            assert check_name(client, f"free-{s}") == (True, None), "CheckInstanceName free"
            assert check_name(client, "Bad--Name") == (False, 1), "CheckInstanceName illegal"
            assert check(client, rid) == (True, region_id), f"CheckInstance {check(client, rid)}"
            assert check(client, "tcr-unknown1") == (False, None), "CheckInstance unknown"
            step(label, f"status Running; {name} taken (3), Bad--Name illegal (1); CheckInstance RegionId {region_id}")
    with checks.check("temporary key"):
        # The checks answer a temporary key as DescribeInstances does (the Rust tests hold
        # a temporary key with an account role to the answers above).
        def outcome(call):
            try:
                call()
                return "ok"
            except TencentCloudSDKException as e:
                return e.code
        want = outcome(lambda: temp.DescribeInstances(tcr_req(models.DescribeInstancesRequest)))
        for label, call in (("DescribeInstanceStatus", lambda: statuses(temp, [rid])),
                            ("CheckInstanceName", lambda: check_name(temp, f"free-{s}")),
                            ("CheckInstance", lambda: check(temp, rid))):
            got = outcome(call)
            assert got == want, f"{label} with the temporary key: {got}, DescribeInstances: {want}"
        step("temporary key", f"the checks answer as DescribeInstances does ({want})")
    with checks.check("another account"):
        assert statuses(theirs, [rid]) == [], "another account's DescribeInstanceStatus sees it"
        assert check_name(theirs, name) == (True, None), "another account's name check sees it"
        assert check(theirs, rid) == (False, None), "another account's CheckInstance validates it"
        step("another account", "sees no status, the name free, the registry not validated")
    with checks.check("bad input"):
        e = refused_tc(lambda: admin.DescribeInstanceStatus(models.DescribeInstanceStatusRequest()),
                       "DescribeInstanceStatus without RegistryIds", ("MissingParameter",))
        step("bad input", f"no RegistryIds -> {e.code}")
    checks.done()


if __name__ == "__main__":
    sys.exit(run_tests("tcr_instances", [test_describe_instances_tells_the_truth,
                                         test_the_checks_see_the_callers_account_only]))
