"""The harness's own parts, without a service: run.sh runs these before fuzzing, so a broken
signer, snapshot or derivation fails loudly instead of making the fuzz run say little."""

import hashlib
import hmac
import sqlite3

import requests

from fuzzlib import documents, signing
from fuzzlib.state import Snapshotter


def test_canonical_uri_and_query_follow_the_verifier():
    # credential-core src/sign/huawei.rs, canonical_request's example.
    assert signing._canonical_uri("/v3/a%20b") == "/v3/a%20b/"
    assert signing._canonical_uri("/") == "/"
    assert signing._canonical_query("b=2&a=1") == "a=1&b=2"
    # '+' is not a space; empty parts are skipped; a bare name has an empty value.
    assert signing._canonical_query("c=%2B+x&&d") == "c=%2B%2Bx&d="


def _prepared(method, url, body=None, headers=None):
    return requests.Request(method, url, data=body, headers=headers or {}).prepare()


def test_sdk_signature_covers_the_bytes_sent():
    prepared = _prepared("POST", "http://127.0.0.1:1/v2/p/instances?b=2&a=1", b'{"x": 1}',
                         {"Content-Type": "application/json"})
    signing.SdkHmacAuth(lambda: ("AK", "SK"), lambda: {"X-Project-Id": "p"})(prepared)
    auth = prepared.headers["Authorization"]
    assert auth.startswith("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-fuzz-nonce;x-project-id;x-sdk-date, ")
    h = prepared.headers
    canonical = "\n".join([
        "POST", "/v2/p/instances/", "a=1&b=2",
        f"host:127.0.0.1:1\nx-fuzz-nonce:{h['X-Fuzz-Nonce']}\nx-project-id:p\nx-sdk-date:{h['X-Sdk-Date']}\n",
        "host;x-fuzz-nonce;x-project-id;x-sdk-date", hashlib.sha256(b'{"x": 1}').hexdigest()])
    to_sign = f"SDK-HMAC-SHA256\n{h['X-Sdk-Date']}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    assert auth.endswith("Signature=" + hmac.new(b"SK", to_sign.encode(), hashlib.sha256).hexdigest())


def test_two_identical_requests_are_signed_differently():
    a, b = (_prepared("GET", "http://127.0.0.1:1/v3/users") for _ in range(2))
    for p in (a, b):
        signing.SdkHmacAuth(lambda: ("AK", "SK"))(p)
    assert a.headers["Authorization"] != b.headers["Authorization"]


def test_tc3_signature_sets_a_fresh_timestamp():
    prepared = _prepared("POST", "http://127.0.0.1:1/", b"{}",
                         {"Content-Type": "application/json", "X-TC-Timestamp": "1"})
    signing.Tc3Auth(lambda: ("ID", "KEY"))(prepared)
    assert prepared.headers["X-TC-Timestamp"] != "1"
    assert prepared.headers["Authorization"].startswith("TC3-HMAC-SHA256 Credential=ID/")
    assert "SignedHeaders=content-type;host;x-fuzz-nonce," in prepared.headers["Authorization"]


def test_snapshot_ignores_only_what_a_refusal_may_change(tmp_path):
    path = tmp_path / "iam.db"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE users (id TEXT PRIMARY KEY, enabled BOOLEAN);
        CREATE TABLE login_limits (subject TEXT PRIMARY KEY, attempts INTEGER);
        CREATE TABLE access_keys (access TEXT PRIMARY KEY, status TEXT, last_used_at TEXT);
        INSERT INTO users VALUES ('u', 1);
        INSERT INTO access_keys VALUES ('AK', 'active', NULL);
    """)
    db.commit()
    snap = Snapshotter("iam", f"sqlite://{path}")
    before = snap.snapshot()
    assert sorted(before) == ["access_keys", "users"]
    db.execute("INSERT INTO login_limits VALUES ('a:127.0.0.1', 1)")
    db.execute("UPDATE access_keys SET last_used_at = 'now'")
    db.commit()
    assert snap.diff(before, snap.snapshot()) == ""
    db.execute("UPDATE users SET enabled = 0")
    db.execute("UPDATE access_keys SET status = 'inactive'")
    db.commit()
    changed = snap.diff(before, snap.snapshot())
    assert "users:" in changed and "access_keys:" in changed


def test_tcr_documents_are_derived_per_action():
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
           "paths": {"/": {"post": {
               "operationId": "TencentCloudApi", "security": [{"tc3_hmac_sha256": []}],
               "parameters": [{"name": "X-TC-Action", "in": "header", "required": True,
                               "schema": {"type": "string", "enum": ["A", "B"]}}],
               "requestBody": {"content": {"application/json": {"schema": {"oneOf": []}}}},
               "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}}}},
               "/healthz": {"get": {"responses": {"200": {"description": "ok"}}}}},
           "components": {"schemas": {"ARequest": {}, "AResponse": {}, "BRequest": {}, "BResponse": {},
                                      "TencentError": {}}}}
    assert documents.tcr_actions(doc) == ["A", "B"]
    a = documents.tcr_for_action(doc, "A")
    op = a["paths"]["/"]["post"]
    assert list(a["paths"]) == ["/"]
    assert op["operationId"] == "TencentCloudApi.A"
    assert op["parameters"][0]["schema"]["enum"] == ["A"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ARequest"}
    assert list(documents.tcr_without_actions(doc)["paths"]) == ["/healthz"]
    assert documents.security_of(doc, op) == ["tc3_hmac_sha256"]
    assert documents.security_of(doc, {"security": [{}, {"registry_basic": []}]}) == ["none", "registry_basic"]
