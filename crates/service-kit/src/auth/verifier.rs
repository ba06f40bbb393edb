//! Offline verification of IAM tokens with a cache and the revocations seen so far.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use credential_core::digest::sha256;
use credential_core::iam_token::{self, TokenClaims, TokenError, TokenScope, VerifyingKey};

use super::wire::{RevocationEvent, RevocationKind};
use super::{AuthError, Principal};
use crate::clock::Clock;

/// Tuning for a verifier.
#[derive(Clone, Debug)]
pub struct VerifierOptions {
    /// Most verified tokens kept; a repeated token then costs a hash lookup.
    pub cache_capacity: usize,
    /// Refuse every token when revocations have not been refreshed for this long: a
    /// revoked token must not live on because the feed went quiet.
    pub max_feed_staleness: Duration,
    /// The time requests are verified at: the service's own clock, so a test that moves
    /// it moves token expiry and feed freshness with it.
    pub clock: Clock,
}

impl Default for VerifierOptions {
    fn default() -> Self {
        VerifierOptions {
            cache_capacity: 100_000,
            max_feed_staleness: Duration::from_secs(60),
            clock: Clock::system(),
        }
    }
}

/// Credentials issued at or before `.0` are dead; the entry may go after `.1`.
type Cutoff = (DateTime<Utc>, DateTime<Utc>);

/// Raise a cutoff: events arrive in any order and twice, and only the latest counts.
fn raise(map: &mut HashMap<String, Cutoff>, e: &RevocationEvent) {
    let entry = map
        .entry(e.subject.clone())
        .or_insert((e.revoked_at, e.relevant_until));
    entry.0 = entry.0.max(e.revoked_at);
    entry.1 = entry.1.max(e.relevant_until);
}

/// Whether `map` holds a cutoff for `subject` at or after `issued_at`.
fn cut(map: &HashMap<String, Cutoff>, subject: &str, issued_at: DateTime<Utc>) -> bool {
    map.get(subject)
        .is_some_and(|(cutoff, _)| issued_at <= *cutoff)
}

/// The key id that verified a token, and what it said.
type CachedToken = (String, Arc<TokenClaims>);

#[derive(Default)]
struct Revocations {
    /// Token id -> when the entry may be forgotten.
    tokens: HashMap<String, DateTime<Utc>>,
    /// User id -> (tokens and temporary keys issued at or before this instant are dead,
    /// forget after).
    users: HashMap<String, Cutoff>,
    /// Project id -> (credentials scoped to it and issued at or before this are dead,
    /// forget after).
    projects: HashMap<String, Cutoff>,
    last_seq: i64,
    synced_at: Option<DateTime<Utc>>,
}

/// Verifies IAM tokens. Share one per process (`web::Data<TokenVerifier>`).
pub struct TokenVerifier {
    options: VerifierOptions,
    keys: RwLock<HashMap<String, VerifyingKey>>,
    /// Token digest -> (signing key id, claims); entries go when their key is withdrawn.
    cache: RwLock<HashMap<[u8; 32], CachedToken>>,
    revocations: RwLock<Revocations>,
    wants_keys: std::sync::atomic::AtomicBool,
}

impl TokenVerifier {
    /// An empty verifier: it refuses everything until keys and revocations arrive.
    pub fn new(options: VerifierOptions) -> Self {
        TokenVerifier {
            options,
            keys: RwLock::default(),
            cache: RwLock::default(),
            revocations: RwLock::default(),
            wants_keys: Default::default(),
        }
    }

    /// Replace the verifying keys (all keys IAM still accepts, for rotation).
    pub fn set_keys(&self, keys: Vec<VerifyingKey>) {
        let map: HashMap<String, VerifyingKey> =
            keys.into_iter().map(|k| (k.kid.clone(), k)).collect();
        // A withdrawn key must stop vouching for tokens it verified earlier.
        if let Ok(mut cache) = self.cache.write() {
            cache.retain(|_, (kid, _)| map.contains_key(kid));
        }
        if let Ok(mut guard) = self.keys.write() {
            *guard = map;
        }
        self.wants_keys
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }

