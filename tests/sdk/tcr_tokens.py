#!/usr/bin/env python3
"""End-to-end test of tcr-svc (Tencent TCR API 3.0, version 2019-09-24) with the unmodified
Tencent Cloud Python SDK (``tencentcloud-sdk-python-tcr``, pinned in run.sh).

Flow: get an admin password token from iam-svc and create a permanent access key with it
(common.py, through huaweicloudsdkiam). That AK/SK is the Tencent SecretId/SecretKey. Then, through ``TcrClient``:
CreateInstance, DescribeInstances, CreateInstanceToken (temp, then longterm with Desc),
DescribeInstanceToken (with paging), ModifyInstanceToken (ModifyFlag 1 and 2),
DeleteInstanceToken, and the refusals (wrong SecretKey, unknown SecretId, stale timestamp,
unknown registry, bad TokenType). Then it cleans up (DeleteInstance, delete the access key).

The stale-timestamp request is made through the SDK itself: the SDK's signer reads
``time.time()`` from ``tencentcloud.common.abstract_client``. For one call that module's
``time`` is replaced by a clock running 10 minutes behind, so the request is correctly
signed but its X-TC-Timestamp is stale.

Environment (see common.py): TCR_URL (e.g. http://127.0.0.1:8084), IAM_URL, IAM_ADMIN_DOMAIN,
IAM_ADMIN_USER, IAM_ADMIN_PASSWORD, IAM_ADMIN_USER_ID, IAM_ADMIN_PROJECT_ID; TCR_REGION is
optional (default ap-guangzhou).

Prints one line per step; exits non-zero on the first failure.
"""

import os
import secrets
import string
import sys
import time
from unittest import mock
from urllib.parse import urlsplit

from tencentcloud.common import abstract_client
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.tcr.v20190924 import models
from tencentcloud.tcr.v20190924.tcr_client import TcrClient

from common import (
    ADMIN_USER,
    IAM_URL,
    TCR_URL,
    admin_access_key,
    best_effort,
    delete_admin_access_key,
    expect_tc_error,
    run_test,
    step,
)

TEMP_LIFETIME_MS = 3600 * 1000
CLOCK_SLACK_MS = 120 * 1000  # test machine vs server clock and request latency
STALE_SECONDS = 600  # well past the 300 s window
# The per-action error list of CreateInstanceToken names InvalidParameter; InvalidParameterValue
# is the generic API 3.0 code. Either is a correct refusal of TokenType "forever".
BAD_TOKEN_TYPE_CODES = ("InvalidParameter", "InvalidParameterValue")


REGION = os.environ.get("TCR_REGION") or "ap-guangzhou"

_tcr = urlsplit(TCR_URL if "://" in TCR_URL else "http://" + TCR_URL)
TCR_ENDPOINT = _tcr.netloc  # host:port, no scheme (the SDK puts this in Host and signs it)
TCR_PROTOCOL = _tcr.scheme or "http"


def now_ms():
    return int(time.time() * 1000)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


# ---------------------------------------------------------------------------- tcr-svc

def tcr_client(secret_id, secret_key):
    hp = HttpProfile(endpoint=TCR_ENDPOINT, protocol=TCR_PROTOCOL)
    return TcrClient(Credential(secret_id, secret_key), REGION, ClientProfile(httpProfile=hp))


def req(cls, **fields):
    r = cls()
    for k, v in fields.items():
        assert hasattr(r, k), f"{cls.__name__} has no field {k}"
        setattr(r, k, v)
    return r


def expect_error(label, call, codes):
    """Run call(); it must be refused with a code in codes, a message and a RequestId."""
    if isinstance(codes, str):
        codes = (codes,)
    e = expect_tc_error(call, label, codes=codes, request_id=True)
    step(label, f"{e.code} (requestId {e.requestId})")
    return e


def check_request_id(label, resp):
    assert isinstance(resp.RequestId, str) and resp.RequestId, f"{label}: missing RequestId"


