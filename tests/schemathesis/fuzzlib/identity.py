"""Who the fuzzer is, and how it stays someone.

Two identities, both in the bootstrap admin's domain:

- the keeper: the bootstrap admin (IAM_ADMIN_*), whose token only this module uses, to make
  and check the fuzzer's identity. No generated request carries it or names its user,
  group or project, so nothing the fuzzer sends can lock it out;
- the fuzzer: a user of its own, in a group of its own holding the admin role on a project
  of its own and on the domain, logged in to that project (X-Auth-Token) and holding a
  permanent access key (AK/SK for the signed schemes).

Generated requests may delete, disable or re-password the fuzzer's user, drop its group or
grants, delete its key or project, or revoke its token: after every mutating request that
succeeded, ``ensure`` probes the identity through the keeper and, when anything of it is
gone, makes a new one, so the next request is authenticated again.

``known`` holds real ids (the fuzzer's project, a victim user and group with a key, the
roles, instances of swr-svc and lakeformation-svc, a tcr-svc registry) that the generated
requests use for some of their path parameters and body fields, so that operations are
reached beyond their 404. The keeper's own ids are never among them.
"""

import json
import os
import secrets

import requests

PASSWORD = "Fuzz-" + secrets.token_hex(12)


def _env(name):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"environment variable {name} is not set (run tests/schemathesis/run.sh)")
    return value.rstrip("/") if name.endswith("_URL") else value


def session():
    s = requests.Session()
    s.trust_env = False  # loopback only: never through a proxy
    return s


