#!/usr/bin/env python3
"""Temporary keys never manage identities or credentials in iam-svc (as session
credentials cannot call IAM), whatever roles they were asked for.

* A user's LakeFormation temporary key (asked for ``roles: ["readonly"]``) signs
  CreatePermanentAccessKey for its own user through ``huaweicloudsdkiam``: 403 in the
  Keystone envelope, and the user has no new permanent key.
* The domain admin's temporary keys (asked for ``readonly``, then with the admin's own
  roles) sign KeystoneCreateUser: 403, and no such user exists.
* The admin's temporary key creates a group, grants a role, adds a member, disables and
  deletes a user, deactivates and deletes their access key; a user's temporary key
  changes their password: each 403.

Environment (see common.py): IAM_URL, LAKEFORMATION_URL, SWR_URL, IAM_ADMIN_*.
"""

import sys

from huaweicloudsdkiam.v3 import (
    CreateCredentialOption,
    CreatePermanentAccessKeyRequest,
    CreatePermanentAccessKeyRequestBody,
    DeletePermanentAccessKeyRequest,
    KeystoneAddUserToGroupRequest,
    KeystoneAssociateGroupWithProjectPermissionRequest,
    KeystoneCreateGroupOption,
    KeystoneCreateGroupRequest,
    KeystoneCreateGroupRequestBody,
    KeystoneCreateUserOption,
    KeystoneCreateUserRequest,
    KeystoneCreateUserRequestBody,
    KeystoneDeleteGroupRequest,
    KeystoneDeleteUserRequest,
    KeystoneListGroupsRequest,
    KeystoneListUsersRequest,
    KeystoneUpdatePasswordOption,
    KeystoneUpdateUserByAdminRequest,
    KeystoneUpdateUserByAdminRequestBody,
    KeystoneUpdateUserOption,
    KeystoneUpdateUserPasswordRequest,
    KeystoneUpdateUserPasswordRequestBody,
    UpdateCredentialOption,
    UpdatePermanentAccessKeyRequest,
    UpdatePermanentAccessKeyRequestBody,
)

from common import MESSAGE, expect_client_error, step
from trust_common import (
    Checks,
    USER_PASSWORD,
    hw_creds,
    hw_signed,
    iam,
    keystone_error,
    run_tests,
    setting,
    suffix,
)

CREDENTIALS_PATH = "/v3.0/OS-CREDENTIAL/credentials"


def test_temporary_key_cannot_create_permanent_access_key(world):
    user = world.user(project_roles=("member",))
    key = world.temp_key(user.ak, user.sk, roles=["readonly"])
    before = world.keys_now(user.id)
    client = iam(hw_creds(key.access, key.secret, key.token))
    e = expect_client_error(lambda: client.create_permanent_access_key(CreatePermanentAccessKeyRequest(
        body=CreatePermanentAccessKeyRequestBody(credential=CreateCredentialOption(
            user_id=user.id, description="minted by a temporary key")))),
        403, "readonly temporary key creates a permanent access key", body=MESSAGE)
    # The same call by hand, to read the envelope itself.
    status, body, text = hw_signed(setting("IAM_URL"), "POST", CREDENTIALS_PATH, key.access, key.secret,
                                   body={"credential": {"user_id": user.id, "description": "by hand"}},
                                   security_token=key.token)
    message = keystone_error(status, body, text, 403, "signed by hand")
    after = world.access_keys_of(user.id)
    assert after == before, f"the user's permanent keys changed: {before} -> {after}"
    step("temporary key -> CreatePermanentAccessKey", f"403 {e.error_msg!r}; Keystone envelope {message!r}")


def delete_users_named(admin, name):
    for u in admin.keystone_list_users(KeystoneListUsersRequest(name=name)).users or []:
        admin.keystone_delete_user(KeystoneDeleteUserRequest(user_id=u.id))


def delete_groups_named(admin, name):
    for g in admin.keystone_list_groups(KeystoneListGroupsRequest(name=name)).groups or []:
        admin.keystone_delete_group(KeystoneDeleteGroupRequest(group_id=g.id))


