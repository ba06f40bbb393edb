//! Registry JWTs: the kid against an independent computation, signatures that ring
//! verifies, the exact header and claims JSON, and refusals of bad key material.

use super::*;
use proptest::prelude::*;

/// A P-256 key and self-signed certificate made with `openssl genpkey` / `openssl req -x509`.
const OPENSSL_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgA6iFl23PWJVtsZFr
ib9xCMllDe3yjZGH2PfS+o7/JGGhRANCAAR4CCaQYpxKomUWsJhCho/LMglTz0e8
DFbXORCmaj2fj8kNAmZNSReH3muDzFHe4XD5dDTmdwfX4hrwJ2jTJVoa
-----END PRIVATE KEY-----
";
const OPENSSL_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUTBJykPeb54e9Jnu4SqE/OsGYl1AwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTcmVnaXN0cnktdG9rZW4tdGVzdDAgFw0yNjExMjIwNzA1MzVa
GA8yMTI2MTAyOTA3MDUzNVowHjEcMBoGA1UEAwwTcmVnaXN0cnktdG9rZW4tdGVz
dDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHgIJpBinEqiZRawmEKGj8syCVPP
R7wMVtc5EKZqPZ+PyQ0CZk1JF4fea4PMUd7hcPl0NOZ3B9fiGvAnaNMlWhqjUzBR
MB0GA1UdDgQWBBRHqb54fyoaqrgY3ufVv8e8F18IqTAfBgNVHSMEGDAWgBRHqb54
fyoaqrgY3ufVv8e8F18IqTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIBZy2VLV+Kmozi7kdrA5MLl6scEXR4uxITaTlv90yoB3AiEAzvxGLGGqlSKy
cBF8BIqaLMQ6qCp3cAmvubMlJt5/sLE=
-----END CERTIFICATE-----
";
/// `openssl pkey -pubout -outform DER` of that key.
const OPENSSL_SPKI_HEX: &str = "3059301306072a8648ce3d020106082a8648ce3d0301070342000478082690629c4aa26516b09842868fcb320953cf47bc0c56d73910a66a3d9f8fc90d02664d491787de6b83cc51dee170f97434e67707d7e21af02768d3255a1a";
/// Its libtrust kid, computed with Python's hashlib and base64.b32encode.
const OPENSSL_KID: &str = "BDH2:ORUK:TXP5:FH74:N2YG:TMD7:3ZSP:CTEQ:JWBU:5ORU:AQXE:GAWI";

fn openssl_signer() -> RegistrySigner {
    RegistrySigner::from_pem(OPENSSL_KEY, OPENSSL_CERT).unwrap()
}

fn cert_der() -> Vec<u8> {
    pem_block(OPENSSL_CERT, "CERTIFICATE").unwrap()
}

/// A fresh ring key with a stand-in "certificate": a DER SEQUENCE that holds its SPKI.
fn fresh_signer() -> RegistrySigner {
    let pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8.as_ref(),
        &SystemRandom::new(),
    )
    .unwrap();
    let spki = spki_der(pair.public_key().as_ref());
    let mut cert = vec![0x30, spki.len() as u8];
    cert.extend_from_slice(&spki);
    RegistrySigner::from_pkcs8_der(pkcs8.as_ref(), cert).unwrap()
}

fn claims() -> RegistryClaims {
    RegistryClaims {
        iss: "swr-svc".into(),
        sub: "user-1".into(),
        aud: "swr-registry".into(),
        exp: 1_700_000_300,
        nbf: 1_700_000_000,
        iat: 1_700_000_000,
        jti: "jti-1".into(),
        access: vec![RegistryAccess {
            kind: "repository".into(),
            name: "ns/app".into(),
            actions: vec!["pull".into(), "push".into()],
        }],
    }
}

fn part(token: &str, n: usize) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(token.split('.').nth(n).unwrap())
        .unwrap()
}

#[test]
fn kid_matches_an_independent_computation() {
    let spki = hex::decode(OPENSSL_SPKI_HEX).unwrap();
    assert_eq!(libtrust_kid(&spki), OPENSSL_KID);
    let signer = openssl_signer();
    assert_eq!(signer.kid(), OPENSSL_KID);
    assert_eq!(spki_der(signer.public_key()), spki);
}

#[test]
fn kid_is_twelve_groups_of_four_base32_characters() {
    for kid in [fresh_signer().kid().to_string(), libtrust_kid(b"")] {
        let groups: Vec<&str> = kid.split(':').collect();
        assert_eq!(groups.len(), 12, "{kid}");
        for g in groups {
            assert_eq!(g.len(), 4, "{kid}");
            assert!(
                g.bytes()
                    .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)),
                "{kid}"
            );
        }
    }
}

#[test]
fn a_signed_token_verifies_with_the_public_key() {
    for signer in [openssl_signer(), fresh_signer()] {
        let token = signer.sign(&claims()).unwrap();
        let (header, got) = verify_for_tests(&token, signer.public_key()).unwrap();
        assert_eq!(got, claims());
        assert_eq!(header.kid, signer.kid());
    }
}

#[test]
fn the_signature_is_raw_r_and_s() {
    let token = openssl_signer().sign(&claims()).unwrap();
    assert_eq!(token.split('.').count(), 3);
    assert_eq!(part(&token, 2).len(), 64);
}

