//! IAM `X-Auth-Token`s, as any client may present them, verified the way every service
//! verifies them (`verify_token_with` over the published keys).
//!
//! The input is used twice: as token text, verified as is (seeds minted with the fixture
//! key reach the claims); and as a claims payload, signed with the fixture key, so the
//! claims parser sees arbitrary signed JSON. Properties: no panic; accepted claims sign
//! and verify back to the same claims; and no one-character change of a token that
//! verifies is accepted.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use credential_core::iam_token::{token_kid, verify_token_with, TokenClaims, VerifyingKey};
use credential_fuzz::{mutate_ascii, token_key, token_key_der, TOKEN_KID};
use libfuzzer_sys::fuzz_target;
use ring::signature::Ed25519KeyPair;
use std::sync::OnceLock;

struct Fixture {
    keys: Vec<VerifyingKey>,
    pair: Ed25519KeyPair,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let pair = match Ed25519KeyPair::from_pkcs8_maybe_unchecked(&token_key_der()) {
            Ok(pair) => pair,
            Err(e) => panic!("fixture key: {e}"),
        };
        Fixture {
            keys: vec![
                VerifyingKey {
                    kid: "other".into(),
                    public_key: URL_SAFE_NO_PAD.encode([7u8; 32]),
                },
                token_key().public_key(),
            ],
            pair,
        }
    })
}

/// A fixed "now" inside the seeds' validity, so they reach every check.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}

/// A verified token: its claims re-sign to a token with the same claims, and no
/// one-character change of it verifies.
fn check_accepted(token: &str, claims: &TokenClaims, data: &[u8]) {
    let key = token_key();
    let resigned = match key.sign(claims) {
        Ok(t) => t,
        Err(e) => panic!("accepted claims do not sign again: {e}"),
    };
    assert_eq!(
        verify_token_with(&resigned, &fixture().keys, now()).as_ref(),
        Ok(claims)
    );
    for (i, &b) in data.iter().take(8).enumerate() {
        let at = usize::from(b) * 31 + i * 977;
        if let Some(changed) = mutate_ascii(token, at, data.get(i + 1).copied().unwrap_or(b'A')) {
            assert!(
                verify_token_with(&changed, &fixture().keys, now()).is_err(),
                "a changed token verifies: {changed:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = token_kid(text);
        if let Ok(claims) = verify_token_with(text, &fx.keys, now()) {
            check_accepted(text, &claims, data);
        }
    }
    // The input as the claims of a token the fixture key signed.
    let mut token = format!("v1.{}.{}", TOKEN_KID, URL_SAFE_NO_PAD.encode(data));
    let sig = fx.pair.sign(token.as_bytes());
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(sig.as_ref()));
    if let Ok(claims) = verify_token_with(&token, &fx.keys, now()) {
        check_accepted(&token, &claims, data);
    }
});
