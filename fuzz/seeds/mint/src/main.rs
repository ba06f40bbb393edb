//! Writes the seeds the project's own code mints into `fuzz/corpus/<target>/`: IAM tokens
//! signed with the fixture key, secrets sealed with the fixture keyring, security tokens
//! sealed as each issuer seals them (`credential_core::security_token`), and bearer
//! tokens. Run by `fuzz/seeds/generate.sh`; the fixtures are `fuzz/src/fixtures.rs`, shared by path.

use std::path::{Path, PathBuf};

use chrono::DateTime;
use credential_core::bearer::generate_bearer;
use credential_core::iam_token::{RoleRef, TokenClaims, TokenScope};
use credential_core::seal::{Keyring, SealingKey};
use credential_core::security_token::{seal, Claims, Issuer};

// Shared with the targets, which use more of it than minting does.
#[allow(dead_code)]
#[path = "../../../src/fixtures.rs"]
mod fixtures;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) -> Result<()> {
    let dir = dir.join(target);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), bytes)?;
    Ok(())
}

fn claims(scope: TokenScope, methods: &[&str]) -> TokenClaims {
    TokenClaims {
        token_id: "0b9f7c1e4d2a4c53a1f0e2d3c4b5a697".into(),
        user_id: "7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a".into(),
        user_name: "alice".into(),
        domain_id: "d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5".into(),
        domain_name: "acme".into(),
        scope,
        roles: vec![RoleRef {
            id: "r-admin".into(),
            name: "admin".into(),
        }],
        methods: methods.iter().map(|m| m.to_string()).collect(),
        issued_at: DateTime::from_timestamp(1_799_999_000, 0).unwrap_or_default(),
        expires_at: DateTime::from_timestamp(1_800_086_400, 0).unwrap_or_default(),
    }
}

fn iam_tokens(out: &Path) -> Result<()> {
    let key = fixtures::token_key();
    let scopes = [
        (
            "project",
            TokenScope::Project {
                id: "p-cn-north-4".into(),
                name: "cn-north-4".into(),
                domain_id: "d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5".into(),
                domain_name: "acme".into(),
            },
        ),
        (
            "domain",
            TokenScope::Domain {
                id: "d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5".into(),
                name: "acme".into(),
            },
        ),
        ("unscoped", TokenScope::Unscoped),
    ];
    for (name, scope) in scopes {
        let c = claims(scope, &["password"]);
        write(
            out,
            "iam_token",
            &format!("token-{name}"),
            key.sign(&c)?.as_bytes(),
        )?;
        // The claims alone: the target also signs its input as a token's payload.
        write(
            out,
            "iam_token",
            &format!("claims-{name}"),
            &serde_json::to_vec(&c)?,
        )?;
    }
    Ok(())
}

fn sealed(out: &Path) -> Result<()> {
    let current = fixtures::keyring();
    let older = Keyring::new(SealingKey::new("k1", [0x11; 32])?, vec![])?;
    let sk = "Wv2sH1kX9rT4mQ8pL3nB6cJ0dF5gY7zA1eR2tU3i";
    let ak = "HST3UXAMPLEAK0000001";
    let text = current.seal(sk.as_bytes(), ak.as_bytes())?;
    write(
        out,
        "seal_open",
        "secret-key",
        format!("{ak}\n{text}").as_bytes(),
    )?;
    let text = older.seal(sk.as_bytes(), ak.as_bytes())?;
    write(
        out,
        "seal_open",
        "secret-key-older",
        format!("{ak}\n{text}").as_bytes(),
    )?;
    let text = current.seal(b"", b"")?;
    write(out, "seal_open", "empty", format!("\n{text}").as_bytes())?;
    Ok(())
}

fn security_tokens(out: &Path) -> Result<()> {
    let access = "TMPAK3EXAMPLE0000001";
    for (issuer, name) in [
        (Issuer::LakeFormation, "lakeformation"),
        (Issuer::Iam, "iam"),
    ] {
        security_token(out, access, issuer, name)?;
    }
    // The fields the target seals itself, separated by U+001F.
    let fields = [
        "t1",
        "S3CRET",
        "u",
        "alice",
        "d",
        "acme",
        "p",
        "cn-north-4",
        "member",
        "alice",
    ];
    write(
        out,
        "security_token",
        "fields",
        format!("{access}\n{}", fields.join("\u{1f}")).as_bytes(),
    )?;
    Ok(())
}

/// A token of `issuer` as it issues them, for `access`.
fn security_token(out: &Path, access: &str, issuer: Issuer, name: &str) -> Result<()> {
    let body = Claims {
        issuer,
        token_id: "5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f".into(),
        secret: "tK8mN2pQ4rS6tU8vW0xY2zA4bC6dE8fG0hI2jK4l".into(),
        user_id: "7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a".into(),
        user_name: "alice".into(),
        domain_id: "d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5".into(),
        domain_name: "acme".into(),
        project_id: "p-cn-north-4".into(),
        project_name: "cn-north-4".into(),
        roles: vec!["member".into()],
        user_names: vec!["alice".into()],
        groups: vec![],
        policy: None,
        expires_at: DateTime::from_timestamp(1_800_003_600, 0).unwrap_or_default(),
    };
    let token = seal(&fixtures::keyring(), access, &body).map_err(|e| e.to_string())?;
    write(
        out,
        "security_token",
        name,
        format!("{access}\n{}", token.expose()).as_bytes(),
    )
}

/// Session policies as iam-svc's `securitytokens` takes them: allowed, denied, wildcards,
/// and the parts it refuses.
fn session_policies(out: &Path) -> Result<()> {
    let seeds = [
        (
            "allow-deny",
            r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["swr:*:*"]},{"Effect":"Deny","Action":["swr:instance:createLTCredential"]}]}"#,
        ),
        (
            "every-service",
            r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["iam:projects:*","tcr:Describe*","lakeformation:instance:list","*"],"Resource":["*"]}]}"#,
        ),
        (
            "condition",
            r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["swr:*:*"],"Condition":{"StringEquals":{"g:UserName":["a"]}}}]}"#,
        ),
        (
            "unknown-action",
            r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["swr:instance:lsit"]}]}"#,
        ),
    ];
    for (name, text) in seeds {
        write(out, "session_policy", name, text.as_bytes())?;
    }
    Ok(())
}

fn bearers(out: &Path) -> Result<()> {
    for prefix in ["swr_", "tcr_"] {
        let token = generate_bearer(prefix)?;
        write(
            out,
            "bearer",
            prefix.trim_end_matches('_'),
            token.expose().as_bytes(),
        )?;
    }
    Ok(())
}

fn main() -> Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: mint-seeds <corpus dir>")?;
    iam_tokens(&out)?;
    sealed(&out)?;
    security_tokens(&out)?;
    session_policies(&out)?;
    bearers(&out)?;
    Ok(())
}
