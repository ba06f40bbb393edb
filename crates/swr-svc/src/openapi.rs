//! swr-svc's OpenAPI document, served at `GET /openapi.json` and committed as
//! docs/openapi/swr.json. The paths come from the handlers' `#[utoipa::path]`, the
//! answers' schemas from the types `crate::views` serializes, the error envelope from
//! [`ErrorBody`]; service-kit adds the probes, the registry token endpoint and the
//! authentication schemes.
//!
//! [`Refusals`] is the set of refusals every authenticated operation can answer; an
//! operation adds only its own 404, 409 and 413.

use service_kit::openapi::{complete, Scheme, Shared};
use utoipa::OpenApi;

use crate::error::ErrorBody;
use crate::namespaces::{OrderBy, OrderType};
use crate::routes::{credentials, instances, namespaces};

/// The refusals of every operation behind authentication, in SWR's envelope.
#[derive(utoipa::IntoResponses)]
pub enum Refusals {
    /// A malformed request: a NUL in the URL, an unreadable query or body, a value the
    /// operation does not take (`SWR.0001` to `SWR.0004`).
    #[response(status = 400)]
    BadRequest(ErrorBody<'static>),
    /// No, a bad, an expired or a revoked token, or a bad signature (`SWR.0101`).
    #[response(status = 401)]
    Unauthenticated(ErrorBody<'static>),
    /// The path's project is not the caller's scope, or the caller's role does not allow
    /// the operation (`SWR.0201`).
    #[response(status = 403)]
    Forbidden(ErrorBody<'static>),
    /// An unexpected failure; its cause is logged with the request id (`SWR.0500`).
    #[response(status = 500)]
    Internal(ErrorBody<'static>),
    /// The database, iam-svc or lakeformation-svc does not answer, or the revocation
    /// feed is stale (`SWR.0503`).
    #[response(status = 503)]
    Unavailable(ErrorBody<'static>),
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "swr",
        description = "Huawei SWR Enterprise Edition's instance, namespace and registry \
            credential API, as `huaweicloudsdkswr` (v2) speaks it, and the registry token \
            endpoint its credentials log in to a registry with. Errors are \
            `{\"error_code\": \"SWR.xxxx\", \"error_msg\": \"...\"}`; docs/api/swr.md says \
            what each code means."
    ),
    paths(
        instances::create,
        instances::list,
        instances::show,
        instances::delete,
        instances::list_jobs,
        instances::show_job,
        credentials::create,
        credentials::list,
        credentials::update,
        credentials::delete,
        credentials::create_temporary,
        namespaces::create,
        namespaces::list,
        namespaces::show,
        namespaces::update,
        namespaces::delete,
    ),
    components(schemas(ErrorBody, OrderBy, OrderType)),
    tags(
        (name = "instances", description = "SWR Enterprise instances and their creation jobs."),
        (name = "credentials", description = "Long-term and temporary registry credentials of an instance."),
        (name = "namespaces", description = "The namespaces of an instance: the first path segment of its repositories."),
    )
)]
struct ApiDoc;

/// The whole document: swr-svc's operations, the probes and the registry token endpoint.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = complete(
        ApiDoc::openapi(),
        &[Shared::Probes, Shared::RegistryToken],
        &[
            Scheme::XAuthToken,
            Scheme::SdkHmacSha256,
            Scheme::RegistryBasic,
        ],
    );
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc
}
