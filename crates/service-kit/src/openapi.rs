//! The OpenAPI 3 document every service serves at `GET /openapi.json`.
//!
//! Each service derives its document from its handlers (`#[utoipa::path]` on each one,
//! `ToSchema` on the bodies it reads and writes) and hands it to [`configure`], which
//! renders it once and serves the same bytes to every caller. The names of the
//! authentication schemes live here, so a path's `security(...)` and the components it
//! points at cannot disagree between services.
//!
//! The rendering is the committed form too: docs/openapi/<service>.json holds
//! [`render`]'s output, and each service has a test that the two are equal.

use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::OpenApi as _;

/// Where the document is served, on the public listener, without authentication.
pub const PATH: &str = "/openapi.json";

/// An authentication scheme a path may require. Its [`Scheme::name`] is what
/// `#[utoipa::path(security((...)))]` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// An IAM token in `X-Auth-Token` (iam-svc issues it; every Huawei-style API takes it).
    XAuthToken,
    /// An access key's SDK-HMAC-SHA256 signature in `Authorization`, with `X-Sdk-Date`
    /// and, for a temporary key, `X-Security-Token`.
    SdkHmacSha256,
    /// A Tencent Cloud API 3.0 TC3-HMAC-SHA256 signature in `Authorization`, with
    /// `X-TC-Timestamp` and, for a temporary key, `X-TC-Token`.
    Tc3HmacSha256,
    /// HTTP Basic on the registry token endpoint (`/service/token`): a registry
    /// credential's user name and password.
    RegistryBasic,
}

impl Scheme {
    /// The scheme's key under `components.securitySchemes`.
    pub const fn name(self) -> &'static str {
        match self {
            Scheme::XAuthToken => "x_auth_token",
            Scheme::SdkHmacSha256 => "sdk_hmac_sha256",
            Scheme::Tc3HmacSha256 => "tc3_hmac_sha256",
            Scheme::RegistryBasic => "registry_basic",
        }
    }

    fn scheme(self) -> SecurityScheme {
        let header = |name: &str, description: &str| {
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                name,
                description,
            )))
        };
        match self {
            Scheme::XAuthToken => header(
                "X-Auth-Token",
                "An IAM token from iam-svc's POST /v3/auth/tokens (X-Subject-Token).",
            ),
            Scheme::SdkHmacSha256 => header(
                "Authorization",
                "`SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names>, Signature=<hex>` \
                 over the canonical request, with `X-Sdk-Date: YYYYMMDDTHHMMSSZ`; a \
                 temporary key adds `X-Security-Token`. Huawei Cloud's SDKs sign so.",
            ),
            Scheme::Tc3HmacSha256 => header(
                "Authorization",
                "`TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, \
                 SignedHeaders=<names>, Signature=<hex>` with `X-TC-Timestamp`, \
                 `X-TC-Action` and `X-TC-Version`; a temporary key adds `X-TC-Token`. \
                 Tencent Cloud's SDKs sign so.",
            ),
            Scheme::RegistryBasic => SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "A registry credential's user name and password, as `docker login` \
                         sends them.",
                    ))
                    .build(),
            ),
        }
    }
}

/// What the shared frame serves besides a service's own routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shared {
    /// `/healthz`, `/readyz`, `/metrics` and `/openapi.json`: every service.
    Probes,
    /// `GET` and `POST /service/token` ([`crate::registry`]): swr-svc and tcr-svc.
    RegistryToken,
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    crate::http::health::healthz,
    crate::http::health::readyz,
    crate::http::health::metrics,
    document
))]
struct Probes;

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        crate::registry::token::get_token,
        crate::registry::token::post_token
    ),
    tags((name = "registry", description = "Registry login (distribution token authentication)."))
)]
struct RegistryToken;

/// Completes a service's document: the paths of what the frame shares (`shared`), and
/// the components of the authentication `schemes` its paths name.
pub fn complete(mut doc: OpenApi, shared: &[Shared], schemes: &[Scheme]) -> OpenApi {
    for part in shared {
        doc.merge(match part {
            Shared::Probes => Probes::openapi(),
            Shared::RegistryToken => RegistryToken::openapi(),
        });
    }
    let components = doc.components.get_or_insert_with(Default::default);
    for scheme in schemes {
        components.add_security_scheme(scheme.name(), scheme.scheme());
    }
    doc
}

/// The document as served and committed: pretty JSON with a final newline.
pub fn render(doc: &OpenApi) -> String {
    let mut text = doc
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"the document did not render: {e}\"}}"));
    text.push('\n');
    text
}

/// A document rendered once, served as is.
struct Rendered(web::Bytes);

/// Mounts `GET /openapi.json`, answering `doc` rendered once.
pub fn configure(doc: &OpenApi) -> impl FnOnce(&mut web::ServiceConfig) {
    let rendered = web::Data::new(Rendered(web::Bytes::from(render(doc))));
    move |cfg| {
        cfg.app_data(rendered).route(PATH, web::get().to(document));
    }
}

#[utoipa::path(get, path = "/openapi.json", tag = "probes", responses(
    (status = 200, description = "This document (OpenAPI 3.1).", content_type = "application/json",
        body = Object)))]
async fn document(rendered: web::Data<Rendered>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(rendered.0.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_completed_document_has_the_shared_paths_and_the_schemes_named() {
        let doc = complete(
            utoipa::openapi::OpenApiBuilder::new().build(),
            &[Shared::Probes, Shared::RegistryToken],
            &[Scheme::XAuthToken, Scheme::RegistryBasic],
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(&doc)).unwrap_or(serde_json::Value::Null);
        for path in ["/healthz", "/readyz", "/metrics", PATH, "/service/token"] {
            assert!(json["paths"][path].is_object(), "{path} missing");
        }
        let schemes = &json["components"]["securitySchemes"];
        assert_eq!(schemes["x_auth_token"]["name"], "X-Auth-Token");
        assert_eq!(schemes["registry_basic"]["scheme"], "basic");
        assert!(
            schemes["sdk_hmac_sha256"].is_null(),
            "only the schemes asked for"
        );
    }
}
