#!/usr/bin/env python3
"""SWR Enterprise instances through the unmodified ``huaweicloudsdkswr`` (v2), signed with
the admin's access key: what an instance create says is answered back, or refused by name.

* CreateInstance with every field of ``CreateInstanceRequestBody`` (resource tags, the
  OBS and intranet settings at their "none" values), ShowInstance echoing them with an
  honest ``version`` and ``updated_at``, ListInstanceResourceTags answering the tags;
* refusals: an OBS bucket, encryption or intranet access asked for, and a body
  ``project_id`` other than the client's, each 400 ``SVCSTG.SWR.4000014`` naming the field;
* ListInstance filtered by ``enterprise_project_id`` and ``status``;
* ListInstanceStatistics counting the instance's namespaces, with the credential quota;
* jobs: ShowInstanceJob of the create's ``job_id``, ListInstanceJobs after a delete (a
  ``DeleteInstance`` job), DeleteInstanceJob, then 404 ``SVCSTG.SWR.4048003``.

Environment as common.py (IAM_URL, IAM_ADMIN_*, SWR_URL). Prints one line per step; exits
non-zero on the first failure.
"""

import secrets
import sys

from huaweicloudsdkswr.v2 import (
    CreateInstanceNamespaceRequest,
    CreateInstanceNamespaceRequestBody,
    CreateInstanceRequest,
    CreateInstanceRequestBody,
    CreateInstanceRequestBodyResourceTags,
    DeleteInstanceJobRequest,
    DeleteInstanceRequest,
    ListInstanceJobsRequest,
    ListInstanceRequest,
    ListInstanceResourceTagsRequest,
    ListInstanceStatisticsRequest,
    NamespaceMetadata,
    ShowInstanceJobRequest,
    ShowInstanceRequest,
)

from common import (
    ADMIN_PROJECT_ID,
    CODE_AND_MESSAGE,
    IAM_URL,
    SWR_URL,
    admin_access_key,
    best_effort,
    delete_admin_access_key,
    expect_client_error,
    expect_status,
    raw_json,
    run_test,
    step,
)
from swr_credentials import swr_client

INVALID_PARAMETER = "SVCSTG.SWR.4000014"
NO_SUCH_JOB = "SVCSTG.SWR.4048003"


def body(name, **overrides):
    fields = dict(
        name=name, description="made by tests/sdk/swr_instances.py", spec="swr.ee.professional",
        vpc_id="vpc-sdk", subnet_id="subnet-sdk", project_id=ADMIN_PROJECT_ID, charge_mode="postPaid",
        enterprise_project_id="sdk-team",
        resource_tags=[CreateInstanceRequestBodyResourceTags(key="env", value="test"),
                       CreateInstanceRequestBodyResourceTags(key="owner", value="sdk suite")],
        obs_encrypt=False, encrypt_type="", obs_bucket_name="", enable_intranet_access=False,
        obs_enc_kms_key_id="")
    fields.update(overrides)
    return CreateInstanceRequestBody(**fields)


