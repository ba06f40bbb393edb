//! Who is calling: IAM token verification shared by every service.
//!
//! `TokenVerifier` is passive state (verifying keys, a cache of verified tokens and the
//! revocations seen so far). Something feeds it: [`IamFeed`] pulls keys and revocations
//! from iam-svc over its internal API; iam-svc feeds its own verifier from its database.
//! The [`Authenticated`] extractor turns a request into a [`Principal`] or the service's
//! own 401.

mod client;
mod error;
mod extractor;
mod feed;
mod internal;
mod issuer;
mod principal;
mod remote;
pub mod replay;
mod routing;
mod signature;
pub mod temporary;
mod verifier;
pub mod wire;

pub use error::AuthError;
pub use extractor::{Authenticated, AUTH_TOKEN_HEADER};
pub use feed::{FeedError, IamFeed, RevocationSink};
pub use internal::{InternalCredential, INTERNAL_TOKEN_HEADER};
pub use issuer::{IssuedKeys, IssuerVerifier};
pub use principal::{Principal, ProjectRef, TemporaryKey};
pub use remote::RemoteSignatureVerifier;
pub use routing::RoutingSignatureVerifier;
pub use signature::{give_back, signed_requests, SignatureSettings, SignatureVerifier};
pub use verifier::{TokenVerifier, VerifierOptions};
