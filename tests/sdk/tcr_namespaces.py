#!/usr/bin/env python3
"""The namespaces of a TCR registry through the unmodified Tencent Cloud SDK
(``tencentcloud-sdk-python-tcr``, 2019-09-24): CreateNamespace (IsPublic), DescribeNamespaces
(NamespaceName, Limit/Offset, All), ModifyNamespace (IsPublic), DeleteNamespace and
DescribeInstanceAllNamespaces, read back through the SDK's response models; and the error
codes of bad names, duplicates (also a name another account's registry holds on the same
registry service), unknown registries and namespaces, a readonly user's writes, and another
account's calls on this account's registry.

DescribeInstanceAllNamespacesResponse reads only RequestId in the SDK; the list tcr-svc
sends besides is read from the JSON of a request signed as the SDK signs
(trust_common.tc3_headers), to check it holds no other account's namespace.

Environment as common.py (TCR_URL, IAM_URL, IAM_ADMIN_*, and IAM_OTHER_* for the other
account). Prints one line per step; each test function reports PASS or FAIL, and the exit
status is 1 when any failed.
"""

import json
import sys

from tencentcloud.tcr.v20190924 import models

from trust_common import (
    Checks,
    refused_tc,
    run_tests,
    step,
    suffix,
    tc3_headers,
    tc3_send,
    tcr,
    tcr_req,
)

# Each breaks "2 to 30 of a-z, 0-9 and '.', '_', '-', no separator first, last or twice in a row".
BAD_NAMES = ["a", "Upper", "-lead", "trail-", "a..b", "a_-b", "sp ace", "x" * 31]
BAD_NAME_CODES = ("InvalidParameter", "InvalidParameterValue")
# The SDK's error codes that say a namespace name is taken.
TAKEN_CODES = ("InvalidParameter.ErrNamespaceExist", "FailedOperation.ErrorTcrResourceConflict")
NOT_FOUND_CODES = ("ResourceNotFound",)
REFUSED_CODES = ("UnauthorizedOperation", "AuthFailure")


# ---------------------------------------------------------------------------- calls

def create(client, rid, name, public=None):
    fields = {"RegistryId": rid, "NamespaceName": name}
    if public is not None:
        fields["IsPublic"] = public
    return client.CreateNamespace(tcr_req(models.CreateNamespaceRequest, **fields))


def describe(client, rid, **fields):
    resp = client.DescribeNamespaces(tcr_req(models.DescribeNamespacesRequest, RegistryId=rid, **fields))
    assert isinstance(resp.TotalCount, int), f"DescribeNamespaces {fields}: TotalCount={resp.TotalCount!r}"
    assert resp.RequestId, f"DescribeNamespaces {fields}: no RequestId"
    return resp


def modify(client, rid, name, public):
    return client.ModifyNamespace(tcr_req(models.ModifyNamespaceRequest, RegistryId=rid, NamespaceName=name,
                                          IsPublic=public))


def delete(client, rid, name):
    return client.DeleteNamespace(tcr_req(models.DeleteNamespaceRequest, RegistryId=rid, NamespaceName=name))


def names(resp):
    return [n.Name for n in resp.NamespaceList or []]


def all_namespaces_raw(ak, sk):
    """The namespace names of DescribeInstanceAllNamespaces signed with the key ak/sk, read
    from the Response JSON (the SDK model has RequestId only)."""
    body = json.dumps({"Limit": 1000, "Offset": 0}).encode()
    code, resp = tc3_send(tc3_headers(ak, sk, "DescribeInstanceAllNamespaces", body), body)
    assert code is None, f"DescribeInstanceAllNamespaces: {code}: {resp}"
    listed = resp.get("NamespaceList")
    assert isinstance(listed, list), f"DescribeInstanceAllNamespaces: NamespaceList={listed!r}"
    return {n["Namespace"] for n in listed}


def check_info(n, name, public, what):
    """A TcrNamespaceInfo as the SDK reads it."""
    assert n.Name == name, f"{what}: Name={n.Name!r}"
    assert n.Public is public, f"{what}: Public={n.Public!r}, want {public}"
    assert isinstance(n.NamespaceId, int) and not isinstance(n.NamespaceId, bool), f"{what}: NamespaceId={n.NamespaceId!r}"
    assert isinstance(n.CreationTime, str) and n.CreationTime, f"{what}: CreationTime={n.CreationTime!r}"


# ---------------------------------------------------------------------------- the tests

