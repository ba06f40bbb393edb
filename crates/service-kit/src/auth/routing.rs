//! Sends each signature to the issuer of its key: requests that carry a security token
//! were signed with a temporary key (lakeformation-svc's); the others with a permanent
//! one (iam-svc's).

use std::sync::Arc;

use futures_util::future::LocalBoxFuture;

use super::wire::SignatureCheck;
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
    fn check(&self, check: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        match (&check.security_token, &self.temporary) {
            (None, _) => self.permanent.check(check),
            (Some(_), Some(temporary)) => temporary.check(check),
            (Some(_), None) => Box::pin(async { Err(AuthError::SecurityTokenRefused) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::wire::SignatureAlgorithm;

    struct Fixed(&'static str);

    impl SignatureVerifier for Fixed {
        fn check(&self, _: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
            let name = self.0;
            Box::pin(async move {
                Ok(Principal {
                    user_id: name.into(),
                    user_name: name.into(),
                    domain_id: String::new(),
                    domain_name: String::new(),
                    project: None,
                    roles: Vec::new(),
                    access_key: None,
                    token: None,
                })
            })
        }
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
        }
    }

    #[actix_web::test]
    async fn security_tokens_go_to_the_temporary_issuer() {
        let both =
            RoutingSignatureVerifier::new(Arc::new(Fixed("iam")), Some(Arc::new(Fixed("lf"))));
        assert_eq!(both.check(check(None)).await.unwrap().user_id, "iam");
        assert_eq!(both.check(check(Some("t"))).await.unwrap().user_id, "lf");
        let iam_only = RoutingSignatureVerifier::new(Arc::new(Fixed("iam")), None);
        assert_eq!(
            iam_only.check(check(Some("t"))).await.unwrap_err(),
            AuthError::SecurityTokenRefused
        );
    }
}
