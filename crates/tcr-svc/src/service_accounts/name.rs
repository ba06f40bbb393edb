//! The name of a service account. The caller gives `Name`; the account logs in as
//! `tcr$<Name>`, which is what is stored and shown, as Tencent does. Every action takes
//! either form, since Tencent's own clients send both (Terraform modifies and deletes with
//! the prefix, and reads and changes passwords without it).

use credential_core::names::validate_swr_credential_name;

use crate::error::TcrError;

/// The prefix of every service account's login name.
pub const PREFIX: &str = "tcr$";
/// The longest name without its prefix: with it, the login name fits its column (64).
pub const MAX_LEN: usize = 60;

/// The login name (`tcr$<name>`) of the account `given` names, with or without the prefix.
/// The name: 1 to 60 lower-case letters and digits, separated by single `.`, `_` or `-`
/// (the registry's repository-name characters, as Harbor robot names).
pub fn login_name(given: &str) -> Result<String, TcrError> {
    let bare = given.strip_prefix(PREFIX).unwrap_or(given);
    if bare.len() > MAX_LEN || validate_swr_credential_name(bare).is_err() {
        return Err(TcrError::InvalidServiceAccountName);
    }
    Ok(format!("{PREFIX}{bare}"))
}

/// The login name a filter value means, with or without the prefix, unchecked: a value
/// that is no valid name matches no account.
pub fn as_login_name(given: &str) -> String {
    if given.starts_with(PREFIX) {
        given.to_string()
    } else {
        format!("{PREFIX}{given}")
    }
}

/// Whether a registry login's username is a service account's.
pub fn is_login_name(username: &str) -> bool {
    username.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_form_gives_the_login_name() {
        assert_eq!(login_name("ci-bot").unwrap(), "tcr$ci-bot");
        assert_eq!(login_name("tcr$ci-bot").unwrap(), "tcr$ci-bot");
        assert_eq!(login_name(&"a".repeat(60)).unwrap().len(), 64);
    }

    #[test]
    fn bad_names_are_refused() {
        for bad in [
            "",
            "tcr$",
            "tcr$tcr$x",
            "CI",
            "a b",
            "-a",
            "a--b",
            "a/b",
            "a$b",
            "é",
            &"a".repeat(61),
        ] {
            assert!(
                matches!(login_name(bad), Err(TcrError::InvalidServiceAccountName)),
                "{bad:?}"
            );
        }
    }
}