def run(state):
    _, ak, sk = admin_access_key(state, "sdk swr_instances test")
    swr = swr_client(ak, sk)
    state["swr"] = swr
    name = f"sdk-inst-{secrets.token_hex(4)}"

    # 1. every field stored and answered back
    made = swr.create_instance(CreateInstanceRequest(body=body(name)))
    expect_status(made, 201, "create instance")
    instance, job = made.instance_id, made.job_id
    state["instance_id"] = instance
    shown = swr.show_instance(ShowInstanceRequest(instance_id=instance))
    expect_status(shown, 200, "show instance")
    for field, want in [("vpc_id", "vpc-sdk"), ("subnet_id", "subnet-sdk"), ("project_id", ADMIN_PROJECT_ID),
                        ("enterprise_project_id", "sdk-team"), ("obs_bucket_name", ""), ("user_def_obs", False),
                        ("updated_at", shown.created_at)]:
        assert getattr(shown, field) == want, f"show instance: {field}={getattr(shown, field)!r}, want {want!r}"
    assert shown.version and shown.version != "v2", f"show instance: version={shown.version!r}"
    tags = swr.list_instance_resource_tags(ListInstanceResourceTagsRequest(resource_type="instances",
                                                                            resource_id=instance))
    expect_status(tags, 200, "list resource tags")
    assert [(t.key, t.value) for t in tags.tags] == [("env", "test"), ("owner", "sdk suite")], (
        f"list resource tags: {tags.tags}")
    step("create and show", f"201; echoed vpc/subnet/project/enterprise project, version={shown.version}, "
                            f"updated_at=created_at; tags {[(t.key, t.value) for t in tags.tags]}")

    # 2. what cannot be honoured is refused by name, and nothing is made
    for field, value in [("obs_bucket_name", "my-bucket"), ("obs_encrypt", True), ("encrypt_type", "gm"),
                         ("obs_enc_kms_key_id", "kms-1"), ("enable_intranet_access", True),
                         ("project_id", "another-project")]:
        e = expect_client_error(lambda: swr.create_instance(CreateInstanceRequest(
            body=body(f"{name}-x", **{field: value}))), 400, f"create with {field}={value!r}",
            body=CODE_AND_MESSAGE, code_prefix=INVALID_PARAMETER, msg=field)
    listed = swr.list_instance(ListInstanceRequest(enterprise_project_id="sdk-team", status="Running"))
    expect_status(listed, 200, "list instances by enterprise project")
    assert [i.name for i in listed.instances] == [name] and listed.total == 1, (
        f"list by enterprise project: {[i.name for i in listed.instances]} total={listed.total}")
    other = swr.list_instance(ListInstanceRequest(enterprise_project_id="nobody"))
    assert other.total == 0 and not other.instances, f"list by another enterprise project: {other.total}"
    step("refusals", f"6 settings -> 400 {e.error_code} naming the field; list by enterprise project finds "
                     "only the instance")

    # 3. statistics from the database
    for ns in ("one", "two"):
        ns_name = f"{name}-{ns}"
        resp = swr.create_instance_namespace(CreateInstanceNamespaceRequest(
            instance_id=instance, body=CreateInstanceNamespaceRequestBody(
                namespace_name=ns_name, metadata=NamespaceMetadata(public="false"))))
        expect_status(resp, 201, f"create namespace {ns_name}")
    stats = swr.list_instance_statistics(ListInstanceStatisticsRequest(instance_id=instance))
    expect_status(stats, 200, "statistics")
    raw = raw_json(stats, "statistics")
    assert stats.total_namespace_count == 2, f"statistics: total_namespace_count={stats.total_namespace_count}"
    assert isinstance(stats.long_term_quota, int) and stats.long_term_quota > 0, (
        f"statistics: long_term_quota={stats.long_term_quota!r}")
    assert "storage_used" not in raw and "total_image_count" not in raw, f"statistics: {raw}"
    step("statistics", f"200 {raw}")

    # 4. jobs
    shown_job = swr.show_instance_job(ShowInstanceJobRequest(job_id=job))
    expect_status(shown_job, 200, "show job")
    assert (shown_job.type, shown_job.status, shown_job.resource_id, shown_job.resource_name) == (
        "CreateInstance", "Success", instance, name), f"show job: {shown_job}"
    resp = swr.delete_instance(DeleteInstanceRequest(instance_id=instance))
    expect_status(resp, 202, "delete instance")
    state.pop("instance_id")
    jobs = swr.list_instance_jobs(ListInstanceJobsRequest(status="Success"))
    expect_status(jobs, 200, "list jobs")
    mine = [(j.type, j.status) for j in jobs.jobs if j.resource_id == instance]
    assert mine == [("CreateInstance", "Success"), ("DeleteInstance", "Success")], f"list jobs: {mine}"
    failed = swr.list_instance_jobs(ListInstanceJobsRequest(status="Failed"))
    assert failed.total == 0, f"list failed jobs: total={failed.total}"
    for j in [j for j in jobs.jobs if j.resource_id == instance]:
        expect_status(swr.delete_instance_job(DeleteInstanceJobRequest(job_id=j.id)), 204, f"delete job {j.id}")
    e = expect_client_error(lambda: swr.show_instance_job(ShowInstanceJobRequest(job_id=job)), 404,
                            "show deleted job", body=CODE_AND_MESSAGE, code_prefix=NO_SUCH_JOB)
    expect_client_error(lambda: swr.delete_instance_job(DeleteInstanceJobRequest(job_id=job)), 404,
                        "delete deleted job", body=CODE_AND_MESSAGE, code_prefix=NO_SUCH_JOB)
    step("jobs", f"create job Success; delete adds a DeleteInstance job; both deleted, then 404 {e.error_code}")
    delete_admin_access_key(state)


def cleanup(state):
    swr, instance = state.get("swr"), state.get("instance_id")
    if swr is not None and instance:
        best_effort([lambda: swr.delete_instance(DeleteInstanceRequest(instance_id=instance))])


if __name__ == "__main__":
    sys.exit(run_test("swr_instances", f"SWR_URL={SWR_URL} IAM_URL={IAM_URL}", run, cleanup))