def describe_tokens(client, registry_id, limit=100, offset=0):
    resp = client.DescribeInstanceToken(req(models.DescribeInstanceTokenRequest,
                                            RegistryId=registry_id, Limit=limit, Offset=offset))
    check_request_id("DescribeInstanceToken", resp)
    assert is_int(resp.TotalCount), f"TotalCount not an int: {resp.TotalCount!r}"
    assert isinstance(resp.Tokens, list), f"Tokens not a list: {resp.Tokens!r}"
    return resp


def check_token_entry(t, registry_id):
    assert isinstance(t.Id, str) and t.Id, f"token Id: {t.Id!r}"
    assert isinstance(t.Desc, str), f"token {t.Id} Desc: {t.Desc!r}"
    assert t.RegistryId == registry_id, f"token {t.Id} RegistryId: {t.RegistryId!r}"
    assert isinstance(t.Enabled, bool), f"token {t.Id} Enabled: {t.Enabled!r}"
    assert isinstance(t.CreatedAt, str) and t.CreatedAt, f"token {t.Id} CreatedAt: {t.CreatedAt!r}"
    assert is_int(t.ExpiredAt) and t.ExpiredAt > now_ms(), f"token {t.Id} ExpiredAt: {t.ExpiredAt!r}"


def find_token(resp, token_id):
    hits = [t for t in resp.Tokens if t.Id == token_id]
    assert len(hits) <= 1, f"token {token_id} listed {len(hits)} times"
    return hits[0] if hits else None


class _StaleClock:
    """Stands in for the `time` module inside tencentcloud.common.abstract_client."""

    def __init__(self, behind):
        self._behind = behind

    def time(self):
        return time.time() - self._behind

    def __getattr__(self, name):
        return getattr(time, name)


# ---------------------------------------------------------------------------- the test

