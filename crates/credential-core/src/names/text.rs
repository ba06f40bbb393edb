//! Free text a caller stores beside a resource (descriptions): bounded, and without the
//! control characters that would let it break a log line or a terminal.

use thiserror::Error;

/// The longest free text the services store: their description columns' width.
pub const TEXT_MAX: usize = 255;

/// Why a text was refused. The messages are safe to show to users.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// Longer than `max` characters.
    #[error("text must be at most {max} characters long")]
    TooLong {
        /// The largest accepted length, in characters.
        max: usize,
    },
    /// A control character (a line break, an escape).
    #[error("text must not contain control characters")]
    ControlCharacter,
    /// A character the text's kind forbids.
    #[error("text must not contain {0:?}")]
    Forbidden(char),
}

/// Free text of at most `max` characters (Unicode scalar values), none a control
/// character. The empty text is fine.
///
/// ```
/// use credential_core::names::{validate_text, TextError, TEXT_MAX};
///
/// assert_eq!(validate_text("nightly builds, team ä", TEXT_MAX), Ok(()));
/// assert_eq!(validate_text("two\nlines", TEXT_MAX), Err(TextError::ControlCharacter));
/// assert_eq!(validate_text(&"é".repeat(256), TEXT_MAX), Err(TextError::TooLong { max: 255 }));
/// ```
pub fn validate_text(text: &str, max: usize) -> Result<(), TextError> {
    if text.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if text.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter);
    }
    Ok(())
}

/// Characters Huawei IAM refuses in a description.
const IAM_DESCRIPTION_FORBIDDEN: &str = "@#%&<>\\$^*";

/// An IAM description (of a user, group, project or access key): free text of at most
/// [`TEXT_MAX`] characters, none of `@#%&<>\$^*` (Huawei's rule).
///
/// ```
/// use credential_core::names::{validate_iam_description, TextError};
///
/// assert_eq!(validate_iam_description("the build robot"), Ok(()));
/// assert_eq!(validate_iam_description("a<b"), Err(TextError::Forbidden('<')));
/// ```
pub fn validate_iam_description(text: &str) -> Result<(), TextError> {
    validate_text(text, TEXT_MAX)?;
    match text
        .chars()
        .find(|c| IAM_DESCRIPTION_FORBIDDEN.contains(*c))
    {
        Some(c) => Err(TextError::Forbidden(c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn bounds_count_characters_not_bytes() {
        assert_eq!(validate_text("", 0), Ok(()));
        assert_eq!(validate_text(&"ü".repeat(255), TEXT_MAX), Ok(()));
        assert_eq!(
            validate_text(&"x".repeat(256), TEXT_MAX),
            Err(TextError::TooLong { max: 255 })
        );
        for bad in ["\n", "a\tb", "\u{7f}", "\u{1b}[31m", "\u{85}"] {
            assert_eq!(
                validate_text(bad, TEXT_MAX),
                Err(TextError::ControlCharacter),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn iam_descriptions_refuse_huaweis_characters() {
        for c in IAM_DESCRIPTION_FORBIDDEN.chars() {
            let text = format!("a{c}b");
            assert_eq!(
                validate_iam_description(&text),
                Err(TextError::Forbidden(c))
            );
        }
        assert_eq!(
            validate_iam_description("line\nbreak"),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(validate_iam_description("plain text, fine."), Ok(()));
    }

    proptest! {
        #[test]
        fn text_agrees_with_its_definition(text in any::<String>(), max in 0usize..300) {
            let expected = text.chars().count() <= max && !text.chars().any(char::is_control);
            prop_assert_eq!(validate_text(&text, max).is_ok(), expected);
        }

        #[test]
        fn iam_description_is_text_without_the_forbidden(text in "[a-z@#%&<>$^* \\n\\\\é]{0,300}") {
            let expected = validate_text(&text, TEXT_MAX).is_ok()
                && !text.chars().any(|c| IAM_DESCRIPTION_FORBIDDEN.contains(c));
            prop_assert_eq!(validate_iam_description(&text).is_ok(), expected);
        }
    }
}
