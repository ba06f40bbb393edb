#!/usr/bin/env python3
"""End-to-end identity test for iam-svc using the unmodified Huawei Cloud SDK.

Drives users, groups, projects, role grants and password tokens through
``huaweicloudsdkiam`` (Keystone v3 operations) with only the endpoint changed.

Environment (see common.py): IAM_URL, IAM_ADMIN_DOMAIN, IAM_ADMIN_USER, IAM_ADMIN_PASSWORD,
IAM_ADMIN_PROJECT_ID, IAM_ADMIN_DOMAIN_ID.

Prints one line per step; exits non-zero on the first failure.
"""

import re
import secrets
import sys

from huaweicloudsdkiam.v3 import (
    KeystoneAddUserToGroupRequest,
    KeystoneAssociateGroupWithProjectPermissionRequest,
    KeystoneCheckProjectPermissionForGroupRequest,
    KeystoneCheckUserInGroupRequest,
    KeystoneCreateGroupOption,
    KeystoneCreateGroupRequest,
    KeystoneCreateGroupRequestBody,
    KeystoneCreateProjectOption,
    KeystoneCreateProjectRequest,
    KeystoneCreateProjectRequestBody,
    KeystoneCreateUserOption,
    KeystoneCreateUserRequest,
    KeystoneCreateUserRequestBody,
    KeystoneDeleteGroupRequest,
    KeystoneDeleteUserRequest,
    KeystoneListPermissionsRequest,
    KeystoneListProjectPermissionsForGroupRequest,
    KeystoneListUsersForGroupByAdminRequest,
    KeystoneListUsersRequest,
    KeystoneRemoveProjectPermissionFromGroupRequest,
    KeystoneRemoveUserFromGroupRequest,
    KeystoneShowProjectRequest,
    KeystoneShowUserRequest,
    KeystoneValidateTokenRequest,
)

from common import (
    ADMIN_DOMAIN,
    ADMIN_DOMAIN_ID,
    ADMIN_PASSWORD,
    ADMIN_PROJECT_ID,
    ADMIN_USER,
    IAM_URL,
    best_effort,
    expect_client_error,
    expect_status,
    password_token,
    run_test,
    step,
    token_client,
)

USER_PASSWORD = "Str0ng-Passw0rd!"
ROLE_NAME = "member"


def role_names(token):
    return sorted(r.name for r in (token.roles or []))


def check_token_body(token, what, user_id=None, user_name=None, project_id=None):
    assert token is not None, f"{what}: response has no 'token' object"
    assert token.user is not None, f"{what}: token.user missing"
    if user_id is not None:
        assert token.user.id == user_id, f"{what}: token.user.id={token.user.id!r}, want {user_id!r}"
    if user_name is not None:
        assert token.user.name == user_name, f"{what}: token.user.name={token.user.name!r}, want {user_name!r}"
    assert token.user.domain is not None, f"{what}: token.user.domain missing"
    assert token.user.domain.id == ADMIN_DOMAIN_ID, (
        f"{what}: token.user.domain.id={token.user.domain.id!r}, want {ADMIN_DOMAIN_ID!r}")
    assert token.user.domain.name == ADMIN_DOMAIN, (
        f"{what}: token.user.domain.name={token.user.domain.name!r}, want {ADMIN_DOMAIN!r}")
    assert token.project is not None, f"{what}: project-scoped token has no token.project"
    if project_id is not None:
        assert token.project.id == project_id, (
            f"{what}: token.project.id={token.project.id!r}, want {project_id!r}")
    assert token.project.domain is not None and token.project.domain.id == ADMIN_DOMAIN_ID, (
        f"{what}: token.project.domain={token.project.domain!r}, want id {ADMIN_DOMAIN_ID!r}")
    assert token.methods == ["password"], f"{what}: token.methods={token.methods!r}, want ['password']"
    assert token.expires_at, f"{what}: token.expires_at empty"
    assert token.issued_at, f"{what}: token.issued_at empty"
    assert token.expires_at > token.issued_at, (
        f"{what}: expires_at {token.expires_at!r} not after issued_at {token.issued_at!r}")


