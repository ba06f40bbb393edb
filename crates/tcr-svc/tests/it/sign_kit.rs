//! Requests signed the other ways the official clients sign: TC3 as the Node SDK signs it
//! (the host without its port, the endpoint's first label as the scope's service), TC3
//! over a GET's query, and the legacy v1 signature (HmacSHA256, HmacSHA1).

use credential_core::sign::percent_encode;
use credential_core::sign::tencent::{sign_request, Tc3Request};
use credential_core::sign::tencent_v1::{self, V1Method};

use crate::common::*;

/// How a TC3 request is signed and sent.
pub struct Tc3<'a> {
    pub method: &'a str,
    /// The `Host` header sent.
    pub host: &'a str,
    /// The `host` value signed (the Node SDK's: no port).
    pub signed_host: &'a str,
    /// The scope's service.
    pub service: &'a str,
    /// The query (GET) or body (POST).
    pub payload: &'a str,
    pub request_client: &'a str,
}

impl Tc3<'_> {
    /// As tencentcloud-sdk-nodejs signs a POST to `host` with `body`.
    pub fn node<'a>(
        host: &'a str,
        signed_host: &'a str,
        service: &'a str,
        body: &'a str,
    ) -> Tc3<'a> {
        Tc3 {
            method: "POST",
            host,
            signed_host,
            service,
            payload: body,
            request_client: "SDK_NODEJS_4.1.313",
        }
    }

    /// As tencentcloud-sdk-python signs a GET with `query` (`HttpProfile(reqMethod="GET")`).
    pub fn get(query: &str) -> Tc3<'_> {
        Tc3 {
            method: "GET",
            host: HOST,
            signed_host: HOST,
            service: "tcr",
            payload: query,
            request_client: "SDK_PYTHON_3.1.189",
        }
    }
}

/// `action` as `key`, signed and sent as `how` says, now.
pub fn tc3_call<'a>(app: &'a TestApp, key: &Key, action: &str, how: &Tc3<'_>) -> TestCall<'a> {
    let timestamp = chrono::Utc::now().timestamp();
    let ts = timestamp.to_string();
    let get = how.method == "GET";
    let content_type = if get {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let signed_headers = [
        ("Content-Type", content_type),
        ("Host", how.signed_host),
        ("X-TC-Timestamp", ts.as_str()),
    ];
    let (query, body) = if get {
        (how.payload, "")
    } else {
        ("", how.payload)
    };
    let req = Tc3Request {
        method: how.method,
        query,
        headers: &signed_headers,
        body: body.as_bytes(),
        unsigned_payload: false,
    };
    let authorization = sign_request(
        &req,
        key.id,
        key.secret.as_bytes(),
        how.service,
        timestamp,
        &["content-type".into(), "host".into()],
    )
    .unwrap();
    let call = if get {
        app.get(&format!("/?{query}"))
    } else {
        app.post("/").body(body)
    };
    let mut call = call
        .header("Content-Type", content_type)
        .header("Host", how.host)
        .header("X-TC-Timestamp", ts)
        .header("X-TC-Action", action)
        .header("X-TC-Version", "2019-09-24")
        .header("X-TC-Region", "ap-guangzhou")
        .header("X-TC-RequestClient", how.request_client)
        .header("Authorization", authorization);
    if key.temporary {
        call = call.header("X-TC-Token", format!("security-token-of-{}", key.id));
    }
    call
}

/// How a v1 request is signed.
pub struct V1<'a> {
    pub http: &'a str,
    pub method: V1Method,
    pub host: &'a str,
    pub timestamp: i64,
    pub nonce: u64,
}

impl V1<'_> {
    /// tencentcloud-sdk-python's `ClientProfile(signMethod="HmacSHA256")` with `http`, now,
    /// with a fresh nonce.
    pub fn sdk(http: &str) -> V1<'_> {
        V1 {
            http,
            method: V1Method::HmacSha256,
            host: HOST,
            timestamp: chrono::Utc::now().timestamp(),
            nonce: rand_nonce(),
        }
    }
}

fn rand_nonce() -> u64 {
    let mut bytes = [0u8; 8];
    credential_core::random::fill(&mut bytes).unwrap();
    u64::from_le_bytes(bytes) >> 2
}

/// Every parameter of `action` as `key` with the action's `params`, as the SDK sends them:
/// the signature's own added, `Signature` last.
pub fn v1_params(
    key: &Key,
    action: &str,
    params: &[(&str, &str)],
    how: &V1<'_>,
) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (nonce, timestamp) = (how.nonce.to_string(), how.timestamp.to_string());
    for (name, value) in [
        ("Action", action),
        ("RequestClient", "SDK_PYTHON_3.1.189"),
        ("Nonce", nonce.as_str()),
        ("Timestamp", timestamp.as_str()),
        ("Version", "2019-09-24"),
        ("Region", "ap-guangzhou"),
        ("SecretId", key.id),
        ("SignatureMethod", how.method.as_str()),
        ("Language", "zh-CN"),
    ] {
        all.push((name.into(), value.into()));
    }
    if key.temporary {
        all.push(("Token".into(), format!("security-token-of-{}", key.id)));
    }
    sign_v1(key, &mut all, how);
    all
}

/// Adds (or replaces) the `Signature` of `params` as `key` signs them.
pub fn sign_v1(key: &Key, params: &mut Vec<(String, String)>, how: &V1<'_>) {
    params.retain(|(k, _)| k != "Signature");
    let sts = tencent_v1::string_to_sign(how.http, how.host, "/", params);
    let signature = tencent_v1::sign(key.secret.as_bytes(), how.method, &sts);
    params.push(("Signature".into(), signature));
}

/// `params` form-encoded.
pub fn encode(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                percent_encode(k.as_bytes()),
                percent_encode(v.as_bytes())
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `params` sent as `how` says: a form body (POST) or the query (GET).
pub fn v1_send<'a>(app: &'a TestApp, params: &[(String, String)], how: &V1<'_>) -> TestCall<'a> {
    let form = encode(params);
    let call = if how.http == "GET" {
        app.get(&format!("/?{form}"))
    } else {
        app.post("/").body(form)
    };
    call.header("Content-Type", "application/x-www-form-urlencoded")
        .header("Host", how.host)
}

/// `action` with `params` as `key`, signed with v1 as `how` says: the `Response`.
pub async fn v1_act(
    app: &TestApp,
    key: &Key,
    action: &str,
    params: &[(&str, &str)],
    how: &V1<'_>,
) -> serde_json::Value {
    response(v1_send(app, &v1_params(key, action, params, how), how)).await
}

/// A configuration with exactly these names.
pub fn hosts_config(names: &[&str]) -> tcr_svc::config::TcrConfig {
    let mut config = test_config();
    config.api.hosts = names
        .iter()
        .map(|n| n.to_string().try_into().unwrap())
        .collect();
    config
}
