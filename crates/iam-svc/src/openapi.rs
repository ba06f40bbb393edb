//! iam-svc's OpenAPI document, served at `GET /openapi.json` and committed as
//! docs/openapi/iam.json. Each handler carries its own `#[utoipa::path]`; this module
//! lists them, adds the shared parts (`service_kit::openapi`) and holds the refusals
//! every authenticated route can answer, so their statuses are written once.
//!
//! The internal API (`routes::internal`) is not in it: it lives on the internal listener.

use utoipa::openapi::OpenApi as Document;
use utoipa::{IntoResponses, OpenApi};

use crate::error::KeystoneError;
use crate::routes::{
    access_keys_v5, auth, credentials, discovery, grants, groups, projects, roles, securitytokens,
    users,
};
use crate::v5::V5ErrorBody;
use service_kit::openapi::{Scheme, Shared};

/// What every route that takes a token or a signature can answer besides its own
/// statuses, in Keystone's envelope.
#[derive(IntoResponses)]
#[allow(dead_code)] // a list of statuses for the document, never built
pub enum Refusals {
    /// A malformed path, query, header or body; the message says what.
    #[response(status = 400)]
    BadRequest(KeystoneError),
    /// No credential, or a malformed, expired or revoked token, or a bad signature (the
    /// message says which check failed).
    #[response(status = 401)]
    Unauthorized(KeystoneError),
    /// The policy refuses the caller (a temporary key is told so), or a signed scope
    /// names a project or domain the key's user holds no role on.
    #[response(status = 403)]
    Forbidden(KeystoneError),
    /// The database, the revocation state or a temporary key's issuer is unavailable.
    #[response(status = 503)]
    Unavailable(KeystoneError),
}

/// [`Refusals`] of a `HEAD` route, which answers with headers only; and its 404.
#[derive(IntoResponses)]
#[allow(dead_code)] // a list of statuses for the document, never built
pub enum HeadRefusals {
    /// A malformed path, query or header.
    #[response(status = 400)]
    BadRequest,
    /// No credential, or a malformed, expired or revoked token, or a bad signature.
    #[response(status = 401)]
    Unauthorized,
    /// The policy refuses the caller, or a signed scope the key's user holds no role on.
    #[response(status = 403)]
    Forbidden,
    /// It does not hold, or a resource named does not exist or is of another domain.
    #[response(status = 404)]
    NotFound,
    /// The database, the revocation state or a temporary key's issuer is unavailable.
    #[response(status = 503)]
    Unavailable,
}

/// [`Refusals`] of the IAM v5 routes, in v5's envelope.
#[derive(IntoResponses)]
#[allow(dead_code)] // a list of statuses for the document, never built
pub enum V5Refusals {
    /// A malformed path, query, header or body (`PAP5.0101`), or a `marker` no page
    /// handed out (`PAP5.0010`); the message says what.
    #[response(status = 400)]
    BadRequest(V5ErrorBody),
    /// No credential, or a malformed, expired or revoked token, or a bad signature
    /// (`APIGW.0301`; the message says which check failed).
    #[response(status = 401)]
    Unauthorized(V5ErrorBody),
    /// The policy refuses the caller (`PAP5.0001`; a temporary key is told so), or a
    /// signed scope names a project or domain the key's user holds no role on.
    #[response(status = 403)]
    Forbidden(V5ErrorBody),
    /// The database, the revocation state or a temporary key's issuer is unavailable.
    #[response(status = 503)]
    Unavailable(V5ErrorBody),
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "iam",
        description = "iam-svc: domains, projects, users, groups, role grants, permanent and \
            temporary access keys and X-Auth-Token tokens, in the Keystone v3 dialect of Huawei \
            Cloud IAM that `huaweicloudsdkiam` speaks, and IAM v5's access keys. Errors are \
            Keystone's envelope `{\"error\": {\"code\", \"message\", \"title\"}}`, under `/v5` \
            IAM v5's `{\"error_code\", \"error_msg\", \"request_id\"}`. See docs/api/iam.md."
    ),
    paths(
        discovery::list_versions,
        discovery::show_version,
        discovery::show_version_root,
        discovery::show_catalog,
        auth::create_token,
        auth::validate_token,
        auth::check_token,
        auth::revoke_token,
        auth::my_projects,
        auth::my_domains,
        credentials::create,
        credentials::list,
        credentials::show,
        credentials::update,
        credentials::delete,
        securitytokens::create,
        access_keys_v5::create,
        access_keys_v5::list,
        access_keys_v5::update,
        access_keys_v5::delete,
        access_keys_v5::last_used,
        users::create,
        users::list,
        users::show,
        users::update,
        users::delete,
        users::change_own_password,
        users::groups_of_user,
        users::projects_of_user,
        projects::create,
        projects::list,
        projects::show,
        projects::update,
        projects::delete,
        groups::create,
        groups::list,
        groups::show,
        groups::update,
        groups::delete,
        groups::members,
        groups::add_member,
        groups::check_member,
        groups::remove_member,
        roles::list,
        roles::show,
        grants::list_on_project,
        grants::grant_on_project,
        grants::check_on_project,
        grants::revoke_on_project,
        grants::list_on_domain,
        grants::grant_on_domain,
        grants::check_on_domain,
        grants::revoke_on_domain,
    ),
    components(schemas(KeystoneError, V5ErrorBody)),
    tags(
        (name = "versions", description = "The Keystone version documents, open to anyone."),
        (name = "tokens", description = "Logging in, validating and revoking tokens, the \
            scopes a caller may ask for, and the service catalog."),
        (name = "credentials", description = "Permanent access keys (AK/SK) that sign requests, \
            and temporary ones (AK/SK + security token) for a token."),
        (name = "access keys v5", description = "The same permanent access keys through IAM v5's \
            API, with its envelope `{\"error_code\", \"error_msg\", \"request_id\"}`."),
        (name = "users", description = "Users of a domain, and a user's own password."),
        (name = "projects", description = "Projects of a domain."),
        (name = "groups", description = "Groups of a domain and their members."),
        (name = "roles", description = "The fixed roles: admin, member, readonly."),
        (name = "grants", description = "Roles granted to groups on projects and on the domain."),
        (name = "probes", description = "Health, readiness, metrics and this document."),
    )
)]
struct IamApi;

/// The whole document: iam-svc's routes, the probes, and the schemes its routes name.
pub fn document() -> Document {
    let mut doc = IamApi::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    service_kit::openapi::complete(
        doc,
        &[Shared::Probes],
        &[Scheme::XAuthToken, Scheme::SdkHmacSha256],
    )
}
