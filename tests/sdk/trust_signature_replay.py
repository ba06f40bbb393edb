#!/usr/bin/env python3
"""An SDK-HMAC-SHA256 signature is accepted once: a captured request replayed unchanged
within the X-Sdk-Date window is refused.

Requests are signed with huaweicloudsdkcore's own Signer exactly as the SDK signs them,
sent once (accepted), then the same bytes are sent again 2.5 s later (within 2 s the
same signature is taken for the client's own requests of that second):

* swr-svc, CreateInstanceTempCredential: the replay is 401/403 with an ``SVCSTG.SWR.`` code and
  hands out no second credential;
* the same signed with a LakeFormation temporary key (``X-Security-Token``);
* lakeformation-svc, ShowCredential: the replay is refused (401) and hands out no new
  temporary key (an eavesdropper would otherwise get a fresh secret of the victim).

Environment (see common.py): IAM_URL, LAKEFORMATION_URL, SWR_URL, IAM_ADMIN_*.
"""

import sys
import time

from common import redact, step
from trust_common import hw_prepare, run_tests, send, setting

REFUSED = (401, 403)


def sent_twice(base_url, method, path, user, body, key=None):
    """Signed by the user's permanent key (checked by iam-svc) or by ``key``, their
    temporary key (checked by lakeformation-svc); sent twice."""
    if key is None:
        url, headers, data = hw_prepare(base_url, method, path, user.ak, user.sk, body)
    else:
        url, headers, data = hw_prepare(base_url, method, path, key.access, key.secret, body,
                                        security_token=key.token)
    first = send(method, url, headers, data)
    # Past the 2 s in which the issuers take the same signature for the client's own
    # requests of that second (the SDK signs to the second, with no nonce).
    time.sleep(2.5)
    second = send(method, url, headers, data)
    return first, second


def test_swr_signature_replay_refused(world):
    swr_replay(world, temporary=False)


def test_temporary_key_signature_replay_refused(world):
    swr_replay(world, temporary=True)


def swr_replay(world, temporary):
    user = world.user(project_roles=("member",))
    key = world.temp_key(user.ak, user.sk) if temporary else None
    path = f"/v2/{setting('ADMIN_PROJECT_ID')}/instances/{world.swr_inst()}/temp-credential"
    (status, first, text), (again, body, again_text) = sent_twice(
        setting("SWR_URL"), "POST", path, user, None, key)
    assert status == 201 and first.get("auth_token"), f"the signed create: HTTP {status}: {redact(text)[:300]}"
    assert again in REFUSED, (f"the replayed create: HTTP {again}"
                              f"{' and a new credential' if (body or {}).get('auth_token') else ''}: "
                              f"{redact(again_text)[:300]}")
    code = str((body or {}).get("error_code", ""))
    assert code.startswith("SVCSTG.SWR.") and body.get("error_msg"), (
        f"the replay's refusal is not the SWR envelope: {again_text[:300]}")
    step(f"swr-svc replay ({'temporary' if temporary else 'permanent'} key)", f"{again} {code} {body['error_msg']!r}")


def test_lakeformation_signature_replay_refused(world):
    user = world.user(project_roles=("member",))
    path = f"/v1/{setting('ADMIN_PROJECT_ID')}/instances/{world.lake()}/credential"
    (status, first, text), (again, second, again_text) = sent_twice(
        setting("LAKEFORMATION_URL"), "POST", path, user, {})
    assert status == 200 and first.get("access"), f"the signed ShowCredential: HTTP {status}: {redact(text)[:300]}"
    assert again in REFUSED, (f"the replayed ShowCredential: HTTP {again}"
                              f"{' and a new temporary key' if (second or {}).get('secret') else ''}: "
                              f"{redact(again_text)[:300]}")
    assert not (second or {}).get("secret"), "the refusal carries a secret"
    step("lakeformation-svc replay", f"{again} {(second or {}).get('error_code')}")


if __name__ == "__main__":
    sys.exit(run_tests("trust_signature_replay", [
        test_swr_signature_replay_refused,
        test_temporary_key_signature_replay_refused,
        test_lakeformation_signature_replay_refused,
    ]))
