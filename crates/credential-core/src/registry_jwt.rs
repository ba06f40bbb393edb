//! Registry bearer tokens: the ES256 JWT a container registry (CNCF distribution) accepts
//! from its token server.
//!
//! Owns the token's exact shape, as `reference/registry-token-auth.md` fixes it: the header
//! `{"typ":"JWT","alg":"ES256","kid":KID,"x5c":[CERT]}`, where `kid` is the libtrust
//! fingerprint of the key ([`libtrust_kid`]) and `x5c` the signer's certificate (standard
//! base64 of the DER); claims with `aud` as a JSON string; the raw `r||s` signature.
//! Key material comes in as PKCS#8 (DER or PEM) with its certificate; this module reads no
//! files and no clock: the caller fills the times into [`RegistryClaims`].

use std::fmt;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use data_encoding::BASE32_NOPAD;
use ring::rand::SystemRandom;
use ring::signature::{
    EcdsaKeyPair, KeyPair as _, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED,
    ECDSA_P256_SHA256_FIXED_SIGNING,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

/// The DER `SubjectPublicKeyInfo` of a P-256 key is this prefix followed by the 65-byte
/// uncompressed point `04||X||Y`.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// The JWS algorithm of every token made here.
pub const REGISTRY_JWT_ALG: &str = "ES256";

/// One entry of the `access` claim: what the bearer may do on one resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryAccess {
    /// Resource type, `repository` for images (`registry` for the catalog).
    #[serde(rename = "type")]
    pub kind: String,
    /// Resource name, e.g. `ns/app` (may contain `host:port/`).
    pub name: String,
    /// Granted actions, e.g. `["pull", "push"]`; may be empty.
    pub actions: Vec<String>,
}

/// The claims of a registry token. Times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryClaims {
    /// Issuer; the registry's `auth.token.issuer` must equal it.
    pub iss: String,
    /// Subject: who the token was issued to (shows in the registry's logs).
    pub sub: String,
    /// Audience: the registry's `auth.token.service`. A string, never an array
    /// (distribution 2.8 refuses an array).
    pub aud: String,
    /// Expiry.
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Unique token id.
    pub jti: String,
    /// What the token grants; empty for a login check.
    pub access: Vec<RegistryAccess>,
}

/// The JOSE header of a registry token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryJwtHeader {
    /// Always `JWT`.
    pub typ: String,
    /// Always `ES256`.
    pub alg: String,
    /// The libtrust fingerprint of the signing key.
    pub kid: String,
    /// The signer's certificate chain, leaf first, standard base64 of each DER.
    pub x5c: Vec<String>,
}

/// Why a key could not be loaded or a token made or checked.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegistryJwtError {
    /// The text has no PEM block with the expected label, or its base64 is broken.
    #[error("no usable PEM block labelled {0:?}")]
    Pem(&'static str),
    /// The private key is not an unencrypted PKCS#8 P-256 key.
    #[error("registry signing key rejected: not an unencrypted PKCS#8 P-256 (ES256) key")]
    KeyRejected,
    /// The certificate does not hold the signing key's public key.
    #[error("registry certificate does not match the signing key")]
    CertificateMismatch,
    /// Signing failed (random generator or serialisation).
    #[error("registry token could not be signed")]
    Signing,
    /// Not a three-part JWS with JSON header and claims.
    #[error("malformed registry token")]
    Malformed,
    /// The signature does not verify with the given key.
    #[error("registry token signature is invalid")]
    BadSignature,
}

/// The registry token signer: a P-256 key, its certificate and its kid. `Debug` shows only
/// the kid.
pub struct RegistrySigner {
    key_pair: EcdsaKeyPair,
    kid: String,
    /// The base64url JOSE header: the same for every token of this key (kid and
    /// certificate), so it is serialised once, not per token.
    encoded_header: String,
}