def test_namespace_lifecycle(world):
    client, rid, s = world.admin_tcr(), world.tcr_reg(), suffix()
    private, public, doomed = f"ns-{s}-a", f"ns-{s}-b", f"ns-{s}-c"
    for name, flag in ((private, False), (public, True), (doomed, False)):
        resp = create(client, rid, name, flag)
        assert resp.RequestId, f"CreateNamespace {name}: no RequestId"
        world.cleanups.append(lambda n=name: delete(client, rid, n))
    step("CreateNamespace", f"{private} and {doomed} (IsPublic false), {public} (IsPublic true)")

    checks = Checks()
    with checks.check("DescribeNamespaces"):
        resp = describe(client, rid, Limit=100, Offset=0)
        got = {n.Name: n for n in resp.NamespaceList or []}
        assert {private, public, doomed} <= set(got), f"listed {sorted(got)}"
        assert resp.TotalCount == len(got), f"TotalCount {resp.TotalCount} for {len(got)} entries"
        for name, flag in ((private, False), (public, True), (doomed, False)):
            check_info(got[name], name, flag, f"DescribeNamespaces {name}")
        ids = {got[n].NamespaceId for n in (private, public, doomed)}
        assert len(ids) == 3, f"NamespaceIds repeat: {ids}"
        step("DescribeNamespaces", f"TotalCount {resp.TotalCount}; Public as created")
    with checks.check("DescribeNamespaces NamespaceName"):
        resp = describe(client, rid, NamespaceName=public)
        assert names(resp) == [public] and resp.TotalCount == 1, f"{names(resp)} TotalCount {resp.TotalCount}"
        step("DescribeNamespaces NamespaceName", f"{public} -> itself only")
    with checks.check("DescribeNamespaces Limit and All"):
        page = describe(client, rid, Limit=1, Offset=0)
        assert len(page.NamespaceList) == 1 and page.TotalCount >= 3, (
            f"Limit 1: {names(page)} TotalCount {page.TotalCount}")
        every = describe(client, rid, Limit=1, All=True)
        assert len(every.NamespaceList) == every.TotalCount >= 3, f"All: {names(every)} TotalCount {every.TotalCount}"
        step("DescribeNamespaces Limit/All", f"Limit 1 -> 1 of {page.TotalCount}; All -> {len(every.NamespaceList)}")
    with checks.check("ModifyNamespace IsPublic"):
        assert modify(client, rid, private, True).RequestId, "ModifyNamespace: no RequestId"
        (n,) = describe(client, rid, NamespaceName=private).NamespaceList
        assert n.Public is True, f"after IsPublic true: Public={n.Public!r}"
        modify(client, rid, private, False)
        (n,) = describe(client, rid, NamespaceName=private).NamespaceList
        assert n.Public is False, f"after IsPublic false: Public={n.Public!r}"
        step("ModifyNamespace", f"{private}: public, then private, as DescribeNamespaces reads it")
    with checks.check("DeleteNamespace"):
        assert delete(client, rid, doomed).RequestId, "DeleteNamespace: no RequestId"
        assert doomed not in names(describe(client, rid, Limit=100)), "still listed"
        resp = describe(client, rid, NamespaceName=doomed)
        assert resp.TotalCount == 0 and not resp.NamespaceList, f"NamespaceName {doomed}: {names(resp)}"
        e = refused_tc(lambda: delete(client, rid, doomed), "DeleteNamespace again", NOT_FOUND_CODES)
        step("DeleteNamespace", f"{doomed} gone; again -> {e.code}")
    with checks.check("a deleted name comes back to its own registry"):
        create(client, rid, doomed, False)
        assert doomed in names(describe(client, rid, Limit=100)), "not listed once made again"
        step("CreateNamespace again", f"{doomed}, by its own registry")
    with checks.check("DescribeInstanceAllNamespaces"):
        resp = client.DescribeInstanceAllNamespaces(tcr_req(models.DescribeInstanceAllNamespacesRequest,
                                                            Limit=100, Offset=0))
        assert resp.RequestId, "DescribeInstanceAllNamespaces: no RequestId"
        step("DescribeInstanceAllNamespaces", f"RequestId {resp.RequestId} (all the SDK model reads)")
    checks.done()