    /// The clock requests are verified against ([`VerifierOptions::clock`]).
    pub fn clock(&self) -> &Clock {
        &self.options.clock
    }

    /// True once a token arrived signed by a key we do not know yet.
    pub fn wants_key_refresh(&self) -> bool {
        self.wants_keys.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The last revocation sequence number applied.
    pub fn last_seq(&self) -> i64 {
        self.revocations.read().map(|r| r.last_seq).unwrap_or(0)
    }

    /// Apply events (any order, duplicates harmless) and mark the feed fresh at `now`.
    pub fn apply_revocations(&self, events: &[RevocationEvent], now: DateTime<Utc>) {
        let Ok(mut rev) = self.revocations.write() else {
            return;
        };
        for e in events {
            match e.kind {
                RevocationKind::Token => {
                    rev.tokens.insert(e.subject.clone(), e.relevant_until);
                }
                RevocationKind::User | RevocationKind::UserAccess => raise(&mut rev.users, e),
                RevocationKind::Project => raise(&mut rev.projects, e),
                // Tokens and temporary keys are a user's: the domain's users each have
                // their own `UserAccess` event.
                RevocationKind::Domain => {}
            }
            rev.last_seq = rev.last_seq.max(e.seq);
        }
        rev.tokens.retain(|_, until| *until > now);
        rev.users.retain(|_, (_, until)| *until > now);
        rev.projects.retain(|_, (_, until)| *until > now);
        rev.synced_at = Some(now);
    }

    /// Verify `token` at `now`: format, key, signature (skipped when cached), expiry,
    /// revocation and feed freshness.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Arc<TokenClaims>, AuthError> {
        let digest = sha256(token.as_bytes());
        let cached = self
            .cache
            .read()
            .ok()
            .and_then(|c| c.get(&digest).map(|(_, claims)| claims.clone()));
        let claims = match cached {
            Some(claims) => claims,
            None => {
                let (kid, claims) = self.verify_signature(token, now)?;
                let claims = Arc::new(claims);
                self.remember(digest, kid, claims.clone(), now);
                claims
            }
        };
        if credential_core::expiry::is_expired(claims.expires_at, now) {
            return Err(AuthError::Expired);
        }
        self.check_revocation(&claims, now)?;
        Ok(claims)
    }

    fn verify_signature(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, TokenClaims), AuthError> {
        let kid = iam_token::token_kid(token).map_err(|_| AuthError::Malformed)?;
        let (key, none_yet) = match self.keys.read() {
            Ok(keys) => (keys.get(kid).cloned(), keys.is_empty()),
            Err(_) => (None, true),
        };
        let Some(key) = key else {
            self.wants_keys
                .store(true, std::sync::atomic::Ordering::Relaxed);
            // Before the first fetch of iam-svc's keys no token can be judged: that is an
            // outage of ours (503), not a bad token of the caller's (401).
            return Err(if none_yet {
                AuthError::FeedStale
            } else {
                AuthError::UnknownKey
            });
        };
        let claims = iam_token::verify_token(token, &key, now).map_err(|e| match e {
            TokenError::Expired => AuthError::Expired,
            TokenError::NotYetValid => AuthError::NotYetValid,
            TokenError::UnknownKey(_) => AuthError::UnknownKey,
            TokenError::BadSignature => AuthError::BadSignature,
            _ => AuthError::Malformed,
        })?;
        Ok((key.kid, claims))
    }

    fn remember(
        &self,
        digest: [u8; 32],
        kid: String,
        claims: Arc<TokenClaims>,
        now: DateTime<Utc>,
    ) {
        let Ok(mut cache) = self.cache.write() else {
            return;
        };
        if cache.len() >= self.options.cache_capacity {
            cache.retain(|_, (_, c)| c.expires_at > now);
            if cache.len() >= self.options.cache_capacity {
                cache.clear();
            }
        }
        cache.insert(digest, (kid, claims));
    }

