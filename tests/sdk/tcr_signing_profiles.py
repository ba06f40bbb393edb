#!/usr/bin/env python3
"""tcr-svc with the Python SDK's other signing and transport settings, unmodified:
``HttpProfile(reqMethod="GET")`` (parameters in the query, TC3 signed over it) and the
legacy v1 signature, ``ClientProfile(signMethod="HmacSHA256")`` and ``"HmacSHA1"``, by POST
and by GET.

With each: CreateInstance, DescribeInstances with a list and a filter (flattened as
``Registryids.0``, ``Filters.0.Values.0``), CreateInstanceToken and DeleteInstance. Then the
refusals: a request altered after signing (another parameter value in the query or form),
a replayed v1 request (the same Nonce and Timestamp), and a signature made for another
host (``Host`` not one of tcr-svc's names).

Environment (see common.py): TCR_URL, IAM_URL, IAM_ADMIN_*.
"""

import sys
import urllib.request
from urllib.parse import parse_qsl, urlencode

from tencentcloud.common.credential import Credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.tcr.v20190924 import models
from tencentcloud.tcr.v20190924.tcr_client import TcrClient

from common import admin_access_key, best_effort, delete_admin_access_key, run_test, step
from tcr_tokens import REGION, TCR_ENDPOINT, TCR_PROTOCOL, expect_error, req

# (label, reqMethod, signMethod)
PROFILES = (
    ("TC3 GET", "GET", "TC3-HMAC-SHA256"),
    ("HmacSHA256 POST", "POST", "HmacSHA256"),
    ("HmacSHA256 GET", "GET", "HmacSHA256"),
    ("HmacSHA1 POST", "POST", "HmacSHA1"),
)


def client(secret_id, secret_key, req_method, sign_method, endpoint=TCR_ENDPOINT):
    hp = HttpProfile(endpoint=endpoint, protocol=TCR_PROTOCOL, reqMethod=req_method)
    return TcrClient(Credential(secret_id, secret_key), REGION,
                     ClientProfile(signMethod=sign_method, httpProfile=hp))


def exercise(label, tcr, name):
    created = tcr.CreateInstance(req(models.CreateInstanceRequest, RegistryName=name, RegistryType="basic"))
    registry = created.RegistryId
    try:
        filters = [req(models.Filter, Name="RegistryName", Values=[name])]
        found = tcr.DescribeInstances(req(models.DescribeInstancesRequest, Registryids=[registry],
                                          Filters=filters, Limit=5, AllRegion=False))
        assert found.TotalCount == 1 and found.Registries[0].RegistryId == registry, (
            f"{label}: DescribeInstances: {found.to_json_string()}")
        token = tcr.CreateInstanceToken(req(models.CreateInstanceTokenRequest, RegistryId=registry,
                                            TokenType="temp"))
        assert token.Token and token.TokenId == "", f"{label}: CreateInstanceToken: {token.to_json_string()}"
        step(label, f"CreateInstance {registry}, DescribeInstances, CreateInstanceToken")
    finally:
        tcr.DeleteInstance(req(models.DeleteInstanceRequest, RegistryId=registry))


class Capture:
    """Sends requests through the SDK, keeping the last one it signed (method, url, headers,
    body) so a test can alter and send it again itself."""

    def __init__(self, tcr):
        self.sent = None
        original = tcr.request.send_request

        def send(req_inter):
            self.sent = (req_inter.method, req_inter.uri, dict(req_inter.header), req_inter.data)
            return original(req_inter)

        tcr.request.send_request = send


def resend(base_url, method, query_or_body, headers):
    """Send a request as it stands, returning the Response object of the answer."""
    import json
    data = None
    url = base_url + "/"
    if method == "GET":
        url += "?" + query_or_body
    else:
        data = query_or_body.encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["Response"]


def expect_refused(label, response, code):
    got = response.get("Error", {}).get("Code")
    assert got == code, f"{label}: expected {code}, got {response}"
    step(label, code)


def refusals(ak, sk):
    base = f"{TCR_PROTOCOL}://{TCR_ENDPOINT}"
    for req_method, sign_method in (("GET", "TC3-HMAC-SHA256"), ("POST", "HmacSHA256"), ("GET", "HmacSHA1")):
        tcr = client(ak, sk, req_method, sign_method)
        capture = Capture(tcr)
        tcr.DescribeInstances(req(models.DescribeInstancesRequest, Limit=5))
        method, _, headers, data = capture.sent
        label = f"{sign_method} {req_method}"
        params = dict(parse_qsl(data, keep_blank_values=True))
        if sign_method != "TC3-HMAC-SHA256":
            # The same Nonce and Timestamp again: a replay.
            expect_refused(f"{label} replayed", resend(base, method, data, headers), "AuthFailure.SignatureFailure")
        altered = urlencode({**params, "Limit": "6"})
        expect_refused(f"{label} altered after signing", resend(base, method, altered, headers),
                       "AuthFailure.SignatureFailure")
    # A signature made for another host (the SDK pointed at a name tcr-svc does not have,
    # the request then delivered here).
    port = TCR_ENDPOINT.rsplit(":", 1)[1]
    for sign_method in ("TC3-HMAC-SHA256", "HmacSHA256"):
        other = client(ak, sk, "POST", sign_method, endpoint=f"tcr.elsewhere.example:{port}")
        capture = Capture(other)
        try:
            other.DescribeInstances(req(models.DescribeInstancesRequest))
        except Exception:  # noqa: BLE001 - the name does not resolve: only the signed request counts
            pass
        method, _, headers, data = capture.sent
        for host in (f"tcr.elsewhere.example:{port}", TCR_ENDPOINT):
            expect_refused(f"{sign_method} signed for another host, Host {host}",
                           resend(base, method, data, {**headers, "Host": host}), "AuthFailure.SignatureFailure")


def run(state):
    _, ak, sk = admin_access_key(state, "tcr signing profiles test")
    for i, (label, req_method, sign_method) in enumerate(PROFILES):
        exercise(label, client(ak, sk, req_method, sign_method), f"sdk-signing-{i}-{ak[-6:].lower()}")
    refusals(ak, sk)
    delete_admin_access_key(state)


if __name__ == "__main__":
    sys.exit(run_test("tcr_signing_profiles", "TC3 GET and the v1 signature through the Tencent SDK", run))
