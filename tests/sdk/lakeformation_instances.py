#!/usr/bin/env python3
"""LakeFormation instances through the unmodified ``huaweicloudsdklakeformation``: what a
create stores, listing filters, updates, the recycle bin and the vendor's error codes.

Signed with a permanent access key of the admin (``BasicCredentials(ak, sk, project_id)``):

* CreateLakeFormationInstance with every field the SDK has (enterprise project, shared,
  specs, tags) -> 202, and ShowLakeFormationInstance / ListLakeFormationInstances show
  them back;
* ListLakeFormationInstances filtered by ``enterprise_project_id`` and ``tags``
  (``key=value`` or ``key``, comma-separated); an unreadable filter -> 400
  ``common.01000001``;
* UpdateLakeFormationInstance changes the name and description, nothing else;
* DeleteLakeFormationInstance with ``to_recycle_bin=True`` -> 202: the instance is shown
  ``in_recycle_bin``, ``FROZEN_RELEASABLE``, listed with ``in_recycle_bin=True`` only, and
  ShowCredential through it is 409; MoveLakeFormationInstanceOutRecycleBin -> 200 brings it
  back RUNNING and issuing again; a delete without the flag removes it (then 404
  ``common.01000001``);
* error codes: a bad signature -> 401 ``APIGW.0301``, a bad X-Auth-Token -> 401
  ``APIG.1002`` "Incorrect token or token resolution failed".

Environment (see common.py): IAM_URL, LAKEFORMATION_URL, IAM_ADMIN_DOMAIN, IAM_ADMIN_USER,
IAM_ADMIN_PASSWORD, IAM_ADMIN_USER_ID, IAM_ADMIN_PROJECT_ID.
"""

import json
import secrets
import sys
import urllib.error
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdklakeformation.v1 import (
    CreateInstanceRequestBody,
    CreateLakeFormationInstanceRequest,
    CreateSpec,
    DeleteLakeFormationInstanceRequest,
    IdentityInput,
    LakeFormationClient,
    ListLakeFormationInstancesRequest,
    MoveLakeFormationInstanceOutRecycleBinRequest,
    ResourceTag,
    ShowCredentialRequest,
    ShowLakeFormationInstanceRequest,
    UpdateLakeFormationInstance,
    UpdateLakeFormationInstanceRequest,
)

from common import (
    ADMIN_PROJECT_ID,
    ADMIN_USER,
    CODE_AND_MESSAGE,
    LAKEFORMATION_URL,
    admin_access_key,
    best_effort,
    delete_admin_access_key,
    expect_client_error,
    expect_status,
    run_test,
    step,
)


