#!/usr/bin/env python3
"""A signature must cover the body the service acts on: ``X-Sdk-Content-Sha256:
UNSIGNED-PAYLOAD`` is refused on these JSON APIs.

A user's permanent key signs a create with huaweicloudsdkcore's own Signer and the header
``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` (signed, as every header is); the body sent is
then replaced. The same create signed the same way over its real body is accepted first,
so a refusal cannot come from the hand signing.

* iam-svc, CreatePermanentAccessKey: 401/403 in the Keystone envelope, no new key;
* swr-svc, CreateInstanceLtCredential: 401/403 with an ``SVCSTG.SWR.`` code, no new credential.

Environment (see common.py): IAM_URL, SWR_URL, LAKEFORMATION_URL, IAM_ADMIN_*.
"""

import sys

from huaweicloudsdkiam.v3 import DeletePermanentAccessKeyRequest

from common import step
from trust_common import Checks, hw_signed, keystone_error, run_tests, setting

UNSIGNED = {"X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD"}
REFUSED = (401, 403)


def test_unsigned_payload_refused_on_iam(world):
    user = world.user(project_roles=("member",))
    path = "/v3.0/OS-CREDENTIAL/credentials"
    before = world.keys_now(user.id)
    status, body, text = hw_signed(setting("IAM_URL"), "POST", path, user.ak, user.sk,
                                   body={"credential": {"user_id": user.id, "description": "control"}})
    assert status == 201, f"control: a hand-signed create is refused: HTTP {status}: {text[:300]}"
    world.admin().delete_permanent_access_key(DeletePermanentAccessKeyRequest(
        access_key=body["credential"]["access"]))
    status, body, text = hw_signed(
        setting("IAM_URL"), "POST", path, user.ak, user.sk, headers=UNSIGNED,
        body={"credential": {"user_id": user.id, "description": "signed"}},
        sent_body={"credential": {"user_id": user.id, "description": "replaced"}})
    assert status in REFUSED, f"UNSIGNED-PAYLOAD create with a replaced body: HTTP {status}: {text[:300]}"
    message = keystone_error(status, body, text, status, "UNSIGNED-PAYLOAD create")
    after = world.access_keys_of(user.id)
    assert after == before, f"the user's keys changed: {before} -> {after}"
    step("iam-svc: UNSIGNED-PAYLOAD create", f"{status} {message!r}; no new key")


def test_unsigned_payload_refused_on_swr(world):
    user = world.user(project_roles=("member",))
    base = f"/v2/{setting('ADMIN_PROJECT_ID')}/instances/{world.swr_inst()}"
    status, _, text = hw_signed(setting("SWR_URL"), "POST", f"{base}/long-term-credential", user.ak, user.sk,
                                body={"name": "control"})
    assert status == 201, f"control: a hand-signed create is refused: HTTP {status}: {text[:300]}"
    checks = Checks()
    status, body, text = hw_signed(setting("SWR_URL"), "POST", f"{base}/long-term-credential", user.ak, user.sk,
                                   headers=UNSIGNED, body={"name": "signed"}, sent_body={"name": "replaced"})
    with checks.check("answer"):
        assert status in REFUSED, f"UNSIGNED-PAYLOAD create with a replaced body: HTTP {status}: {text[:300]}"
        assert isinstance(body, dict) and str(body.get("error_code", "")).startswith("SVCSTG.SWR.") \
            and body.get("error_msg"), f"not the SWR envelope: {text[:300]}"
        step("swr-svc: UNSIGNED-PAYLOAD create", f"{status} {body['error_code']} {body['error_msg']!r}")
    with checks.check("state"):
        made = [c.name for c in world.swr_credentials() if c.user_id == user.id and c.name != "control"]
        assert not made, f"credentials created: {made}"
    checks.done()


if __name__ == "__main__":
    sys.exit(run_tests("trust_unsigned_payload", [
        test_unsigned_payload_refused_on_iam,
        test_unsigned_payload_refused_on_swr,
    ]))
