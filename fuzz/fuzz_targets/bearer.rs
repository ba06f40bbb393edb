//! `swr_`/`tcr_` bearer tokens, checked offline as both services check a presented one:
//! no panic; an accepted token has the format's length and alphabet; a generated token
//! passes; and no one-character change of a token that passes passes.
#![no_main]

use credential_core::bearer::{check_bearer, generate_bearer, BASE62_ALPHABET};
use credential_fuzz::mutate_ascii;
use libfuzzer_sys::fuzz_target;

fn check_changes(prefix: &str, token: &str, data: &[u8]) {
    for (i, &b) in data.iter().take(6).enumerate() {
        let with = BASE62_ALPHABET[usize::from(data.get(i + 1).copied().unwrap_or(0)) % 62];
        let at = usize::from(b) + i * 7;
        if let Some(changed) = mutate_ascii(token, at, with) {
            assert!(
                check_bearer(prefix, &changed).is_err(),
                "{changed:?} passes"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for prefix in ["swr_", "tcr_"] {
        if check_bearer(prefix, text).is_ok() {
            assert_eq!(text.len(), prefix.len() + 43 + 6);
            assert!(text.is_ascii());
            check_changes(prefix, text, data);
        }
    }
    let prefix = if data.first().is_some_and(|b| b & 1 == 1) {
        "swr_"
    } else {
        "tcr_"
    };
    let token = match generate_bearer(prefix) {
        Ok(t) => t,
        Err(e) => panic!("no random: {e}"),
    };
    assert_eq!(check_bearer(prefix, token.expose()), Ok(()));
    check_changes(prefix, token.expose(), data);
});
