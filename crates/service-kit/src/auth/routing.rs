//! Sends each signature to the issuer of its key: requests without a security token were
//! signed with a permanent key (iam-svc's); a security token names the service that
//! issued its temporary key in front (`credential_core::security_token::issuer_of`), so
//! it goes to that service without anyone opening it here: lakeformation-svc or iam-svc.

use std::sync::Arc;

use credential_core::security_token::{issuer_of, Issuer};
use futures_util::future::LocalBoxFuture;

use super::wire::{SignatureCheck, SignatureRelease};
use super::{AuthError, InternalCredential, Principal, RemoteSignatureVerifier, SignatureVerifier};

/// Routes by the presence of a security token and the issuer it names.
pub struct RoutingSignatureVerifier {
    permanent: Arc<dyn SignatureVerifier>,
    /// The issuers of temporary keys this service knows, by the name their tokens carry.
    temporary: Vec<(Issuer, Arc<dyn SignatureVerifier>)>,
}

impl RoutingSignatureVerifier {
    /// `temporary` is lakeformation-svc's verifier, `None` where it is not configured:
    /// then every token it issued is refused. Add iam-svc's with [`Self::with_issuer`].
    pub fn new(
        permanent: Arc<dyn SignatureVerifier>,
        temporary: Option<Arc<dyn SignatureVerifier>>,
    ) -> Self {
        RoutingSignatureVerifier {
            permanent,
            temporary: temporary
                .map(|t| (Issuer::LakeFormation, t))
                .into_iter()
                .collect(),
        }
    }

    /// The same, sending tokens `issuer` issued to `verifier` (replacing any before).
    pub fn with_issuer(mut self, issuer: Issuer, verifier: Arc<dyn SignatureVerifier>) -> Self {
        self.temporary.retain(|(i, _)| *i != issuer);
        self.temporary.push((issuer, verifier));
        self
    }

    /// iam-svc for permanent keys and for the temporary keys it issued, and, when
    /// `temporary_url` is not empty, lakeformation-svc for the temporary keys it issued.
    pub fn remote(iam_url: &str, temporary_url: &str, credential: InternalCredential) -> Self {
        let temporary = (!temporary_url.trim().is_empty()).then(|| {
            Arc::new(RemoteSignatureVerifier::new(
                temporary_url,
                credential.clone(),
            )) as Arc<dyn SignatureVerifier>
        });
        let iam: Arc<dyn SignatureVerifier> =
            Arc::new(RemoteSignatureVerifier::new(iam_url, credential));
        RoutingSignatureVerifier::new(iam.clone(), temporary).with_issuer(Issuer::Iam, iam)
    }

    fn issuer(&self, token: &str) -> Option<&Arc<dyn SignatureVerifier>> {
        let issuer = issuer_of(token).ok()?;
        self.temporary
            .iter()
            .find(|(i, _)| *i == issuer)
            .map(|(_, v)| v)
    }
}

impl SignatureVerifier for RoutingSignatureVerifier {
    /// The route decides whether the caller is temporary, not the issuer's answer alone: a
    /// permanent key's principal is never temporary, and a temporary issuer that does not
    /// say when its key expires is not believed.
    fn check(&self, check: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        let Some(token) = &check.security_token else {
            return Box::pin(async move {
                let mut principal = self.permanent.check(check).await?;
                principal.temporary = None;
                Ok(principal)
            });
        };
        match self.issuer(token) {
            Some(temporary) => Box::pin(async move {
                let principal = temporary.check(check).await?;
                if principal.temporary.is_none() {
                    return Err(AuthError::IssuerUnavailable(
                        "the temporary key issuer did not mark its principal".into(),
                    ));
                }
                Ok(principal)
            }),
            None => Box::pin(async { Err(AuthError::SecurityTokenRefused) }),
        }
    }

    /// To the issuer that accepted it. A release names no token, so one of a temporary
    /// key goes to every issuer of temporary keys: the others never recorded the
    /// signature, and forgetting what was never recorded changes nothing.
    fn release(&self, release: SignatureRelease) -> LocalBoxFuture<'_, Result<(), AuthError>> {
        if !release.temporary {
            return self.permanent.release(release);
        }
        Box::pin(async move {
            let mut outcome = Ok(());
            for (_, issuer) in &self.temporary {
                if let Err(e) = issuer.release(release.clone()).await {
                    outcome = Err(e);
                }
            }
            outcome
        })
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
            let (name, temporary) = (self.0, self.1.clone());
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
            policy: None,
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
        let iam_issued = both.check(check(Some("iam.t"))).await.unwrap_err();
        assert_eq!(
            iam_issued,
            AuthError::SecurityTokenRefused,
            "no route to iam-svc's"
        );
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

    #[actix_web::test]
    async fn a_token_goes_to_the_issuer_it_names() {
        let routed = RoutingSignatureVerifier::new(
            Arc::new(Fixed("iam", None)),
            Some(Arc::new(Fixed("lf", marked()))),
        )
        .with_issuer(Issuer::Iam, Arc::new(Fixed("iam-temporary", marked())));
        for (token, issuer) in [("iam.t", "iam-temporary"), ("t", "lf")] {
            let principal = routed.check(check(Some(token))).await.unwrap();
            assert_eq!(principal.user_id, issuer, "{token}");
            assert!(principal.is_temporary());
        }
        assert_eq!(
            routed.check(check(Some("swr.t"))).await.unwrap_err(),
            AuthError::SecurityTokenRefused,
            "an issuer no one knows"
        );
    }
}
