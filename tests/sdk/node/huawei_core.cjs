'use strict';
/*
 * The Huawei Cloud Node.js SDK core (@huaweicloud/huaweicloud-sdk-core) against iam-svc,
 * unmodified but for the endpoint: its SDK-HMAC-SHA256 signer with a permanent key
 * (GlobalCredentials) and with a temporary key and its security token, the SDK's
 * reading of our answers and of our refusals.
 *
 * The core 3.1.211 loads `uuid` without declaring it: package.json names it.
 *
 * Environment: IAM_URL, IAM_ADMIN_DOMAIN, IAM_ADMIN_DOMAIN_ID, IAM_ADMIN_USER,
 * IAM_ADMIN_PASSWORD, IAM_ADMIN_USER_ID, IAM_ADMIN_PROJECT_ID (scripts/lib/stack.sh).
 */
const assert = require('node:assert/strict');
const { GlobalCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
// The package's index also loads its v5 module, which does not load in this version.
const iam = require('@huaweicloud/huaweicloud-sdk-iam/v3/public-api');

// The SDK logs every refused request whole, headers and all (signatures, security
// tokens): the refusals here are expected, and credentials stay out of the test log.
require('log4js').configure({
  appenders: { out: { type: 'stdout' } },
  categories: { default: { appenders: ['out'], level: 'off' } },
});

function env(name) {
  const value = process.env[name];
  if (!value) {
    console.log(`FAIL config: environment variable ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const IAM_URL = env('IAM_URL').replace(/\/$/, '');
const DOMAIN_ID = env('IAM_ADMIN_DOMAIN_ID');
const USER_ID = env('IAM_ADMIN_USER_ID');

function step(name, detail) {
  console.log(`  ok   ${name}${detail ? `: ${detail}` : ''}`);
}

// The admin's password token and a permanent key, over plain HTTP: what is under test
// is the SDK's signer, which starts from a key.
async function passwordToken() {
  const res = await fetch(`${IAM_URL}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: env('IAM_ADMIN_USER'),
              password: env('IAM_ADMIN_PASSWORD'),
              domain: { name: env('IAM_ADMIN_DOMAIN') },
            },
          },
        },
        scope: { project: { id: env('IAM_ADMIN_PROJECT_ID') } },
      },
    }),
  });
  assert.equal(res.status, 201, `password token: ${res.status} ${await res.text()}`);
  return res.headers.get('x-subject-token');
}

function client(credentials) {
  return iam.IamClient.newBuilder().withCredential(credentials).withEndpoint(IAM_URL).build();
}

function permanent(ak, sk) {
  return new GlobalCredentials().withAk(ak).withSk(sk).withDomainId(DOMAIN_ID);
}

// The SDK's rejection, whatever shape its version gives it.
async function refusal(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('the call was expected to be refused');
}

