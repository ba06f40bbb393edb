"""Write the fuzz seeds the vendor SDKs make: signed requests, Authorization headers and
request bodies, captured from the official Python SDKs just before they would be sent.

    var/sdk-venv/bin/python fuzz/seeds/sdk_seeds.py fuzz/corpus

Run by fuzz/seeds/generate.sh, which also writes the seeds of the project's own code and
files. Nothing is sent: each client's transport raises with the request it was given.
"""

import base64
import os
import struct
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkiam.v3 import IamClient
from huaweicloudsdkiam.v3.model import (
    CreateCredentialOption, CreatePermanentAccessKeyRequest, CreatePermanentAccessKeyRequestBody,
    KeystoneListProjectsRequest, ShowPermanentAccessKeyRequest,
)
from huaweicloudsdkswr.v2 import SwrClient
from huaweicloudsdkswr.v2.model import (
    CreateNamespaceRequest, CreateNamespaceRequestBody, ListNamespacesRequest,
)
from huaweicloudsdklakeformation.v1 import LakeFormationClient
from huaweicloudsdklakeformation.v1.model import (
    CreateLakeFormationInstanceRequest, CreateInstanceRequestBody as LfCreateInstanceRequestBody, ShowCredentialRequest, IdentityInput,
)
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.tcr.v20190924 import models as tcr_models
from tencentcloud.tcr.v20190924.tcr_client import TcrClient

AK, SK = "HST3UXAMPLEAK0000001", "Wv2sH1kX9rT4mQ8pL3nB6cJ0dF5gY7zA1eR2tU3i"
PROJECT = "0b6bd1d1b9b04d1a9d1f3c1a2e3f4a5b"


class Captured(Exception):
    """Raised by a transport; the request waits in `last` (the Tencent client wraps
    whatever its transport raises in an SDK exception)."""
    last = None

    def __init__(self, request):
        super().__init__("captured")
        Captured.last = request


def capture(call):
    Captured.last = None
    try:
        call()
    except Exception:  # the transport's Captured, or the SDK's wrapping of it
        pass
    if Captured.last is None:
        raise RuntimeError("the SDK sent nothing")
    return Captured.last


