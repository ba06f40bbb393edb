#!/usr/bin/env python3
"""TCR service accounts through the unmodified Tencent Cloud SDK
(``tencentcloud-sdk-python-tcr``, 2019-09-24): CreateServiceAccount (Permissions per
namespace, Duration, ExpiresAt, Disable), DescribeServiceAccounts (EmbedPermission, the
ServiceAccountName filter, Offset/Limit), ModifyServiceAccount (Description, Permissions,
Disable, Duration), ModifyServiceAccountPassword (Random, chosen) and DeleteServiceAccount,
read back through the SDK's response models; what each state gives at the registry token
endpoint (``GET /service/token`` as ``tcr$<name>``, the JWT's access decoded); and the
refusals: duplicate and bad names, bad Permissions and passwords, unknown registries and
accounts, a readonly user's writes, and another account's calls.

Pushing and pulling through a real registry with these accounts is in
tests/registry/tcr-e2e.sh; here the registry token's access entries say what the registry
would allow.

Environment as common.py (TCR_URL, IAM_URL, IAM_ADMIN_*, and IAM_OTHER_* for the other
account); TCR_REGISTRY_SERVICE names tcr-svc's registry.service (default tcr-registry).
Prints one line per step; each test function reports PASS or FAIL, and the exit status is 1
when any failed.
"""

import sys
import time

from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.tcr.v20190924 import models

from trust_common import (
    Checks,
    refused_tc,
    registry_login,
    run_tests,
    setting,
    step,
    suffix,
    tcr,
    tcr_req,
)

PUSH, PULL = "tcr:PushRepository", "tcr:PullRepository"
DAY_MS = 24 * 3600 * 1000
CLOCK_SLACK_MS = 120 * 1000
PREFIX = "tcr$"
NOT_FOUND_CODES = ("ResourceNotFound",)
BAD_INPUT_CODES = ("InvalidParameter", "MissingParameter")
TAKEN_CODES = ("InvalidParameter.ErrorNameExists", "InvalidParameter.ErrUserExist",
               "FailedOperation.ErrorTcrResourceConflict")
REFUSED_CODES = ("UnauthorizedOperation", "AuthFailure")


def now_ms():
    return int(time.time() * 1000)


def perm(namespace, *actions):
    return tcr_req(models.Permission, Resource=namespace, Actions=list(actions))


def perms_of(account):
    return sorted((p.Resource, sorted(p.Actions or [])) for p in account.Permissions or [])


def grants(world, user, password, repository):
    """The actions a registry token of ``user`` holds on ``repository`` when it asks for
    pull, push and delete: (HTTP status, actions)."""
    status, actions, _ = registry_login(setting("TCR_URL"), world.tcr_service(), user, password,
                                        scope=f"repository:{repository}:pull,push,delete")
    return status, actions


def expect_grants(world, user, password, repository, want, what):
    status, actions = grants(world, user, password, repository)
    assert status == 200 and actions == sorted(want), (
        f"{what}: token on {repository}: HTTP {status} actions {actions}, want 200 {sorted(want)}")


def refusal(e, codes, what):
    """``e``, a TencentCloudSDKException whose code starts with one of ``codes``."""
    assert isinstance(e, TencentCloudSDKException) and str(e.code).startswith(codes), f"{what}: {e!r}"
    return e.code


def expect_login_refused(world, user, password, what):
    status, _, text = registry_login(setting("TCR_URL"), world.tcr_service(), user, password)
    assert status == 401, f"{what}: registry login HTTP {status}: {text}"


# ---------------------------------------------------------------------------- calls

def create(client, rid, name, permissions, **fields):
    return client.CreateServiceAccount(tcr_req(models.CreateServiceAccountRequest, RegistryId=rid, Name=name,
                                               Permissions=permissions, **fields))