def test_refusals(world):
    client, rid, s = world.admin_tcr(), world.tcr_reg(), suffix()
    taken = f"ns-{s}-taken"
    create(client, rid, taken, False)
    world.cleanups.append(lambda: delete(client, rid, taken))
    checks = Checks()
    with checks.check("bad names"):
        for bad in BAD_NAMES:
            e = refused_tc(lambda b=bad: create(client, rid, b, False), f"CreateNamespace {bad!r}", BAD_NAME_CODES)
        step("bad names", f"{len(BAD_NAMES)} refused ({e.code}: {e.message!r})")
    with checks.check("duplicate"):
        e = refused_tc(lambda: create(client, rid, taken, True), "CreateNamespace duplicate", TAKEN_CODES)
        step("duplicate", f"{e.code}: {e.message!r}")
    with checks.check("IsPublic missing"):
        # The vendor's CreateNamespace requires IsPublic; tcr-svc asks for it rather than guess.
        e = refused_tc(lambda: create(client, rid, f"ns-{s}-nopub"), "CreateNamespace without IsPublic",
                       ("MissingParameter",))
        assert f"ns-{s}-nopub" not in names(describe(client, rid, Limit=100)), "made without IsPublic"
        step("IsPublic missing", f"{e.code}: {e.message!r}")
    with checks.check("unknown registry and namespace"):
        ghost = "tcr-" + suffix()
        for label, call in (("CreateNamespace", lambda: create(client, ghost, f"ns-{s}-x", False)),
                            ("DescribeNamespaces", lambda: describe(client, ghost)),
                            ("ModifyNamespace", lambda: modify(client, ghost, taken, True)),
                            ("DeleteNamespace", lambda: delete(client, ghost, taken))):
            e = refused_tc(call, f"{label} of an unknown registry", NOT_FOUND_CODES)
        f = refused_tc(lambda: modify(client, rid, f"ns-{s}-none", True), "ModifyNamespace unknown", NOT_FOUND_CODES)
        refused_tc(lambda: delete(client, rid, f"ns-{s}-none"), "DeleteNamespace unknown", NOT_FOUND_CODES)
        step("unknown", f"registry -> {e.code}; namespace -> {f.code}")
    with checks.check("readonly user"):
        reader = world.user(project_roles=(), domain_roles=("readonly",))
        as_reader = tcr(reader.ak, reader.sk)
        for label, call in (("CreateNamespace", lambda: create(as_reader, rid, f"ns-{s}-r", False)),
                            ("ModifyNamespace", lambda: modify(as_reader, rid, taken, True)),
                            ("DeleteNamespace", lambda: delete(as_reader, rid, taken))):
            e = refused_tc(call, f"readonly {label}", REFUSED_CODES)
        assert taken in names(describe(as_reader, rid, Limit=100)), "readonly DescribeNamespaces misses it"
        (n,) = describe(client, rid, NamespaceName=taken).NamespaceList
        assert n.Public is False, "the readonly user's ModifyNamespace changed it"
        step("readonly", f"describes; create/modify/delete -> {e.code}")
    with checks.check("another account"):
        other = world.other_account()
        theirs = tcr(other.ak, other.sk)
        for label, call in (("CreateNamespace", lambda: create(theirs, rid, f"ns-{s}-o", False)),
                            ("DescribeNamespaces", lambda: describe(theirs, rid)),
                            ("ModifyNamespace", lambda: modify(theirs, rid, taken, True)),
                            ("DeleteNamespace", lambda: delete(theirs, rid, taken))):
            e = refused_tc(call, f"another account's {label} on this registry", NOT_FOUND_CODES)
        (n,) = describe(client, rid, NamespaceName=taken).NamespaceList
        assert n.Public is False, "another account's ModifyNamespace changed it"
        # Its own registry on the same registry service: the name is taken there too.
        own = theirs.CreateInstance(tcr_req(models.CreateInstanceRequest, RegistryName=f"other-{s}",
                                            RegistryType="basic")).RegistryId
        world.cleanups.append(lambda: theirs.DeleteInstance(tcr_req(models.DeleteInstanceRequest, RegistryId=own)))
        f = refused_tc(lambda: create(theirs, own, taken, True), "another account takes this account's name", TAKEN_CODES)
        theirs_ns = f"ns-{s}-theirs"
        create(theirs, own, theirs_ns, False)
        world.cleanups.append(lambda: delete(theirs, own, theirs_ns))
        refused_tc(lambda: create(client, rid, theirs_ns, True), "this account takes the other's name", TAKEN_CODES)
        # Each account's list of every namespace holds its own only.
        mine = all_namespaces_raw(world.admin_ak, world.admin_sk)
        their_all = all_namespaces_raw(other.ak, other.sk)
        assert taken in mine and theirs_ns not in mine, f"this account's DescribeInstanceAllNamespaces: {sorted(mine)}"
        assert theirs_ns in their_all and not their_all & mine, (
            f"the other account's DescribeInstanceAllNamespaces: {sorted(their_all)}")
        step("another account", f"its calls on this registry -> {e.code}; names unique across accounts "
                                f"({f.code}); DescribeInstanceAllNamespaces lists each account's own")
    checks.done()


if __name__ == "__main__":
    sys.exit(run_tests("tcr_namespaces", [test_namespace_lifecycle, test_refusals]))