def write(out, target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def raw_request(method, path, query, headers, body):
    """The layout of fuzz/src/lib.rs RawRequest: method, path, query, headers, blank, body."""
    head = "\n".join([method, path, query] + ["%s: %s" % (k, v) for k, v in headers])
    return head.encode() + b"\n\n" + (body or b"")


def huawei_client(cls, endpoint):
    config = HttpConfig.get_default_config()
    client = (cls.new_builder().with_http_config(config)
              .with_credentials(BasicCredentials(AK, SK, PROJECT))
              .with_endpoints([endpoint]).build())

    def transport(request):
        raise Captured(request)
    client._http_client.do_request_sync = transport
    return client


def huawei(out):
    iam = huawei_client(IamClient, "http://127.0.0.1:8081")
    swr = huawei_client(SwrClient, "http://127.0.0.1:8082")
    lf = huawei_client(LakeFormationClient, "http://127.0.0.1:8083")
    calls = {
        "iam-list-projects": lambda: iam.keystone_list_projects(
            KeystoneListProjectsRequest(name="cn north/4", page=1, per_page=50)),
        "iam-show-access-key": lambda: iam.show_permanent_access_key(
            ShowPermanentAccessKeyRequest(access_key=AK)),
        "iam-create-credential": lambda: iam.create_permanent_access_key(CreatePermanentAccessKeyRequest(
            body=CreatePermanentAccessKeyRequestBody(credential=CreateCredentialOption(
                user_id="7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a", description="ci key"))))
        ,
        "swr-list-namespaces": lambda: swr.list_namespaces(ListNamespacesRequest(namespace="team-a")),
        "swr-create-namespace": lambda: swr.create_namespace(CreateNamespaceRequest(
            body=CreateNamespaceRequestBody(namespace="team-a"))),
        "lf-create-instance": lambda: lf.create_lake_formation_instance(CreateLakeFormationInstanceRequest(
            body=LfCreateInstanceRequestBody(name="lake_01", charge_mode="on_demand", description="fuzz seed", shared=False))),
        "lf-show-credential": lambda: lf.show_credential(ShowCredentialRequest(
            instance_id="i-0001", body=IdentityInput(roles=["member"]))),
    }
    for name, call in calls.items():
        req = capture(call)
        headers = list(req.header_params.items())
        query = req.uri.split("?", 1)[1] if "?" in req.uri else ""
        body = req.body if isinstance(req.body, bytes) else (req.body or "").encode()
        write(out, "huawei_request", name, raw_request(req.method, req.resource_path, query, headers, body))
        write(out, "huawei_authorization", name, req.header_params["Authorization"])
        if name == "iam-list-projects":
            write(out, "huawei_authorization", "sdk-date", req.header_params["X-Sdk-Date"])
        if body and name.startswith("lf-create"):
            write(out, "strict_json", name, b"\x01" + body)
        if body and name.startswith("swr-create"):
            write(out, "strict_json", name, b"\x02" + body)


def tcr_client(method):
    hp = HttpProfile(endpoint="127.0.0.1:8084", protocol="http", reqMethod=method)
    client = TcrClient(credential.Credential(AK, SK), "ap-guangzhou", ClientProfile(httpProfile=hp))

    def transport(request, *args, **kwargs):
        raise Captured(request)
    client.request.send_request = transport
    return client


def model(cls, **fields):
    m = cls()
    for k, v in fields.items():
        assert hasattr(m, k), "%s has no %s" % (cls.__name__, k)
        setattr(m, k, v)
    return m


def tencent(out):
    rid = "tcr-0a1b2c3d"
    # (action, request model fields, tcr_params reader: see fuzz_targets/tcr_params.rs)
    actions = [
        ("CreateInstanceToken", dict(RegistryId=rid, TokenType="longterm", Desc="ci"), 4),
        ("DescribeInstanceToken", dict(RegistryId=rid, Offset=0, Limit=20), 4),
        ("CreateNamespace", dict(RegistryId=rid, NamespaceName="team-a", IsPublic=False,
                                 TagSpecification=model(tcr_models.TagSpecification, ResourceType="namespace",
                                     Tags=[model(tcr_models.Tag, Key="env", Value="prod")]),
                                 CVEWhitelistItems=[model(tcr_models.CVEWhitelistItem, CVEID="CVE-2024-1234")]), 1),
        ("ModifyNamespace", dict(RegistryId=rid, NamespaceName="team-a", IsPublic=True, Severity="high"), 2),
        ("DeleteNamespace", dict(RegistryId=rid, NamespaceName="team-a"), 0),
        ("DescribeNamespaces", dict(RegistryId=rid, Filters=[model(tcr_models.Filter, Name="Tags",
                                                                     Values=["env:prod"])]), 3),
        ("CreateServiceAccount", dict(RegistryId=rid, Name="robot-ci", Description="ci", Duration=30,
                                      Permissions=[model(tcr_models.Permission, Resource="team-a",
                                                         Actions=["tcr:PullRepository", "tcr:PushRepository"])]), 5),
        ("DescribeServiceAccounts", dict(RegistryId=rid, All=False, EmbedPermission=True,
                                         Filters=[model(tcr_models.Filter, Name="ServiceAccountName",
                                                        Values=["robot-ci"])]), 6),
        ("ModifyServiceAccount", dict(RegistryId=rid, Name="robot-ci", ExpiresAt=-1, Disable=True), 7),
        ("ModifyServiceAccountPassword", dict(RegistryId=rid, Name="robot-ci", Random=False,
                                              Password="Passw0rdPassw0rd"), 9),
    ]
    for action, fields, reader in actions:
        request = getattr(tcr_models, action + "Request")
        client = tcr_client("POST")
        req = capture(lambda: getattr(client, action)(model(request, **fields)))
        headers = list(req.header.items())
        body = req.data.encode() if isinstance(req.data, str) else req.data
        write(out, "tc3_request", action, raw_request("POST", "/", "", headers, body))
        stamp = struct.pack("<q", int(req.header["X-TC-Timestamp"]))
        write(out, "tc3_authorization", action, stamp + req.header["Authorization"].encode())
        write(out, "tcr_params", action, bytes([reader]) + body)
    client = tcr_client("GET")
    req = capture(lambda: client.DescribeInstanceToken(
        model(tcr_models.DescribeInstanceTokenRequest, RegistryId=rid, Limit=5)))
    write(out, "tc3_request", "DescribeInstanceToken-GET",
          raw_request("GET", "/", req.data, list(req.header.items()), b""))


def login(out):
    """The bodies of a password login (iam-svc) and the internal signature check."""
    write(out, "strict_json", "iam-password-login", b"\x00" + (
        '{"auth": {"identity": {"methods": ["password"], "password": {"user": {"domain": {"name": "acme"},'
        ' "name": "alice", "password": "Secr3t-Passw0rd!"}}}, "scope": {"project": {"id": "%s"}}}}' % PROJECT
    ).encode())
    write(out, "strict_json", "iam-token-login", b"\x06" + (
        '{"auth": {"identity": {"methods": ["token"], "token": {"id": "v1.k1.e30.c2ln"}},'
        ' "scope": {"domain": {"name": "acme"}}}}'
    ).encode())


def registry(out):
    for name, user, password in [("docker", "alice", "swr_" + "A" * 49), ("robot", "tcr$robot-ci", "Passw0rdPassw0rd")]:
        write(out, "registry_basic", name, "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode())
    write(out, "registry_scope", "docker-push", "repository:team-a/app:pull,push")
    write(out, "registry_scope", "host-port", "repository:127.0.0.1:5000/team-a/app:pull\nregistry:catalog:*")
    write(out, "registry_scope", "several", "repository:a/x:pull repository:b/y:push\nrepository(plugin):p/q:pull")


def main():
    out = sys.argv[1]
    huawei(out)
    tencent(out)
    login(out)
    registry(out)


if __name__ == "__main__":
    main()
