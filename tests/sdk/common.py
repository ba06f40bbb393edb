"""What every SDK test in tests/sdk shares: the stack's environment, the admin's password
token and permanent access key through ``huaweicloudsdkiam``, step output, the check of
an SDK's refusal (``expect_client_error`` for Huawei's, ``expect_tc_error`` for
Tencent's), and the run, report and clean-up frame. Not a test itself: run.sh and scripts/sdk-test.sh skip it.

The tests import it by name (``python tests/sdk/x.py`` puts this directory first on
``sys.path``). The runnable examples in docs/examples do not: they stay self-contained.

Environment, as scripts/lib/stack.sh and ``make run`` (var/local-stack.env) export it:

  IAM_URL              e.g. http://127.0.0.1:8081
  IAM_ADMIN_DOMAIN     admin's domain (account) name
  IAM_ADMIN_DOMAIN_ID  admin's domain id
  IAM_ADMIN_USER       admin user name
  IAM_ADMIN_PASSWORD   admin password
  IAM_ADMIN_USER_ID    admin user id
  IAM_ADMIN_PROJECT_ID project the admin token is scoped to
  SWR_URL, LAKEFORMATION_URL, TCR_URL   the other services, for the tests that use them
  IAM_OTHER_DOMAIN, IAM_OTHER_USER, IAM_OTHER_PASSWORD, IAM_OTHER_PROJECT_ID
                       the admin of a second domain (account), for the tests of what one
                       account cannot do to another's (scripts/sdk-test.sh makes it)

Each name is read when a test first imports it, so a test needs only the variables it
uses; a missing one prints ``FAIL config`` and exits 2.
"""

import json
import os
import re
import sys
import traceback

from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkiam.v3 import (
    AuthScope,
    AuthScopeProject,
    CreateCredentialOption,
    CreatePermanentAccessKeyRequest,
    CreatePermanentAccessKeyRequestBody,
    DeletePermanentAccessKeyRequest,
    IamClient,
    KeystoneCreateUserTokenByPasswordRequest,
    KeystoneCreateUserTokenByPasswordRequestBody,
    PwdAuth,
    PwdIdentity,
    PwdPassword,
    PwdPasswordUser,
    PwdPasswordUserDomain,
)
from huaweicloudsdkiam.v3.iam_credentials import IamCredentials
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

# module attribute -> environment variable; URLs lose a trailing slash.
_ENV = {
    "IAM_URL": "IAM_URL",
    "SWR_URL": "SWR_URL",
    "LAKEFORMATION_URL": "LAKEFORMATION_URL",
    "TCR_URL": "TCR_URL",
    "ADMIN_DOMAIN": "IAM_ADMIN_DOMAIN",
    "ADMIN_DOMAIN_ID": "IAM_ADMIN_DOMAIN_ID",
    "ADMIN_USER": "IAM_ADMIN_USER",
    "ADMIN_PASSWORD": "IAM_ADMIN_PASSWORD",
    "ADMIN_USER_ID": "IAM_ADMIN_USER_ID",
    "ADMIN_PROJECT_ID": "IAM_ADMIN_PROJECT_ID",
    "OTHER_DOMAIN": "IAM_OTHER_DOMAIN",
    "OTHER_USER": "IAM_OTHER_USER",
    "OTHER_PASSWORD": "IAM_OTHER_PASSWORD",
    "OTHER_PROJECT_ID": "IAM_OTHER_PROJECT_ID",
}


def env(name):
    value = os.environ.get(name, "")
    if not value:
        print(f"FAIL config: environment variable {name} is not set", flush=True)
        sys.exit(2)
    return value


def _setting(attr):
    value = env(_ENV[attr])
    return value.rstrip("/") if attr.endswith("_URL") else value


def __getattr__(attr):
    """``from common import ADMIN_USER_ID`` reads the variable then (PEP 562)."""
    if attr not in _ENV:
        raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
    value = _setting(attr)
    globals()[attr] = value
    return value


def step(name, detail=""):
    print(f"ok   {name}" + (f": {detail}" if detail else ""), flush=True)


def expect_status(resp, expected, what):
    """``expected`` is one status or a tuple of acceptable ones."""
    allowed = expected if isinstance(expected, (tuple, list, set)) else (expected,)
    assert resp.status_code in allowed, f"{what}: expected HTTP {'/'.join(map(str, allowed))}, got {resp.status_code}"


