//! Sends each signature to the issuer of its key: requests that carry a security token
//! were signed with a temporary key (lakeformation-svc's); the others with a permanent
//! one (iam-svc's).

use std::sync::Arc;

use futures_util::future::LocalBoxFuture;

use super::wire::{SignatureCheck, SignatureRelease};
use super::{AuthError, InternalCredential, Principal, RemoteSignatureVerifier, SignatureVerifier};

/// Routes by the presence of a security token.
pub struct RoutingSignatureVerifier {
    permanent: Arc<dyn SignatureVerifier>,
    temporary: Option<Arc<dyn SignatureVerifier>>,
}

impl RoutingSignatureVerifier {
    /// `temporary` is `None` where no issuer of temporary keys is configured: then every
    /// security token is refused.
    pub fn new(
        permanent: Arc<dyn SignatureVerifier>,
        temporary: Option<Arc<dyn SignatureVerifier>>,
    ) -> Self {
        RoutingSignatureVerifier {
            permanent,
            temporary,
        }
    }
}

impl RoutingSignatureVerifier {
    /// iam-svc for permanent keys and, when `temporary_url` is not empty, the issuer of
    /// temporary keys (lakeformation-svc) for requests with a security token.
    pub fn remote(iam_url: &str, temporary_url: &str, credential: InternalCredential) -> Self {
        let temporary = (!temporary_url.trim().is_empty()).then(|| {
            Arc::new(RemoteSignatureVerifier::new(
                temporary_url,
                credential.clone(),
            )) as Arc<dyn SignatureVerifier>
        });
        RoutingSignatureVerifier::new(
            Arc::new(RemoteSignatureVerifier::new(iam_url, credential)),
            temporary,
        )
    }
}

impl SignatureVerifier for RoutingSignatureVerifier {
    /// The route decides whether the caller is temporary, not the issuer's answer alone: a
    /// permanent key's principal is never temporary, and a temporary issuer that does not
    /// say when its key expires is not believed.
    fn check(&self, check: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        match (&check.security_token, &self.temporary) {
            (None, _) => Box::pin(async move {
                let mut principal = self.permanent.check(check).await?;
                principal.temporary = None;
                Ok(principal)
            }),
            (Some(_), Some(temporary)) => Box::pin(async move {
                let principal = temporary.check(check).await?;
                if principal.temporary.is_none() {
                    return Err(AuthError::IssuerUnavailable(
                        "the temporary key issuer did not mark its principal".into(),
                    ));
                }
                Ok(principal)
            }),
            (Some(_), None) => Box::pin(async { Err(AuthError::SecurityTokenRefused) }),
        }
    }

    /// To the issuer that accepted it, as [`check`](Self::check) routed it.
    fn release(&self, release: SignatureRelease) -> LocalBoxFuture<'_, Result<(), AuthError>> {
        match (release.temporary, &self.temporary) {
            (false, _) => self.permanent.release(release),
            (true, Some(temporary)) => temporary.release(release),
            (true, None) => Box::pin(async { Ok(()) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::wire::{Replay, SignatureAlgorithm};
    use crate::auth::TemporaryKey;

    /// An issuer that answers as `name`, with a fixed temporary marker.
    struct Fixed(&'static str, Option<TemporaryKey>);

    impl SignatureVerifier for Fixed {
        fn check(&self, _: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
            let (name, temporary) = (self.0, self.1);
            Box::pin(async move {
                Ok(Principal {
                    user_id: name.into(),
                    user_name: name.into(),
                    domain_id: String::new(),
                    domain_name: String::new(),
                    project: None,
                    roles: Vec::new(),
                    access_key: None,
                    temporary,
                    token: None,
                })
            })
        }
    }

    fn marked() -> Option<TemporaryKey> {
        let now = chrono::Utc::now();
        Some(TemporaryKey {
            issued_at: now,
            expires_at: now,
        })
    }

    fn check(token: Option<&str>) -> SignatureCheck {
        SignatureCheck {
            algorithm: SignatureAlgorithm::SdkHmacSha256,
            access: "AK".into(),
            string_to_sign: String::new(),
            signature: String::new(),
            tc3_date: None,
            tc3_service: None,
            project_id: None,
            domain_id: None,
            own_domain: false,
            security_token: token.map(str::to_string),
            replay: Replay::Once,
        }
    }

    #[actix_web::test]
    async fn security_tokens_go_to_the_temporary_issuer() {
        let both = RoutingSignatureVerifier::new(
            Arc::new(Fixed("iam", None)),
            Some(Arc::new(Fixed("lf", marked()))),
        );
        let permanent = both.check(check(None)).await.unwrap();
        assert_eq!(permanent.user_id, "iam");
        assert!(!permanent.is_temporary());
        let temporary = both.check(check(Some("t"))).await.unwrap();
        assert_eq!(temporary.user_id, "lf");
        assert!(temporary.is_temporary());
        let iam_only = RoutingSignatureVerifier::new(Arc::new(Fixed("iam", None)), None);
        assert_eq!(
            iam_only.check(check(Some("t"))).await.unwrap_err(),
            AuthError::SecurityTokenRefused
        );
    }

    #[actix_web::test]
    async fn the_route_not_the_answer_decides_who_is_temporary() {
        // A permanent issuer's answer never makes a temporary caller...
        let routed = RoutingSignatureVerifier::new(Arc::new(Fixed("iam", marked())), None);
        assert!(!routed.check(check(None)).await.unwrap().is_temporary());
        // ...and a temporary issuer that leaves its principal unmarked is not believed.
        let routed = RoutingSignatureVerifier::new(
            Arc::new(Fixed("iam", None)),
            Some(Arc::new(Fixed("lf", None))),
        );
        assert!(matches!(
            routed.check(check(Some("t"))).await,
            Err(AuthError::IssuerUnavailable(_))
        ));
    }
}
