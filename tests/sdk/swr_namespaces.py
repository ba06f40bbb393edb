#!/usr/bin/env python3
"""The namespaces of an SWR instance through the unmodified ``huaweicloudsdkswr`` (v2):
CreateInstanceNamespace, ListInstanceNamespaces (name and public filters, order, pages),
ShowInstanceNamespace, UpdateInstanceNamespace (``metadata.public``) and
DeleteInstanceNamespace, read back through the SDK's own response models; and the refusals:
bad names, a duplicate name (also one another project's instance holds on the same
registry), another project's instance, a readonly user's writes, unknown instances and
namespaces, and metadata the SDK types as strings given something else.

"Another project" is a second project of the admin's domain, made through
``huaweicloudsdkiam``, on which the admins group gets the admin role, so the admin's own key
makes an instance there; the instance is reached through the first project's path, and a
member of the first project only asks through the second project's path.

Environment as common.py (IAM_URL, IAM_ADMIN_*, SWR_URL). Prints one line per step; each
test function reports PASS or FAIL, and the exit status is 1 when any failed.
"""

import sys
import time
import uuid
from functools import partial

from huaweicloudsdkiam.v3 import (
    KeystoneAssociateGroupWithProjectPermissionRequest,
    KeystoneCreateProjectOption,
    KeystoneCreateProjectRequest,
    KeystoneCreateProjectRequestBody,
    KeystoneListGroupsRequest,
)
from huaweicloudsdkswr.v2 import (
    CreateInstanceNamespaceRequest,
    CreateInstanceNamespaceRequestBody,
    CreateInstanceRequest,
    CreateInstanceRequestBody,
    DeleteInstanceNamespaceRequest,
    DeleteInstanceRequest,
    ListInstanceNamespacesRequest,
    NamespaceMetadata,
    ShowInstanceNamespaceRequest,
    UpdateInstanceNamespaceRequest,
    UpdateNamespaceRequestBody,
)

from common import MESSAGE, expect_client_error, expect_status
from trust_common import (
    Checks,
    hw_creds,
    next_second_after,
    run_tests,
    setting,
    step,
    suffix,
    swr,
    token_http,
)

# Every refusal of swr-svc names itself in its error code.
expect_swr_error = partial(expect_client_error, body=MESSAGE, code_prefix="SVCSTG.SWR.")

# Each breaks "a-z or 0-9 first and last, single '.', '_' or '-' between, 1-64 characters".
BAD_NAMES = ["Upper", "-lead", "trail-", "a..b", "a_-b", "sp ace", "x" * 65]


# ---------------------------------------------------------------------------- calls

def create(client, instance, name, public=None):
    metadata = None if public is None else NamespaceMetadata(public=public)
    return client.create_instance_namespace(CreateInstanceNamespaceRequest(
        instance_id=instance,
        body=CreateInstanceNamespaceRequestBody(namespace_name=name, metadata=metadata)))


def show(client, instance, name):
    return client.show_instance_namespace(ShowInstanceNamespaceRequest(instance_id=instance, namespace_name=name))


def update(client, instance, name, public):
    return client.update_instance_namespace(UpdateInstanceNamespaceRequest(
        instance_id=instance, namespace_name=name,
        body=UpdateNamespaceRequestBody(metadata=NamespaceMetadata(public=public))))


def delete(client, instance, name):
    return client.delete_instance_namespace(DeleteInstanceNamespaceRequest(instance_id=instance, namespace_name=name))


def listed(client, instance, **query):
    resp = client.list_instance_namespaces(ListInstanceNamespacesRequest(instance_id=instance, **query))
    expect_status(resp, 200, f"list namespaces {query}")
    assert isinstance(resp.total, int), f"list {query}: total={resp.total!r}"
    return resp


def names(resp):
    return [n.name for n in resp.namespaces or []]


