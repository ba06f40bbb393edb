//! AES-256-GCM sealing of secrets that must be read back (e.g. permanent secret keys).
//!
//! Owns the sealed text format `"<key id>$<base64url-nopad(nonce || ciphertext || tag)>"` and
//! key rotation: a [`Keyring`] seals with its current key and opens with any key it holds,
//! chosen by the key id written in front of the sealed text. It never reads key files; the
//! caller loads key material and hands it in.

use std::collections::BTreeMap;
use std::fmt;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

use crate::random::random_bytes;
use crate::secret::SecretString;

/// Separates the key id from the payload in sealed text. Not allowed in key ids.
const SEPARATOR: char = '$';
/// Longest key id.
pub const MAX_KEY_ID_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// Why sealing or opening failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SealError {
    /// The sealed text names a key this keyring does not hold.
    #[error("unknown sealing key id {0:?}")]
    UnknownKeyId(String),
    /// The sealed text is not in the `"<key id>$<base64url>"` format.
    #[error("sealed value is malformed")]
    Malformed,
    /// Authentication failed: wrong key, wrong AAD, or tampered data.
    #[error("sealed value could not be decrypted")]
    Decrypt,
    /// A key id is not 1 to 32 characters `[A-Za-z0-9_-]`, or a keyring holds it twice.
    #[error("invalid or duplicate sealing key id")]
    InvalidKeyId,
    /// Key material is not exactly 32 bytes (or not valid base64).
    #[error("invalid sealing key material")]
    InvalidKey,
    /// The system random number generator failed.
    #[error("system random number generator failed")]
    Random,
}

/// One AES-256 master key with its id. The raw key bytes are wiped on drop; `Debug` shows
/// only the id.
pub struct SealingKey {
    id: String,
    raw: Zeroizing<[u8; 32]>,
    key: LessSafeKey,
}

impl SealingKey {
    /// Builds a key from its id and 32 raw bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use credential_core::seal::SealingKey;
    ///
    /// let key = SealingKey::new("2024-01", [7u8; 32])?;
    /// assert_eq!(key.id(), "2024-01");
    /// assert_eq!(format!("{key:?}"), r#"SealingKey { id: "2024-01" }"#);
    /// # Ok::<(), credential_core::seal::SealError>(())
    /// ```
    pub fn new(id: impl Into<String>, key: [u8; 32]) -> Result<Self, SealError> {
        let id = id.into();
        let raw = Zeroizing::new(key);
        validate_key_id(&id)?;
        let unbound =
            UnboundKey::new(&AES_256_GCM, raw.as_slice()).map_err(|_| SealError::InvalidKey)?;
        Ok(Self {
            id,
            raw,
            key: LessSafeKey::new(unbound),
        })
    }

    /// Generates a fresh random key (e.g. for `make run` development keys).
    pub fn generate(id: impl Into<String>) -> Result<Self, SealError> {
        let bytes: [u8; 32] = random_bytes().map_err(|_| SealError::Random)?;
        Self::new(id, bytes)
    }

    /// Reads a key from standard base64 (padding optional; surrounding whitespace, such as
    /// a key file's trailing newline, is ignored). It must decode to exactly 32 bytes.
    pub fn from_base64(id: impl Into<String>, b64: &str) -> Result<Self, SealError> {
        let trimmed = b64.trim();
        let decoded = Zeroizing::new(
            STANDARD
                .decode(trimmed)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
                .map_err(|_| SealError::InvalidKey)?,
        );
        let bytes: [u8; 32] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| SealError::InvalidKey)?;
        Self::new(id, bytes)
    }

    /// The key as standard base64 with padding, for writing a key file.
    pub fn to_base64(&self) -> SecretString {
        SecretString::new(STANDARD.encode(self.raw.as_slice()))
    }

    /// The key id written in front of everything this key seals.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey").field("id", &self.id).finish()
    }
}

/// The current sealing key plus older keys that can still open what they sealed.
#[derive(Debug)]
pub struct Keyring {
    current: String,
    keys: BTreeMap<String, SealingKey>,
}

impl Keyring {
    /// Builds a keyring. Key ids must be unique across `current` and `older`.
    ///
    /// # Examples
    ///
    /// ```
    /// use credential_core::seal::{Keyring, SealingKey};
    ///
    /// let old = Keyring::new(SealingKey::generate("k1")?, vec![])?;
    /// let sealed = old.seal(b"secret", b"AK123")?;
    /// assert!(sealed.starts_with("k1$"));
    ///
    /// // Rotation: new current key, old key kept for opening.
    /// let k1 = SealingKey::from_base64("k1", old.key("k1").unwrap().to_base64().expose())?;
    /// let new = Keyring::new(SealingKey::generate("k2")?, vec![k1])?;
    /// assert_eq!(&*new.open(&sealed, b"AK123")?, b"secret");
    /// assert!(new.seal(b"x", b"")?.starts_with("k2$"));
    /// # Ok::<(), credential_core::seal::SealError>(())
    /// ```
    pub fn new(current: SealingKey, older: Vec<SealingKey>) -> Result<Self, SealError> {
        let current_id = current.id.clone();
        let mut keys = BTreeMap::new();
        for key in std::iter::once(current).chain(older) {
            if keys.contains_key(&key.id) {
                return Err(SealError::InvalidKeyId);
            }
            keys.insert(key.id.clone(), key);
        }
        Ok(Self {
            current: current_id,
            keys,
        })
    }

