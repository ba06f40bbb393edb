//! Registry login for container registries that delegate authentication to us (CNCF
//! distribution's token auth), shared by swr-svc and tcr-svc.
//!
//! - [`token`]: the `/service/token` endpoint (GET with HTTP Basic, POST form), which
//!   turns a service's [`RegistryAuthorizer`] verdict into an ES256 registry JWT.
//! - [`basic`]: the HTTP Basic credentials of a token request.
//! - [`scope`]: parsing of the `scope` parameters.
//! - [`access`]: the tenancy rule: which actions a login gets on which repository.
//! - [`keys`]: the signing key and certificate files, generated in development mode.
//! - [`login`]: the order of checks for a bearer secret used as the Basic password.
//! - [`stored`]: the [`RegistryAuthorizer`] both services use for their stored bearer
//!   credentials, given the secret prefix and the two queries that differ.
//!
//! Which credentials and namespaces exist is the service's business (its
//! [`RegistryAuthorizer`] and the rows it looks up); this module owns the wire format of
//! `reference/registry-token-auth.md`, the login checks and the tenancy rule the two
//! services must not disagree on.

pub mod access;
pub mod basic;
pub mod keys;
pub mod login;
pub mod scope;
pub mod stored;
pub mod token;

pub use access::{
    granted_access, namespace_of, NamespaceRecord, NamespaceRights, RegistryLogin, PULL,
};
pub use credential_core::registry_jwt::RegistrySigner;
pub use keys::{generate_dev_key_and_cert, load_issuer, load_or_generate, RegistryKeyError};
pub use login::{authenticate_bearer, StoredCredential};
pub use scope::{parse_scopes, ScopeError, ScopeRequest};
pub use stored::{BearerTables, StoredBearerAuthorizer};
pub use token::{
    configure, RegistryAuthError, RegistryAuthorizer, RegistryTokenIssuer, TokenError,
    TokenResponse, MIN_LIFETIME_SECONDS, TOKEN_PATH,
};
