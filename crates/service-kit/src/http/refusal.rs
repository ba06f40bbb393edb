//! How the Huawei-style APIs (iam, swr, lakeformation) word a refused credential. The
//! wording is the vendor's and must not drift between services; each service keeps its
//! own envelope and status around it.
//!
//! Signatures say which check failed, as Huawei's API gateway does, since the signer
//! needs to know what to fix. Tokens get one message whatever the cause, so a caller
//! cannot probe which check a forged token failed.

use crate::auth::AuthError;

/// The gateway's prefix for every refused credential.
const PREFIX: &str = "Incorrect IAM authentication information: ";

/// The refusal of a signed request, naming the failed check; `None` for token refusals,
/// which each API words its own way (Keystone's message in iam-svc, [`gateway_refusal`]
/// behind the gateway).
pub fn signature_refusal(e: &AuthError) -> Option<String> {
    let what = match e {
        AuthError::MalformedSignature(_) => "malformed Authorization header or signed headers.",
        AuthError::SignatureExpired => "X-Sdk-Date is too far from the server time.",
        AuthError::UnknownAccessKey => "the access key does not exist.",
        AuthError::InactiveAccessKey => "the access key is inactive.",
        AuthError::SignatureMismatch => "the signature does not match the request.",
        AuthError::SecurityTokenRefused => "the security token is invalid, expired or revoked.",
        _ => return None,
    };
    Some(format!("{PREFIX}{what}"))
}

/// Any refusal as the gateway in front of a Huawei service (SWR, LakeFormation) words it.
pub fn gateway_refusal(e: &AuthError) -> String {
    signature_refusal(e)
        .unwrap_or_else(|| format!("{PREFIX}a valid X-Auth-Token or signature is required."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_name_the_check_and_tokens_share_one_message() {
        assert_eq!(
            signature_refusal(&AuthError::SignatureMismatch).as_deref(),
            Some("Incorrect IAM authentication information: the signature does not match the request.")
        );
        assert_eq!(signature_refusal(&AuthError::Expired), None);
        let tokens: Vec<String> = [AuthError::Expired, AuthError::Revoked, AuthError::Missing]
            .iter()
            .map(gateway_refusal)
            .collect();
        assert!(tokens.iter().all(|m| m == &tokens[0]), "{tokens:?}");
        assert!(tokens[0].starts_with(PREFIX));
    }
}