def describe(client, rid, **fields):
    resp = client.DescribeServiceAccounts(tcr_req(models.DescribeServiceAccountsRequest, RegistryId=rid, **fields))
    assert isinstance(resp.TotalCount, int), f"DescribeServiceAccounts {fields}: TotalCount={resp.TotalCount!r}"
    return resp


def find(client, rid, name):
    """The DescribeServiceAccounts entry of ``name`` (asked with EmbedPermission), or None."""
    accounts = describe(client, rid, EmbedPermission=True, Limit=100).ServiceAccounts or []
    found = [a for a in accounts if a.Name in (name, PREFIX + name)]
    assert len(found) <= 1, f"{name} listed {len(found)} times"
    return found[0] if found else None


def modify(client, rid, name, **fields):
    return client.ModifyServiceAccount(tcr_req(models.ModifyServiceAccountRequest, RegistryId=rid, Name=name, **fields))


def new_password(client, rid, name, **fields):
    return client.ModifyServiceAccountPassword(tcr_req(models.ModifyServiceAccountPasswordRequest, RegistryId=rid,
                                                       Name=name, **fields))


def delete(client, rid, name):
    return client.DeleteServiceAccount(tcr_req(models.DeleteServiceAccountRequest, RegistryId=rid, Name=name))


def namespaces(world, client, rid, *names):
    for name in names:
        client.CreateNamespace(tcr_req(models.CreateNamespaceRequest, RegistryId=rid, NamespaceName=name,
                                       IsPublic=False))
        world.cleanups.append(lambda n=name: client.DeleteNamespace(tcr_req(
            models.DeleteNamespaceRequest, RegistryId=rid, NamespaceName=n)))


# ---------------------------------------------------------------------------- the tests