def lf_client(ak, sk):
    creds = BasicCredentials(ak, sk, ADMIN_PROJECT_ID)
    return LakeFormationClient.new_builder().with_credentials(creds).with_endpoints([LAKEFORMATION_URL]).build()


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def raw_get(path, token):
    """GET with an X-Auth-Token, without the SDK: (status, parsed body)."""
    req = urllib.request.Request(f"{LAKEFORMATION_URL}{path}", method="GET")
    req.add_header("X-Auth-Token", token)
    try:
        with _opener.open(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def names(resp):
    return sorted(i.name for i in (resp.instances or []))


def run(state):
    suffix = secrets.token_hex(3)
    _, ak, sk = admin_access_key(state, "sdk lakeformation_instances test")
    lf = lf_client(ak, sk)
    state["lf"] = lf
    state["instances"] = []

    def create(name, **fields):
        resp = lf.create_lake_formation_instance(CreateLakeFormationInstanceRequest(
            body=CreateInstanceRequestBody(name=name, charge_mode="postPaid", **fields)))
        expect_status(resp, 202, f"create {name}")
        state["instances"].append(resp.instance_id)
        return resp

    # 1. every field the SDK sends is stored and shown back
    a_name, b_name = f"lf-a-{suffix}", f"lf-b-{suffix}"
    a = create(a_name, enterprise_project_id="0", shared=False, description="first",
               specs=[CreateSpec(spec_code="lakeformation.unit.basic.qps", stride_num=6)],
               tags=[ResourceTag(key="team", value="data"), ResourceTag(key="env", value="prod")])
    assert (a.shared, a.enterprise_project_id) == (False, "0"), f"create: {a}"
    assert [(s.spec_code, s.stride_num) for s in a.specs] == [("lakeformation.unit.basic.qps", 6)], a.specs
    assert [(t.key, t.value) for t in a.tags] == [("env", "prod"), ("team", "data")], a.tags
    shown = lf.show_lake_formation_instance(ShowLakeFormationInstanceRequest(instance_id=a.instance_id))
    assert shown.to_dict() | {"x_request_id": None} == a.to_dict() | {"x_request_id": None}, (
        f"show differs from create: {shown} vs {a}")
    step("create with every field", f"202 shared={a.shared} specs={len(a.specs)} tags={len(a.tags)}; show agrees")
    b = create(b_name, enterprise_project_id=f"eps-{suffix}", shared=True,
               tags=[ResourceTag(key="env", value="dev")])

    # 2. listing filters
    def listed(**query):
        resp = lf.list_lake_formation_instances(ListLakeFormationInstancesRequest(limit=1000, **query))
        expect_status(resp, 200, f"list {query}")
        assert resp.total == len(resp.instances or []), f"list {query}: total {resp.total}"
        return [n for n in names(resp) if n.endswith(suffix)]

    assert listed() == [a_name, b_name]
    assert listed(enterprise_project_id=f"eps-{suffix}") == [b_name]
    assert listed(enterprise_project_id="all_granted_eps") == [a_name, b_name]
    assert listed(tags="env") == [a_name, b_name]
    assert listed(tags="env=prod,team") == [a_name]
    assert listed(tags="env=prod", enterprise_project_id=f"eps-{suffix}") == []
    expect_client_error(lambda: listed(tags="_sys_x"), 400, "list tags=_sys_x",
                        body=CODE_AND_MESSAGE, code_prefix="common.01000001")
    step("list filters", "enterprise_project_id and tags select; an unreadable filter is 400")

    # 3. update: name and description, nothing else
    renamed = f"lf-c-{suffix}"
    resp = lf.update_lake_formation_instance(UpdateLakeFormationInstanceRequest(
        instance_id=a.instance_id, body=UpdateLakeFormationInstance(name=renamed, description="second")))
    expect_status(resp, 200, "update")
    assert (resp.name, resp.description, resp.shared) == (renamed, "second", False), f"update: {resp}"
    shown = lf.show_lake_formation_instance(ShowLakeFormationInstanceRequest(instance_id=a.instance_id))
    assert (shown.name, [t.key for t in shown.tags]) == (renamed, ["env", "team"]), f"after update: {shown}"
    expect_client_error(lambda: lf.update_lake_formation_instance(UpdateLakeFormationInstanceRequest(
        instance_id=a.instance_id, body=UpdateLakeFormationInstance(name=b_name))), 409,
        "update to a taken name", body=CODE_AND_MESSAGE)
    step("update", f"200 name={resp.name} description={resp.description!r}; a taken name is 409")

    # 4. the recycle bin
    resp = lf.delete_lake_formation_instance(DeleteLakeFormationInstanceRequest(
        instance_id=a.instance_id, to_recycle_bin=True))
    expect_status(resp, 202, "delete to the recycle bin")
    shown = lf.show_lake_formation_instance(ShowLakeFormationInstanceRequest(instance_id=a.instance_id))
    assert (shown.in_recycle_bin, shown.status) == (True, "FROZEN_RELEASABLE"), f"recycled: {shown}"
    assert listed() == [b_name]
    assert listed(in_recycle_bin=True) == [renamed]
    expect_client_error(lambda: lf.show_credential(ShowCredentialRequest(
        instance_id=a.instance_id, body=IdentityInput())), 409, "credential through a recycled instance",
        body=CODE_AND_MESSAGE)
    step("recycle bin", "202; shown FROZEN_RELEASABLE in_recycle_bin; listed there only; issues nothing (409)")
    resp = lf.move_lake_formation_instance_out_recycle_bin(
        MoveLakeFormationInstanceOutRecycleBinRequest(instance_id=a.instance_id))
    expect_status(resp, 200, "recover")
    shown = lf.show_lake_formation_instance(ShowLakeFormationInstanceRequest(instance_id=a.instance_id))
    assert (shown.in_recycle_bin, shown.status) == (False, "RUNNING"), f"recovered: {shown}"
    cred = lf.show_credential(ShowCredentialRequest(instance_id=a.instance_id, body=IdentityInput()))
    expect_status(cred, 200, "credential after recover")
    step("recover", "200; RUNNING again and issuing")

    # 5. delete for good, and the vendor's codes
    for instance_id in (a.instance_id, b.instance_id):
        resp = lf.delete_lake_formation_instance(DeleteLakeFormationInstanceRequest(instance_id=instance_id))
        expect_status(resp, 202, "delete")
        state["instances"].remove(instance_id)
    e = expect_client_error(lambda: lf.show_lake_formation_instance(
        ShowLakeFormationInstanceRequest(instance_id=a.instance_id)), 404, "show deleted",
        body=CODE_AND_MESSAGE)
    assert e.error_code == "common.01000001", e.error_code
    e = expect_client_error(lambda: lf_client(ak, "x" * 40).list_lake_formation_instances(
        ListLakeFormationInstancesRequest()), 401, "bad signature", body=CODE_AND_MESSAGE)
    assert e.error_code == "APIGW.0301", e.error_code
    status, body = raw_get(f"/v1/{ADMIN_PROJECT_ID}/instances", "not-a-token")
    assert (status, body["error_code"], body["error_msg"]) == (
        401, "APIG.1002", "Incorrect token or token resolution failed"), (status, body)
    step("error codes", "404 common.01000001; bad signature 401 APIGW.0301; bad token 401 APIG.1002")

    delete_admin_access_key(state)


def cleanup(state):
    lf = state.get("lf")
    if lf is None:
        return
    best_effort([
        (lambda i=i: lf.delete_lake_formation_instance(DeleteLakeFormationInstanceRequest(instance_id=i)))
        for i in state.get("instances", [])
    ])


if __name__ == "__main__":
    sys.exit(run_test("lakeformation_instances", f"LAKEFORMATION_URL={LAKEFORMATION_URL} user={ADMIN_USER}",
                      run, cleanup))
