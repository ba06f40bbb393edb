//! Sealed secrets (`<kid>$<base64url(nonce || ciphertext || tag)>`), opened with the
//! keyring as the services open stored secrets: no panic; what is sealed opens to the same
//! bytes with the same associated data and with no other; and no one-character change of
//! sealed text opens.
#![no_main]

use credential_core::seal::Keyring;
use credential_fuzz::{keyring, mutate_ascii};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn ring() -> &'static Keyring {
    static RING: OnceLock<Keyring> = OnceLock::new();
    RING.get_or_init(keyring)
}

fuzz_target!(|data: &[u8]| {
    // The associated data is the first line (an access key id, as the services bind it).
    let (aad, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b"AKFUZZ"[..], data),
    };
    if let Ok(sealed) = std::str::from_utf8(rest) {
        let _ = Keyring::sealed_key_id(sealed);
        let _ = ring().needs_reseal(sealed);
        let _ = ring().open_string(sealed, aad);
    }

    let sealed = match ring().seal(rest, aad) {
        Ok(s) => s,
        Err(e) => panic!("sealing failed: {e}"),
    };
    match ring().open(&sealed, aad) {
        Ok(opened) => assert_eq!(opened.as_slice(), rest),
        Err(e) => panic!("sealed text does not open: {e}"),
    }
    assert!(ring().open(&sealed, &[aad, b"x"].concat()).is_err());
    for (i, &b) in data.iter().take(4).enumerate() {
        let at = usize::from(b) * 17 + i * 131;
        if let Some(changed) = mutate_ascii(&sealed, at, data.get(i + 1).copied().unwrap_or(b'A')) {
            assert!(
                ring().open(&changed, aad).is_err(),
                "changed sealed text opens: {changed:?}"
            );
        }
    }
});
