"""The two request signatures the services check, written from the vendors' specifications:
Huawei's SDK-HMAC-SHA256 (``X-Sdk-Date``, optional ``X-Security-Token``) and Tencent's
TC3-HMAC-SHA256 (``X-TC-*`` headers, optional ``X-TC-Token``)."""

import datetime
import hashlib
import hmac
import json
import time
import urllib.parse

from . import http


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def huawei_headers(ak, sk, method, url, body=b"", security_token=None, project_id=None):
    """Headers signing ``method url body`` with SDK-HMAC-SHA256, as huaweicloudsdkcore does."""
    parts = urllib.parse.urlsplit(url)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = {"Host": parts.netloc, "X-Sdk-Date": date,
               "Content-Type": "application/json;charset=utf-8"}
    if project_id:
        headers["X-Project-Id"] = project_id
    if security_token:
        headers["X-Security-Token"] = security_token
    path = parts.path or "/"
    uri = "/".join(urllib.parse.quote(seg, safe="-_.~") for seg in path.split("/"))
    if not uri.endswith("/"):
        uri += "/"
    query = sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    canonical_query = "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
                               for k, v in query)
    signed = sorted(k.lower() for k in headers)
    canonical_headers = "".join(f"{k}:{headers[_orig(headers, k)].strip()}\n" for k in signed)
    canonical = "\n".join([method, uri, canonical_query, canonical_headers, ";".join(signed),
                           _sha256(body or b"")])
    to_sign = f"SDK-HMAC-SHA256\n{date}\n{_sha256(canonical.encode())}"
    signature = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(signed)}, "
                                f"Signature={signature}")
    return headers


def _orig(headers, lower):
    return next(k for k in headers if k.lower() == lower)


def huawei(method, url, ak, sk, json_body=None, security_token=None, project_id=None, timeout=10):
    body = json.dumps(json_body).encode() if json_body is not None else b""
    headers = huawei_headers(ak, sk, method, url, body, security_token, project_id)
    return http.request(method, url, body=body or None, headers=headers, timeout=timeout)


def tc3_headers(secret_id, secret_key, host, action, body, service="tcr", region="ap-guangzhou",
                version="2019-09-24", token=None, timestamp=None):
    """Headers signing a TC3-HMAC-SHA256 ``POST /`` as tencentcloud-sdk-python does."""
    timestamp = int(timestamp if timestamp is not None else time.time())
    date = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%d")
    content_type = "application/json"
    canonical = "\n".join(["POST", "/", "", f"content-type:{content_type}\nhost:{host}\n",
                           "content-type;host", _sha256(body)])
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256(canonical.encode())}"

    def mac(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(("TC3" + secret_key).encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": content_type, "Host": host, "X-TC-Action": action,
        "X-TC-Version": version, "X-TC-Timestamp": str(timestamp), "X-TC-Region": region,
        "Authorization": (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
                          f"SignedHeaders=content-type;host, Signature={signature}"),
    }
    if token:
        headers["X-TC-Token"] = token
    return headers


def tencent(url, action, params, secret_id, secret_key, token=None, timeout=10):
    """One TCR API 3.0 action; returns (http status, the ``Response`` object)."""
    body = json.dumps(params).encode()
    host = urllib.parse.urlsplit(url).netloc
    headers = tc3_headers(secret_id, secret_key, host, action, body, token=token)
    resp = http.request("POST", url.rstrip("/") + "/", body=body, headers=headers, timeout=timeout)
    return resp.status, (resp.json() or {}).get("Response", {}) if resp.body else {}