def test_service_account_lifecycle(world):
    client, rid, s = world.admin_tcr(), world.tcr_reg(), suffix()
    rw, ro, none = f"sa-{s}-rw", f"sa-{s}-ro", f"sa-{s}-none"
    namespaces(world, client, rid, rw, ro, none)
    name = f"ci-{s}"
    before = now_ms()
    resp = create(client, rid, name, [perm(rw, PUSH, PULL), perm(ro, PULL)], Description="ci job", Duration=1,
                  Disable=False)
    world.cleanups.append(lambda: delete(client, rid, name))
    user, password = resp.Name, resp.Password
    assert user == PREFIX + name, f"CreateServiceAccount Name={user!r}, want {PREFIX + name!r}"
    assert password, "CreateServiceAccount: no Password"
    assert isinstance(resp.ExpiresAt, int) and abs(resp.ExpiresAt - (before + DAY_MS)) < CLOCK_SLACK_MS, (
        f"Duration 1: ExpiresAt={resp.ExpiresAt!r}, want about {before + DAY_MS}")
    assert isinstance(resp.CreateTime, str) and resp.CreateTime, f"CreateTime={resp.CreateTime!r}"
    step("CreateServiceAccount", f"{user}, ExpiresAt in 1 day, CreateTime {resp.CreateTime}")

    checks = Checks()
    with checks.check("registry tokens follow Permissions"):
        expect_grants(world, user, password, f"{rw}/app", ["pull", "push"], "push+pull namespace")
        expect_grants(world, user, password, f"{ro}/app", ["pull"], "pull namespace")
        expect_grants(world, user, password, f"{none}/app", [], "namespace not named")
        expect_login_refused(world, name, password, "the name without tcr$")
        expect_login_refused(world, user, password + "x", "a wrong password")
        step("registry tokens", f"{rw}: pull,push; {ro}: pull; {none}: nothing; bare name and wrong password 401")
    with checks.check("DescribeServiceAccounts"):
        found = find(client, rid, name)
        assert found is not None, "not listed"
        assert found.Description == "ci job", f"Description={found.Description!r}"
        assert found.Disable is False, f"Disable={found.Disable!r}"
        assert found.ExpiresAt == resp.ExpiresAt, f"ExpiresAt {found.ExpiresAt} != {resp.ExpiresAt}"
        assert found.CreateTime and found.UpdateTime, f"CreateTime={found.CreateTime!r} UpdateTime={found.UpdateTime!r}"
        assert perms_of(found) == [(ro, [PULL]), (rw, sorted([PUSH, PULL]))], f"Permissions {perms_of(found)}"
        assert not getattr(found, "Password", None), "a listed account shows a password"
        step("DescribeServiceAccounts", f"{found.Name}: Description, Disable, ExpiresAt, Permissions as created")
    with checks.check("DescribeServiceAccounts filter and pages"):
        other = f"ci-{s}-2"
        create(client, rid, other, [perm(ro, PULL)])
        world.cleanups.append(lambda: delete(client, rid, other))
        filtered = describe(client, rid, Filters=[tcr_req(models.Filter, Name="ServiceAccountName", Values=[other])])
        assert [a.Name for a in filtered.ServiceAccounts or []] in ([other], [PREFIX + other]), (
            f"ServiceAccountName {other}: {[a.Name for a in filtered.ServiceAccounts or []]}")
        page = describe(client, rid, Limit=1, Offset=0)
        assert len(page.ServiceAccounts or []) == 1 and page.TotalCount >= 2, (
            f"Limit 1: {len(page.ServiceAccounts or [])} of {page.TotalCount}")
        every = describe(client, rid, All=True)
        assert len(every.ServiceAccounts or []) == every.TotalCount >= 2, f"All: {every.TotalCount}"
        step("DescribeServiceAccounts", f"filter -> {other} only; Limit 1 -> 1 of {page.TotalCount}; All")
    with checks.check("ModifyServiceAccount Description and Permissions"):
        modify(client, rid, name, Description="ci job, pull only",
               Permissions=[perm(rw, PULL), perm(none, PUSH, PULL)])
        found = find(client, rid, name)
        assert found.Description == "ci job, pull only", f"Description={found.Description!r}"
        assert perms_of(found) == [(none, sorted([PUSH, PULL])), (rw, [PULL])], f"Permissions {perms_of(found)}"
        expect_grants(world, user, password, f"{rw}/app", ["pull"], "after Modify, the old push namespace")
        expect_grants(world, user, password, f"{ro}/app", [], "after Modify, the namespace no longer named")
        expect_grants(world, user, password, f"{none}/app", ["pull", "push"], "after Modify, the new namespace")
        step("ModifyServiceAccount Permissions", "Describe and registry tokens follow at once")
    with checks.check("ModifyServiceAccount Disable"):
        modify(client, rid, name, Disable=True)
        assert find(client, rid, name).Disable is True, "Describe: not disabled"
        expect_login_refused(world, user, password, "disabled")
        modify(client, rid, name, Disable=False)
        assert find(client, rid, name).Disable is False, "Describe: still disabled"
        expect_grants(world, user, password, f"{rw}/app", ["pull"], "enabled again")
        step("ModifyServiceAccount Disable", "true: login 401; false: login again")
    with checks.check("ModifyServiceAccount Duration"):
        before = now_ms()
        modify(client, rid, name, Duration=2)
        found = find(client, rid, name)
        assert abs(found.ExpiresAt - (before + 2 * DAY_MS)) < CLOCK_SLACK_MS, f"Duration 2: ExpiresAt={found.ExpiresAt}"
        step("ModifyServiceAccount Duration", f"ExpiresAt {found.ExpiresAt} (2 days)")
    with checks.check("ModifyServiceAccountPassword"):
        random_pw = new_password(client, rid, name, Random=True).Password
        assert random_pw and random_pw != password, "Random: no new Password"
        expect_login_refused(world, user, password, "the old password")
        expect_grants(world, user, random_pw, f"{rw}/app", ["pull"], "the random password")
        chosen = "Ci" + suffix() + "9x"
        resp_pw = new_password(client, rid, name, Random=False, Password=chosen)
        assert resp_pw.Password in (None, "", chosen), f"chosen password answered {resp_pw.Password!r}"
        expect_login_refused(world, user, random_pw, "the random password after a chosen one")
        expect_grants(world, user, chosen, f"{rw}/app", ["pull"], "the chosen password")
        password = chosen
        step("ModifyServiceAccountPassword", "random, then chosen: only the newest logs in")
    with checks.check("DeleteServiceAccount"):
        delete(client, rid, name)
        assert find(client, rid, name) is None, "still listed"
        expect_login_refused(world, user, password, "deleted")
        e = refused_tc(lambda: delete(client, rid, name), "DeleteServiceAccount again", NOT_FOUND_CODES)
        step("DeleteServiceAccount", f"gone, login 401; again -> {e.code}")
    with checks.check("created disabled, or with ExpiresAt"):
        off, dated = f"ci-{s}-off", f"ci-{s}-dated"
        resp = create(client, rid, off, [perm(rw, PULL)], Disable=True)
        world.cleanups.append(lambda: delete(client, rid, off))
        expect_login_refused(world, resp.Name, resp.Password, "created disabled")
        assert find(client, rid, off).Disable is True, "created disabled: Describe says enabled"
        at = now_ms() + 3 * DAY_MS
        resp = create(client, rid, dated, [perm(rw, PULL)], ExpiresAt=at)
        world.cleanups.append(lambda: delete(client, rid, dated))
        assert abs(resp.ExpiresAt - at) < 1000, f"ExpiresAt {resp.ExpiresAt}, asked {at}"
        expect_grants(world, resp.Name, resp.Password, f"{rw}/app", ["pull"], "created with ExpiresAt")
        step("create variants", "Disable true: login 401; ExpiresAt kept")
    checks.done()