async function main() {
  const token = await passwordToken();
  step('password token');

  // A permanent key for the admin, made and removed by the SDK signing with another one.
  const made = await fetch(`${IAM_URL}/v3.0/OS-CREDENTIAL/credentials`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    body: JSON.stringify({ credential: { user_id: USER_ID, description: 'node sdk core' } }),
  });
  assert.equal(made.status, 201, `create key: ${made.status}`);
  const key = (await made.json()).credential;
  const admin = client(permanent(key.access, key.secret));
  const cleanup = [];
  try {
    const listed = await admin.listPermanentAccessKeys(
      new iam.ListPermanentAccessKeysRequest().withUserId(USER_ID));
    assert.equal(listed.httpStatusCode, 200);
    assert.ok(listed.credentials.some((c) => c.access === key.access), 'the signing key is listed');
    step('ListPermanentAccessKeys signed by the Node core', `${listed.credentials.length} key(s)`);

    const second = await admin.createPermanentAccessKey(
      new iam.CreatePermanentAccessKeyRequest().withBody(
        new iam.CreatePermanentAccessKeyRequestBody().withCredential(
          new iam.CreateCredentialOption().withUserId(USER_ID).withDescription('second'))));
    assert.equal(second.httpStatusCode, 201);
    cleanup.push(second.credential.access);
    const shown = await admin.showPermanentAccessKey(
      new iam.ShowPermanentAccessKeyRequest().withAccessKey(second.credential.access));
    assert.equal(shown.credential.description, 'second');
    assert.equal(shown.credential.secret, undefined, 'a shown key has no secret');
    step('CreatePermanentAccessKey, ShowPermanentAccessKey', second.credential.access);

    // A third key is over the quota of two: the SDK reads our refusal as IAM's.
    const third = await refusal(admin.createPermanentAccessKey(
      new iam.CreatePermanentAccessKeyRequest().withBody(
        new iam.CreatePermanentAccessKeyRequestBody().withCredential(
          new iam.CreateCredentialOption().withUserId(USER_ID)))));
    assert.equal(third.httpStatusCode, 400, `third key: ${JSON.stringify(third)}`);
    assert.equal(third.errorMsg, 'akSkNumExceed');
    step('a third key is refused', `${third.httpStatusCode} ${third.errorMsg}`);

    // A signature made with a wrong secret is refused, and nothing is made.
    const forged = await refusal(client(permanent(key.access, `${key.secret.slice(0, -1)}x`))
      .listPermanentAccessKeys(new iam.ListPermanentAccessKeysRequest().withUserId(USER_ID)));
    assert.equal(forged.httpStatusCode, 401, `forged: ${JSON.stringify(forged)}`);
    step('a wrong secret is refused', String(forged.httpStatusCode));

    // A temporary key for the password token, used with its security token.
    const temp = await admin.createTemporaryAccessKeyByToken(
      new iam.CreateTemporaryAccessKeyByTokenRequest().withBody(
        new iam.CreateTemporaryAccessKeyByTokenRequestBody().withAuth(
          new iam.TokenAuth().withIdentity(
            new iam.TokenAuthIdentity().withMethods(['token'])
              .withToken(new iam.IdentityToken().withId(token).withDurationSeconds(900))))));
    assert.equal(temp.httpStatusCode, 201);
    const cred = temp.credential;
    assert.ok(cred.access && cred.secret && cred.securitytoken && cred.expires_at);
    step('CreateTemporaryAccessKeyByToken', `${cred.access}, expires ${cred.expires_at}`);

    const temporary = client(permanent(cred.access, cred.secret).withSecurityToken(cred.securitytoken));
    const seen = await temporary.listPermanentAccessKeys(
      new iam.ListPermanentAccessKeysRequest().withUserId(USER_ID));
    assert.equal(seen.httpStatusCode, 200);
    step('the temporary key signs with X-Security-Token', 'ListPermanentAccessKeys 200');

    // It may not make a longer-lived key.
    const minted = await refusal(temporary.createPermanentAccessKey(
      new iam.CreatePermanentAccessKeyRequest().withBody(
        new iam.CreatePermanentAccessKeyRequestBody().withCredential(
          new iam.CreateCredentialOption().withUserId(USER_ID)))));
    assert.equal(minted.httpStatusCode, 403, `minted: ${JSON.stringify(minted)}`);
    step('the temporary key cannot make a permanent one', String(minted.httpStatusCode));

    // Without its security token the temporary key is nobody's.
    const bare = await refusal(client(permanent(cred.access, cred.secret))
      .listPermanentAccessKeys(new iam.ListPermanentAccessKeysRequest().withUserId(USER_ID)));
    assert.equal(bare.httpStatusCode, 401, `bare: ${JSON.stringify(bare)}`);
    step('the temporary key without its security token is refused', String(bare.httpStatusCode));
  } finally {
    for (const access of cleanup) {
      await admin.deletePermanentAccessKey(
        new iam.DeletePermanentAccessKeyRequest().withAccessKey(access));
    }
    const gone = await fetch(`${IAM_URL}/v3.0/OS-CREDENTIAL/credentials/${key.access}`, {
      method: 'DELETE',
      headers: { 'X-Auth-Token': token },
    });
    assert.equal(gone.status, 204, `delete key: ${gone.status}`);
  }
  console.log('PASS huawei_core');
}

main().catch((e) => {
  console.log(`FAIL ${e && e.stack ? e.stack : JSON.stringify(e)}`);
  process.exit(1);
});
