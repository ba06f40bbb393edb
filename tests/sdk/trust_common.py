#!/usr/bin/env python3
"""What the trust-model tests (tests/sdk/trust_*.py) share: throw-away users with chosen
roles, the resources they attack (a LakeFormation instance, an SWR instance and a TCR
registry of the admin), temporary keys, the SDK clients signed every way a caller can
sign, registry logins, hand signing with the SDKs' own signers, polling, and a frame that
runs several test functions and reports each. Not a test itself: run directly, it only
says so and exits 0.

Each trust test plays an attacker against the running stack and asserts the secure
answer. Environment as common.py (IAM_URL, IAM_ADMIN_*, SWR_URL, LAKEFORMATION_URL,
TCR_URL; IAM_OTHER_* for ``World.other_account``); optional SWR_REGISTRY_SERVICE and TCR_REGISTRY_SERVICE name the token
`service` of the registries (defaults: the instance's own, or `tcr-registry`).
"""

import base64
import hashlib
import hmac
import itertools
import json
import os
import secrets
import sys
import time
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkiam.v3 import (
    CreateCredentialOption,
    CreatePermanentAccessKeyRequest,
    CreatePermanentAccessKeyRequestBody,
    DeletePermanentAccessKeyRequest,
    KeystoneAddUserToGroupRequest,
    KeystoneAssociateGroupWithDomainPermissionRequest,
    KeystoneAssociateGroupWithProjectPermissionRequest,
    KeystoneCreateGroupOption,
    KeystoneCreateGroupRequest,
    KeystoneCreateGroupRequestBody,
    KeystoneCreateUserOption,
    KeystoneCreateUserRequest,
    KeystoneCreateUserRequestBody,
    KeystoneDeleteGroupRequest,
    KeystoneDeleteUserRequest,
    KeystoneListPermissionsRequest,
    ListPermanentAccessKeysRequest,
)
from huaweicloudsdkiam.v3.iam_credentials import IamCredentials
from huaweicloudsdklakeformation.v1 import (
    CreateInstanceRequestBody as LfCreateInstanceRequestBody,
    CreateLakeFormationInstanceRequest,
    DeleteLakeFormationInstanceRequest,
    IdentityInput,
    LakeFormationClient,
    ShowCredentialRequest,
)
from huaweicloudsdkswr.v2 import (
    CreateInstanceLtCredentialRequest,
    CreateInstanceRequest as SwrCreateInstanceRequest,
    CreateInstanceRequestBody as SwrCreateInstanceRequestBody,
    CreateInstanceTempCredentialRequest,
    CreateLongTermCredentialRequestBody,
    DeleteInstanceRequest as SwrDeleteInstanceRequest,
    ListInstanceLtCredentialsRequest,
    ShowInstanceRequest as SwrShowInstanceRequest,
    SwrClient,
)
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.tcr.v20190924 import models as tcr_models
from tencentcloud.tcr.v20190924.tcr_client import TcrClient

import common
from common import expect_status, expect_tc_error, password_token, raw_json, step

USER_PASSWORD = "Str0ng-Passw0rd!" + secrets.token_hex(3)
TCR_REGION = os.environ.get("TCR_REGION") or "ap-guangzhou"
# How fast a cut must reach every service, and how long the tests watch to say how late.
CUT_DEADLINE = 10.0
CUT_POLL_MAX = 15.0
POLL_EVERY = 0.5

HTTP = requests.Session()
HTTP.trust_env = False  # the services run locally: no proxies from the environment


def setting(name):
    """A URL or admin setting of common.py, read from the environment when first asked."""
    return getattr(common, name)


def suffix():
    return secrets.token_hex(4)


_LIMITS = itertools.cycle(range(100, 50, -1))


def distinct_limit():
    """A page size for a listing that must not repeat an earlier request: the services
    accept a signature once, and the SDKs sign in whole seconds, so the same signed call
    twice in one second is the same signature (the second is refused as a replay)."""
    return next(_LIMITS)


def next_second_after(last):
    """Wait until the clock has left the second ``last`` (a time.time()), for a call that
    cannot be varied; returns the time now."""
    now = time.time()
    if last is not None and int(now) == int(last):
        time.sleep(int(now) + 1.05 - now)
        now = time.time()
    return now


# ---------------------------------------------------------------------------- clients

