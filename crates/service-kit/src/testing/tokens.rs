//! IAM tokens for the services' tests: [`TestTokens`] holds a fresh signing key and a
//! [`TokenVerifier`] that trusts it and has just heard from iam-svc (nothing revoked), and
//! mints project-scoped tokens as iam-svc would sign them. Tokens are issued at the
//! verifier's clock ([`VerifierOptions::clock`]), so a test that moves a fixed clock
//! moves their lifetime with the app's.
//!
//! A user `alice` gets the id `alice-id`; a project `p1` the name `p1-name`; a role
//! `member` the id `member-role`. Tests compare those derived names in responses.
//!
//! ```ignore
//! let tokens = TestTokens::new("lf-test");
//! let state = AppState { tokens: tokens.verifier(), .. };
//! let alice = tokens.token("domain-1", "alice", "p1", &["member"]);
//! ```

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use credential_core::iam_token::{RoleRef, TokenClaims, TokenScope, TokenSigningKey};

use crate::auth::wire::{RevocationEvent, RevocationKind, DURABLE_EVENT_RELEVANCE};
use crate::auth::{TokenVerifier, VerifierOptions};
use crate::clock::Clock;

/// iam-svc's default token lifetime.
const LIFETIME_HOURS: i64 = 24;

/// A signing key and the verifier that trusts it.
pub struct TestTokens {
    signing: TokenSigningKey,
    verifier: Arc<TokenVerifier>,
}

impl TestTokens {
    /// A fresh key with id `kid`, and a verifier with default options.
    pub fn new(kid: &str) -> TestTokens {
        TestTokens::with_options(kid, VerifierOptions::default())
    }

    /// As [`new`](Self::new), the verifier verifying at `clock` (the one in the app's
    /// state) and the tokens issued at it.
    pub fn on_clock(kid: &str, clock: Clock) -> TestTokens {
        let options = VerifierOptions {
            clock,
            ..VerifierOptions::default()
        };
        TestTokens::with_options(kid, options)
    }

    /// As [`new`](Self::new), the verifier built with `options`; its revocations are
    /// fresh as of its clock's now.
    pub fn with_options(kid: &str, options: VerifierOptions) -> TestTokens {
        let pkcs8 = match TokenSigningKey::generate_pkcs8() {
            Ok(pkcs8) => pkcs8,
            Err(e) => panic!("cannot generate a signing key: {e}"),
        };
        let signing = match TokenSigningKey::from_pkcs8(kid, &pkcs8) {
            Ok(signing) => signing,
            Err(e) => panic!("cannot load the signing key: {e}"),
        };
        let fed_at = options.clock.now();
        TestTokens {
            verifier: verifier_trusting(&signing, options, fed_at),
            signing,
        }
    }

    /// The verifier to put in the app's state.
    pub fn verifier(&self) -> Arc<TokenVerifier> {
        self.verifier.clone()
    }

    /// A token for `user` of `domain`, scoped to `project` (of that domain) with `roles`,
    /// valid for 24 hours (iam-svc's default).
    pub fn token(&self, domain: &str, user: &str, project: &str, roles: &[&str]) -> String {
        let expires_at = self.verifier.clock().now() + Duration::hours(LIFETIME_HOURS);
        self.token_until(domain, user, project, roles, expires_at)
    }

    /// As [`token`](Self::token), expiring at `expires_at`.
    pub fn token_until(
        &self,
        domain: &str,
        user: &str,
        project: &str,
        roles: &[&str],
        expires_at: DateTime<Utc>,
    ) -> String {
        let issued_at = self.verifier.clock().now();
        self.sign(&project_claims(
            domain, user, project, roles, issued_at, expires_at,
        ))
    }

    /// `claims` signed with the trusted key.
    pub fn sign(&self, claims: &TokenClaims) -> String {
        match self.signing.sign(claims) {
            Ok(token) => token,
            Err(e) => panic!("cannot sign test claims: {e}"),
        }
    }
}

/// A verifier that trusts `signing` and has heard from iam-svc at `fed_at`.
pub fn verifier_trusting(
    signing: &TokenSigningKey,
    options: VerifierOptions,
    fed_at: DateTime<Utc>,
) -> Arc<TokenVerifier> {
    let verifier = TokenVerifier::new(options);
    verifier.set_keys(vec![signing.public_key()]);
    verifier.apply_revocations(&[], fed_at);
    Arc::new(verifier)
}

/// What iam-svc's revocation feed delivers when it revokes `subject` (a user, a user's
/// access, a project, a token) of `kind`: the event numbered after the last one the
/// verifier applied, revoked at the verifier's clock and as long-lived as durable events,
/// applied as a pull applies it.
pub fn feed_revocation(verifier: &TokenVerifier, kind: RevocationKind, subject: &str) {
    let now = verifier.clock().now();
    let event = RevocationEvent {
        seq: verifier.last_seq() + 1,
        kind,
        subject: subject.to_string(),
        revoked_at: now,
        relevant_until: now + DURABLE_EVENT_RELEVANCE,
    };
    verifier.apply_revocations(&[event], now);
}

/// The claims of a password token of `user` (id `<user>-id`) in `domain` (named
/// `local`), scoped to `project` (named `<project>-name`) with `roles`.
pub fn project_claims(
    domain: &str,
    user: &str,
    project: &str,
    roles: &[&str],
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> TokenClaims {
    TokenClaims {
        token_id: uuid::Uuid::new_v4().simple().to_string(),
        user_id: format!("{user}-id"),
        user_name: user.to_string(),
        domain_id: domain.into(),
        domain_name: "local".into(),
        scope: TokenScope::Project {
            id: project.into(),
            name: format!("{project}-name"),
            domain_id: domain.into(),
            domain_name: "local".into(),
        },
        roles: roles
            .iter()
            .map(|r| RoleRef {
                id: format!("{r}-role"),
                name: r.to_string(),
            })
            .collect(),
        methods: vec!["password".into()],
        issued_at,
        expires_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_verifies_with_the_claims_asked_for() {
        let tokens = TestTokens::new("kit-test");
        let token = tokens.token("d1", "alice", "p1", &["member"]);
        let claims = tokens.verifier().verify(&token, Utc::now()).unwrap();
        assert_eq!(claims.user_id, "alice-id");
        assert_eq!(claims.domain_id, "d1");
        assert_eq!(claims.roles[0].id, "member-role");
    }

    #[test]
    fn tokens_are_issued_at_the_verifiers_clock() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let tokens = TestTokens::on_clock("kit-test", Clock::fixed(at));
        let token = tokens.token("d1", "alice", "p1", &["member"]);
        let claims = tokens.verifier().verify(&token, at).unwrap();
        assert_eq!(claims.issued_at, at);
        assert_eq!(claims.expires_at, at + Duration::hours(24));
    }

    #[test]
    fn a_fed_revocation_refuses_the_users_tokens() {
        let tokens = TestTokens::new("kit-test");
        let token = tokens.token("d1", "alice", "p1", &["member"]);
        let verifier = tokens.verifier();
        feed_revocation(&verifier, RevocationKind::UserAccess, "alice-id");
        assert_eq!(verifier.last_seq(), 1);
        assert!(verifier.verify(&token, Utc::now()).is_err());
    }
}
