//! Fixed keys, so a committed seed signed or sealed with them still verifies or opens on
//! every run. Fixtures for fuzzing only, published here on purpose: no deployment holds
//! them. Shared with the seed minter (`fuzz/seeds/mint`), which includes this file.

use credential_core::iam_token::TokenSigningKey;
use credential_core::seal::{Keyring, SealingKey};

/// The Ed25519 key the `iam_token` target signs with (PKCS#8 v1, hex, from a fixed seed).
pub const TOKEN_KEY_PKCS8_HEX: &str = include_str!("token_key.pkcs8.hex");
/// The key id of [`TOKEN_KEY_PKCS8_HEX`].
pub const TOKEN_KID: &str = "fuzz-1";

/// The DER bytes of [`TOKEN_KEY_PKCS8_HEX`].
pub fn token_key_der() -> Vec<u8> {
    hex_decode(TOKEN_KEY_PKCS8_HEX.trim())
}

/// The signing key of [`TOKEN_KEY_PKCS8_HEX`].
pub fn token_key() -> TokenSigningKey {
    match TokenSigningKey::from_pkcs8(TOKEN_KID, &token_key_der()) {
        Ok(key) => key,
        Err(e) => panic!("the committed fuzz token key is unusable: {e}"),
    }
}

/// A keyring with a current key `k2` and an older key `k1`, both fixed bytes, so sealed
/// seeds open on every run.
pub fn keyring() -> Keyring {
    let key = |id: &str, byte: u8| match SealingKey::new(id, [byte; 32]) {
        Ok(key) => key,
        Err(e) => panic!("fixed sealing key {id}: {e}"),
    };
    match Keyring::new(key("k2", 0x22), vec![key("k1", 0x11)]) {
        Ok(ring) => ring,
        Err(e) => panic!("fixed keyring: {e}"),
    }
}

/// The secret key the request targets sign with.
pub const SECRET_KEY: &[u8] = b"fuzz-secret-key-0000000000000000000000000";

fn hex_decode(hex: &str) -> Vec<u8> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("not hex: {c}"),
    };
    hex.as_bytes()
        .chunks_exact(2)
        .map(|p| digit(p[0]) << 4 | digit(p[1]))
        .collect()
}
