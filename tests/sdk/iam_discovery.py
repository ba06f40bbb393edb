#!/usr/bin/env python3
"""Keystone discovery through the unmodified Huawei Cloud SDK.

* KeystoneListVersions (``GET /``) and KeystoneShowVersion (``GET /v3``) without any
  credential: version v3.6 linked under iam-svc's address.
* KeystoneShowCatalog (``GET /v3/auth/catalog``): iam-svc, swr-svc, lakeformation-svc and
  tcr-svc at the addresses the stack gave them, in the region named like the admin's
  project; no credential is 401 in the Keystone envelope.
* ``BasicCredentials(ak, sk)`` without a project id, on clients built
  ``.with_region(Region(<region>, <endpoint>))``: huaweicloudsdkcore looks the project up
  itself (``GET /v3/projects?name=<region>``, signed with no scope header, at
  ``.with_iam_endpoint(IAM_URL)``), then an SWR ListInstance (the admin's key) and an IAM
  KeystoneListAuthProjects (a readonly user's key) succeed in the admin's project.
* ``GlobalCredentials(ak, sk)`` without a domain id, IAM address from
  ``HUAWEICLOUD_SDK_IAM_ENDPOINT``: the SDK reads the domain from ``GET /v3/auth/domains``
  and a readonly user lists their own access keys.
* A LakeFormation temporary key of the readonly user resolves the project the same way.
* Another account's key resolves its own project of the region (it has one of the same
  name) and its own domain, never ours.

Environment (see common.py): IAM_URL, SWR_URL, LAKEFORMATION_URL, TCR_URL, IAM_ADMIN_*,
IAM_OTHER_*.
"""

import os
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkiam.v3 import (
    IamClient,
    KeystoneListAuthDomainsRequest,
    KeystoneListAuthProjectsRequest,
    KeystoneListVersionsRequest,
    KeystoneShowCatalogRequest,
    KeystoneShowVersionRequest,
    KeystoneValidateTokenRequest,
    ListPermanentAccessKeysRequest,
)
from huaweicloudsdkswr.v2 import ListInstanceRequest, SwrClient

from common import MESSAGE, expect_client_error, expect_status, raw_json, step, token_client
from trust_common import iam, run_tests, setting, token_creds

VERSION_TYPE = "application/vnd.openstack.identity-v3+json"


def region_of(world):
    """The region id: the name of the admin's project, as Huawei names a region's project."""
    resp = iam(token_creds(world.admin_token)).keystone_validate_token(
        KeystoneValidateTokenRequest(x_subject_token=world.admin_token))
    expect_status(resp, 200, "validate the admin's token")
    return resp.token.project.name


def project_creds(ak, sk, security_token=None):
    """BasicCredentials without a project id, which the SDK then asks IAM for."""
    creds = BasicCredentials(ak, sk).with_iam_endpoint(setting("IAM_URL"))
    if security_token is not None:
        creds = creds.with_security_token(security_token)
    return creds


def regional(client_type, creds, region, endpoint):
    return client_type.new_builder().with_credentials(creds).with_region(Region(region, endpoint)).build()


def test_version_documents(_world):
    anyone = token_client()
    resp = anyone.keystone_list_versions(KeystoneListVersionsRequest())
    expect_status(resp, 300, "list versions")
    versions = resp.versions.values if resp.versions else []
    assert [v.id for v in versions] == ["v3.6"], f"list versions: {raw_json(resp, 'versions')}"
    resp = anyone.keystone_show_version(KeystoneShowVersionRequest())
    expect_status(resp, 200, "show version")
    v = resp.version
    assert (v.id, v.status) == ("v3.6", "stable"), f"show version: {v}"
    assert [(link.rel, link.href) for link in v.links] == [("self", setting("IAM_URL") + "/v3/")], (
        f"show version: links {v.links}")
    assert [m.type for m in v.media_types] == [VERSION_TYPE], f"show version: media-types {v.media_types}"
    step("versions", "GET / 300 and GET /v3 200 without a credential: v3.6")


def test_catalog(world):
    region = region_of(world)
    resp = iam(token_creds(world.admin_token)).keystone_show_catalog(KeystoneShowCatalogRequest())
    expect_status(resp, 200, "show catalog")
    got = {(c.type, c.name): [(e.url, e.region, e.interface) for e in c.endpoints] for c in resp.catalog}
    want = {
        ("identity", "iam"): [(setting("IAM_URL") + "/v3", "*", "public")],
        ("swr", "swr"): [(setting("SWR_URL"), region, "public")],
        ("lakeformation", "lakeformation"): [(setting("LAKEFORMATION_URL"), region, "public")],
        ("tcr", "tcr"): [(setting("TCR_URL"), region, "public")],
    }
    assert got == want, f"show catalog: got {got}, want {want}"
    e = expect_client_error(lambda: token_client().keystone_show_catalog(KeystoneShowCatalogRequest()),
                            401, "show catalog without a credential", body=MESSAGE)
    assert str(e.error_code) == "401", f"show catalog without a credential: error_code {e.error_code!r}"
    step("catalog", f"4 services in region {region}; no credential 401")


