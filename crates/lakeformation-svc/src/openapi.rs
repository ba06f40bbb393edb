//! lakeformation-svc's OpenAPI document, served at `GET /openapi.json` and committed as
//! docs/openapi/lakeformation.json. Each handler documents itself (`#[utoipa::path]` in
//! `routes/`); this module lists them and owns the refusal sets they answer with, so a
//! refusal's status and code come from the one error table (`LfError::on_the_wire`).

use std::collections::BTreeMap;

use service_kit::openapi::{Scheme, Shared};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi as _};

use crate::error::{ErrorBody, LfError};

/// The authentication every public route takes, by `Scheme::name`.
const SCHEMES: [Scheme; 2] = [Scheme::XAuthToken, Scheme::SdkHmacSha256];

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "lakeformation",
        description = "Huawei LakeFormation's instance and credential API: instances of a \
            project, and temporary AK/SK with a sealed security token that every service \
            here accepts. huaweicloudsdklakeformation works against it with only the \
            endpoint changed. The `{project_id}` of every path must be the caller's \
            project scope; who may call what is docs/policy/lakeformation.md."
    ),
    paths(
        crate::routes::instances::create,
        crate::routes::instances::list,
        crate::routes::instances::show,
        crate::routes::instances::update,
        crate::routes::instances::delete,
        crate::routes::instances::recover,
        crate::routes::credentials::issue,
        crate::routes::credentials::revoke,
    ),
    components(schemas(ErrorBody)),
    modifiers(&OptionalBodies),
    tags(
        (name = "instances", description = "LakeFormation instances of a project."),
        (name = "credentials", description = "Temporary AK/SK with a security token, and their revocation."),
    )
)]
struct Api;

/// The whole document: this service's routes, the probes and the schemes they name.
pub fn document() -> utoipa::openapi::OpenApi {
    service_kit::openapi::complete(Api::openapi(), &[Shared::Probes], &SCHEMES)
}

/// The paths whose POST body may be left out (`service_kit::http::json::optional`: none at all is
/// `{}`). `#[utoipa::path]` makes a body optional only through `Option<T>`, which also
/// documents JSON `null`, a body the service refuses.
const OPTIONAL_POST_BODIES: [&str; 1] = ["/v1/{project_id}/instances/{instance_id}/credential"];

struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for path in OPTIONAL_POST_BODIES {
            let post = doc
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.post.as_mut());
            if let Some(body) = post.and_then(|op| op.request_body.as_mut()) {
                body.required = Some(Required::False);
            }
        }
    }
}

/// A kind of refusal an operation can answer, with when it happens.
#[derive(Clone, Copy)]
enum Refusal {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    TooLarge,
    Unavailable,
}

impl Refusal {
    /// An error of this kind: its status and code are the table's.
    fn error(self) -> LfError {
        match self {
            Refusal::BadRequest => LfError::BadRequest(String::new()),
            Refusal::Unauthenticated => {
                LfError::Unauthenticated(service_kit::auth::AuthError::Missing)
            }
            Refusal::Forbidden => LfError::Forbidden(""),
            Refusal::NotFound => LfError::NotFound(String::new()),
            Refusal::Conflict => LfError::Conflict(String::new()),
            Refusal::TooLarge => LfError::PayloadTooLarge,
            Refusal::Unavailable => LfError::Unavailable(String::new()),
        }
    }

    fn when(self) -> &'static str {
        match self {
            Refusal::BadRequest => {
                "A malformed or invalid body, query or path (unknown fields, bad names, \
                 bad paging, a role the caller lacks)."
            }
            Refusal::Unauthenticated => {
                "No, a bad, expired or revoked X-Auth-Token (`APIG.1002`); a bad or replayed \
                 signature or a refused security token (`APIGW.0301`, the message names the \
                 failed check)."
            }
            Refusal::Forbidden => {
                "The path's project is not the caller's scope, the caller's role does not \
                 allow the action, or the credential is another user's."
            }
            Refusal::NotFound => {
                "The instance (or credential, role, user or group) does not exist, or the \
                 path names no route (an empty or dot segment)."
            }
            Refusal::Conflict => {
                "An instance of that name already exists in the project, or the instance \
                 is (or, for a recover, is not) in the recycle bin."
            }
            Refusal::TooLarge => "The body is over `server.max_body_bytes`.",
            Refusal::Unavailable => {
                "The database or iam-svc is unreachable, or the revocation feed is stale."
            }
        }
    }
}

/// The documented responses of `refusals`, each in LakeFormation's envelope.
fn responses(refusals: &[Refusal]) -> BTreeMap<String, RefOr<Response>> {
    refusals
        .iter()
        .map(|r| {
            let (status, code, ..) = r.error().on_the_wire();
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            let response = ResponseBuilder::new()
                .description(format!("`{code}`: {}", r.when()))
                .content("application/json", content)
                .build();
            (status.as_u16().to_string(), response.into())
        })
        .collect()
}

/// A named set of refusals, usable as `responses(...)` in `#[utoipa::path]`.
macro_rules! refusals {
    ($(#[$doc:meta])* $name:ident: $($kind:ident),+) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                responses(&[$(Refusal::$kind),+])
            }
        }
    };
}

refusals!(
    /// A read of the project's instances.
    ListRefusals: BadRequest, Unauthenticated, Forbidden, NotFound, Unavailable
);
refusals!(
    /// A read of one instance.
    InstanceRefusals: BadRequest, Unauthenticated, Forbidden, NotFound, Unavailable
);
refusals!(
    /// A change or recover of one instance.
    ChangeRefusals: BadRequest, Unauthenticated, Forbidden, NotFound, Conflict, TooLarge, Unavailable
);
refusals!(
    /// A delete of one instance (it reads no body).
    DeleteRefusals: BadRequest, Unauthenticated, Forbidden, NotFound, Conflict, Unavailable
);
refusals!(
    /// A new instance.
    CreateRefusals: BadRequest, Unauthenticated, Forbidden, NotFound, Conflict, TooLarge, Unavailable
);
refusals!(
    /// An issuance of temporary credentials (through an instance in the recycle bin, a
    /// conflict).
    IssueRefusals: BadRequest, Unauthenticated, Forbidden, NotFound, Conflict, TooLarge, Unavailable
);
refusals!(
    /// A revocation of temporary credentials.
    CredentialRefusals: BadRequest, Unauthenticated, Forbidden, NotFound, TooLarge, Unavailable
);