def hw_creds(ak, sk, security_token=None, project_id=None):
    creds = BasicCredentials(ak, sk, project_id or setting("ADMIN_PROJECT_ID"))
    if security_token is not None:
        creds = creds.with_security_token(security_token)
    return creds


def token_creds(token):
    """X-Auth-Token only (no signing), for ``huaweicloudsdkiam`` (other SDK clients take
    BasicCredentials only: send tokens to them with ``token_http``)."""
    return IamCredentials().with_x_auth_token(token)


def iam(creds):
    return common.iam_client(creds)


def swr(creds):
    return SwrClient.new_builder().with_credentials(creds).with_endpoints([setting("SWR_URL")]).build()


def lf(creds):
    return (LakeFormationClient.new_builder().with_credentials(creds)
            .with_endpoints([setting("LAKEFORMATION_URL")]).build())


def tcr_endpoint():
    url = urlsplit(setting("TCR_URL"))
    return url.netloc, url.scheme or "http"


def tcr(secret_id, secret_key, token=None, profile=None):
    netloc, scheme = tcr_endpoint()
    profile = profile or ClientProfile(httpProfile=HttpProfile(endpoint=netloc, protocol=scheme))
    return TcrClient(Credential(secret_id, secret_key, token), TCR_REGION, profile)


def tcr_req(cls, **fields):
    r = cls()
    for k, v in fields.items():
        assert hasattr(r, k), f"{cls.__name__} has no field {k}"
        setattr(r, k, v)
    return r


# ---------------------------------------------------------------------------- expectations

def refused_tc(fn, what, code_prefixes):
    """The Tencent-SDK call must be refused with a code starting with one of
    ``code_prefixes`` (see ``common.expect_tc_error``); returns the exception."""
    return expect_tc_error(fn, what, code_prefixes=code_prefixes)


def keystone_error(status, body, text, want, what):
    """A raw Keystone envelope: {"error": {"code": want, "title", "message"}}."""
    assert status == want, f"{what}: expected HTTP {want}, got {status}: {text[:300]}"
    err = body.get("error") if isinstance(body, dict) else None
    assert isinstance(err, dict), f"{what}: not a Keystone error envelope: {text[:300]}"
    assert err.get("code") == want and err.get("message"), f"{what}: Keystone envelope {err!r}"
    return err["message"]


def parse_time(value):
    """An RFC 3339 UTC time (with or without fraction, Z or +00:00) as an aware datetime."""
    v = value.replace("Z", "+00:00")
    if "." in v:
        head, tail = v.split(".", 1)
        frac, _, off = tail.partition("+")
        v = f"{head}.{frac[:6]}+{off or '00:00'}"
    return datetime.fromisoformat(v).astimezone(timezone.utc)


def poll(until, deadline=CUT_POLL_MAX, every=POLL_EVERY):
    """Call ``until()`` until it returns a true value or ``deadline`` seconds pass; returns
    (value, seconds waited) — value is the last falsy one on time-out."""
    start = time.monotonic()
    while True:
        value = until()
        waited = time.monotonic() - start
        if value or waited >= deadline:
            return value, waited
        time.sleep(every)


# ---------------------------------------------------------------------------- raw HTTP

def hw_signed(base_url, method, path, ak, sk, body=None, sent_body=None, headers=None,
              security_token=None, project_id=None, query=None):
    """Sign a request with huaweicloudsdkcore's own Signer (as the SDK does: every header,
    X-Project-Id, X-Security-Token) and send it with requests. ``body`` is what is signed;
    ``sent_body`` (if given) is sent instead. Returns (status, JSON body or None, text)."""
    url, hdrs, data = hw_prepare(base_url, method, path, ak, sk, body, headers, security_token,
                                 project_id, query)
    if sent_body is not None:
        data = json.dumps(sent_body).encode() if isinstance(sent_body, (dict, list)) else sent_body
    return send(method, url, hdrs, data)


def hw_prepare(base_url, method, path, ak, sk, body=None, headers=None, security_token=None,
               project_id=None, query=None):
    """A request signed as ``hw_signed`` signs it, not sent: (url, headers, body bytes)."""
    url = urlsplit(base_url)
    hdrs = {"Content-Type": "application/json;charset=UTF-8",
            "X-Project-Id": project_id or setting("ADMIN_PROJECT_ID")}
    if security_token is not None:
        hdrs["X-Security-Token"] = security_token
    hdrs.update(headers or {})
    signed = json.dumps(body).encode() if isinstance(body, (dict, list)) else (body or b"")
    req = SdkRequest(method=method, schema=url.scheme, host=url.netloc, resource_path=path,
                     query_params=list((query or {}).items()), header_params=hdrs, body=signed)
    Signer(BasicCredentials(ak, sk, project_id or setting("ADMIN_PROJECT_ID"))).sign(req)
    return f"{url.scheme}://{url.netloc}{req.uri}", dict(req.header_params), signed or None


