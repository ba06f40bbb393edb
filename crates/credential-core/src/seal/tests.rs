//! Sealing round trips, tampering, rotation and parser robustness.

use super::*;
use proptest::prelude::*;

fn ring(id: &str) -> Keyring {
    Keyring::new(SealingKey::generate(id).unwrap(), vec![]).unwrap()
}

#[test]
fn round_trip() {
    let k = ring("k1");
    let sealed = k.seal(b"hello", b"AK1").unwrap();
    assert!(sealed.starts_with("k1$"));
    assert_eq!(k.open(&sealed, b"AK1").unwrap().as_slice(), b"hello");
    assert_eq!(k.open_string(&sealed, b"AK1").unwrap().expose(), "hello");
    let empty = k.seal(b"", b"").unwrap();
    assert_eq!(k.open(&empty, b"").unwrap().as_slice(), b"");
    assert_ne!(
        k.seal(b"hello", b"AK1").unwrap(),
        sealed,
        "nonce must be fresh"
    );
}

#[test]
fn wrong_aad_fails() {
    let k = ring("k1");
    let sealed = k.seal(b"hello", b"AK1").unwrap();
    assert_eq!(k.open(&sealed, b"AK2"), Err(SealError::Decrypt));
}

#[test]
fn tamper_fails() {
    let k = ring("k1");
    let sealed = k.seal(b"hello world", b"").unwrap();
    let (id, payload) = sealed.split_once('$').unwrap();
    let mut raw = URL_SAFE_NO_PAD.decode(payload).unwrap();
    for i in 0..raw.len() {
        raw[i] ^= 1;
        let t = format!("{id}${}", URL_SAFE_NO_PAD.encode(&raw));
        assert_eq!(k.open(&t, b""), Err(SealError::Decrypt), "byte {i}");
        raw[i] ^= 1;
    }
    let short = format!("{id}${}", URL_SAFE_NO_PAD.encode(&raw[..27]));
    assert_eq!(k.open(&short, b""), Err(SealError::Malformed));
    assert_eq!(k.open("k1$!!!", b""), Err(SealError::Malformed));
}

#[test]
fn rotation() {
    let old = ring("old");
    let sealed = old.seal(b"sk", b"ak").unwrap();
    let old_key =
        SealingKey::from_base64("old", old.key("old").unwrap().to_base64().expose()).unwrap();
    let new = Keyring::new(SealingKey::generate("new").unwrap(), vec![old_key]).unwrap();
    assert_eq!(new.current_id(), "new");
    assert!(new.needs_reseal(&sealed));
    assert_eq!(new.open(&sealed, b"ak").unwrap().as_slice(), b"sk");
    let resealed = new.seal(b"sk", b"ak").unwrap();
    assert!(!new.needs_reseal(&resealed));
    assert_eq!(
        old.open(&resealed, b"ak"),
        Err(SealError::UnknownKeyId("new".into()))
    );
}

#[test]
fn same_id_different_key_fails_to_decrypt() {
    let a = ring("k");
    let b = ring("k");
    let sealed = a.seal(b"x", b"").unwrap();
    assert_eq!(b.open(&sealed, b""), Err(SealError::Decrypt));
}

#[test]
fn key_validation() {
    assert_eq!(
        SealingKey::new("", [0; 32]).unwrap_err(),
        SealError::InvalidKeyId
    );
    assert_eq!(
        SealingKey::new("a$b", [0; 32]).unwrap_err(),
        SealError::InvalidKeyId
    );
    assert_eq!(
        SealingKey::new("x".repeat(33), [0; 32]).unwrap_err(),
        SealError::InvalidKeyId
    );
    assert!(SealingKey::new("x".repeat(32), [0; 32]).is_ok());
    assert_eq!(
        SealingKey::from_base64("k", "AAAA").unwrap_err(),
        SealError::InvalidKey
    );
    assert_eq!(
        SealingKey::from_base64("k", "not base64!").unwrap_err(),
        SealError::InvalidKey
    );
    let k = SealingKey::new("k", [9; 32]).unwrap();
    let b64 = format!("{}\n", k.to_base64().expose());
    assert_eq!(
        SealingKey::from_base64("k", &b64)
            .unwrap()
            .to_base64()
            .expose(),
        k.to_base64().expose()
    );
    let dup = Keyring::new(
        SealingKey::new("k", [1; 32]).unwrap(),
        vec![SealingKey::new("k", [2; 32]).unwrap()],
    );
    assert_eq!(dup.unwrap_err(), SealError::InvalidKeyId);
    assert!(!format!("{k:?}").contains('9'));
}

proptest! {
    #[test]
    fn round_trips_any_input(pt in proptest::collection::vec(any::<u8>(), 0..200), aad in proptest::collection::vec(any::<u8>(), 0..40)) {
        let k = Keyring::new(SealingKey::new("p", [3; 32]).unwrap(), vec![]).unwrap();
        let sealed = k.seal(&pt, &aad).unwrap();
        let opened = k.open(&sealed, &aad).unwrap();
        prop_assert_eq!(opened.as_slice(), pt.as_slice());
    }

    #[test]
    fn arbitrary_sealed_text_never_panics(s in ".{0,120}") {
        let k = Keyring::new(SealingKey::new("p", [3; 32]).unwrap(), vec![]).unwrap();
        let _ = k.open(&s, b"");
        let _ = Keyring::sealed_key_id(&s);
        let _ = k.open(&format!("p${s}"), b"");
    }
}