    /// Id of the key that [`Keyring::seal`] uses.
    pub fn current_id(&self) -> &str {
        &self.current
    }

    /// The key with this id, if the keyring holds it.
    pub fn key(&self, id: &str) -> Option<&SealingKey> {
        self.keys.get(id)
    }

    /// Encrypts `plaintext` with the current key and a fresh random 96-bit nonce. `aad` is
    /// authenticated but not stored: pass the same bytes (e.g. the access key id) to
    /// [`Keyring::open`], which binds the ciphertext to its row.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<String, SealError> {
        let key = self
            .keys
            .get(&self.current)
            .ok_or_else(|| SealError::UnknownKeyId(self.current.clone()))?;
        let nonce_bytes: [u8; NONCE_LEN] = random_bytes().map_err(|_| SealError::Random)?;
        let mut in_out = Zeroizing::new(plaintext.to_vec());
        key.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(aad),
                &mut *in_out,
            )
            // ring refuses only inputs beyond GCM's ~64 GiB limit, which no secret reaches.
            .map_err(|_| SealError::Malformed)?;
        let mut buf = Vec::with_capacity(NONCE_LEN + in_out.len());
        buf.extend_from_slice(&nonce_bytes);
        buf.extend_from_slice(&in_out);
        Ok(format!(
            "{}{SEPARATOR}{}",
            key.id,
            URL_SAFE_NO_PAD.encode(&buf)
        ))
    }

    /// Decrypts sealed text with the key named in it. The plaintext is wiped when the
    /// returned buffer is dropped.
    pub fn open(&self, sealed: &str, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let (id, payload) = split_sealed(sealed)?;
        let key = self
            .keys
            .get(id)
            .ok_or_else(|| SealError::UnknownKeyId(id.to_owned()))?;
        let mut data = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(payload)
                .map_err(|_| SealError::Malformed)?,
        );
        if data.len() < NONCE_LEN + TAG_LEN {
            return Err(SealError::Malformed);
        }
        let mut in_out = Zeroizing::new(data.split_off(NONCE_LEN));
        let nonce = Nonce::try_assume_unique_for_key(&data).map_err(|_| SealError::Malformed)?;
        let len = key
            .key
            .open_in_place(nonce, Aad::from(aad), &mut in_out)
            .map_err(|_| SealError::Decrypt)?
            .len();
        in_out.truncate(len);
        Ok(in_out)
    }

    /// Like [`Keyring::open`], for secrets that are UTF-8 text (secret keys).
    pub fn open_string(&self, sealed: &str, aad: &[u8]) -> Result<SecretString, SealError> {
        let mut bytes = self.open(sealed, aad)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| SealError::Malformed)?
            .to_owned();
        bytes.zeroize();
        Ok(SecretString::new(text))
    }

    /// True when `sealed` was made with an older key and should be re-sealed.
    pub fn needs_reseal(&self, sealed: &str) -> bool {
        Self::sealed_key_id(sealed).is_ok_and(|id| id != self.current)
    }

    /// The key id written in front of sealed text, without decrypting anything.
    ///
    /// # Examples
    ///
    /// ```
    /// use credential_core::seal::Keyring;
    ///
    /// assert_eq!(Keyring::sealed_key_id("k1$AAAA").unwrap(), "k1");
    /// assert!(Keyring::sealed_key_id("no separator").is_err());
    /// ```
    pub fn sealed_key_id(sealed: &str) -> Result<&str, SealError> {
        split_sealed(sealed).map(|(id, _)| id)
    }
}

fn split_sealed(sealed: &str) -> Result<(&str, &str), SealError> {
    let (id, payload) = sealed.split_once(SEPARATOR).ok_or(SealError::Malformed)?;
    validate_key_id(id).map_err(|_| SealError::Malformed)?;
    Ok((id, payload))
}

/// Checks a key id: 1 to 32 characters `[A-Za-z0-9_-]`.
pub fn validate_key_id(id: &str) -> Result<(), SealError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_KEY_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(SealError::InvalidKeyId)
    }
}

#[cfg(test)]
mod tests;