def send(method, url, headers, data=None, auth=None):
    r = HTTP.request(method, url, headers=headers, data=data, auth=auth, timeout=30,
                     allow_redirects=False)
    try:
        parsed = r.json()
    except ValueError:
        parsed = None
    return r.status_code, parsed, r.text


def token_http(method, url, token, body=None, headers=None):
    """Plain HTTP with X-Auth-Token (and ``headers``)."""
    hdrs = {"X-Auth-Token": token, "Content-Type": "application/json", **(headers or {})}
    return send(method, url, hdrs, None if body is None else json.dumps(body).encode())


def registry_login(base_url, service, username, password, scope="repository:trust/probe:pull,push"):
    """GET /service/token with HTTP Basic: (status, granted actions or None, text)."""
    url = f"{base_url}/service/token"
    r = HTTP.get(url, params={"service": service, "scope": scope}, auth=(username, password), timeout=30)
    actions = None
    if r.status_code == 200:
        token = r.json().get("token", "")
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        actions = sorted({a for entry in claims.get("access") or [] for a in entry.get("actions", [])})
    return r.status_code, actions, r.text[:300]


# ---------------------------------------------------------------------------- TC3 by hand

def tc3_headers(secret_id, secret_key, action, body, timestamp=None, token=None,
                signed_extra=()):
    """Headers of a TC3-HMAC-SHA256 request signed as tencentcloud-sdk-python signs it
    (``content-type;host``), plus the lower-cased headers named in ``signed_extra``."""
    netloc, _ = tcr_endpoint()
    ts = int(time.time()) if timestamp is None else timestamp
    date = datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")
    headers = {"Content-Type": "application/json", "Host": netloc, "X-TC-Action": action,
               "X-TC-Timestamp": str(ts), "X-TC-Version": "2019-09-24", "X-TC-Region": TCR_REGION}
    if token:
        headers["X-TC-Token"] = token
    lower = {k.lower(): v for k, v in headers.items()}
    names = ["content-type", "host", *signed_extra]
    canonical_headers = "".join(f"{n}:{lower[n].lower() if n == 'x-tc-action' else lower[n]}\n"
                                for n in names)
    canonical = "\n".join(["POST", "/", "", canonical_headers, ";".join(names),
                           hashlib.sha256(body).hexdigest()])
    scope = f"{date}/tcr/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(ts), scope, hashlib.sha256(canonical.encode()).hexdigest()])

    def mac(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    k = mac(mac(mac(("TC3" + secret_key).encode(), date), "tcr"), "tc3_request")
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
                                f"SignedHeaders={';'.join(names)}, Signature={signature}")
    return headers


def tc3_send(headers, body):
    """POST a TC3 request to tcr-svc: (error code or None, Response object)."""
    _, scheme = tcr_endpoint()
    status, parsed, text = send("POST", f"{scheme}://{headers['Host']}/", headers, body)
    assert status == 200 and isinstance(parsed, dict) and "Response" in parsed, (
        f"tcr-svc answered HTTP {status}: {text[:300]}")
    resp = parsed["Response"]
    return (resp.get("Error") or {}).get("Code"), resp


# ---------------------------------------------------------------------------- the world

@dataclass
class TempKey:
    access: str
    secret: str
    token: str
    expires_at: datetime


@dataclass
class User:
    id: str
    name: str
    password: str
    group_id: str
    token: str = ""
    ak: str = ""
    sk: str = ""