def test_refusals(world):
    client, rid, s = world.admin_tcr(), world.tcr_reg(), suffix()
    ns = f"sa-{s}-x"
    namespaces(world, client, rid, ns)
    name = f"ci-{s}"
    first = create(client, rid, name, [perm(ns, PUSH, PULL)])
    world.cleanups.append(lambda: delete(client, rid, name))
    checks = Checks()
    with checks.check("duplicate name"):
        e = refused_tc(lambda: create(client, rid, name, [perm(ns, PULL)]), "duplicate", TAKEN_CODES)
        step("duplicate", f"{e.code}: {e.message!r}")
    with checks.check("bad input"):
        for label, call in (
                ("bad name", lambda: create(client, rid, "Bad Name", [perm(ns, PULL)])),
                ("empty name", lambda: create(client, rid, "", [perm(ns, PULL)])),
                ("unknown action", lambda: create(client, rid, f"ci-{s}-a", [perm(ns, "tcr:DeleteRepository")])),
                ("negative Duration", lambda: create(client, rid, f"ci-{s}-d", [perm(ns, PULL)], Duration=-1)),
                ("short password", lambda: new_password(client, rid, name, Random=False, Password="Ab1")),
                ("password without a digit", lambda: new_password(client, rid, name, Random=False,
                                                                  Password="Abcdefghij")),
        ):
            e = refused_tc(call, label, BAD_INPUT_CODES)
        expect_grants(world, first.Name, first.Password, f"{ns}/app", ["pull", "push"], "after the refused password")
        step("bad input", f"names, actions, Duration, passwords refused (last: {e.code})")
    with checks.check("Permissions naming a namespace the registry does not have"):
        ghost_ns = f"sa-{s}-ghost"
        try:
            made = create(client, rid, f"ci-{s}-g", [perm(ghost_ns, PUSH, PULL)])
        except TencentCloudSDKException as e:  # a refusal is the other correct answer
            step("missing namespace", "refused: " + refusal(e, BAD_INPUT_CODES + NOT_FOUND_CODES,
                                                            "Permissions on a missing namespace"))
        else:
            world.cleanups.append(lambda: delete(client, rid, f"ci-{s}-g"))
            expect_grants(world, made.Name, made.Password, f"{ghost_ns}/app", [], "a namespace nobody made")
            step("missing namespace", "accepted, and its token grants nothing there")
    with checks.check("unknown registry and account"):
        ghost = "tcr-" + suffix()
        for label, call in (("Create", lambda: create(client, ghost, f"ci-{s}-u", [perm(ns, PULL)])),
                            ("Describe", lambda: describe(client, ghost)),
                            ("Modify", lambda: modify(client, ghost, name, Disable=True)),
                            ("ModifyPassword", lambda: new_password(client, ghost, name, Random=True)),
                            ("Delete", lambda: delete(client, ghost, name))):
            e = refused_tc(call, f"{label} in an unknown registry", NOT_FOUND_CODES)
        for label, call in (("Modify", lambda: modify(client, rid, f"ci-{s}-none", Disable=True)),
                            ("ModifyPassword", lambda: new_password(client, rid, f"ci-{s}-none", Random=True)),
                            ("Delete", lambda: delete(client, rid, f"ci-{s}-none"))):
            f = refused_tc(call, f"{label} of an unknown account", NOT_FOUND_CODES)
        step("unknown", f"registry -> {e.code}; account -> {f.code}")
    with checks.check("readonly user"):
        reader = world.user(project_roles=(), domain_roles=("readonly",))
        as_reader = tcr(reader.ak, reader.sk)
        for label, call in (("Create", lambda: create(as_reader, rid, f"ci-{s}-r", [perm(ns, PULL)])),
                            ("Modify", lambda: modify(as_reader, rid, name, Disable=True)),
                            ("ModifyPassword", lambda: new_password(as_reader, rid, name, Random=True)),
                            ("Delete", lambda: delete(as_reader, rid, name))):
            e = refused_tc(call, f"readonly {label}", REFUSED_CODES)
        expect_grants(world, first.Name, first.Password, f"{ns}/app", ["pull", "push"], "after the readonly calls")
        step("readonly", f"Create/Modify/ModifyPassword/Delete -> {e.code}; the account unchanged")
    with checks.check("another account"):
        other = world.other_account()
        theirs = tcr(other.ak, other.sk)
        for label, call in (("Create", lambda: create(theirs, rid, f"ci-{s}-o", [perm(ns, PUSH, PULL)])),
                            ("Describe", lambda: describe(theirs, rid)),
                            ("Modify", lambda: modify(theirs, rid, name, Permissions=[perm(ns, PULL)])),
                            ("ModifyPassword", lambda: new_password(theirs, rid, name, Random=True)),
                            ("Delete", lambda: delete(theirs, rid, name))):
            e = refused_tc(call, f"another account's {label} on this registry", NOT_FOUND_CODES)
        expect_grants(world, first.Name, first.Password, f"{ns}/app", ["pull", "push"], "after the other account's calls")
        # A service account of the other account's own registry that names this namespace.
        own = theirs.CreateInstance(tcr_req(models.CreateInstanceRequest, RegistryName=f"other-sa-{s}",
                                            RegistryType="basic")).RegistryId
        world.cleanups.append(lambda: theirs.DeleteInstance(tcr_req(models.DeleteInstanceRequest, RegistryId=own)))
        try:
            intruder = create(theirs, own, f"intruder-{s}", [perm(ns, PUSH, PULL)])
        except TencentCloudSDKException as ex:  # a refusal is the other correct answer
            outcome = "refused (" + refusal(ex, BAD_INPUT_CODES + NOT_FOUND_CODES,
                                            "a service account naming another account's namespace") + ")"
        else:
            world.cleanups.append(lambda: delete(theirs, own, f"intruder-{s}"))
            expect_grants(world, intruder.Name, intruder.Password, f"{ns}/app", [], "the other account's account")
            outcome = "made, and its token grants nothing here"
        step("another account", f"its calls on this registry -> {e.code}; naming this namespace: {outcome}")
    checks.done()


if __name__ == "__main__":
    sys.exit(run_tests("tcr_service_accounts", [test_service_account_lifecycle, test_refusals]))