def raw_json(resp, what):
    assert resp.raw_content, f"{what}: empty response body"
    return json.loads(resp.raw_content.decode("utf-8"))


_SECRET_FIELDS = re.compile(r'("(?:secret|auth_token|security_token|Token)"\s*:\s*)"[^"]*"')


def redact(text):
    """A response body fit for a failure message: secrets replaced."""
    return _SECRET_FIELDS.sub(r'\1"<hidden>"', text)


# What ``expect_client_error`` may require of the error body besides its status.
MESSAGE = "message"  # a non-empty error_msg
CODE_AND_MESSAGE = "code and message"  # that, and an error_code of its own


def expect_client_error(fn, status, what, *, body=None, code_prefix=None, msg=None):
    """The Huawei-SDK call ``fn()`` must raise ClientRequestException with ``status`` (one,
    or a tuple of acceptable ones); returns the exception.

    ``body`` is None (the status is enough), MESSAGE or CODE_AND_MESSAGE. Without both
    error_code and error_msg in the body the SDK falls back to the status as error_code,
    which CODE_AND_MESSAGE refuses. ``code_prefix``: error_code starts with it.
    ``msg``: error_msg contains it.
    """
    allowed = status if isinstance(status, (tuple, list, set)) else (status,)
    wanted = "/".join(map(str, allowed))
    try:
        resp = fn()
    except ClientRequestException as e:
        assert e.status_code in allowed, (
            f"{what}: expected HTTP {wanted}, got {e.status_code} "
            f"(error_code={e.error_code!r}, error_msg={e.error_msg!r})")
        if body == CODE_AND_MESSAGE:
            assert e.error_code and str(e.error_code) != str(e.status_code), (
                f"{what}: error_code={e.error_code!r}: the body lacks error_code/error_msg")
        if body in (MESSAGE, CODE_AND_MESSAGE):
            assert e.error_msg, f"{what}: HTTP {e.status_code} without an error message in the body"
        if code_prefix:
            assert str(e.error_code).startswith(code_prefix), (
                f"{what}: error_code {e.error_code!r} does not start with {code_prefix!r}")
        if msg is not None:
            assert msg in str(e.error_msg), f"{what}: error_msg {e.error_msg!r} does not contain {msg!r}"
        return e
    got = getattr(resp, "status_code", "?")
    raise AssertionError(f"{what}: expected HTTP {wanted}, got {got} (accepted): {redact(str(resp))[:300]}")


def expect_tc_error(fn, what, *, codes=(), code_prefixes=(), request_id=False):
    """The Tencent-SDK call ``fn()`` must raise TencentCloudSDKException whose code is one
    of ``codes`` or starts with one of ``code_prefixes``, with an Error.Message (and a
    RequestId when ``request_id``); returns the exception."""
    wanted = " or ".join([*codes, *(f"{p}*" for p in code_prefixes)])
    try:
        resp = fn()
    except TencentCloudSDKException as e:
        code = str(e.code)
        assert code in codes or any(code.startswith(p) for p in code_prefixes), (
            f"{what}: expected {wanted}, got code={e.code!r} message={e.message!r} requestId={e.requestId!r}")
        assert isinstance(e.message, str) and e.message, f"{what}: empty Error.Message"
        if request_id:
            assert isinstance(e.requestId, str) and e.requestId, f"{what}: empty RequestId"
        return e
    shown = resp.to_json_string() if hasattr(resp, "to_json_string") else str(resp)
    raise AssertionError(f"{what}: expected {wanted}, accepted: {redact(shown)[:300]}")


def sdk_status(fn):
    """HTTP status of a Huawei-SDK call (200 when it returns)."""
    try:
        fn()
        return 200
    except ClientRequestException as e:
        return e.status_code


# ---------------------------------------------------------------------------- iam-svc

def iam_client(creds):
    return IamClient.new_builder().with_credentials(creds).with_endpoints([_setting("IAM_URL")]).build()


def token_client(token=None):
    """IamCredentials only adds ``X-Auth-Token`` (no signing, no X-Project-Id /
    X-Domain-Id). Without a token it adds no auth header at all, which is what
    POST /v3/auth/tokens (password login) needs."""
    creds = IamCredentials()
    if token is not None:
        creds = creds.with_x_auth_token(token)
    return iam_client(creds)


