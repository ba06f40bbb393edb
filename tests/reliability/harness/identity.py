"""Identities and credentials made through the services' public APIs, as a user would."""

import secrets

from . import http, signing


class Fail(AssertionError):
    """A scenario's expectation was not met."""


def expect(resp, *statuses):
    if resp.status not in statuses:
        raise Fail(f"expected {statuses}, got {resp!r}")
    return resp


def login(iam_url, domain, user, password, project_id=None, timeout=10):
    """A password token (X-Auth-Token), scoped to ``project_id`` or to the domain."""
    scope = {"project": {"id": project_id}} if project_id else {"domain": {"name": domain}}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "password": password, "domain": {"name": domain}}}}, "scope": scope}}
    resp = http.request("POST", iam_url + "/v3/auth/tokens", json=body, timeout=timeout)
    expect(resp, 201)
    return resp.headers["x-subject-token"]


class Admin:
    """The bootstrap admin of a stack (``Stack.admin``), logged in to its project."""

    def __init__(self, stack, iam_url=None):
        a = stack.admin
        self.iam_url = iam_url or stack.links["iam"]
        self.domain = a["IAM_ADMIN_DOMAIN"]
        self.domain_id = a["IAM_ADMIN_DOMAIN_ID"]
        self.user_id = a["IAM_ADMIN_USER_ID"]
        self.password = a["IAM_ADMIN_PASSWORD"]
        self.project_id = a["IAM_ADMIN_PROJECT_ID"]
        self.user = a["IAM_ADMIN_USER"]
        self.token = login(self.iam_url, self.domain, self.user, self.password, self.project_id)

    def headers(self):
        return {"X-Auth-Token": self.token}

    def create_user(self, name=None, admin=True):
        """A user of the admin's domain (in the admins group when ``admin``); returns
        ``(user_id, name, password)``."""
        name = name or f"rel-{secrets.token_hex(4)}"
        password = "Rel-" + secrets.token_urlsafe(12) + "9a"
        resp = expect(http.request("POST", self.iam_url + "/v3/users", headers=self.headers(), json={
            "user": {"name": name, "password": password, "domain_id": self.domain_id,
                     "enabled": True}}), 201)
        user_id = resp.json()["user"]["id"]
        if admin:
            groups = expect(http.request("GET", self.iam_url + "/v3/groups?name=admins",
                                         headers=self.headers()), 200).json()["groups"]
            expect(http.request("PUT", f"{self.iam_url}/v3/groups/{groups[0]['id']}/users/{user_id}",
                                headers=self.headers()), 204)
        return user_id, name, password

    def access_key(self, user_id=None):
        """A permanent AK/SK of ``user_id`` (the admin's own by default)."""
        resp = expect(http.request("POST", self.iam_url + "/v3.0/OS-CREDENTIAL/credentials",
                                   headers=self.headers(),
                                   json={"credential": {"user_id": user_id or self.user_id}}), 201)
        c = resp.json()["credential"]
        return c["access"], c["secret"]


def swr_instance(swr_url, token, project_id):
    resp = expect(http.request("POST", f"{swr_url}/v2/{project_id}/instances",
                               headers={"X-Auth-Token": token},
                               json={"name": f"rel-{secrets.token_hex(4)}"}), 201)
    return resp.json()["instance_id"]


def lakeformation_instance(lf_url, token, project_id):
    resp = expect(http.request("POST", f"{lf_url}/v1/{project_id}/instances",
                               headers={"X-Auth-Token": token},
                               json={"name": f"rel-{secrets.token_hex(4)}"}), 202)
    return resp.json()["instance_id"]


def tcr_registry(tcr_url, ak, sk):
    status, body = signing.tencent(tcr_url, "CreateInstance",
                                   {"RegistryName": f"rel-{secrets.token_hex(4)}",
                                    "RegistryType": "basic"}, ak, sk)
    if status != 200 or "Error" in body:
        raise Fail(f"CreateInstance: {status} {body}")
    return body["RegistryId"]
