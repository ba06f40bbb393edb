// tcr-svc with the unmodified tencentcloud-sdk-nodejs (pinned in package.json): the
// tcr.v20190924 client pointed at tcr-svc by endpoint alone, once as an IP with its port
// and once as localhost with its port. The SDK sends `Host: <endpoint>` but signs the host
// without its port, and puts the endpoint's first label in the TC3 scope (`127`,
// `localhost:<port>`), which tcr-svc accepts for its own names only.
//
// Flow on each endpoint: CreateInstance, DescribeInstances (a list and a filter),
// CreateInstanceToken (temp), DescribeInstanceToken, DeleteInstance; then the v1 signature
// (signMethod HmacSHA256) on the IP endpoint; then a refused wrong SecretKey. (A signature
// for another host or service is refused in crates/tcr-svc/tests/it/signing_tc3.rs: the
// SDK cannot be made to send one here.)
//
// Environment: TCR_URL, IAM_URL, IAM_ADMIN_DOMAIN, IAM_ADMIN_USER, IAM_ADMIN_PASSWORD,
// IAM_ADMIN_USER_ID, IAM_ADMIN_PROJECT_ID. Exits non-zero on the first failure.

import assert from "node:assert/strict";
import tencentcloud from "tencentcloud-sdk-nodejs";

const TcrClient = tencentcloud.tcr.v20190924.Client;

function env(name) {
  const value = process.env[name];
  if (!value) {
    console.log(`FAIL config: environment variable ${name} is not set`);
    process.exit(2);
  }
  return value.replace(/\/+$/, "");
}

function step(name, detail = "") {
  console.log(`ok   ${name}${detail ? `: ${detail}` : ""}`);
}

const IAM_URL = env("IAM_URL");
const TCR_URL = new URL(env("TCR_URL"));
const PORT = TCR_URL.port;

/** A project-scoped token of the admin, and a new permanent access key of the admin. */
async function adminKey() {
  const login = await fetch(`${IAM_URL}/v3/auth/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ["password"],
          password: {
            user: {
              domain: { name: env("IAM_ADMIN_DOMAIN") },
              name: env("IAM_ADMIN_USER"),
              password: env("IAM_ADMIN_PASSWORD"),
            },
          },
        },
        scope: { project: { id: env("IAM_ADMIN_PROJECT_ID") } },
      },
    }),
  });
  assert.equal(login.status, 201, "admin login");
  const token = login.headers.get("x-subject-token");
  const created = await fetch(`${IAM_URL}/v3.0/OS-CREDENTIAL/credentials`, {
    method: "POST",
    headers: { "X-Auth-Token": token, "Content-Type": "application/json" },
    body: JSON.stringify({ credential: { user_id: env("IAM_ADMIN_USER_ID"), description: "node sdk test" } }),
  });
  assert.equal(created.status, 201, "create access key");
  const { credential } = await created.json();
  step("admin access key", credential.access);
  return { token, access: credential.access, secret: credential.secret };
}

async function deleteKey(key) {
  await fetch(`${IAM_URL}/v3.0/OS-CREDENTIAL/credentials/${key.access}`, {
    method: "DELETE",
    headers: { "X-Auth-Token": key.token },
  });
}

function client(key, endpoint, signMethod) {
  return new TcrClient({
    credential: { secretId: key.access, secretKey: key.secret },
    region: "ap-guangzhou",
    profile: {
      ...(signMethod ? { signMethod } : {}),
      httpProfile: { endpoint, protocol: "http://", reqTimeout: 30 },
    },
  });
}

async function refused(label, call, code) {
  try {
    await call();
  } catch (e) {
    assert.equal(e.code, code, `${label}: ${e.code} ${e.message}`);
    assert.ok(e.requestId, `${label}: no RequestId`);
    step(label, code);
    return;
  }
  assert.fail(`${label}: expected ${code}, accepted`);
}

async function exercise(label, tcr, name) {
  const created = await tcr.CreateInstance({ RegistryName: name, RegistryType: "basic" });
  const registry = created.RegistryId;
  try {
    const found = await tcr.DescribeInstances({
      Registryids: [registry],
      Filters: [{ Name: "RegistryName", Values: [name] }],
      Limit: 5,
    });
    assert.equal(found.TotalCount, 1, `${label}: DescribeInstances`);
    assert.equal(found.Registries[0].RegistryId, registry);
    const token = await tcr.CreateInstanceToken({ RegistryId: registry, TokenType: "temp" });
    assert.ok(token.Token && typeof token.ExpTime === "number", `${label}: CreateInstanceToken`);
    const listed = await tcr.DescribeInstanceToken({ RegistryId: registry });
    assert.equal(listed.TotalCount, 0, `${label}: DescribeInstanceToken lists longterm tokens only`);
    step(label, `CreateInstance ${registry}, DescribeInstances, CreateInstanceToken, DescribeInstanceToken`);
  } finally {
    await tcr.DeleteInstance({ RegistryId: registry });
  }
}

async function main() {
  console.log("tcr_node_sdk: tcr-svc through tencentcloud-sdk-nodejs");
  const key = await adminKey();
  try {
    const suffix = key.access.slice(-6).toLowerCase();
    await exercise(`TC3 on 127.0.0.1:${PORT}`, client(key, `127.0.0.1:${PORT}`), `node-ip-${suffix}`);
    await exercise(`TC3 on localhost:${PORT}`, client(key, `localhost:${PORT}`), `node-name-${suffix}`);
    await exercise(`HmacSHA256 on 127.0.0.1:${PORT}`, client(key, `127.0.0.1:${PORT}`, "HmacSHA256"), `node-v1-${suffix}`);
    const wrong = { ...key, secret: key.secret.split("").reverse().join("") };
    await refused("wrong SecretKey", () => client(wrong, `127.0.0.1:${PORT}`).DescribeInstances({}),
      "AuthFailure.SignatureFailure");
  } finally {
    await deleteKey(key);
  }
  console.log("PASS tcr_node_sdk");
}

main().catch((e) => {
  console.log(`FAIL ${e.code ?? ""} ${e.message}`);
  console.log(e.stack);
  process.exit(1);
});