def password_token(domain_name, user_name, password, project_id):
    """POST /v3/auth/tokens with a password, scoped to a project; the SDK's response."""
    body = KeystoneCreateUserTokenByPasswordRequestBody(
        auth=PwdAuth(
            identity=PwdIdentity(
                methods=["password"],
                password=PwdPassword(
                    user=PwdPasswordUser(
                        domain=PwdPasswordUserDomain(name=domain_name),
                        name=user_name,
                        password=password,
                    )
                ),
            ),
            scope=AuthScope(project=AuthScopeProject(id=project_id)),
        )
    )
    return token_client().keystone_create_user_token_by_password(
        KeystoneCreateUserTokenByPasswordRequest(body=body)
    )


def admin_token(state):
    """The admin's project-scoped token, checked to be the admin's; kept in state for clean-up."""
    user_id, project_id = _setting("ADMIN_USER_ID"), _setting("ADMIN_PROJECT_ID")
    resp = password_token(_setting("ADMIN_DOMAIN"), _setting("ADMIN_USER"), _setting("ADMIN_PASSWORD"),
                          project_id)
    expect_status(resp, 201, "admin token")
    token = resp.x_subject_token
    assert token, "admin token: X-Subject-Token response header missing/empty"
    assert resp.token is not None and resp.token.user is not None, "admin token: no token.user"
    assert resp.token.user.id == user_id, (
        f"admin token: token.user.id={resp.token.user.id!r}, want IAM_ADMIN_USER_ID {user_id!r}")
    state["admin_token"] = token
    step("admin token", f"user={user_id} project={project_id}")
    return token


def admin_access_key(state, description):
    """The admin's token and a new permanent access key of the admin, which the tests of the
    other services sign with: (token, access, secret). The key is deleted by
    ``delete_admin_access_key`` or, after a failure, by ``run_test``."""
    token = admin_token(state)
    resp = token_client(token).create_permanent_access_key(CreatePermanentAccessKeyRequest(
        body=CreatePermanentAccessKeyRequestBody(credential=CreateCredentialOption(
            user_id=_setting("ADMIN_USER_ID"), description=description))))
    expect_status(resp, 201, "create admin access key")
    assert resp.credential and resp.credential.access and resp.credential.secret, (
        "create admin access key: no access/secret")
    ak, sk = resp.credential.access, resp.credential.secret
    state["admin_ak"] = ak
    step("admin access key", f"201 access={ak}")
    return token, ak, sk


def delete_admin_access_key(state):
    iam = token_client(state["admin_token"])
    resp = iam.delete_permanent_access_key(DeletePermanentAccessKeyRequest(access_key=state["admin_ak"]))
    expect_status(resp, 204, "delete admin access key")
    state.pop("admin_ak")


# ---------------------------------------------------------------------------- the frame

def best_effort(actions):
    """Run every clean-up action; errors are ignored so they cannot mask the real failure."""
    for action in actions:
        try:
            action()
        except Exception:  # noqa: BLE001 - cleanup must not mask the real failure
            pass


def _cleanup_admin_key(state):
    if state.get("admin_token") and state.get("admin_ak"):
        iam = token_client(state["admin_token"])
        best_effort([lambda: iam.delete_permanent_access_key(
            DeletePermanentAccessKeyRequest(access_key=state["admin_ak"]))])


def run_test(name, banner, run, cleanup=None, describe_error=None):
    """Print the banner, run ``run(state)`` and print PASS, or print FAIL, run
    ``cleanup(state)`` (then delete the admin access key, if one is left) and return 1.

    ``describe_error(e)`` may word an SDK's own exception (it returns None for others);
    Huawei's ClientRequestException is always worded with its status and error body.
    """
    print(f"{name}: {banner}", flush=True)
    state = {}
    try:
        run(state)
    except AssertionError as e:
        print(f"FAIL {e}", flush=True)
    except Exception as e:  # noqa: BLE001
        if isinstance(e, ClientRequestException):
            message = (f"unexpected HTTP {e.status_code}: error_code={e.error_code!r} "
                       f"error_msg={e.error_msg!r}")
        else:
            message = (describe_error and describe_error(e)) or f"unexpected {type(e).__name__}: {e}"
        print(f"FAIL {message}", flush=True)
        traceback.print_exc()
    else:
        print(f"PASS {name}", flush=True)
        return 0
    if cleanup is not None:
        cleanup(state)
    _cleanup_admin_key(state)
    return 1
