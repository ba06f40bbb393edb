//! Security tokens of temporary access keys (`X-Security-Token`, `X-TC-Token`), opened as
//! every issuer opens them (`credential_core::security_token`): an optional issuer name,
//! then base64url of sealed JSON, bound to the temporary AK. Properties: no panic; the
//! issuer named in front is read without a key; a sealed token opens to its claims with
//! its AK and with no other; and no one-character change of a token opens.
#![no_main]

use chrono::DateTime;
use credential_core::seal::Keyring;
use credential_core::security_token::{issuer_of, open, seal, Claims, Issuer};
use credential_fuzz::{keyring, mutate_ascii};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn ring() -> &'static Keyring {
    static RING: OnceLock<Keyring> = OnceLock::new();
    RING.get_or_init(keyring)
}

fuzz_target!(|data: &[u8]| {
    // The temporary AK is the first line; the token the rest.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (access, token) = text.split_once('\n').unwrap_or(("AKTEMPFUZZ", text));
    let _ = issuer_of(token);
    let _ = open(ring(), access, token);

    // A body made of the input's fields, sealed and opened again.
    let mut fields = token.split('\u{1f}').map(str::to_string);
    let mut next = || fields.next().unwrap_or_default();
    let issuer = if data.first().is_some_and(|b| b & 1 == 1) {
        Issuer::Iam
    } else {
        Issuer::LakeFormation
    };
    let body = Claims {
        issuer,
        token_id: next(),
        secret: next(),
        user_id: next(),
        user_name: next(),
        domain_id: next(),
        domain_name: next(),
        project_id: next(),
        project_name: next(),
        roles: vec![next()],
        user_names: vec![next()],
        groups: vec![],
        policy: None,
        expires_at: DateTime::from_timestamp(
            i64::from(u32::from_le_bytes([
                data.first().copied().unwrap_or(0),
                data.get(1).copied().unwrap_or(0),
                data.get(2).copied().unwrap_or(0),
                data.get(3).copied().unwrap_or(0),
            ])),
            0,
        )
        .unwrap_or_default(),
    };
    let sealed = match seal(ring(), access, &body) {
        Ok(s) => s,
        Err(e) => panic!("sealing failed: {e}"),
    };
    let sealed = sealed.expose();
    match open(ring(), access, sealed) {
        Ok(opened) => {
            assert_eq!(opened.secret, body.secret);
            assert_eq!(opened.token_id, body.token_id);
            assert_eq!(opened.expires_at, body.expires_at);
            assert_eq!(issuer_of(sealed), Ok(issuer));
        }
        Err(e) => panic!("a sealed token does not open: {e}"),
    }
    assert!(open(ring(), &format!("{access}x"), sealed).is_err());
    for (i, &b) in data.iter().take(4).enumerate() {
        let at = usize::from(b) * 13 + i * 211;
        if let Some(changed) = mutate_ascii(sealed, at, data.get(i + 1).copied().unwrap_or(b'A')) {
            if changed.trim() == sealed {
                // `open` trims the token as a header value is trimmed.
                continue;
            }
            assert!(
                open(ring(), access, &changed).is_err(),
                "a changed security token opens: {changed:?}"
            );
        }
    }
});
