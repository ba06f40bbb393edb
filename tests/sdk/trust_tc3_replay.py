#!/usr/bin/env python3
"""A TC3 signature is accepted once, and the action it was sent for cannot be swapped.

tencentcloud-sdk-python signs only ``content-type;host`` (not ``X-TC-Action``). Requests
are captured as the SDK sends them (its own ``send_request`` is wrapped) and replayed
with ``requests``:

* a DescribeInstanceToken ``{"RegistryId", "Limit"}`` accepted once, replayed within the
  300 s window with ``X-TC-Action: CreateInstanceToken``: refused, no token in the answer;
  a client that does sign ``x-tc-action`` (signed by hand, TC3 as documented) gets the
  same swap refused by the signature itself;
* a CreateInstanceToken replayed unchanged: refused, no second token (reads may repeat:
  clients poll, and the SDK signs the same read twice within one second);
* replays come 2.5 s after the original: within 2 s the issuers take the same signature
  for the client's own requests of that second;
* the SDK's own retry still works: with ``StandardRetryer`` and the first answer lost
  (the request reached tcr-svc, the SDK saw ClientNetworkError), the retry succeeds. The
  SDK re-signs every attempt (``X-TC-Timestamp`` in seconds, backoff 1 s first), so its
  retry carries a new signature; the test prints whether the two attempts' signatures
  differ.

Environment (see common.py): IAM_URL, TCR_URL, IAM_ADMIN_*.
"""

import json
import sys
import time

from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.common.retry import StandardRetryer
from tencentcloud.tcr.v20190924 import models

from common import step
from trust_common import Checks, run_tests, tc3_headers, tc3_send, tcr, tcr_endpoint, tcr_req


class Capture:
    """Wraps a TcrClient's HTTP sender: records each request as sent (headers and body)
    and, while ``lose`` > 0, drops the answer the way a broken connection would."""

    def __init__(self, client, lose=0):
        self.sent, self.answers, self.lose = [], [], lose
        self._send = client.request.send_request
        client.request.send_request = self

    def __call__(self, req):
        self.sent.append((dict(req.header), req.data))
        resp = self._send(req)
        try:
            self.answers.append((json.loads(resp.content)["Response"].get("Error") or {}).get("Code"))
        except (ValueError, KeyError, TypeError):
            self.answers.append(f"HTTP {resp.status_code}")
        if self.lose > 0:
            self.lose -= 1
            raise TencentCloudSDKException("ClientNetworkError", "the answer was lost")
        return resp


def captured_describe(world, **fields):
    """An accepted SDK DescribeInstanceToken of the registry (with ``fields``) and the
    request it sent. Tests ask with different fields: two identical calls in one second
    carry the same signature, and the second would be refused as a replay."""
    client = world.admin_tcr()
    capture = Capture(client)
    resp = client.DescribeInstanceToken(tcr_req(models.DescribeInstanceTokenRequest,
                                                RegistryId=world.tcr_reg(), **fields))
    assert resp.RequestId, "DescribeInstanceToken: no RequestId"
    assert len(capture.sent) == 1, f"{len(capture.sent)} requests sent"
    headers, data = capture.sent[0]
    return headers, data.encode() if isinstance(data, str) else data


def is_auth_refusal(code):
    return bool(code) and code.startswith("AuthFailure")


# The SDKs sign to the second with no nonce, so a client's own requests of one second may
# share a signature: the issuers accept it again for 2 s (SAME_SECOND_GRACE), and a
# replay of captured traffic comes later than that.
PAST_THE_GRACE = 2.5


def replay(headers, body, action=None):
    time.sleep(PAST_THE_GRACE)
    replayed = dict(headers)
    replayed.pop("X-TC-TraceId", None)
    if action:
        replayed["X-TC-Action"] = action
    return tc3_send(replayed, body)