def test_temporary_key_of_domain_admin_cannot_create_users(world):
    admin = world.admin()
    checks = Checks()
    for roles in (["readonly"], None):
        with checks.check(f"roles {roles or 'own'}"):
            key = world.temp_key(world.admin_ak, world.admin_sk, roles=roles)
            name = f"trust-minted-{suffix()}"
            client = iam(hw_creds(key.access, key.secret, key.token))
            world.cleanups.append(lambda name=name: delete_users_named(admin, name))
            e = expect_client_error(lambda: client.keystone_create_user(KeystoneCreateUserRequest(
                body=KeystoneCreateUserRequestBody(user=KeystoneCreateUserOption(
                    name=name, domain_id=setting("ADMIN_DOMAIN_ID"), password=USER_PASSWORD, enabled=True)))),
                403, f"domain admin's temporary key (roles {roles}) creates a user", body=MESSAGE)
            found = admin.keystone_list_users(KeystoneListUsersRequest(name=name)).users or []
            assert not found, f"user {name} exists after the refusal: {[u.id for u in found]}"
            step(f"admin temporary key (roles {roles or 'own'}) -> KeystoneCreateUser", f"403 {e.error_msg!r}")

    checks.done()

def test_temporary_key_cannot_manage_identities(world):
    """Groups, grants, memberships, users, passwords and access keys: every change refused."""
    victim = world.user(project_roles=("member",))
    group_id = world.group()
    role_id = world.roles["admin"]
    own = world.temp_key(victim.ak, victim.sk)
    key = world.temp_key(world.admin_ak, world.admin_sk)
    admin_iam = iam(hw_creds(key.access, key.secret, key.token))
    victim_iam = iam(hw_creds(own.access, own.secret, own.token))
    group_name = f"trust-minted-{suffix()}"
    world.cleanups.append(lambda: delete_groups_named(world.admin(), group_name))
    # The user's own attempt first: the admin's attempts include disabling the user.
    attempts = {
        "change one's own password": lambda: victim_iam.keystone_update_user_password(
            KeystoneUpdateUserPasswordRequest(user_id=victim.id, body=KeystoneUpdateUserPasswordRequestBody(
                user=KeystoneUpdatePasswordOption(original_password=victim.password,
                                                  password=victim.password + "x")))),
        "create a group": lambda: admin_iam.keystone_create_group(KeystoneCreateGroupRequest(
            body=KeystoneCreateGroupRequestBody(group=KeystoneCreateGroupOption(
                name=group_name, domain_id=setting("ADMIN_DOMAIN_ID"))))),
        "grant admin on the project": lambda: admin_iam.keystone_associate_group_with_project_permission(
            KeystoneAssociateGroupWithProjectPermissionRequest(
                project_id=setting("ADMIN_PROJECT_ID"), group_id=group_id, role_id=role_id)),
        "add a user to a group": lambda: admin_iam.keystone_add_user_to_group(
            KeystoneAddUserToGroupRequest(group_id=group_id, user_id=victim.id)),
        "disable a user": lambda: admin_iam.keystone_update_user_by_admin(KeystoneUpdateUserByAdminRequest(
            user_id=victim.id, body=KeystoneUpdateUserByAdminRequestBody(
                user=KeystoneUpdateUserOption(enabled=False)))),
        "deactivate a user's access key": lambda: admin_iam.update_permanent_access_key(
            UpdatePermanentAccessKeyRequest(access_key=victim.ak, body=UpdatePermanentAccessKeyRequestBody(
                credential=UpdateCredentialOption(status="inactive")))),
        "delete a user's access key": lambda: admin_iam.delete_permanent_access_key(
            DeletePermanentAccessKeyRequest(access_key=victim.ak)),
        "delete a user": lambda: admin_iam.keystone_delete_user(KeystoneDeleteUserRequest(user_id=victim.id)),
    }
    checks = Checks()
    for label, attempt in attempts.items():
        with checks.check(label):
            e = expect_client_error(attempt, 403, f"temporary key: {label}", body=MESSAGE)
            step(f"temporary key: {label}", f"403 {e.error_msg!r}")
    checks.done()


if __name__ == "__main__":
    sys.exit(run_tests("trust_temporary_iam", [
        test_temporary_key_cannot_create_permanent_access_key,
        test_temporary_key_of_domain_admin_cannot_create_users,
        test_temporary_key_cannot_manage_identities,
    ]))
