//! IAM token round trips, tampering, expiry and parser robustness.

use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

fn key(kid: &str) -> TokenSigningKey {
    TokenSigningKey::from_pkcs8(kid, &TokenSigningKey::generate_pkcs8().unwrap()).unwrap()
}

fn claims() -> TokenClaims {
    TokenClaims {
        token_id: "tok-1".into(),
        user_id: "u1".into(),
        user_name: "alice".into(),
        domain_id: "d1".into(),
        domain_name: "acme".into(),
        scope: TokenScope::Project {
            id: "p1".into(),
            name: "cn-north-4".into(),
            domain_id: "d1".into(),
            domain_name: "acme".into(),
        },
        roles: vec![RoleRef {
            id: "r1".into(),
            name: "admin".into(),
        }],
        methods: vec!["password".into()],
        issued_at: t0(),
        expires_at: t0() + Duration::hours(24),
    }
}

#[test]
fn round_trip() {
    let k = key("k1");
    let token = k.sign(&claims()).unwrap();
    assert_eq!(token.split('.').count(), 4);
    assert_eq!(token_kid(&token).unwrap(), "k1");
    assert_eq!(
        verify_token(&token, &k.public_key(), t0()).unwrap(),
        claims()
    );
    for scope in [
        TokenScope::Unscoped,
        TokenScope::Domain {
            id: "d".into(),
            name: "n".into(),
        },
    ] {
        let c = TokenClaims { scope, ..claims() };
        assert_eq!(
            verify_token(&k.sign(&c).unwrap(), &k.public_key(), t0()).unwrap(),
            c
        );
    }
    assert_eq!(format!("{k:?}"), r#"TokenSigningKey { kid: "k1" }"#);
}

#[test]
fn scope_json_shape() {
    let json = serde_json::to_value(TokenScope::Domain {
        id: "d".into(),
        name: "n".into(),
    })
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "domain", "id": "d", "name": "n"})
    );
    assert_eq!(
        serde_json::to_value(TokenScope::Unscoped).unwrap(),
        serde_json::json!({"kind": "unscoped"})
    );
}

#[test]
fn tampering_fails() {
    let k = key("k1");
    let pk = k.public_key();
    let token = k.sign(&claims()).unwrap();
    let parts: Vec<&str> = token.split('.').collect();

    let mut evil = claims();
    evil.user_id = "root".into();
    let evil_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&evil).unwrap());
    let swapped = format!("v1.k1.{evil_payload}.{}", parts[3]);
    assert_eq!(
        verify_token(&swapped, &pk, t0()),
        Err(TokenError::BadSignature)
    );

    let mut sig = URL_SAFE_NO_PAD.decode(parts[3]).unwrap();
    sig[0] ^= 1;
    let bad_sig = format!("v1.k1.{}.{}", parts[2], URL_SAFE_NO_PAD.encode(&sig));
    assert_eq!(
        verify_token(&bad_sig, &pk, t0()),
        Err(TokenError::BadSignature)
    );

    let other_kid = format!("v1.k2.{}.{}", parts[2], parts[3]);
    assert_eq!(
        verify_token(&other_kid, &pk, t0()),
        Err(TokenError::UnknownKey("k2".into()))
    );
    // Relabelling the key id in the verifying key does not help: kid is inside the signed text.
    let relabelled = VerifyingKey {
        kid: "k2".into(),
        ..pk.clone()
    };
    assert_eq!(
        verify_token(&other_kid, &relabelled, t0()),
        Err(TokenError::BadSignature)
    );

    let wrong_key = key("k1").public_key();
    assert_eq!(
        verify_token(&token, &wrong_key, t0()),
        Err(TokenError::BadSignature)
    );

    assert_eq!(
        verify_token(&format!("v2{}", &token[2..]), &pk, t0()),
        Err(TokenError::Malformed)
    );
    assert_eq!(
        verify_token(&format!("{token}."), &pk, t0()),
        Err(TokenError::Malformed)
    );
    assert!(verify_token(&format!("{token}A"), &pk, t0()).is_err());
}

#[test]
fn time_rules() {
    let k = key("k1");
    let pk = k.public_key();
    let token = k.sign(&claims()).unwrap();
    let exp = claims().expires_at;
    assert!(verify_token(&token, &pk, exp - Duration::seconds(1)).is_ok());
    assert_eq!(verify_token(&token, &pk, exp), Err(TokenError::Expired));
    assert!(verify_token(&token, &pk, t0() - Duration::minutes(5)).is_ok());
    assert_eq!(
        verify_token(
            &token,
            &pk,
            t0() - Duration::minutes(5) - Duration::seconds(1)
        ),
        Err(TokenError::NotYetValid)
    );
}

#[test]
fn rotation_picks_key_by_kid() {
    let (k1, k2) = (key("k1"), key("k2"));
    let keys = [k1.public_key(), k2.public_key()];
    let t1 = k1.sign(&claims()).unwrap();
    let t2 = k2.sign(&claims()).unwrap();
    assert!(verify_token_with(&t1, &keys, t0()).is_ok());
    assert!(verify_token_with(&t2, &keys, t0()).is_ok());
    assert_eq!(
        verify_token_with(&t2, &keys[..1], t0()),
        Err(TokenError::UnknownKey("k2".into()))
    );
}

#[test]
fn key_loading() {
    assert_eq!(
        TokenSigningKey::from_pkcs8("k1", b"garbage").unwrap_err(),
        TokenError::KeyRejected
    );
    let pkcs8 = TokenSigningKey::generate_pkcs8().unwrap();
    assert_eq!(
        TokenSigningKey::from_pkcs8("a.b", &pkcs8).unwrap_err(),
        TokenError::KeyRejected
    );
    assert_eq!(
        TokenSigningKey::from_pkcs8("", &pkcs8).unwrap_err(),
        TokenError::KeyRejected
    );
    let a = TokenSigningKey::from_pkcs8("k", &pkcs8).unwrap();
    let b = TokenSigningKey::from_pkcs8("k", &pkcs8).unwrap();
    assert_eq!(a.public_key(), b.public_key());
    let token = a.sign(&claims()).unwrap();
    let bad_pk = VerifyingKey {
        kid: "k".into(),
        public_key: "short".into(),
    };
    assert_eq!(
        verify_token(&token, &bad_pk, t0()),
        Err(TokenError::KeyRejected)
    );
}

proptest! {
    #[test]
    fn arbitrary_tokens_never_panic(s in ".{0,300}") {
        let k = VerifyingKey { kid: "k1".into(), public_key: URL_SAFE_NO_PAD.encode([7u8; 32]) };
        let _ = token_kid(&s);
        prop_assert!(verify_token(&s, &k, t0()).is_err());
        let prefixed = format!("v1.k1.{s}");
        prop_assert!(verify_token(&prefixed, &k, t0()).is_err());
    }

    #[test]
    fn any_single_byte_change_is_rejected(pos in any::<prop::sample::Index>(), c in "[A-Za-z0-9_.-]") {
        let k = key("k1");
        let token = k.sign(&claims()).unwrap();
        let i = pos.index(token.len());
        prop_assume!(&token[i..=i] != c.as_str());
        let changed = format!("{}{c}{}", &token[..i], &token[i + 1..]);
        prop_assert!(verify_token(&changed, &k.public_key(), t0()).is_err());
    }
}