class Identity:
    def __init__(self):
        self.http = session()
        self.iam = _env("IAM_URL")
        self.domain = _env("IAM_ADMIN_DOMAIN")
        self.domain_id = _env("IAM_ADMIN_DOMAIN_ID")
        self.keeper_token = self._login(_env("IAM_ADMIN_USER"), _env("IAM_ADMIN_PASSWORD"),
                                        _env("IAM_ADMIN_PROJECT_ID"))
        self.roles = {r["name"]: r["id"] for r in self._keeper("GET", "/v3/roles", 200)["roles"]}
        self.generation = 0
        self.refreshes = 0
        self.token = self.ak = self.sk = ""
        self.user_id = self.group_id = self.project_id = ""
        self.known = {"domain_id": self.domain_id, "role_id": self.roles.get("readonly", "")}
        # Registry logins (HTTP Basic on /service/token) per service: (user name, password).
        self.registry_logins = {}
        self._make()
        self._victims()

    # -- what the auth objects read on every request
    def token_now(self):
        return self.token

    def key_now(self):
        return self.ak, self.sk

    def sdk_scope(self, service):
        """The scope header a Huawei SDK sends with a signed request to ``service``."""
        if service == "iam":
            return {"X-Domain-Id": self.domain_id}
        return {"X-Project-Id": self.project_id}

    # -- iam-svc calls
    def _call(self, method, path, token, expected, body=None, headers=None, base=None):
        hdrs = {"X-Auth-Token": token, **(headers or {})}
        data = None
        if body is not None:
            hdrs["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        r = self.http.request(method, (base or self.iam) + path, headers=hdrs, data=data, timeout=30)
        if expected is not None and r.status_code != expected:
            raise RuntimeError(f"identity: {method} {path} answered {r.status_code}, expected {expected}: "
                               f"{r.text[:300]}")
        return r.json() if r.content and r.headers.get("content-type", "").startswith("application/json") else {}

    def _keeper(self, method, path, expected, body=None, base=None):
        return self._call(method, path, self.keeper_token, expected, body, base=base)

    def _login(self, name, password, project_id):
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "domain": {"name": self.domain}, "name": name, "password": password}}},
            "scope": {"project": {"id": project_id}}}}
        r = self.http.post(self.iam + "/v3/auth/tokens", json=body, timeout=30)
        if r.status_code != 201:
            raise RuntimeError(f"identity: login of {name} answered {r.status_code}: {r.text[:300]}")
        return r.headers["X-Subject-Token"]

    # -- the fuzzer's identity
    def _make(self):
        self.generation += 1
        tag = f"fuzz{self.generation}-{secrets.token_hex(3)}"
        self.project_id = self._keeper("POST", "/v3/projects", 201, {"project": {
            "name": tag, "domain_id": self.domain_id}})["project"]["id"]
        self.user_id = self._keeper("POST", "/v3/users", 201, {"user": {
            "name": tag, "password": PASSWORD, "domain_id": self.domain_id}})["user"]["id"]
        self.group_id = self._keeper("POST", "/v3/groups", 201, {"group": {
            "name": tag + "s", "domain_id": self.domain_id}})["group"]["id"]
        self._keeper("PUT", f"/v3/groups/{self.group_id}/users/{self.user_id}", 204)
        admin = self.roles["admin"]
        self._keeper("PUT", f"/v3/projects/{self.project_id}/groups/{self.group_id}/roles/{admin}", 204)
        self._keeper("PUT", f"/v3/domains/{self.domain_id}/groups/{self.group_id}/roles/{admin}", 204)
        self.token = self._login(tag, PASSWORD, self.project_id)
        cred = self._call("POST", "/v3.0/OS-CREDENTIAL/credentials", self.token, 201, {"credential": {
            "user_id": self.user_id, "description": "schemathesis"}})["credential"]
        self.ak, self.sk = cred["access"], cred["secret"]
        self.known["project_id"] = self.project_id

    def _victims(self):
        """A user and a group the generated requests may name (and so change or delete)."""
        tag = f"victim-{secrets.token_hex(3)}"
        user = self._keeper("POST", "/v3/users", 201, {"user": {
            "name": tag, "password": PASSWORD, "domain_id": self.domain_id}})["user"]["id"]
        group = self._keeper("POST", "/v3/groups", 201, {"group": {
            "name": tag + "s", "domain_id": self.domain_id}})["group"]["id"]
        self._keeper("PUT", f"/v3/groups/{group}/users/{user}", 204)
        key = self._keeper("POST", "/v3.0/OS-CREDENTIAL/credentials", 201, {"credential": {
            "user_id": user, "description": "schemathesis victim"}})["credential"]["access"]
        self.known.update(user_id=user, group_id=group, access=key)

    def make_resources(self, urls):
        """An instance of swr-svc and lakeformation-svc and a tcr-svc registry, made with the
        fuzzer's identity, for the parameters that name one. Returns what could not be made
        (a service without it is still fuzzed, its operations mostly answering 404)."""
        problems = []
        if "swr" in urls:
            try:
                made = self._call("POST", f"/v2/{self.project_id}/instances", self.token, None,
                                  {"name": f"fuzz-{secrets.token_hex(3)}"}, base=urls["swr"])
                instance = made["instance_id"]
                self.known["swr_instance_id"] = instance
                base = f"/v2/{self.project_id}/instances/{instance}"
                shown = self._call("GET", base, self.token, 200, base=urls["swr"])
                self.known["swr_service"] = (shown.get("registry") or {}).get("service", "")
                cred = self._call("POST", base + "/long-term-credential", self.token, 201,
                                  {"name": "fuzz"}, base=urls["swr"])
                self.known["swr_credential_id"] = cred["token_id"]
                self.registry_logins["swr"] = (cred["user_id"], cred["auth_token"])
            except (KeyError, ValueError, requests.RequestException) as e:
                problems.append(f"swr-svc instance: {e}")
        if "lakeformation" in urls:
            try:
                made = self._call("POST", f"/v1/{self.project_id}/instances", self.token, None,
                                  {"name": f"fuzz-{secrets.token_hex(3)}", "charge_mode": "postPaid",
                                   "shared": True}, base=urls["lakeformation"])
                self.known["lakeformation_instance_id"] = made.get("instance_id") or made["id"]
            except (KeyError, ValueError, requests.RequestException) as e:
                problems.append(f"lakeformation-svc instance: {e}")
        return problems

    # -- staying someone
    def healthy(self):
        """Whether the fuzzer's token, key, membership and grants all still work."""
        admin = self.roles["admin"]
        try:
            checks = [
                self.http.get(self.iam + "/v3/auth/tokens", timeout=30, headers={
                    "X-Auth-Token": self.keeper_token, "X-Subject-Token": self.token}).status_code == 200,
                self.http.head(self.iam + f"/v3/groups/{self.group_id}/users/{self.user_id}", timeout=30,
                               headers={"X-Auth-Token": self.keeper_token}).status_code == 204,
                self.http.head(self.iam + f"/v3/projects/{self.project_id}/groups/{self.group_id}/roles/{admin}",
                               timeout=30, headers={"X-Auth-Token": self.keeper_token}).status_code == 204,
                self.http.head(self.iam + f"/v3/domains/{self.domain_id}/groups/{self.group_id}/roles/{admin}",
                               timeout=30, headers={"X-Auth-Token": self.keeper_token}).status_code == 204,
            ]
            key = self.http.get(self.iam + f"/v3.0/OS-CREDENTIAL/credentials/{self.ak}", timeout=30,
                                headers={"X-Auth-Token": self.keeper_token})
            checks.append(key.status_code == 200 and key.json()["credential"].get("status") == "active")
            user = self.http.get(self.iam + f"/v3/users/{self.user_id}", timeout=30,
                                 headers={"X-Auth-Token": self.keeper_token})
            checks.append(user.status_code == 200 and user.json()["user"].get("enabled") is True)
        except (KeyError, ValueError, requests.RequestException):
            return False
        return all(checks)

    def ensure(self):
        """Make a new identity when the current one no longer works; True when it did."""
        if self.healthy():
            return False
        self.refreshes += 1
        self._make()
        return True