def run(state):
    suffix = secrets.token_hex(4)

    # 1. admin password token, project scope
    resp = password_token(ADMIN_DOMAIN, ADMIN_USER, ADMIN_PASSWORD, ADMIN_PROJECT_ID)
    expect_status(resp, 201, "admin token")
    admin_token = resp.x_subject_token
    assert admin_token, "admin token: X-Subject-Token response header missing/empty"
    check_token_body(resp.token, "admin token", user_name=ADMIN_USER, project_id=ADMIN_PROJECT_ID)
    admin_user_id = resp.token.user.id
    assert admin_user_id, "admin token: token.user.id empty"
    admin_project_name = resp.token.project.name or ""
    state["admin_token"] = admin_token
    step("admin token", f"user={admin_user_id} project={ADMIN_PROJECT_ID} roles={role_names(resp.token)}")

    admin = token_client(admin_token)

    # 2. create user
    user_name = f"sdk-user-{suffix}"
    resp = admin.keystone_create_user(KeystoneCreateUserRequest(body=KeystoneCreateUserRequestBody(
        user=KeystoneCreateUserOption(name=user_name, domain_id=ADMIN_DOMAIN_ID, password=USER_PASSWORD,
                                      enabled=True, description="created by tests/sdk/iam_identity.py"))))
    expect_status(resp, 201, "create user")
    u = resp.user
    assert u is not None, "create user: response has no 'user' object"
    assert u.id, "create user: user.id empty"
    assert u.name == user_name, f"create user: user.name={u.name!r}, want {user_name!r}"
    assert u.domain_id == ADMIN_DOMAIN_ID, f"create user: user.domain_id={u.domain_id!r}, want {ADMIN_DOMAIN_ID!r}"
    assert u.enabled is True, f"create user: user.enabled={u.enabled!r}, want True"
    assert u.links is not None and u.links._self, "create user: user.links.self missing"
    user_id = u.id
    state["user_id"] = user_id
    step("create user", f"{user_name} id={user_id}")

    # 3. show user
    resp = admin.keystone_show_user(KeystoneShowUserRequest(user_id=user_id))
    expect_status(resp, 200, "show user")
    u = resp.user
    assert u is not None, "show user: response has no 'user' object"
    assert (u.id, u.name, u.domain_id, u.enabled) == (user_id, user_name, ADMIN_DOMAIN_ID, True), (
        f"show user: got id={u.id!r} name={u.name!r} domain_id={u.domain_id!r} enabled={u.enabled!r}")
    step("show user", f"id={u.id} name={u.name}")

    # 4. list users (unfiltered and by name)
    resp = admin.keystone_list_users(KeystoneListUsersRequest())
    expect_status(resp, 200, "list users")
    assert resp.users is not None, "list users: response has no 'users' array"
    found = [x for x in resp.users if x.id == user_id]
    assert len(found) == 1, f"list users: user {user_id} found {len(found)} times among {len(resp.users)}"
    assert found[0].name == user_name, f"list users: name={found[0].name!r}, want {user_name!r}"
    resp = admin.keystone_list_users(KeystoneListUsersRequest(name=user_name))
    expect_status(resp, 200, "list users ?name=")
    ids = [x.id for x in (resp.users or [])]
    assert ids == [user_id], f"list users ?name={user_name}: got ids {ids}, want [{user_id!r}]"
    step("list users", f"found {user_id} (filtered by name too)")

    # 5. create group
    group_name = f"sdk-group-{suffix}"
    resp = admin.keystone_create_group(KeystoneCreateGroupRequest(body=KeystoneCreateGroupRequestBody(
        group=KeystoneCreateGroupOption(name=group_name, domain_id=ADMIN_DOMAIN_ID,
                                        description="sdk test group"))))
    expect_status(resp, 201, "create group")
    g = resp.group
    assert g is not None, "create group: response has no 'group' object"
    assert g.id, "create group: group.id empty"
    assert g.name == group_name, f"create group: group.name={g.name!r}, want {group_name!r}"
    assert g.domain_id == ADMIN_DOMAIN_ID, f"create group: group.domain_id={g.domain_id!r}"
    group_id = g.id
    state["group_id"] = group_id
    step("create group", f"{group_name} id={group_id}")

    # 6. add user to group
    resp = admin.keystone_add_user_to_group(KeystoneAddUserToGroupRequest(group_id=group_id, user_id=user_id))
    expect_status(resp, 204, "add user to group")
    state["member"] = True
    step("add user to group")

    # 7. check membership (HEAD), list members, negative check
    resp = admin.keystone_check_user_in_group(KeystoneCheckUserInGroupRequest(group_id=group_id, user_id=user_id))
    expect_status(resp, 204, "check user in group")
    resp = admin.keystone_list_users_for_group_by_admin(KeystoneListUsersForGroupByAdminRequest(group_id=group_id))
    expect_status(resp, 200, "list users for group")
    ids = [x.id for x in (resp.users or [])]
    assert ids == [user_id], f"list users for group: got {ids}, want [{user_id!r}]"
    expect_client_error(
        lambda: admin.keystone_check_user_in_group(
            KeystoneCheckUserInGroupRequest(group_id=group_id, user_id=admin_user_id)),
        404, "check non-member in group")
    step("check membership", "HEAD 204 for member, 404 for non-member, group lists 1 user")

    # 8. create project (Huawei wants "<region>_<suffix>" under the region project)
    prefix = re.sub(r"[^A-Za-z0-9_-]", "", admin_project_name)[:40] or "proj"
    project_name = f"{prefix}_sdk{suffix}"
    resp = admin.keystone_create_project(KeystoneCreateProjectRequest(body=KeystoneCreateProjectRequestBody(
        project=KeystoneCreateProjectOption(name=project_name, parent_id=ADMIN_PROJECT_ID,
                                            domain_id=ADMIN_DOMAIN_ID, description="sdk test project"))))
    expect_status(resp, 201, "create project")
    p = resp.project
    assert p is not None, "create project: response has no 'project' object"
    assert p.id, "create project: project.id empty"
    assert p.name == project_name, f"create project: project.name={p.name!r}, want {project_name!r}"
    assert p.domain_id == ADMIN_DOMAIN_ID, f"create project: project.domain_id={p.domain_id!r}"
    assert p.parent_id == ADMIN_PROJECT_ID, (
        f"create project: project.parent_id={p.parent_id!r}, want {ADMIN_PROJECT_ID!r}")
    assert p.enabled is True, f"create project: project.enabled={p.enabled!r}, want True"
    project_id = p.id
    resp = admin.keystone_show_project(KeystoneShowProjectRequest(project_id=project_id))
    expect_status(resp, 200, "show project")
    assert resp.project is not None and (resp.project.id, resp.project.name) == (project_id, project_name), (
        f"show project: got {resp.project!r}")
    step("create project", f"{project_name} id={project_id}")

    # 9. look up role 'member'
    resp = admin.keystone_list_permissions(KeystoneListPermissionsRequest(name=ROLE_NAME))
    expect_status(resp, 200, "list roles")
    roles = [r for r in (resp.roles or []) if r.name == ROLE_NAME]
    assert len(roles) == 1, (
        f"list roles ?name={ROLE_NAME}: {len(roles)} roles named {ROLE_NAME!r} "
        f"among {[r.name for r in (resp.roles or [])]}")
    role_id = roles[0].id
    assert role_id, "list roles: role id empty"
    step("find role", f"{ROLE_NAME} id={role_id}")

    # 10. grant group the role on the project
    resp = admin.keystone_associate_group_with_project_permission(
        KeystoneAssociateGroupWithProjectPermissionRequest(project_id=project_id, group_id=group_id,
                                                           role_id=role_id))
    expect_status(resp, 204, "grant role to group on project")
    state["grant"] = (project_id, group_id, role_id)
    resp = admin.keystone_check_project_permission_for_group(
        KeystoneCheckProjectPermissionForGroupRequest(project_id=project_id, group_id=group_id, role_id=role_id))
    expect_status(resp, 204, "check project role for group")
    step("grant role", f"group {group_id} -> {ROLE_NAME} on project {project_id}")

    # 11. list group's project roles
    resp = admin.keystone_list_project_permissions_for_group(
        KeystoneListProjectPermissionsForGroupRequest(project_id=project_id, group_id=group_id))
    expect_status(resp, 200, "list project roles for group")
    got = [(r.id, r.name) for r in (resp.roles or [])]
    assert got == [(role_id, ROLE_NAME)], f"list project roles for group: got {got}, want [({role_id!r}, 'member')]"
    step("list group project roles", f"{got}")

    # 12. log in as the new user, scoped to the new project
    resp = password_token(ADMIN_DOMAIN, user_name, USER_PASSWORD, project_id)
    expect_status(resp, 201, "user token")
    user_token = resp.x_subject_token
    assert user_token, "user token: X-Subject-Token response header missing/empty"
    assert user_token != admin_token, "user token: same token string as the admin token"
    login = resp.token
    check_token_body(login, "user token", user_id=user_id, user_name=user_name, project_id=project_id)
    assert login.project.name == project_name, f"user token: project.name={login.project.name!r}"
    assert ROLE_NAME in role_names(login), f"user token: roles {role_names(login)} lack {ROLE_NAME!r}"
    step("user token", f"user={login.user.id} project={login.project.id} roles={role_names(login)}")

    # 13. validate the user's token with the admin token
    resp = admin.keystone_validate_token(KeystoneValidateTokenRequest(x_subject_token=user_token))
    expect_status(resp, 200, "validate token")
    assert resp.x_subject_token == user_token, (
        "validate token: X-Subject-Token response header does not echo the validated token")
    v = resp.token
    check_token_body(v, "validate token", user_id=user_id, user_name=user_name, project_id=project_id)
    assert role_names(v) == role_names(login), f"validate token: roles {role_names(v)} != {role_names(login)}"
    assert (v.expires_at, v.issued_at) == (login.expires_at, login.issued_at), (
        f"validate token: expires/issued {(v.expires_at, v.issued_at)} != {(login.expires_at, login.issued_at)}")
    step("validate token", f"user={v.user.id} project={v.project.id} expires_at={v.expires_at}")

    # 14. wrong password -> 401
    e = expect_client_error(
        lambda: password_token(ADMIN_DOMAIN, user_name, USER_PASSWORD + "x", project_id),
        401, "wrong password")
    step("wrong password", f"401 error_code={e.error_code!r}")

    # 15. cleanup through the API (also exercises the remove/delete operations)
    resp = admin.keystone_remove_project_permission_from_group(
        KeystoneRemoveProjectPermissionFromGroupRequest(project_id=project_id, group_id=group_id, role_id=role_id))
    expect_status(resp, 204, "revoke role from group")
    state.pop("grant", None)
    expect_client_error(
        lambda: admin.keystone_check_project_permission_for_group(
            KeystoneCheckProjectPermissionForGroupRequest(project_id=project_id, group_id=group_id,
                                                          role_id=role_id)),
        404, "check revoked role")
    resp = admin.keystone_remove_user_from_group(KeystoneRemoveUserFromGroupRequest(group_id=group_id,
                                                                                     user_id=user_id))
    expect_status(resp, 204, "remove user from group")
    state.pop("member", None)
    resp = admin.keystone_delete_user(KeystoneDeleteUserRequest(user_id=user_id))
    expect_status(resp, 204, "delete user")
    state.pop("user_id", None)
    expect_client_error(lambda: admin.keystone_show_user(KeystoneShowUserRequest(user_id=user_id)),
                        404, "show deleted user")
    resp = admin.keystone_delete_group(KeystoneDeleteGroupRequest(group_id=group_id))
    expect_status(resp, 204, "delete group")
    state.pop("group_id", None)
    step("cleanup", "role revoked, membership removed, user and group deleted")


def best_effort_cleanup(state):
    """After a failure, remove what was created (errors ignored)."""
    token = state.get("admin_token")
    if not token:
        return
    admin = token_client(token)
    actions = []
    if "grant" in state:
        p, g, r = state["grant"]
        actions.append(lambda: admin.keystone_remove_project_permission_from_group(
            KeystoneRemoveProjectPermissionFromGroupRequest(project_id=p, group_id=g, role_id=r)))
    if "user_id" in state:
        actions.append(lambda: admin.keystone_delete_user(KeystoneDeleteUserRequest(user_id=state["user_id"])))
    if "group_id" in state:
        actions.append(lambda: admin.keystone_delete_group(KeystoneDeleteGroupRequest(group_id=state["group_id"])))
    best_effort(actions)


if __name__ == "__main__":
    sys.exit(run_test("iam_identity", f"IAM_URL={IAM_URL} domain={ADMIN_DOMAIN} user={ADMIN_USER}",
                      run, best_effort_cleanup))
