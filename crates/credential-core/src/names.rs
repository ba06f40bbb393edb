//! The syntax of every name and free text a caller chooses: SWR credential and namespace
//! names ([`validate_swr_credential_name`]), IAM and instance names by each vendor's rule
//! ([`validate_iam_name`], [`validate_swr_instance_name`] and its siblings), and free text
//! such as descriptions ([`validate_text`], [`validate_iam_description`]), and Huawei's
//! resource tags ([`huawei_tag_key_ok`], [`huawei_tag_value_ok`]).
//!
//! Owns only the syntax of names; uniqueness is a database concern of each service.
//! The rules are hand-written (no regex crate) so they are cheap, allocation-free and
//! obviously linear in the input length.

mod resources;
mod tags;
mod text;

pub use resources::{
    validate_iam_name, validate_lakeformation_instance_name, validate_swr_instance_name,
    validate_tcr_instance_name, IAM_NAME_RULE, LAKEFORMATION_INSTANCE_NAME_RULE,
    SWR_INSTANCE_NAME_RULE, TCR_INSTANCE_NAME_RULE,
};
pub use tags::{huawei_tag_key_ok, huawei_tag_value_ok, HUAWEI_TAGS_MAX, HUAWEI_TAG_RULE};
pub use text::{validate_iam_description, validate_text, TextError, TEXT_MAX};

use thiserror::Error;

/// Longest SWR long-term credential name, in characters.
pub const SWR_CREDENTIAL_NAME_MAX: usize = 64;

/// Why a name was rejected. The messages are safe to show to users.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    /// The name is the empty string.
    #[error("name must not be empty")]
    Empty,
    /// The name is longer than `max` characters.
    #[error("name must be at most {max} characters long")]
    TooLong {
        /// The largest accepted length, in characters.
        max: usize,
    },
    /// The name contains a character outside the allowed set, or separators in the wrong place.
    #[error(
        "name may contain only lower-case letters and digits, separated by single '.', '_' or '-', \
         and must start and end with a letter or digit"
    )]
    InvalidCharacters,
    /// The name breaks the rule of its kind, quoted: for names whose services answer with
    /// one message whatever the fault.
    #[error("name must be {0}")]
    Rule(&'static str),
}

/// Validates an SWR long-term credential name: 1 to 64 characters matching
/// `^[a-z0-9]+([._-][a-z0-9]+)*$`.
///
/// # Examples
///
/// ```
/// use credential_core::names::{validate_swr_credential_name, NameError};
///
/// assert!(validate_swr_credential_name("ci-bot.v2").is_ok());
/// assert_eq!(validate_swr_credential_name(""), Err(NameError::Empty));
/// assert_eq!(validate_swr_credential_name("a__b"), Err(NameError::InvalidCharacters));
/// assert_eq!(
///     validate_swr_credential_name(&"a".repeat(65)),
///     Err(NameError::TooLong { max: 64 })
/// );
/// ```
pub fn validate_swr_credential_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > SWR_CREDENTIAL_NAME_MAX {
        return Err(NameError::TooLong {
            max: SWR_CREDENTIAL_NAME_MAX,
        });
    }
    // `after_separator` starts true so that a leading separator is rejected like a doubled one.
    let mut after_separator = true;
    for byte in name.bytes() {
        match byte {
            b'a'..=b'z' | b'0'..=b'9' => after_separator = false,
            b'.' | b'_' | b'-' if !after_separator => after_separator = true,
            _ => return Err(NameError::InvalidCharacters),
        }
    }
    if after_separator {
        return Err(NameError::InvalidCharacters);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference model written differently from the state machine: split on separators
    /// and require every piece to be a non-empty run of `[a-z0-9]`.
    fn model(name: &str) -> bool {
        !name.is_empty()
            && name.split(['.', '_', '-']).all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
    }

    #[test]
    fn accepts_typical_names() {
        for ok in [
            "a",
            "0",
            "abc",
            "a.b",
            "a_b",
            "a-b",
            "a1.b2_c3-d4",
            &"z".repeat(64),
        ] {
            assert_eq!(validate_swr_credential_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_bad_names() {
        for bad in ["A", ".a", "a.", "a..b", "a._b", "a b", "é", "a/b", "-", "_"] {
            assert_eq!(
                validate_swr_credential_name(bad),
                Err(NameError::InvalidCharacters),
                "{bad}"
            );
        }
        assert_eq!(validate_swr_credential_name(""), Err(NameError::Empty));
        assert_eq!(
            validate_swr_credential_name(&"a".repeat(65)),
            Err(NameError::TooLong { max: 64 })
        );
    }

    proptest! {
        #[test]
        fn generated_matching_names_are_accepted(name in "[a-z0-9]{1,8}([._-][a-z0-9]{1,8}){0,6}") {
            prop_assert_eq!(validate_swr_credential_name(&name), Ok(()));
        }

        #[test]
        fn agrees_with_reference_model(name in "[a-z0-9._\\-A/ é]{0,70}") {
            let expected = model(&name) && name.chars().count() <= 64;
            prop_assert_eq!(validate_swr_credential_name(&name).is_ok(), expected);
        }

        #[test]
        fn arbitrary_strings_agree_with_model(name in any::<String>()) {
            let expected = model(&name) && name.chars().count() <= 64;
            prop_assert_eq!(validate_swr_credential_name(&name).is_ok(), expected);
        }

        #[test]
        fn longer_than_64_is_rejected(name in "[a-z0-9]{65,200}") {
            prop_assert_eq!(validate_swr_credential_name(&name), Err(NameError::TooLong { max: 64 }));
        }
    }
}