def check_namespace(ns, name, public, what):
    """A Namespace (list entry) or ShowInstanceNamespaceResponse, as the SDK reads it."""
    assert ns.name == name, f"{what}: name={ns.name!r}, want {name!r}"
    assert ns.metadata is not None and ns.metadata.public == public, (
        f"{what}: metadata.public={getattr(ns.metadata, 'public', None)!r}, want {public!r}")
    assert isinstance(ns.namespace_id, int) and not isinstance(ns.namespace_id, bool), (
        f"{what}: namespace_id={ns.namespace_id!r}")
    for field in ("created_at", "updated_at"):
        value = getattr(ns, field)
        assert isinstance(value, str) and value, f"{what}: {field}={value!r}"
    # swr-svc does not know the registry's contents, so it leaves repo_count out (None).
    assert ns.repo_count is None or isinstance(ns.repo_count, int), f"{what}: repo_count={ns.repo_count!r}"


# ---------------------------------------------------------------------------- the tests

def test_namespace_lifecycle(world):
    client, instance, s = world.admin_swr(), world.swr_inst(), suffix()
    private, public, doomed = f"ns-{s}-a", f"ns-{s}-b", f"ns-{s}-c"
    ids = {}
    for name, flag in ((private, "false"), (public, "true"), (doomed, None)):
        resp = create(client, instance, name, flag)
        expect_status(resp, 201, f"create {name}")
        assert isinstance(resp.id, int) and not isinstance(resp.id, bool), f"create {name}: id={resp.id!r}"
        ids[name] = resp.id
        world.cleanups.append(lambda n=name: delete(client, instance, n))
    assert len(set(ids.values())) == 3, f"namespace ids {ids}"
    step("create", f"201 {ids} (no metadata: private)")

    checks = Checks()
    with checks.check("list, every field"):
        resp = listed(client, instance, offset=0, limit=100)
        got = {n.name: n for n in resp.namespaces or []}
        assert {private, public, doomed} <= set(got), f"list: {sorted(got)}"
        assert resp.total == len(got), f"total {resp.total} for {len(got)} entries"
        for name, flag in ((private, "false"), (public, "true"), (doomed, "false")):
            check_namespace(got[name], name, flag, f"list entry {name}")
            assert got[name].namespace_id == ids[name], f"{name}: namespace_id {got[name].namespace_id} != {ids[name]}"
        step("list", f"total {resp.total}, public and private as created")
    with checks.check("list name filter"):
        resp = listed(client, instance, name=public)
        assert names(resp) == [public] and resp.total == 1, f"name={public}: {names(resp)} total {resp.total}"
        resp = listed(client, instance, name=f"ns-{s}")
        assert sorted(names(resp)) == sorted([private, public, doomed]), f"name=ns-{s}: {names(resp)}"
        step("list name filter", f"{public} -> 1, ns-{s} -> 3")
    with checks.check("list public filter"):
        yes, no = listed(client, instance, public="true"), listed(client, instance, public="false")
        assert public in names(yes) and private not in names(yes), f"public=true: {names(yes)}"
        assert all(n.metadata.public == "true" for n in yes.namespaces), "public=true lists a private one"
        assert private in names(no) and public not in names(no), f"public=false: {names(no)}"
        step("list public filter", f"true -> {names(yes)}, false -> {names(no)}")
    with checks.check("list pages and order"):
        first = listed(client, instance, name=f"ns-{s}", limit=1, offset=0)
        second = listed(client, instance, name=f"ns-{s}", limit=1, offset=1)
        assert first.total == second.total == 3, f"totals {first.total}, {second.total}"
        assert len(first.namespaces) == 1 and len(second.namespaces) == 1, "a page of limit 1"
        assert names(first) != names(second), f"pages repeat {names(first)}"
        desc = listed(client, instance, name=f"ns-{s}", order_column="updated_at", order_type="desc")
        asc = listed(client, instance, name=f"ns-{s}", order_column="updated_at", order_type="asc")
        assert sorted(names(desc)) == sorted(names(asc)), f"order: {names(desc)} vs {names(asc)}"
        step("list pages and order", f"{names(first)} then {names(second)} of 3; updated_at desc/asc")
    with checks.check("show"):
        resp = show(client, instance, private)
        expect_status(resp, 200, "show")
        check_namespace(resp, private, "false", "show")
        assert resp.namespace_id == ids[private], f"show: namespace_id {resp.namespace_id} != {ids[private]}"
        step("show", f"{private}: public false, id {resp.namespace_id}")
    with checks.check("update metadata.public"):
        resp = update(client, instance, private, "true")
        expect_status(resp, 200, "update")
        assert show(client, instance, private).metadata.public == "true", "show after update: still private"
        resp = update(client, instance, private, "false")
        expect_status(resp, 200, "update back")
        assert show(client, instance, private).metadata.public == "false", "show after update back: still public"
        step("update", f"{private}: public true, then false, as show reads it")
    with checks.check("delete"):
        deleted_at = time.time()
        resp = delete(client, instance, doomed)
        expect_status(resp, (200, 204), "delete")
        e = expect_swr_error(lambda: show(client, instance, doomed), 404, "show a deleted namespace")
        assert doomed not in names(listed(client, instance, limit=100)), "list still holds the deleted one"
        # The same request in the same second would be the same signature, a replay.
        next_second_after(deleted_at)
        expect_swr_error(lambda: delete(client, instance, doomed), 404, "delete it again")
        step("delete", f"{doomed}: gone from show ({e.error_code}) and list")
    with checks.check("the instance may make a deleted name again"):
        expect_status(create(client, instance, doomed, "false"), 201, "create the deleted name again")
        step("re-create", f"{doomed} again, by its own instance")
    checks.done()