def test_tc3_action_swap_refused(world):
    checks = Checks()
    with checks.check("SDK-signed request (content-type;host)"):
        headers, body = captured_describe(world)
        code, resp = replay(headers, body, action="CreateInstanceToken")
        assert is_auth_refusal(code), f"the captured DescribeInstanceToken replayed as CreateInstanceToken: " \
                     f"{code or 'accepted'}: keys {sorted(resp)}"
        assert "Token" not in resp, "the refusal carries a token"
        step("SDK request replayed as CreateInstanceToken", f"{code} {resp['Error'].get('Message')!r}")
    with checks.check("client that signs x-tc-action"):
        body = json.dumps({"RegistryId": world.tcr_reg()}).encode()
        headers = tc3_headers(world.admin_ak, world.admin_sk, "DescribeInstanceToken", body,
                              signed_extra=("x-tc-action",))
        code, resp = tc3_send(headers, body)
        assert code is None, f"control: a request signing x-tc-action is refused: {resp.get('Error')}"
        headers = tc3_headers(world.admin_ak, world.admin_sk, "DescribeInstanceToken", body,
                              signed_extra=("x-tc-action",), timestamp=int(headers["X-TC-Timestamp"]) + 1)
        headers["X-TC-Action"] = "CreateInstanceToken"
        code, resp = tc3_send(headers, body)
        assert is_auth_refusal(code), f"swapped signed x-tc-action: {code or 'accepted'}: keys {sorted(resp)}"
        assert "Token" not in resp, "the refusal carries a token"
        step("signed x-tc-action swapped", f"{code} {resp['Error'].get('Message')!r}")
    checks.done()


def test_tc3_write_replay_refused(world):
    client = world.admin_tcr()
    capture = Capture(client)
    resp = client.CreateInstanceToken(tcr_req(models.CreateInstanceTokenRequest,
                                              RegistryId=world.tcr_reg(), TokenType="temp"))
    assert resp.Token, "CreateInstanceToken: no token"
    headers, data = capture.sent[0]
    code, again = replay(headers, data.encode() if isinstance(data, str) else data)
    assert is_auth_refusal(code), (f"the captured CreateInstanceToken replayed unchanged: {code or 'accepted'}"
                                   f"{' with a new token' if again.get('Token') else ''}")
    assert "Token" not in again, "the refusal carries a token"
    step("unchanged replay of CreateInstanceToken", f"{code} {again['Error'].get('Message')!r}")


def lost_answer_then_retry(world, backoff, limit):
    """DescribeInstanceToken through the SDK's StandardRetryer (two attempts) whose first
    answer is lost: (what tcr-svc answered each attempt, headers of each, what the SDK
    call did)."""
    netloc, scheme = tcr_endpoint()
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=netloc, protocol=scheme),
                            retryer=StandardRetryer(max_attempts=2, backoff_fn=lambda n: backoff))
    client = tcr(world.admin_ak, world.admin_sk, profile=profile)
    capture = Capture(client, lose=1)
    try:
        client.DescribeInstanceToken(tcr_req(models.DescribeInstanceTokenRequest,
                                             RegistryId=world.tcr_reg(), Limit=limit, Offset=0))
        outcome = "returned"
    except TencentCloudSDKException as e:
        outcome = f"raised {e.code}"
    return capture.answers, [h for h, _ in capture.sent], outcome


def test_tc3_sdk_retry_after_lost_answer_works(world):
    answers, sent, outcome = lost_answer_then_retry(world, backoff=1.0, limit=20)
    assert len(sent) == 2, f"the SDK sent {len(sent)} attempts, expected 2"
    same = sent[0]["Authorization"] == sent[1]["Authorization"]
    step("SDK retry after a lost answer (backoff 1 s)",
         f"attempts at X-TC-Timestamp {sent[0]['X-TC-Timestamp']} and {sent[1]['X-TC-Timestamp']} "
         f"({'same' if same else 'new'} signature); tcr-svc answered {answers}; the SDK call {outcome}")
    assert answers[1] is None, f"tcr-svc refused the SDK's retry: {answers[1]}"
    # Observed, not asserted: a retry without backoff falls in the same second, so it
    # is the same signature as the lost attempt (a replay to the server).
    answers, sent, outcome = lost_answer_then_retry(world, backoff=0.0, limit=21)
    same = sent[0]["Authorization"] == sent[1]["Authorization"]
    step("observed: immediate retry (backoff 0)",
         f"{'same' if same else 'new'} signature; tcr-svc answered {answers}; the SDK call {outcome}")


if __name__ == "__main__":
    sys.exit(run_tests("trust_tc3_replay", [
        test_tc3_action_swap_refused,
        test_tc3_write_replay_refused,
        test_tc3_sdk_retry_after_lost_answer_works,
    ]))