@dataclass
class World:
    """The admin's side of the stack, made on first use and removed by ``close``."""
    admin_token: str = ""
    admin_ak: str = ""
    admin_sk: str = ""
    roles: dict = field(default_factory=dict)
    lf_instance: str = ""
    swr_instance: str = ""
    swr_service: str = ""
    tcr_registry: str = ""
    cleanups: list = field(default_factory=list)
    last_issue: dict = field(default_factory=dict)

    # -- the admin
    def admin(self):
        return iam(token_creds(self.admin_token))

    def admin_swr(self):
        return swr(hw_creds(self.admin_ak, self.admin_sk))

    def admin_tcr(self):
        return tcr(self.admin_ak, self.admin_sk)

    def open(self):
        state = {}
        self.admin_token, self.admin_ak, self.admin_sk = common.admin_access_key(state, "trust tests")
        self.cleanups.append(lambda: self.admin().delete_permanent_access_key(
            DeletePermanentAccessKeyRequest(access_key=self.admin_ak)))
        resp = self.admin().keystone_list_permissions(KeystoneListPermissionsRequest())
        expect_status(resp, 200, "list roles")
        self.roles = {r.name: r.id for r in (resp.roles or [])}
        for name in ("admin", "member", "readonly"):
            assert name in self.roles, f"role {name!r} missing from {sorted(self.roles)}"
        return self

    def close(self):
        for action in reversed(self.cleanups):
            try:
                action()
            except Exception:  # noqa: BLE001 - clean-up must not mask the result
                pass
        self.cleanups.clear()

    # -- the resources under attack
    def lake(self):
        if not self.lf_instance:
            client = lf(hw_creds(self.admin_ak, self.admin_sk))
            resp = client.create_lake_formation_instance(CreateLakeFormationInstanceRequest(
                body=LfCreateInstanceRequestBody(name=f"trust-{suffix()}", charge_mode="postPaid",
                                                 shared=True, description="trust tests")))
            expect_status(resp, (200, 201, 202), "create lakeformation instance")
            self.lf_instance = resp.instance_id
            self.cleanups.append(lambda: client.delete_lake_formation_instance(
                DeleteLakeFormationInstanceRequest(instance_id=self.lf_instance)))
        return self.lf_instance

    def swr_inst(self):
        if not self.swr_instance:
            client = self.admin_swr()
            resp = client.create_instance(SwrCreateInstanceRequest(body=SwrCreateInstanceRequestBody(
                name=f"trust-{suffix()}", description="trust tests", spec="swr.ee.professional",
                vpc_id=str(uuid.uuid4()), subnet_id=str(uuid.uuid4()),
                project_id=setting("ADMIN_PROJECT_ID"), charge_mode="postPaid",
                enterprise_project_id="0")))
            expect_status(resp, (200, 201, 202), "create swr instance")
            self.swr_instance = resp.instance_id
            self.cleanups.append(lambda: client.delete_instance(
                SwrDeleteInstanceRequest(instance_id=self.swr_instance)))
            shown = client.show_instance(SwrShowInstanceRequest(instance_id=self.swr_instance))
            raw = raw_json(shown, "show swr instance")
            self.swr_service = (os.environ.get("SWR_REGISTRY_SERVICE")
                                or (raw.get("registry") or {}).get("service") or "swr-registry")
        return self.swr_instance

    def tcr_reg(self):
        if not self.tcr_registry:
            client = self.admin_tcr()
            name = "trust" + secrets.token_hex(5)
            resp = client.CreateInstance(tcr_req(tcr_models.CreateInstanceRequest, RegistryName=name,
                                                 RegistryType="basic"))
            self.tcr_registry = resp.RegistryId
            self.cleanups.append(lambda: client.DeleteInstance(
                tcr_req(tcr_models.DeleteInstanceRequest, RegistryId=self.tcr_registry)))
        return self.tcr_registry

    @staticmethod
    def tcr_service():
        return os.environ.get("TCR_REGISTRY_SERVICE") or "tcr-registry"

    # -- people
    def user(self, project_roles=("member",), domain_roles=(), with_key=True, group_id=None):
        """A new user in a new group holding ``project_roles`` on the admin's project and
        ``domain_roles`` on the domain (or in the existing group ``group_id``); logged in
        (project token) and, by default, with a permanent access key of their own."""
        admin, s = self.admin(), suffix()
        resp = admin.keystone_create_user(KeystoneCreateUserRequest(body=KeystoneCreateUserRequestBody(
            user=KeystoneCreateUserOption(name=f"trust-{s}", domain_id=setting("ADMIN_DOMAIN_ID"),
                                          password=USER_PASSWORD, enabled=True))))
        expect_status(resp, 201, "create user")
        user_id = resp.user.id
        self.cleanups.append(lambda: admin.keystone_delete_user(KeystoneDeleteUserRequest(user_id=user_id)))
        if group_id is None:
            group_id = self.group(project_roles, domain_roles)
        expect_status(admin.keystone_add_user_to_group(
            KeystoneAddUserToGroupRequest(group_id=group_id, user_id=user_id)), 204, "add user to group")
        user = User(user_id, f"trust-{s}", USER_PASSWORD, group_id)
        user.token = self.login(user)
        if with_key:
            resp = iam(token_creds(user.token)).create_permanent_access_key(CreatePermanentAccessKeyRequest(
                body=CreatePermanentAccessKeyRequestBody(credential=CreateCredentialOption(
                    user_id=user_id, description="trust tests"))))
            expect_status(resp, 201, "user creates their access key")
            user.ak, user.sk = resp.credential.access, resp.credential.secret
        step("user", f"{user.name} ({user_id}) in group {group_id}")
        return user

    def group(self, project_roles=(), domain_roles=()):
        """A new group holding ``project_roles`` on the admin's project and ``domain_roles``
        on the domain."""
        admin = self.admin()
        resp = admin.keystone_create_group(KeystoneCreateGroupRequest(body=KeystoneCreateGroupRequestBody(
            group=KeystoneCreateGroupOption(name=f"trust-{suffix()}", domain_id=setting("ADMIN_DOMAIN_ID")))))
        expect_status(resp, 201, "create group")
        group_id = resp.group.id
        self.cleanups.append(lambda: admin.keystone_delete_group(KeystoneDeleteGroupRequest(group_id=group_id)))
        for role in project_roles:
            expect_status(admin.keystone_associate_group_with_project_permission(
                KeystoneAssociateGroupWithProjectPermissionRequest(
                    project_id=setting("ADMIN_PROJECT_ID"), group_id=group_id, role_id=self.roles[role])),
                204, f"grant {role} on the project")
        for role in domain_roles:
            expect_status(admin.keystone_associate_group_with_domain_permission(
                KeystoneAssociateGroupWithDomainPermissionRequest(
                    domain_id=setting("ADMIN_DOMAIN_ID"), group_id=group_id, role_id=self.roles[role])),
                204, f"grant {role} on the domain")
        step("group", f"{group_id}: project {list(project_roles)} domain {list(domain_roles)}")
        return group_id

    @staticmethod
    def login(user):
        resp = password_token(setting("ADMIN_DOMAIN"), user.name, user.password, setting("ADMIN_PROJECT_ID"))
        expect_status(resp, 201, f"login of {user.name}")
        return resp.x_subject_token

    def temp_key(self, ak, sk, roles=None):
        """A LakeFormation temporary key issued to the owner of ``ak`` on the admin's
        LakeFormation instance, asked for ``roles`` (None: the caller's own)."""
        client = lf(hw_creds(ak, sk))
        body = IdentityInput(roles=list(roles)) if roles is not None else IdentityInput()
        asked = (ak, tuple(roles) if roles is not None else None)
        self.last_issue[asked] = next_second_after(self.last_issue.get(asked))
        resp = client.show_credential(ShowCredentialRequest(instance_id=self.lake(), body=body))
        expect_status(resp, 200, "show credential")
        raw = raw_json(resp, "show credential")
        assert resp.access and resp.secret and resp.security_token, "show credential: no key"
        expires = raw.get("expires_at")
        assert isinstance(expires, str), f"show credential: expires_at={expires!r}"
        return TempKey(resp.access, resp.secret, resp.security_token, parse_time(expires))

    def access_keys_of(self, user_id):
        resp = self.admin().list_permanent_access_keys(ListPermanentAccessKeysRequest(user_id=user_id))
        expect_status(resp, 200, "list access keys")
        return sorted(k.access for k in (resp.credentials or []))

    def keys_now(self, user_id):
        """The user's permanent keys now; any key made after this is deleted on close."""
        before = self.access_keys_of(user_id)

        def drop_new():
            for access in self.access_keys_of(user_id):
                if access not in before and access != self.admin_ak:
                    self.admin().delete_permanent_access_key(DeletePermanentAccessKeyRequest(access_key=access))
        self.cleanups.append(drop_new)
        return before

    def swr_credentials(self, self_only=False):
        resp = self.admin_swr().list_instance_lt_credentials(ListInstanceLtCredentialsRequest(
            instance_id=self.swr_inst(), offset=0, limit=distinct_limit(), self_only=self_only))
        expect_status(resp, 200, "list swr credentials")
        return resp.auth_tokens or []

    def swr_lt(self, creds, name=None):
        """Create an SWR long-term credential on the admin's instance: the SDK response."""
        return swr(creds).create_instance_lt_credential(CreateInstanceLtCredentialRequest(
            instance_id=self.swr_inst(), body=CreateLongTermCredentialRequestBody(name=name or f"t{suffix()}")))

    def swr_temp(self, creds):
        return swr(creds).create_instance_temp_credential(
            CreateInstanceTempCredentialRequest(instance_id=self.swr_inst()))

    def other_account(self):
        """The admin of the second domain (IAM_OTHER_*), logged in, with a permanent access
        key of their own: a User of another account."""
        resp = password_token(setting("OTHER_DOMAIN"), setting("OTHER_USER"), setting("OTHER_PASSWORD"),
                              setting("OTHER_PROJECT_ID"))
        expect_status(resp, 201, "login of the other account's admin")
        token, user_id = resp.x_subject_token, resp.token.user.id
        other = iam(token_creds(token))
        resp = other.create_permanent_access_key(CreatePermanentAccessKeyRequest(
            body=CreatePermanentAccessKeyRequestBody(credential=CreateCredentialOption(
                user_id=user_id, description="another account"))))
        expect_status(resp, 201, "the other account's admin creates an access key")
        ak, sk = resp.credential.access, resp.credential.secret
        self.cleanups.append(lambda: other.delete_permanent_access_key(DeletePermanentAccessKeyRequest(access_key=ak)))
        step("another account", f"{setting('OTHER_DOMAIN')}: admin {user_id}, access key {ak}")
        return User(user_id, setting("OTHER_USER"), setting("OTHER_PASSWORD"), "", token, ak, sk)

    def tcr_tokens(self):
        resp = self.admin_tcr().DescribeInstanceToken(tcr_req(
            tcr_models.DescribeInstanceTokenRequest, RegistryId=self.tcr_reg(), Limit=distinct_limit(), Offset=0))
        return resp.Tokens or []


