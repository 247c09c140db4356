//! E-mail syntax and the case-insensitive key e-mails are compared by.

/// Shortest and longest address, in characters.
pub const MIN_EMAIL_CHARS: usize = 5;
pub const MAX_EMAIL_CHARS: usize = 254;

/// One `@`, a non-empty local part, a domain with a dot (no empty label),
/// 5 to 254 characters, no white space.
pub fn is_valid_email(text: &str) -> bool {
    let chars = text.chars().count();
    if !(MIN_EMAIL_CHARS..=MAX_EMAIL_CHARS).contains(&chars) {
        return false;
    }
    if text.chars().any(char::is_whitespace) {
        return false;
    }
    let mut parts = text.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && domain.split('.').all(|label| !label.is_empty())
}

/// The key addresses are compared by: lower case.
#[inline]
pub fn email_key(text: &str) -> std::borrow::Cow<'_, str> {
    // One pass over every byte, without an early exit, so that it runs as
    // wide compares: most addresses are lower-case ASCII already.
    let unusual = text
        .bytes()
        .fold(false, |any, b| any | (b >= 0x80) | b.is_ascii_uppercase());
    if unusual && text.chars().any(char::is_uppercase) {
        std::borrow::Cow::Owned(text.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether two addresses name the same user (compared by [`email_key`]).
pub fn same_email(a: &str, b: &str) -> bool {
    email_key(a) == email_key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_syntax() {
        for ok in ["a@b.co", "first.last+tag@example.com", "x@sub.domain.io"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a@b.c".repeat(0).as_str(),
            "@b.com",
            "a@bcom",
            "a@@b.com",
            "a@b@c.com",
            "a b@c.com",
            "a@.com",
            "a@b.",
            "ab.com",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
        assert!(is_valid_email("a@b.c"), "five characters is enough");
        let long = format!("{}@example.com", "a".repeat(243));
        assert_eq!(long.len(), 255);
        assert!(!is_valid_email(&long));
    }

    #[test]
    fn keys_are_lower_case() {
        assert_eq!(email_key("Ana@Example.COM"), "ana@example.com");
        assert!(matches!(
            email_key("ana@example.com"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