def test_refusals(world):
    client, instance, s = world.admin_swr(), world.swr_inst(), suffix()
    taken = f"ns-{s}-taken"
    expect_status(create(client, instance, taken, "false"), 201, "create")
    world.cleanups.append(lambda: delete(client, instance, taken))
    checks = Checks()
    with checks.check("bad names"):
        for bad in BAD_NAMES:
            e = expect_swr_error(lambda b=bad: create(client, instance, b, "false"), 400, f"create {bad!r}")
        step("bad names", f"{len(BAD_NAMES)} x 400 ({e.error_code} {e.error_msg!r})")
    with checks.check("duplicate"):
        e = expect_swr_error(lambda: create(client, instance, taken, "true"), 409, "create a duplicate")
        step("duplicate", f"409 {e.error_code} {e.error_msg!r}")
    with checks.check("metadata.public not a boolean string"):
        e = expect_swr_error(lambda: create(client, instance, f"ns-{s}-bool", "yes"), 400, "public 'yes'")
        expect_swr_error(lambda: update(client, instance, taken, "1"), 400, "update public '1'")
        step("metadata.public", f"400 {e.error_code} {e.error_msg!r}")
    with checks.check("unknown instance and namespace"):
        ghost = str(uuid.uuid4())
        expect_swr_error(lambda: create(client, ghost, f"ns-{s}-x", "false"), 404, "create in an unknown instance")
        expect_swr_error(lambda: client.list_instance_namespaces(ListInstanceNamespacesRequest(instance_id=ghost)),
                         404, "list an unknown instance")
        for label, call in (("show", show), ("delete", delete),
                            ("update", lambda c, i, n: update(c, i, n, "true"))):
            expect_swr_error(lambda call=call: call(client, instance, f"ns-{s}-none"), 404, f"{label} an unknown namespace")
        step("unknown", "404 for an unknown instance, and show/update/delete of an unknown namespace")
    with checks.check("readonly user"):
        reader = world.user(project_roles=("readonly",))
        as_reader = swr(hw_creds(reader.ak, reader.sk))
        e = expect_swr_error(lambda: create(as_reader, instance, f"ns-{s}-r", "false"), 403, "readonly creates")
        expect_swr_error(lambda: update(as_reader, instance, taken, "true"), 403, "readonly updates")
        expect_swr_error(lambda: delete(as_reader, instance, taken), 403, "readonly deletes")
        assert taken in names(listed(as_reader, instance, limit=100)), "readonly list misses the namespace"
        expect_status(show(as_reader, instance, taken), 200, "readonly shows")
        assert show(client, instance, taken).metadata.public == "false", "the refused update changed public"
        step("readonly", f"reads; create/update/delete 403 ({e.error_code})")
    with checks.check("another project's instance"):
        other_project, other_instance = other_project_instance(world)
        theirs = swr(hw_creds(world.admin_ak, world.admin_sk, project_id=other_project))
        theirs_ns = f"ns-{s}-theirs"
        expect_status(create(theirs, other_instance, theirs_ns, "false"), 201, "create in the other project")
        world.cleanups.append(lambda: delete(theirs, other_instance, theirs_ns))
        # Through the first project's path, the second project's instance does not exist.
        for label, call in (("create", lambda: create(client, other_instance, f"ns-{s}-in", "false")),
                            ("list", lambda: client.list_instance_namespaces(
                                ListInstanceNamespacesRequest(instance_id=other_instance))),
                            ("show", lambda: show(client, other_instance, theirs_ns)),
                            ("update", lambda: update(client, other_instance, theirs_ns, "true")),
                            ("delete", lambda: delete(client, other_instance, theirs_ns))):
            e = expect_swr_error(call, 404, f"{label} through the first project's path")
        # A member of the first project only, through the second project's path.
        member = world.user(project_roles=("member",))
        outsider = swr(hw_creds(member.ak, member.sk, project_id=other_project))
        f = expect_swr_error(lambda: outsider.list_instance_namespaces(ListInstanceNamespacesRequest(instance_id=other_instance)),
                             (401, 403), "a member of the first project lists the second's")
        expect_swr_error(lambda: create(outsider, other_instance, f"ns-{s}-out", "false"), (401, 403),
                         "a member of the first project creates in the second's")
        # Names are unique on the registry, whichever project holds them.
        g = expect_swr_error(lambda: create(theirs, other_instance, taken, "false"), 409,
                             "the second project takes the first's name")
        expect_swr_error(lambda: create(client, instance, theirs_ns, "false"), 409,
                         "the first project takes the second's name")
        assert show(theirs, other_instance, theirs_ns).metadata.public == "false", "the other's namespace changed"
        step("another project", f"404 by path ({e.error_code}), {f.status_code} to an outsider "
                                f"({f.error_code}), names unique across projects (409 {g.error_code})")
    checks.done()