    fn check_revocation(&self, claims: &TokenClaims, now: DateTime<Utc>) -> Result<(), AuthError> {
        let project = match &claims.scope {
            TokenScope::Project { id, .. } => Some(id.as_str()),
            _ => None,
        };
        self.check_issued(
            Some(&claims.token_id),
            &claims.user_id,
            project,
            claims.issued_at,
            now,
        )
    }

    /// Check a caller who signed with a temporary key against the revocations seen: the
    /// issuer checked the key itself, but a user or project that is gone, or a user who
    /// lost a role since the key was issued, must stop it here within one feed poll.
    /// Callers that are not temporary pass untouched (their issuer checks them live).
    pub fn check_temporary(&self, p: &Principal, now: DateTime<Utc>) -> Result<(), AuthError> {
        let Some(key) = &p.temporary else {
            return Ok(());
        };
        self.check_issued(None, &p.user_id, p.project_id(), key.issued_at, now)
    }

    fn check_issued(
        &self,
        token_id: Option<&str>,
        user_id: &str,
        project_id: Option<&str>,
        issued_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), AuthError> {
        let rev = self.revocations.read().map_err(|_| AuthError::FeedStale)?;
        let fresh = rev.synced_at.is_some_and(|at| {
            now.signed_duration_since(at).to_std().unwrap_or_default()
                <= self.options.max_feed_staleness
        });
        if !fresh {
            return Err(AuthError::FeedStale);
        }
        if token_id.is_some_and(|id| rev.tokens.contains_key(id))
            || cut(&rev.users, user_id, issued_at)
            || project_id.is_some_and(|id| cut(&rev.projects, id, issued_at))
        {
            return Err(AuthError::Revoked);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration as Span;
    use credential_core::iam_token::TokenSigningKey;

    use super::*;

    fn key() -> TokenSigningKey {
        TokenSigningKey::from_pkcs8("k1", &TokenSigningKey::generate_pkcs8().unwrap()).unwrap()
    }

    fn claims(id: &str, issued_at: DateTime<Utc>, ttl: Span) -> TokenClaims {
        TokenClaims {
            token_id: id.into(),
            user_id: "u1".into(),
            user_name: "alice".into(),
            domain_id: "d1".into(),
            domain_name: "acme".into(),
            scope: TokenScope::Unscoped,
            roles: vec![],
            methods: vec!["password".into()],
            issued_at,
            expires_at: issued_at + ttl,
        }
    }

    fn verifier(capacity: usize, key: &TokenSigningKey, now: DateTime<Utc>) -> TokenVerifier {
        let v = TokenVerifier::new(VerifierOptions {
            cache_capacity: capacity,
            ..VerifierOptions::default()
        });
        v.set_keys(vec![key.public_key()]);
        v.apply_revocations(&[], now);
        v
    }

    fn event(
        seq: i64,
        kind: RevocationKind,
        subject: &str,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> RevocationEvent {
        RevocationEvent {
            seq,
            kind,
            subject: subject.into(),
            revoked_at: at,
            relevant_until: until,
        }
    }

    #[test]
    fn revocations_are_forgotten_once_no_token_can_be_hit() {
        let k = key();
        let now = Utc::now();
        let v = verifier(10, &k, now);
        let until = now + Span::minutes(5);
        v.apply_revocations(
            &[
                event(1, RevocationKind::Token, "t1", now, until),
                event(2, RevocationKind::User, "u1", now, until),
            ],
            now,
        );
        {
            let rev = v.revocations.read().unwrap();
            assert_eq!((rev.tokens.len(), rev.users.len(), rev.last_seq), (1, 1, 2));
        }
        v.apply_revocations(&[], until);
        let rev = v.revocations.read().unwrap();
        assert_eq!((rev.tokens.len(), rev.users.len()), (0, 0));
        assert_eq!(
            rev.last_seq, 2,
            "forgetting events never rewinds the feed position"
        );
    }

    #[test]
    fn a_user_cutoff_and_its_relevance_only_grow() {
        let k = key();
        let now = Utc::now();
        let v = verifier(10, &k, now);
        let late = event(5, RevocationKind::User, "u1", now, now + Span::hours(2));
        let early = event(
            4,
            RevocationKind::User,
            "u1",
            now - Span::hours(1),
            now + Span::hours(1),
        );
        v.apply_revocations(&[late, early], now);
        let rev = v.revocations.read().unwrap();
        assert_eq!(rev.users.get("u1"), Some(&(now, now + Span::hours(2))));
    }

    #[test]
    fn before_the_first_key_fetch_a_token_is_an_outage_not_a_refusal() {
        let k = key();
        let now = Utc::now();
        let v = TokenVerifier::new(VerifierOptions::default());
        v.apply_revocations(&[], now);
        let token = k.sign(&claims("t1", now, Span::hours(1))).unwrap();
        assert_eq!(v.verify(&token, now).map(|_| ()), Err(AuthError::FeedStale));
        let other =
            TokenSigningKey::from_pkcs8("k2", &TokenSigningKey::generate_pkcs8().unwrap()).unwrap();
        v.set_keys(vec![other.public_key()]);
        assert_eq!(
            v.verify(&token, now).map(|_| ()),
            Err(AuthError::UnknownKey),
            "once keys are known, an unknown kid is the caller's"
        );
    }

    #[test]
    fn refused_tokens_are_not_cached() {
        let k = key();
        let now = Utc::now();
        let v = verifier(10, &k, now);
        let expired = k
            .sign(&claims("t-old", now - Span::hours(2), Span::hours(1)))
            .unwrap();
        assert_eq!(v.verify(&expired, now).map(|_| ()), Err(AuthError::Expired));
        let other = key();
        let forged = other
            .sign(&claims("t-forged", now, Span::hours(1)))
            .unwrap();
        assert_eq!(
            v.verify(&forged, now).map(|_| ()),
            Err(AuthError::BadSignature)
        );
        assert!(v.cache.read().unwrap().is_empty());
    }

    #[test]
    fn a_full_cache_drops_expired_entries_first() {
        let k = key();
        let now = Utc::now();
        let v = verifier(2, &k, now);
        let short = k
            .sign(&claims("short", now - Span::minutes(1), Span::minutes(2)))
            .unwrap();
        let long_a = k
            .sign(&claims("long-a", now - Span::minutes(1), Span::hours(1)))
            .unwrap();
        let long_b = k
            .sign(&claims("long-b", now - Span::minutes(1), Span::hours(1)))
            .unwrap();
        v.verify(&short, now).unwrap();
        v.verify(&long_a, now).unwrap();
        let later = now + Span::minutes(5);
        v.apply_revocations(&[], later);
        v.verify(&long_b, later).unwrap();
        let cache = v.cache.read().unwrap();
        assert_eq!(cache.len(), 2);
        assert!(
            cache.contains_key(&sha256(long_a.as_bytes())),
            "the live entry survives"
        );
        assert!(
            !cache.contains_key(&sha256(short.as_bytes())),
            "the expired entry goes first"
        );
    }

    #[test]
    fn a_cache_full_of_live_tokens_is_cleared_rather_than_grown() {
        let k = key();
        let now = Utc::now();
        let v = verifier(2, &k, now);
        for id in ["a", "b", "c"] {
            v.verify(
                &k.sign(&claims(id, now - Span::minutes(1), Span::hours(1)))
                    .unwrap(),
                now,
            )
            .unwrap();
        }
        assert_eq!(v.cache.read().unwrap().len(), 1);
    }
}