def test_basic_credentials_without_project_id(world):
    region = region_of(world)
    creds = project_creds(world.admin_ak, world.admin_sk)
    swr = regional(SwrClient, creds, region, setting("SWR_URL"))
    assert creds.project_id == setting("ADMIN_PROJECT_ID"), (
        f"admin: the SDK resolved project {creds.project_id!r}, want {setting('ADMIN_PROJECT_ID')!r}")
    expect_status(swr.list_instance(ListInstanceRequest(offset=0, limit=10)), 200, "swr list instances")
    step("BasicCredentials, admin", f"project of region {region} resolved, SWR ListInstance 200")

    reader = world.user(project_roles=("readonly",))
    creds = project_creds(reader.ak, reader.sk)
    client = regional(IamClient, creds, region, setting("IAM_URL"))
    assert creds.project_id == setting("ADMIN_PROJECT_ID"), f"readonly: resolved {creds.project_id!r}"
    resp = client.keystone_list_auth_projects(KeystoneListAuthProjectsRequest())
    expect_status(resp, 200, "readonly: list auth projects")
    assert [p.id for p in resp.projects] == [setting("ADMIN_PROJECT_ID")], f"readonly: projects {resp.projects}"
    step("BasicCredentials, readonly", "project resolved, KeystoneListAuthProjects 200")

    key = world.temp_key(reader.ak, reader.sk)
    creds = project_creds(key.access, key.secret, key.token)
    client = regional(IamClient, creds, region, setting("IAM_URL"))
    assert creds.project_id == setting("ADMIN_PROJECT_ID"), f"temporary key: resolved {creds.project_id!r}"
    expect_status(client.keystone_show_catalog(KeystoneShowCatalogRequest()), 200, "temporary key: catalog")
    step("BasicCredentials, temporary key", "project resolved, KeystoneShowCatalog 200")


def test_global_credentials_without_domain_id(world):
    region = region_of(world)
    reader = world.user(project_roles=("readonly",))
    os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = setting("IAM_URL")
    try:
        creds = GlobalCredentials(reader.ak, reader.sk)
        client = regional(IamClient, creds, region, setting("IAM_URL"))
    finally:
        del os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"]
    assert creds.domain_id == setting("ADMIN_DOMAIN_ID"), (
        f"the SDK resolved domain {creds.domain_id!r}, want {setting('ADMIN_DOMAIN_ID')!r}")
    resp = client.keystone_list_auth_domains(KeystoneListAuthDomainsRequest())
    expect_status(resp, 200, "list auth domains")
    assert [d.id for d in resp.domains] == [setting("ADMIN_DOMAIN_ID")], f"domains: {resp.domains}"
    resp = client.list_permanent_access_keys(ListPermanentAccessKeysRequest(user_id=reader.id))
    expect_status(resp, 200, "readonly lists their keys")
    assert [k.access for k in resp.credentials] == [reader.ak], f"keys: {resp.credentials}"
    step("GlobalCredentials, readonly", "domain resolved from /v3/auth/domains, own keys listed")


def test_another_account_resolves_only_its_own(world):
    region = region_of(world)
    other = world.other_account()
    # Each account names its project of the region after it: the lookup finds the
    # caller's own, never ours.
    creds = project_creds(other.ak, other.sk)
    regional(IamClient, creds, region, setting("IAM_URL"))
    assert creds.project_id == setting("OTHER_PROJECT_ID"), (
        f"another account resolved project {creds.project_id!r}, want its own {setting('OTHER_PROJECT_ID')!r}")
    creds = GlobalCredentials(other.ak, other.sk).with_iam_endpoint(setting("IAM_URL"))
    regional(IamClient, creds, region, setting("IAM_URL"))
    assert creds.domain_id and creds.domain_id != setting("ADMIN_DOMAIN_ID"), (
        f"another account resolved domain {creds.domain_id!r}")
    resp = iam(token_creds(other.token)).keystone_list_auth_projects(KeystoneListAuthProjectsRequest())
    expect_status(resp, 200, "another account: list auth projects")
    ids = [p.id for p in resp.projects]
    assert setting("ADMIN_PROJECT_ID") not in ids, f"another account sees our project: {ids}"
    step("another account", "its own project of the region and its own domain")


if __name__ == "__main__":
    sys.exit(run_tests("iam_discovery", [
        test_version_documents,
        test_catalog,
        test_basic_credentials_without_project_id,
        test_global_credentials_without_domain_id,
        test_another_account_resolves_only_its_own,
    ]))