impl fmt::Debug for RegistrySigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrySigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl RegistrySigner {
    /// Loads a P-256 key from PKCS#8 DER and its certificate (DER). The certificate must
    /// hold this key's public key: a mismatch would make the registry refuse every token.
    pub fn from_pkcs8_der(
        pkcs8: &[u8],
        certificate_der: Vec<u8>,
    ) -> Result<Self, RegistryJwtError> {
        let key_pair = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8,
            &SystemRandom::new(),
        )
        .map_err(|_| RegistryJwtError::KeyRejected)?;
        let spki = spki_der(key_pair.public_key().as_ref());
        if !contains(&certificate_der, &spki) {
            return Err(RegistryJwtError::CertificateMismatch);
        }
        let kid = libtrust_kid(&spki);
        let header = RegistryJwtHeader {
            typ: "JWT".into(),
            alg: REGISTRY_JWT_ALG.into(),
            kid: kid.clone(),
            x5c: vec![STANDARD.encode(&certificate_der)],
        };
        let header = serde_json::to_vec(&header).map_err(|_| RegistryJwtError::Signing)?;
        Ok(RegistrySigner {
            kid,
            encoded_header: URL_SAFE_NO_PAD.encode(header),
            key_pair,
        })
    }

    /// Loads a PEM `PRIVATE KEY` (PKCS#8) and the first `CERTIFICATE` of `certificate_pem`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use credential_core::registry_jwt::RegistrySigner;
    /// let signer = RegistrySigner::from_pem(
    ///     &std::fs::read_to_string("var/keys/registry-token.key")?,
    ///     &std::fs::read_to_string("var/keys/registry-token.crt")?,
    /// )?;
    /// println!("registry token key {}", signer.kid());
    /// # Ok(()) }
    /// ```
    pub fn from_pem(key_pem: &str, certificate_pem: &str) -> Result<Self, RegistryJwtError> {
        let pkcs8 = Zeroizing::new(pem_block(key_pem, "PRIVATE KEY")?);
        let certificate = pem_block(certificate_pem, "CERTIFICATE")?;
        Self::from_pkcs8_der(&pkcs8, certificate)
    }

    /// The libtrust fingerprint of the public key, as the header's `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as the uncompressed point `04||X||Y` (65 bytes).
    pub fn public_key(&self) -> &[u8] {
        self.key_pair.public_key().as_ref()
    }

    /// Signs `claims` into a compact JWS: base64url header, claims and raw `r||s` signature.
    pub fn sign(&self, claims: &RegistryClaims) -> Result<String, RegistryJwtError> {
        let claims = serde_json::to_vec(claims).map_err(|_| RegistryJwtError::Signing)?;
        // header.claims.signature: 64 signature bytes are 86 base64url characters.
        let mut token = String::with_capacity(
            self.encoded_header.len() + 2 + (claims.len() * 4).div_ceil(3) + 86,
        );
        token.push_str(&self.encoded_header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(claims, &mut token);
        let signature = self
            .key_pair
            .sign(&SystemRandom::new(), token.as_bytes())
            .map_err(|_| RegistryJwtError::Signing)?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature.as_ref(), &mut token);
        Ok(token)
    }
}

/// The libtrust key id (what distribution 2.8 matches `kid` against): SHA-256 of the DER
/// `SubjectPublicKeyInfo`, first 30 bytes, base32 without padding (48 characters), in
/// groups of 4 joined by `:`.
///
/// # Examples
///
/// ```
/// let kid = credential_core::registry_jwt::libtrust_kid(b"any SPKI bytes");
/// assert_eq!(kid.len(), 12 * 4 + 11);
/// assert_eq!(kid.split(':').count(), 12);
/// ```
pub fn libtrust_kid(spki_der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, spki_der);
    let encoded = BASE32_NOPAD.encode(&digest.as_ref()[..30]);
    let groups: Vec<&str> = encoded
        .as_bytes()
        .chunks(4)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    groups.join(":")
}

/// The DER `SubjectPublicKeyInfo` of a P-256 public key given as `04||X||Y`.
pub fn spki_der(public_key_uncompressed: &[u8]) -> Vec<u8> {
    let mut spki = Vec::with_capacity(P256_SPKI_PREFIX.len() + public_key_uncompressed.len());
    spki.extend_from_slice(&P256_SPKI_PREFIX);
    spki.extend_from_slice(public_key_uncompressed);
    spki
}

/// Checks a token's ES256 signature with `public_key_uncompressed` (`04||X||Y`) and returns
/// its header and claims. Meant for tests and diagnostics: it checks neither times,
/// issuer, audience nor the certificate chain, which is the registry's job.
pub fn verify_for_tests(
    token: &str,
    public_key_uncompressed: &[u8],
) -> Result<(RegistryJwtHeader, RegistryClaims), RegistryJwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(RegistryJwtError::Malformed);
    };
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| RegistryJwtError::Malformed)?;
    let signed = &token[..header.len() + 1 + claims.len()];
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public_key_uncompressed)
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| RegistryJwtError::BadSignature)?;
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| RegistryJwtError::Malformed)
    };
    let header: RegistryJwtHeader =
        serde_json::from_slice(&decode(header)?).map_err(|_| RegistryJwtError::Malformed)?;
    let claims: RegistryClaims =
        serde_json::from_slice(&decode(claims)?).map_err(|_| RegistryJwtError::Malformed)?;
    if header.alg != REGISTRY_JWT_ALG {
        return Err(RegistryJwtError::Malformed);
    }
    Ok((header, claims))
}

/// The DER bytes of the first PEM block labelled `label` (lines between
/// `-----BEGIN label-----` and `-----END label-----`, base64 with any whitespace).
fn pem_block(text: &str, label: &'static str) -> Result<Vec<u8>, RegistryJwtError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut lines = text.lines().map(str::trim);
    if !lines.any(|l| l == begin) {
        return Err(RegistryJwtError::Pem(label));
    }
    let mut body = Zeroizing::new(String::new());
    for line in lines {
        if line == end {
            return STANDARD
                .decode(body.as_bytes())
                .map_err(|_| RegistryJwtError::Pem(label));
        }
        body.push_str(line);
    }
    Err(RegistryJwtError::Pem(label))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests;
