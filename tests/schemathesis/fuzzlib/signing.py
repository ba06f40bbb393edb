"""Authentication of a generated request, applied to the final ``PreparedRequest`` (URL and
body as they go on the wire), as the vendors' SDKs do it.

- ``TokenAuth``: ``X-Auth-Token`` (an iam-svc token).
- ``SdkHmacAuth``: Huawei's SDK-HMAC-SHA256 with ``X-Sdk-Date`` over the exact bytes sent.
- ``Tc3Auth``: Tencent's TC3-HMAC-SHA256 over ``POST /`` (``X-TC-Timestamp`` set now).

Each signed request also signs a random ``X-Fuzz-Nonce`` header: the services accept a
signature once (replay protection), and two generated requests may be byte-identical
within one second, which would otherwise be refused as a replay of the first.

The canonical forms follow credential-core's verifier (src/sign/huawei.rs, tencent.rs) and
tests/reliability/harness/signing.py, which signs whole requests it builds itself.
"""

import datetime
import hashlib
import hmac
import secrets
import time
import urllib.parse

import requests

NONCE_HEADER = "X-Fuzz-Nonce"


def _sha256(data):
    return hashlib.sha256(data or b"").hexdigest()


def _body_bytes(prepared):
    body = prepared.body
    if body is None:
        return b""
    if isinstance(body, str):
        body = body.encode("utf-8")
        prepared.body = body
    if not isinstance(body, (bytes, bytearray)):
        # A stream or generator: read it once and send those bytes, so the signature
        # covers exactly what goes out.
        body = b"".join(bytes(chunk) for chunk in body)
        prepared.body = body
    return bytes(body)


def _percent_decode(text):
    return urllib.parse.unquote_to_bytes(text)


def _encode(raw):
    return urllib.parse.quote_from_bytes(raw, safe="-_.~")


def _canonical_uri(path):
    segments = _percent_decode(path or "/").split(b"/")
    uri = "/".join(_encode(s) for s in segments)
    return uri if uri.endswith("/") else uri + "/"


def _canonical_query(query):
    """Pairs split at the first '=', percent-decoded ('+' stays '+'), sorted, re-encoded."""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((_percent_decode(key), _percent_decode(value)))
    pairs.sort()
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)


def _host(prepared):
    return prepared.headers.get("Host") or urllib.parse.urlsplit(prepared.url).netloc


class TokenAuth(requests.auth.AuthBase):
    """``X-Auth-Token: <token>``; the token is read from ``source()`` on every request, so
    a refreshed identity takes effect at once."""

    def __init__(self, source):
        self.source = source

    def __call__(self, prepared):
        prepared.headers["X-Auth-Token"] = self.source()
        return prepared


class SdkHmacAuth(requests.auth.AuthBase):
    """SDK-HMAC-SHA256 over host, X-Sdk-Date, the nonce and the scope headers; ``source()``
    gives (AK, SK), ``scope()`` the scope headers the SDK sends with them: ``X-Project-Id``
    for a project's service (BasicCredentials), ``X-Domain-Id`` for iam-svc
    (GlobalCredentials)."""

    def __init__(self, source, scope=dict):
        self.source = source
        self.scope = scope

    def __call__(self, prepared):
        ak, sk = self.source()
        scope = self.scope()
        for name, value in scope.items():
            prepared.headers[name] = value
        parts = urllib.parse.urlsplit(prepared.url)
        date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        prepared.headers["Host"] = _host(prepared)
        prepared.headers["X-Sdk-Date"] = date
        prepared.headers[NONCE_HEADER] = secrets.token_hex(8)
        body = _body_bytes(prepared)
        signed = sorted(["host", "x-sdk-date", NONCE_HEADER.lower(), *(n.lower() for n in scope)])
        headers = "".join(f"{name}:{prepared.headers[name].strip()}\n" for name in signed)
        canonical = "\n".join([prepared.method.upper(), _canonical_uri(parts.path),
                               _canonical_query(parts.query), headers, ";".join(signed),
                               _sha256(body)])
        to_sign = f"SDK-HMAC-SHA256\n{date}\n{_sha256(canonical.encode())}"
        signature = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        prepared.headers["Authorization"] = (
            f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(signed)}, Signature={signature}")
        return prepared


class Tc3Auth(requests.auth.AuthBase):
    """TC3-HMAC-SHA256 for tcr-svc: ``X-TC-Timestamp`` set to now (a generated one would
    be stale), content-type, host and the nonce signed; ``source()`` gives (SecretId,
    SecretKey)."""

    service = "tcr"

    def __init__(self, source):
        self.source = source

    def __call__(self, prepared):
        secret_id, secret_key = self.source()
        timestamp = int(time.time())
        date = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%d")
        prepared.headers["Host"] = _host(prepared)
        prepared.headers["X-TC-Timestamp"] = str(timestamp)
        prepared.headers.setdefault("Content-Type", "application/json")
        prepared.headers[NONCE_HEADER] = secrets.token_hex(8)
        body = _body_bytes(prepared)
        method = prepared.method.upper()
        query = urllib.parse.urlsplit(prepared.url).query if method == "GET" else ""
        signed = ["content-type", "host", NONCE_HEADER.lower()]
        headers = "".join(f"{name}:{prepared.headers[name].strip()}\n" for name in signed)
        unsigned = prepared.headers.get("X-TC-Content-SHA256", "").strip() == "UNSIGNED-PAYLOAD"
        payload = b"UNSIGNED-PAYLOAD" if unsigned else b"" if method == "GET" else body
        canonical = "\n".join([method, "/", query, headers, ";".join(signed), _sha256(payload)])
        scope = f"{date}/{self.service}/tc3_request"
        to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256(canonical.encode())}"

        def mac(key, msg):
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        key = mac(mac(mac(("TC3" + secret_key).encode(), date), self.service), "tc3_request")
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        prepared.headers["Authorization"] = (
            f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
            f"SignedHeaders={';'.join(signed)}, Signature={signature}")
        return prepared
