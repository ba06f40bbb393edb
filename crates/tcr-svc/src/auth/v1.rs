//! Tencent's legacy v1 signature (`SignatureMethod` `HmacSHA256`, or `HmacSHA1` where
//! `api.allow_hmac_sha1` lets it): every parameter form-encoded in the body (POST) or the
//! query (GET), the signature's own among the action's. The signature's parameters are
//! taken out here; the action never sees them.

use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use credential_core::sign::tencent_v1::{self, V1Method};
use service_kit::auth::wire::{Replay, SignatureAlgorithm, SignatureCheck};

use super::{addressed, timely, Accepted, Carried, Signed};
use crate::error::TcrError;
use crate::state::AppState;

/// The parameters that belong to the signature and the transport, not to the action.
const TRANSPORT: [&str; 11] = [
    "Action",
    "Version",
    "Region",
    "Nonce",
    "Timestamp",
    "SecretId",
    "SignatureMethod",
    "Signature",
    "Token",
    "RequestClient",
    "Language",
];

pub(super) async fn check(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Signed, TcrError> {
    let all = form(req, body)?;
    let (mut transport, params): (Vec<_>, Vec<_>) = all
        .iter()
        .cloned()
        .partition(|(name, _)| TRANSPORT.contains(&name.as_str()));
    let mut take = |name: &str| {
        transport
            .iter()
            .position(|(n, _)| n == name)
            .map(|i| transport.swap_remove(i).1)
    };
    let required = |value: Option<String>, name: &str| {
        value.ok_or_else(|| TcrError::MissingParameter(name.into()))
    };
    let secret_id = required(take("SecretId"), "SecretId")?;
    let signature = required(take("Signature"), "Signature")?;
    let method = required(take("SignatureMethod"), "SignatureMethod")?;
    let method = V1Method::parse(&method).ok_or_else(|| {
        TcrError::InvalidParameterValue(
            "SignatureMethod must be HmacSHA256 (or HmacSHA1 where allowed).".into(),
        )
    })?;
    let algorithm = match method {
        V1Method::HmacSha256 => SignatureAlgorithm::TencentV1HmacSha256,
        V1Method::HmacSha1 if state.config.hmac_sha1_allowed() => {
            SignatureAlgorithm::TencentV1HmacSha1
        }
        V1Method::HmacSha1 => return Err(TcrError::HmacSha1Refused),
    };
    let timestamp_text = required(take("Timestamp"), "Timestamp")?;
    let timestamp = timely(&timestamp_text, "Timestamp", state, now)?;
    let nonce = required(take("Nonce"), "Nonce")?;
    if nonce.is_empty() || nonce.len() > 20 || !nonce.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TcrError::InvalidParameter(
            "Nonce must be a non-negative integer.".into(),
        ));
    }
    let host = addressed(state, req)?;
    let check = SignatureCheck {
        algorithm,
        access: secret_id,
        string_to_sign: tencent_v1::string_to_sign(
            req.method().as_str(),
            host.header,
            req.path(),
            &all,
        ),
        signature,
        tc3_date: None,
        tc3_service: None,
        project_id: None,
        domain_id: None,
        own_domain: true,
        security_token: take("Token"),
        replay: Replay::Unique(format!("{nonce}/{timestamp}")),
    };
    let principal = state.signatures.check(check).await?;
    Ok(Signed {
        accepted: Accepted {
            principal,
            release: None,
        },
        version: take("Version"),
        action: take("Action"),
        params: Carried::Form(params),
        region: Ok(take("Region").unwrap_or_default()),
    })
}

/// Every parameter: the query of a GET, the form body of a POST.
fn form(req: &HttpRequest, body: &[u8]) -> Result<Vec<(String, String)>, TcrError> {
    let text = if req.method() == actix_web::http::Method::GET {
        req.query_string()
    } else {
        std::str::from_utf8(body)
            .map_err(|_| TcrError::InvalidParameter("The form body is not UTF-8 text.".into()))?
    };
    tencent_v1::parse_form(text).map_err(|e| TcrError::InvalidParameter(format!("The form: {e}.")))
}
