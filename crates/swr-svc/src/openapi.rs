//! swr-svc's OpenAPI document, served at `GET /openapi.json` and committed as
//! docs/openapi/swr.json. The paths come from the handlers' `#[utoipa::path]`, the
//! answers' schemas from the types `crate::views` serializes, the error envelope from
//! [`ErrorBody`]; service-kit adds the probes, the registry token endpoint and the
//! authentication schemes.
//!
//! [`Refusals`] is the set of refusals every authenticated operation can answer; an
//! operation adds only its own 404, 409 and 413.

use service_kit::openapi::{complete, Scheme, Shared};
use utoipa::openapi::schema::OneOfBuilder;
use utoipa::openapi::{Content, Ref, RefOr, Response, Schema};
use utoipa::OpenApi;

use crate::error::ErrorBody;
use crate::namespaces::{OrderBy, OrderType};
use crate::routes::{credentials, instances, jobs, namespaces};

/// The refusals of every operation behind authentication, in SWR's envelope.
#[derive(utoipa::IntoResponses)]
pub enum Refusals {
    /// A malformed request: a NUL in the URL, an unreadable query or body, a value the
    /// operation does not take (`SVCSTG.SWR.4000014`, `SVCSTG.SWR.4001008`,
    /// `SVCSTG.SWR.4000056`, `SVCSTG.SWR.4008001`).
    #[response(status = 400)]
    BadRequest(ErrorBody<'static>),
    /// No, a bad, an expired or a revoked token, or a bad signature (`SVCSTG.SWR.4010000`).
    #[response(status = 401)]
    Unauthenticated(ErrorBody<'static>),
    /// The path's project is not the caller's scope (`SVCSTG.SWR.4039001`), or the
    /// caller's role does not allow the operation (`SVCSTG.SWR.4039002`).
    #[response(status = 403)]
    Forbidden(ErrorBody<'static>),
    /// An unexpected failure; its cause is logged with the request id (`SVCSTG.SWR.5000007`).
    #[response(status = 500)]
    Internal(ErrorBody<'static>),
    /// The database, iam-svc or lakeformation-svc does not answer, or the revocation
    /// feed is stale (`SVCSTG.SWR.5038001`).
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
            `{\"error_code\": \"SVCSTG.SWR.xxxxxxx\", \"error_msg\": \"...\"}`; docs/api/swr.md says \
            what each code means."
    ),
    paths(
        instances::create,
        instances::list,
        instances::show,
        instances::delete,
        instances::tags,
        instances::statistics,
        jobs::list,
        jobs::show,
        jobs::delete,
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
        (name = "instances", description = "SWR Enterprise instances, their tags and statistics, and the jobs that created and deleted them."),
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
    frame_refusals_of_the_token_endpoint(&mut doc);
    doc
}

/// The registry token endpoint answers in distribution's envelope, but it is mounted in
/// swr-svc's frame, whose refusals come first and speak SWR's: a URL with NUL (400, on
/// both methods) and a POST body over `server.max_body_bytes` (413).
fn frame_refusals_of_the_token_endpoint(doc: &mut utoipa::openapi::OpenApi) {
    let Some(item) = doc.paths.paths.get_mut("/service/token") else {
        return;
    };
    let swr_envelope = || RefOr::<Schema>::Ref(Ref::from_schema_name("ErrorBody"));
    for operation in [item.get.as_mut(), item.post.as_mut()]
        .into_iter()
        .flatten()
    {
        let Some(RefOr::T(bad_request)) = operation.responses.responses.get_mut("400") else {
            continue;
        };
        bad_request
            .description
            .push_str(" A URL with NUL is refused in SWR's envelope (`SVCSTG.SWR.4000014`).");
        for content in bad_request.content.values_mut() {
            let mut either = OneOfBuilder::new();
            if let Some(own) = content.schema.take() {
                either = either.item(own);
            }
            content.schema = Some(RefOr::T(Schema::OneOf(either.item(swr_envelope()).build())));
        }
    }
    if let Some(post) = item.post.as_mut() {
        let too_large = Response::builder()
            .description("The body is over `server.max_body_bytes` (`SVCSTG.SWR.4131001`).")
            .content("application/json", Content::new(Some(swr_envelope())))
            .build();
        post.responses
            .responses
            .insert("413".into(), RefOr::T(too_large));
    }
}