# ---------------------------------------------------------------------------- the frame

def describe(e):
    if isinstance(e, ClientRequestException):
        return f"unexpected HTTP {e.status_code}: error_code={e.error_code!r} error_msg={e.error_msg!r}"
    if isinstance(e, TencentCloudSDKException):
        return f"unexpected TencentCloudSDKException code={e.code!r} message={e.message!r}"
    return f"unexpected {type(e).__name__}: {e}"


class Checks:
    """Several independent checks of one test: each failure is printed and kept, the
    test fails at ``done()`` naming all of them (so one run shows every hole)."""

    def __init__(self):
        self.failures = []

    @contextmanager
    def check(self, label):
        try:
            yield
        except Exception as e:  # noqa: BLE001 - reported with the others at done()
            message = str(e) if isinstance(e, AssertionError) else describe(e)
            print(f"bad  {label}: {message}", flush=True)
            self.failures.append(f"[{label}] {message}")

    def done(self):
        assert not self.failures, " | ".join(self.failures)


def run_tests(name, tests):
    """Run each ``test(world)`` in order against one World and report each; the exit code
    is 1 when any failed. A test's own resources go into ``world.cleanups``."""
    print(f"{name}: IAM_URL={setting('IAM_URL')}", flush=True)
    world = World()
    failed = []
    try:
        world.open()
    except Exception as e:  # noqa: BLE001
        print(f"FAIL setup: {describe(e)}", flush=True)
        traceback.print_exc()
        world.close()
        return 1
    for test in tests:
        print(f"-- {test.__name__}", flush=True)
        try:
            test(world)
        except AssertionError as e:
            print(f"FAIL {test.__name__}: {e}", flush=True)
            failed.append(test.__name__)
        except Exception as e:  # noqa: BLE001
            print(f"FAIL {test.__name__}: {describe(e)}", flush=True)
            traceback.print_exc()
            failed.append(test.__name__)
        else:
            print(f"PASS {test.__name__}", flush=True)
    world.close()
    if failed:
        print(f"{name}: {len(failed)} of {len(tests)} failed: {' '.join(failed)}", flush=True)
        return 1
    print(f"PASS {name} ({len(tests)} tests)", flush=True)
    return 0


if __name__ == "__main__":
    print("trust_common.py: shared code of the trust tests, nothing to run", flush=True)
    sys.exit(0)
