//! Pure domain rules for cloud credentials: names, secret formats, sealing, expiry,
//! password hashing, vendor request signatures and IAM tokens.
//!
//! Everything here is a plain function or type returning a `thiserror` enum. The crate does
//! no I/O and never reads the clock (every time rule takes `now`); its only side effect is
//! drawing randomness from `ring::rand::SystemRandom`. Secrets travel in
//! [`SecretString`], which never prints its value and is wiped on drop.
//!
//! | module | owns |
//! |---|---|
//! | [`names`] | name and free-text syntax (credential, instance and IAM names, descriptions) |
//! | [`secret`] | the redacting wrapper, constant-time comparison |
//! | [`random`] | random bytes, access keys and secret keys |
//! | [`bearer`] | `swr_`/`tcr_` bearer tokens with a checksum |
//! | [`digest`] | SHA-256, for storing bearer tokens |
//! | [`seal`] | AES-256-GCM sealing with rotating key ids |
//! | [`expiry`] | lifetimes, expiry and clock skew |
//! | [`password`] | PBKDF2 password hashes |
//! | [`sign`] | Huawei SDK-HMAC-SHA256, Tencent TC3-HMAC-SHA256 and legacy v1 (HmacSHA256/HmacSHA1) signatures |
//! | [`iam_token`] | Ed25519-signed IAM `X-Auth-Token`s |
//! | [`security_token`] | the sealed security token of a temporary access key, naming its issuer |
//! | [`session_policy`] | the policy document a temporary key may carry, and its answer for an action |
//! | [`registry_jwt`] | ES256 registry bearer tokens (distribution token auth) |
//!
//! # Example
//!
//! Issue a permanent access key, keep its secret sealed at rest, and check a request the
//! client signed with it:
//!
//! ```
//! use credential_core::random::{generate_access_key, generate_secret_key};
//! use credential_core::seal::{Keyring, SealingKey};
//! use credential_core::sign::huawei::{prepare_verification, sign_request, verify, SignableRequest};
//!
//! let keyring = Keyring::new(SealingKey::generate("master-1")?, vec![])?;
//! let ak = generate_access_key()?;
//! let sk = generate_secret_key()?;
//! // Stored: the AK in clear, the SK sealed with the AK as associated data.
//! let sealed_sk = keyring.seal(sk.expose().as_bytes(), ak.as_bytes())?;
//!
//! // The client signs a request...
//! let headers = [("Host", "127.0.0.1:8081"), ("X-Sdk-Date", "20240101T000000Z")];
//! let req = SignableRequest { method: "GET", path: "/v3/projects", query: "", headers: &headers, body: b"" };
//! let auth = sign_request(&req, &ak, sk.expose().as_bytes(), &["host".into(), "x-sdk-date".into()], "20240101T000000Z")?;
//!
//! // ...and the server checks it with the unsealed SK.
//! let received = [headers[0], headers[1], ("Authorization", auth.as_str())];
//! let req = SignableRequest { headers: &received, ..req };
//! let prepared = prepare_verification(&req)?;
//! assert_eq!(prepared.authorization.access, ak);
//! let stored_sk = keyring.open(&sealed_sk, prepared.authorization.access.as_bytes())?;
//! assert!(verify(&stored_sk, &prepared.string_to_sign, &prepared.authorization.signature));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod bearer;
pub mod digest;
pub mod expiry;
pub mod iam_token;
pub mod names;
pub mod password;
pub mod random;
pub mod registry_jwt;
pub mod seal;
pub mod secret;
pub mod security_token;
pub mod session_policy;
pub mod sign;

pub use secret::SecretString;