def other_project_instance(world):
    """A second project of the domain on which the admins group is admin, and an instance
    of it made with the admin's key: (project_id, instance_id)."""
    admin = world.admin()
    resp = admin.keystone_create_project(KeystoneCreateProjectRequest(body=KeystoneCreateProjectRequestBody(
        project=KeystoneCreateProjectOption(name=f"ns-other-{suffix()}", domain_id=setting("ADMIN_DOMAIN_ID")))))
    expect_status(resp, 201, "create a second project")
    project = resp.project.id
    world.cleanups.append(lambda: token_http("DELETE", f"{setting('IAM_URL')}/v3/projects/{project}", world.admin_token))
    groups = admin.keystone_list_groups(KeystoneListGroupsRequest(name="admins")).groups or []
    assert groups, "no admins group"
    expect_status(admin.keystone_associate_group_with_project_permission(
        KeystoneAssociateGroupWithProjectPermissionRequest(
            project_id=project, group_id=groups[0].id, role_id=world.roles["admin"])), 204,
        "grant the admins group admin on the second project")
    client = swr(hw_creds(world.admin_ak, world.admin_sk, project_id=project))
    resp = client.create_instance(CreateInstanceRequest(body=CreateInstanceRequestBody(
        name=f"ns-other-{suffix()}", description="another project", spec="swr.ee.professional",
        vpc_id=str(uuid.uuid4()), subnet_id=str(uuid.uuid4()), project_id=project,
        charge_mode="postPaid", enterprise_project_id="0")))
    expect_status(resp, (200, 201, 202), "create an instance in the second project")
    instance = resp.instance_id
    world.cleanups.append(lambda: client.delete_instance(DeleteInstanceRequest(instance_id=instance)))
    step("another project", f"{project}, instance {instance}")
    return project, instance


if __name__ == "__main__":
    sys.exit(run_tests("swr_namespaces", [test_namespace_lifecycle, test_refusals]))