def run(state):
    _, ak, sk = admin_access_key(state, "tcr sdk test")
    client = tcr_client(ak, sk)
    state["client"] = client

    # --- instances
    name = "sdk" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(10))
    created = client.CreateInstance(req(models.CreateInstanceRequest, RegistryName=name,
                                        RegistryType="basic"))
    check_request_id("CreateInstance", created)
    rid = created.RegistryId
    assert isinstance(rid, str) and rid, f"CreateInstance RegistryId: {rid!r}"
    state["registry_id"] = rid
    step("CreateInstance", f"{name} -> {rid}")

    listed = client.DescribeInstances(req(models.DescribeInstancesRequest, Registryids=[rid]))
    check_request_id("DescribeInstances", listed)
    assert is_int(listed.TotalCount), f"DescribeInstances TotalCount: {listed.TotalCount!r}"
    regs = [r for r in (listed.Registries or []) if r.RegistryId == rid]
    assert len(regs) == 1, f"DescribeInstances(Registryids=[{rid}]) returned {listed}"
    reg = regs[0]
    assert reg.RegistryName == name, f"RegistryName: {reg.RegistryName!r}"
    assert reg.RegistryType == "basic", f"RegistryType: {reg.RegistryType!r}"
    assert isinstance(reg.Status, str) and reg.Status, f"Status: {reg.Status!r}"
    assert isinstance(reg.CreatedAt, str) and reg.CreatedAt, f"CreatedAt: {reg.CreatedAt!r}"
    for field in ("RegionId", "TokenValidTime", "PayMod", "RenewFlag"):
        v = getattr(reg, field)
        assert v is None or is_int(v), f"Registry.{field} must be an int: {v!r}"
    assert reg.EnableAnonymous is None or isinstance(reg.EnableAnonymous, bool), \
        f"Registry.EnableAnonymous must be a bool: {reg.EnableAnonymous!r}"
    step("DescribeInstances by id", f"Status={reg.Status} PublicDomain={reg.PublicDomain}")

    everything = client.DescribeInstances(models.DescribeInstancesRequest())
    assert rid in [r.RegistryId for r in (everything.Registries or [])], \
        f"DescribeInstances() does not list {rid}"
    step("DescribeInstances all", f"TotalCount={everything.TotalCount}")

    # --- tokens
    before = now_ms()
    temp = client.CreateInstanceToken(req(models.CreateInstanceTokenRequest, RegistryId=rid,
                                          TokenType="temp"))
    check_request_id("CreateInstanceToken temp", temp)
    assert isinstance(temp.Username, str) and temp.Username, f"temp Username: {temp.Username!r}"
    assert isinstance(temp.Token, str) and temp.Token, f"temp Token: {temp.Token!r}"
    assert is_int(temp.ExpTime), f"temp ExpTime must be an int (ms): {temp.ExpTime!r}"
    assert abs(temp.ExpTime - (before + TEMP_LIFETIME_MS)) <= CLOCK_SLACK_MS, \
        f"temp ExpTime {temp.ExpTime} is not about now+1h in ms ({before + TEMP_LIFETIME_MS})"
    assert temp.TokenId == "", f"temp TokenId must be \"\": {temp.TokenId!r}"
    step("CreateInstanceToken temp", f"Username={temp.Username} ExpTime={temp.ExpTime}")

    default = client.CreateInstanceToken(req(models.CreateInstanceTokenRequest, RegistryId=rid))
    assert default.TokenId == "" and is_int(default.ExpTime) and \
        abs(default.ExpTime - (now_ms() + TEMP_LIFETIME_MS)) <= CLOCK_SLACK_MS, \
        f"CreateInstanceToken without TokenType is not a temp token: {default}"
    step("CreateInstanceToken default type is temp")

    desc = "sdk longterm " + secrets.token_hex(3)
    lt = client.CreateInstanceToken(req(models.CreateInstanceTokenRequest, RegistryId=rid,
                                        TokenType="longterm", Desc=desc))
    check_request_id("CreateInstanceToken longterm", lt)
    assert isinstance(lt.TokenId, str) and lt.TokenId, f"longterm TokenId: {lt.TokenId!r}"
    state.setdefault("tokens", []).append(lt.TokenId)
    assert isinstance(lt.Username, str) and lt.Username, f"longterm Username: {lt.Username!r}"
    assert lt.Username == temp.Username, f"Username differs: {lt.Username!r} vs {temp.Username!r}"
    assert isinstance(lt.Token, str) and lt.Token and lt.Token != temp.Token, "longterm Token"
    assert is_int(lt.ExpTime) and lt.ExpTime > now_ms() + TEMP_LIFETIME_MS, \
        f"longterm ExpTime must be an int (ms) beyond 1 h: {lt.ExpTime!r}"
    step("CreateInstanceToken longterm", f"TokenId={lt.TokenId} ExpTime={lt.ExpTime}")

    lt2 = client.CreateInstanceToken(req(models.CreateInstanceTokenRequest, RegistryId=rid,
                                         TokenType="longterm", Desc="second"))
    assert isinstance(lt2.TokenId, str) and lt2.TokenId and lt2.TokenId != lt.TokenId, \
        f"second longterm TokenId: {lt2.TokenId!r}"
    state["tokens"].append(lt2.TokenId)
    step("CreateInstanceToken longterm #2", lt2.TokenId)

    listing = describe_tokens(client, rid)
    assert listing.TotalCount == 2, \
        f"DescribeInstanceToken TotalCount={listing.TotalCount}, expected 2 (longterm only)"
    assert len(listing.Tokens) == 2, f"Tokens: {[t.Id for t in listing.Tokens]}"
    for t in listing.Tokens:
        check_token_entry(t, rid)
    entry = find_token(listing, lt.TokenId)
    assert entry is not None, f"{lt.TokenId} not listed"
    assert entry.Desc == desc, f"Desc: {entry.Desc!r} != {desc!r}"
    assert entry.Enabled is True, f"Enabled: {entry.Enabled!r}"
    assert abs(entry.ExpiredAt - lt.ExpTime) <= 1000, \
        f"ExpiredAt {entry.ExpiredAt} differs from ExpTime {lt.ExpTime}"
    step("DescribeInstanceToken", f"TotalCount={listing.TotalCount}, temp tokens not listed")

    page0 = describe_tokens(client, rid, limit=1, offset=0)
    page1 = describe_tokens(client, rid, limit=1, offset=1)
    page2 = describe_tokens(client, rid, limit=1, offset=2)
    ids = [t.Id for t in page0.Tokens + page1.Tokens]
    assert len(page0.Tokens) == 1 and len(page1.Tokens) == 1 and page2.Tokens == [], \
        f"paging Limit=1: {len(page0.Tokens)}, {len(page1.Tokens)}, {len(page2.Tokens)}"
    assert sorted(ids) == sorted([lt.TokenId, lt2.TokenId]), f"paging ids: {ids}"
    assert page0.TotalCount == page1.TotalCount == page2.TotalCount == 2, "TotalCount must ignore paging"
    step("DescribeInstanceToken paging", "Limit=1 Offset=0,1,2")

    new_desc = "renamed " + secrets.token_hex(3)
    m1 = client.ModifyInstanceToken(req(models.ModifyInstanceTokenRequest, TokenId=lt.TokenId,
                                        RegistryId=rid, Desc=new_desc, ModifyFlag=1))
    check_request_id("ModifyInstanceToken 1", m1)
    entry = find_token(describe_tokens(client, rid), lt.TokenId)
    assert entry.Desc == new_desc and entry.Enabled is True, \
        f"after ModifyFlag 1: Desc={entry.Desc!r} Enabled={entry.Enabled!r}"
    step("ModifyInstanceToken ModifyFlag=1", f"Desc={new_desc!r}")

    m2 = client.ModifyInstanceToken(req(models.ModifyInstanceTokenRequest, TokenId=lt.TokenId,
                                        RegistryId=rid, Enable=False, ModifyFlag=2))
    check_request_id("ModifyInstanceToken 2", m2)
    entry = find_token(describe_tokens(client, rid), lt.TokenId)
    assert entry.Enabled is False and entry.Desc == new_desc, \
        f"after ModifyFlag 2: Desc={entry.Desc!r} Enabled={entry.Enabled!r}"
    step("ModifyInstanceToken ModifyFlag=2", "Enabled=false, Desc kept")

    # Default ModifyFlag is 2: only Enable sent (as Terraform does).
    client.ModifyInstanceToken(req(models.ModifyInstanceTokenRequest, TokenId=lt.TokenId,
                                   RegistryId=rid, Enable=True))
    entry = find_token(describe_tokens(client, rid), lt.TokenId)
    assert entry.Enabled is True and entry.Desc == new_desc, \
        f"after Enable=true without ModifyFlag: Desc={entry.Desc!r} Enabled={entry.Enabled!r}"
    client.ModifyInstanceToken(req(models.ModifyInstanceTokenRequest, TokenId=lt.TokenId,
                                   RegistryId=rid, Enable=False, ModifyFlag=2))
    entry = find_token(describe_tokens(client, rid), lt.TokenId)
    assert entry.Enabled is False, "re-disable failed"
    step("ModifyInstanceToken default flag", "Enable=true without ModifyFlag toggles, then disabled again")

    d = client.DeleteInstanceToken(req(models.DeleteInstanceTokenRequest, RegistryId=rid,
                                       TokenId=lt.TokenId))
    check_request_id("DeleteInstanceToken", d)
    state["tokens"].remove(lt.TokenId)
    after = describe_tokens(client, rid)
    assert find_token(after, lt.TokenId) is None, f"{lt.TokenId} still listed after delete"
    assert after.TotalCount == 1 and find_token(after, lt2.TokenId) is not None, \
        f"after delete: TotalCount={after.TotalCount} ids={[t.Id for t in after.Tokens]}"
    step("DeleteInstanceToken", f"{lt.TokenId} gone, TotalCount={after.TotalCount}")

    # --- refusals
    expect_error("wrong SecretKey -> AuthFailure.SignatureFailure",
                 lambda: tcr_client(ak, sk + "x").DescribeInstanceToken(
                     req(models.DescribeInstanceTokenRequest, RegistryId=rid)),
                 "AuthFailure.SignatureFailure")

    expect_error("unknown SecretId -> AuthFailure.SecretIdNotFound",
                 lambda: tcr_client("AKID" + secrets.token_hex(14), sk).DescribeInstanceToken(
                     req(models.DescribeInstanceTokenRequest, RegistryId=rid)),
                 "AuthFailure.SecretIdNotFound")

    def stale_call():
        with mock.patch.object(abstract_client, "time", _StaleClock(STALE_SECONDS)):
            return client.DescribeInstanceToken(req(models.DescribeInstanceTokenRequest, RegistryId=rid))
    expect_error(f"timestamp {STALE_SECONDS}s old -> AuthFailure.SignatureExpire", stale_call,
                 "AuthFailure.SignatureExpire")
    describe_tokens(client, rid)  # control: the same call with the real clock works
    step("control after stale timestamp", "accepted")

    expect_error("unknown registry -> ResourceNotFound.TcrResourceNotFound",
                 lambda: client.CreateInstanceToken(req(models.CreateInstanceTokenRequest,
                                                        RegistryId="tcr-" + secrets.token_hex(4),
                                                        TokenType="temp")),
                 "ResourceNotFound.TcrResourceNotFound")

    expect_error("TokenType forever -> InvalidParameter",
                 lambda: client.CreateInstanceToken(req(models.CreateInstanceTokenRequest,
                                                        RegistryId=rid, TokenType="forever")),
                 BAD_TOKEN_TYPE_CODES)
    assert describe_tokens(client, rid).TotalCount == 1, "bad TokenType created a token"

    # --- clean up
    client.DeleteInstanceToken(req(models.DeleteInstanceTokenRequest, RegistryId=rid,
                                   TokenId=lt2.TokenId))
    state["tokens"].remove(lt2.TokenId)
    step("DeleteInstanceToken #2", lt2.TokenId)

    di = client.DeleteInstance(req(models.DeleteInstanceRequest, RegistryId=rid))
    check_request_id("DeleteInstance", di)
    state.pop("registry_id")
    gone = client.DescribeInstances(req(models.DescribeInstancesRequest, Registryids=[rid]))
    assert rid not in [r.RegistryId for r in (gone.Registries or [])], f"{rid} still listed"
    step("DeleteInstance", rid)

    expect_error("token for deleted registry -> ResourceNotFound.TcrResourceNotFound",
                 lambda: client.CreateInstanceToken(req(models.CreateInstanceTokenRequest,
                                                        RegistryId=rid, TokenType="temp")),
                 "ResourceNotFound.TcrResourceNotFound")

    delete_admin_access_key(state)
    step("iam delete access key", ak)


def best_effort_cleanup(state):
    """After a failure, remove what was created (errors ignored)."""
    client, rid = state.get("client"), state.get("registry_id")
    actions = []
    if client is not None and rid:
        actions += [lambda t=t: client.DeleteInstanceToken(req(models.DeleteInstanceTokenRequest,
                                                               RegistryId=rid, TokenId=t))
                    for t in state.get("tokens", [])]
        actions.append(lambda: client.DeleteInstance(req(models.DeleteInstanceRequest, RegistryId=rid)))
    best_effort(actions)


def describe_error(e):
    if isinstance(e, TencentCloudSDKException):
        return (f"unexpected TencentCloudSDKException code={e.code!r} message={e.message!r} "
                f"requestId={e.requestId!r}")
    return None


if __name__ == "__main__":
    sys.exit(run_test("tcr_tokens", f"TCR endpoint={TCR_ENDPOINT} ({TCR_PROTOCOL}) IAM_URL={IAM_URL} "
                                    f"region={REGION} user={ADMIN_USER}",
                      run, best_effort_cleanup, describe_error))
