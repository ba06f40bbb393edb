//! Names, descriptions and passwords in request bodies, refused in iam-svc's words. The
//! name and description rules are `credential_core::names`'; the password policy is
//! iam-svc's own.

use credential_core::names::{validate_iam_description, validate_iam_name, IAM_NAME_RULE};

use crate::error::IamError;

/// Users, groups and projects: `credential_core::names::validate_iam_name`.
pub fn resource_name(kind: &str, name: &str) -> Result<(), IamError> {
    validate_iam_name(name)
        .map_err(|_| IamError::BadRequest(format!("Invalid {kind} name: use {IAM_NAME_RULE}.")))
}

/// Descriptions: `credential_core::names::validate_iam_description` (Huawei's rule).
pub fn description(text: &str) -> Result<(), IamError> {
    if validate_iam_description(text).is_err() {
        return Err(IamError::BadRequest(
            "Invalid description: up to 255 characters, without @#%&<>\\$^* or control characters."
                .into(),
        ));
    }
    Ok(())
}

/// Passwords: 8..=128 characters with at least two of lower case, upper case, digits and
/// other characters.
pub fn password(pw: &str) -> Result<(), IamError> {
    let len = pw.chars().count();
    let classes = [
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if !(8..=128).contains(&len) || classes < 2 {
        return Err(IamError::BadRequest(
            "Invalid password: 8 to 128 characters with at least two of lower case, upper case, digits and symbols.".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(resource_name("user", "alice.b-c_d 1").is_ok());
        for bad in ["", " lead", "trail ", "sl/ash", "ünï", &"a".repeat(65)] {
            assert!(resource_name("user", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn descriptions() {
        assert!(description("plain text, fine.").is_ok());
        assert!(description("a<b").is_err());
        assert!(description(&"x".repeat(256)).is_err());
    }

    #[test]
    fn passwords() {
        assert!(password("Str0ng-Passw0rd!").is_ok());
        assert!(password("alllowercase").is_err());
        assert!(password("Sh0rt").is_err());
    }
}