#[test]
fn header_has_typ_alg_kid_and_the_certificate() {
    let token = openssl_signer().sign(&claims()).unwrap();
    let header: serde_json::Value = serde_json::from_slice(&part(&token, 0)).unwrap();
    assert_eq!(
        header,
        serde_json::json!({
            "typ": "JWT",
            "alg": "ES256",
            "kid": OPENSSL_KID,
            "x5c": [STANDARD.encode(cert_der())],
        })
    );
    // Standard base64 with padding, as the certificate appears in the PEM.
    let pem_body: String = OPENSSL_CERT
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert_eq!(header["x5c"][0], pem_body.as_str());
}

#[test]
fn claims_json_has_aud_as_a_string_and_access_with_type() {
    let token = openssl_signer().sign(&claims()).unwrap();
    let text = String::from_utf8(part(&token, 1)).unwrap();
    assert_eq!(
        text,
        r#"{"iss":"swr-svc","sub":"user-1","aud":"swr-registry","exp":1700000300,"nbf":1700000000,"iat":1700000000,"jti":"jti-1","access":[{"type":"repository","name":"ns/app","actions":["pull","push"]}]}"#
    );
    let login = RegistryClaims {
        access: vec![],
        ..claims()
    };
    let token = openssl_signer().sign(&login).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&part(&token, 1)).unwrap();
    assert!(v["aud"].is_string());
    assert_eq!(v["access"], serde_json::json!([]));
}

#[test]
fn tampering_and_the_wrong_key_are_refused() {
    let signer = openssl_signer();
    let token = signer.sign(&claims()).unwrap();
    let other = fresh_signer();
    assert_eq!(
        verify_for_tests(&token, other.public_key()),
        Err(RegistryJwtError::BadSignature)
    );
    let forged = RegistryClaims {
        sub: "mallory".into(),
        ..claims()
    };
    let forged_part = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[1] = &forged_part;
    assert_eq!(
        verify_for_tests(&parts.join("."), signer.public_key()),
        Err(RegistryJwtError::BadSignature)
    );
    for bad in ["", "a.b", "a.b.c.d", "a.b.!!!", &format!("{token}.x")] {
        assert!(verify_for_tests(bad, signer.public_key()).is_err(), "{bad}");
    }
}

#[test]
fn a_certificate_for_another_key_is_refused() {
    let pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .unwrap();
    assert_eq!(
        RegistrySigner::from_pkcs8_der(pkcs8.as_ref(), cert_der()).unwrap_err(),
        RegistryJwtError::CertificateMismatch
    );
}

#[test]
fn bad_key_material_is_refused_with_a_clear_error() {
    let sec1 = OPENSSL_KEY.replace("PRIVATE KEY", "EC PRIVATE KEY");
    assert_eq!(
        RegistrySigner::from_pem(&sec1, OPENSSL_CERT).unwrap_err(),
        RegistryJwtError::Pem("PRIVATE KEY")
    );
    let encrypted = OPENSSL_KEY.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY");
    assert!(RegistrySigner::from_pem(&encrypted, OPENSSL_CERT).is_err());
    assert_eq!(
        RegistrySigner::from_pem(OPENSSL_KEY, "").unwrap_err(),
        RegistryJwtError::Pem("CERTIFICATE")
    );
    let unterminated = OPENSSL_CERT.replace("-----END CERTIFICATE-----", "");
    assert!(RegistrySigner::from_pem(OPENSSL_KEY, &unterminated).is_err());
    let broken = OPENSSL_CERT.replace("MIIB", "M!IB");
    assert!(RegistrySigner::from_pem(OPENSSL_KEY, &broken).is_err());
    // A certificate where the key belongs, and an Ed25519 key.
    assert!(RegistrySigner::from_pem(
        &OPENSSL_CERT.replace("CERTIFICATE", "PRIVATE KEY"),
        OPENSSL_CERT
    )
    .is_err());
    let ed = ring::signature::Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    assert_eq!(
        RegistrySigner::from_pkcs8_der(ed.as_ref(), cert_der()).unwrap_err(),
        RegistryJwtError::KeyRejected
    );
}

#[test]
fn pem_with_crlf_text_around_and_a_chain_takes_the_first_certificate() {
    let key = format!("junk before\r\n{}", OPENSSL_KEY.replace('\n', "\r\n"));
    let chain = format!(
        "subject=CN = leaf\n{OPENSSL_CERT}{}",
        OPENSSL_CERT.replace("MIIB", "AAAA")
    );
    let signer = RegistrySigner::from_pem(&key, &chain).unwrap();
    assert_eq!(signer.kid(), OPENSSL_KID);
}

#[test]
fn debug_shows_only_the_kid() {
    let text = format!("{:?}", openssl_signer());
    assert!(text.contains(OPENSSL_KID), "{text}");
    assert!(
        !text.contains("key_pair") && !text.contains("x5c"),
        "{text}"
    );
}

proptest! {
    #[test]
    fn verification_never_panics(token in "[A-Za-z0-9_.-]{0,200}") {
        let signer = openssl_signer();
        prop_assert!(verify_for_tests(&token, signer.public_key()).is_err());
    }

    #[test]
    fn pem_parsing_never_panics(text in "(-----(BEGIN|END) (PRIVATE KEY|CERTIFICATE)-----|[A-Za-z0-9+/=\\n ]{0,40}){0,6}") {
        let _ = RegistrySigner::from_pem(&text, &text);
    }
}
