//! The client side of iam-svc's signature check, for services that hold no secrets.

use futures_util::future::LocalBoxFuture;

use super::wire::{
    DirectoryAnswer, DirectoryCheck, SignatureCheck, SignatureRelease, SignatureVerdict,
    DIRECTORY_CHECKS_PATH, SIGNATURE_CHECKS_PATH, SIGNATURE_RELEASES_PATH,
};
use super::{AuthError, InternalCredential, Principal, SignatureVerifier};

/// Asks an issuer (iam-svc, or lakeformation-svc for security tokens) to check a signature.
pub struct RemoteSignatureVerifier {
    base_url: String,
    credential: InternalCredential,
}

impl RemoteSignatureVerifier {
    pub fn new(base_url: impl Into<String>, credential: InternalCredential) -> Self {
        RemoteSignatureVerifier {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            credential,
        }
    }

    /// `POST path` on the issuer with the internal credential; the JSON answer, or the
    /// issuer counted as unavailable.
    async fn post<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &Q,
    ) -> Result<A, AuthError> {
        let url = format!("{}{path}", self.base_url);
        let call = async {
            let mut res = super::client::post_json(&url, &self.credential, body)
                .await
                .map_err(|e| AuthError::IssuerUnavailable(e.to_string()))?;
            if !res.status().is_success() {
                return Err(AuthError::IssuerUnavailable(format!(
                    "{path} answered {}",
                    res.status()
                )));
            }
            res.json()
                .await
                .map_err(|e| AuthError::IssuerUnavailable(e.to_string()))
        };
        super::client::bounded(call, AuthError::IssuerUnavailable).await
    }

    /// One call: the principal, or the refusal to map to the caller's error.
    pub async fn verify(&self, check: &SignatureCheck) -> Result<Principal, AuthError> {
        match self.post(SIGNATURE_CHECKS_PATH, check).await? {
            SignatureVerdict::Accepted(principal) => Ok(principal),
            SignatureVerdict::Refused(refusal) => Err(refusal.into()),
        }
    }

    /// Ask iam-svc which of the user and group names its domain lacks.
    pub async fn check_directory(
        &self,
        check: &DirectoryCheck,
    ) -> Result<DirectoryAnswer, AuthError> {
        self.post(DIRECTORY_CHECKS_PATH, check).await
    }
}

impl SignatureVerifier for RemoteSignatureVerifier {
    fn check(&self, check: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        Box::pin(async move { self.verify(&check).await })
    }

    fn release(&self, release: SignatureRelease) -> LocalBoxFuture<'_, Result<(), AuthError>> {
        Box::pin(async move {
            let url = format!("{}{SIGNATURE_RELEASES_PATH}", self.base_url);
            let call = async {
                let res = super::client::post_json(&url, &self.credential, &release)
                    .await
                    .map_err(|e| AuthError::IssuerUnavailable(e.to_string()))?;
                if !res.status().is_success() {
                    return Err(AuthError::IssuerUnavailable(format!(
                        "{SIGNATURE_RELEASES_PATH} answered {}",
                        res.status()
                    )));
                }
                Ok(())
            };
            super::client::bounded(call, AuthError::IssuerUnavailable).await
        })
    }
}
