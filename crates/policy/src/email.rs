//! E-mail syntax and the case-insensitive key e-mails are compared by.

/// Shortest and longest address, in characters.
pub const MIN_EMAIL_CHARS: usize = 5;
pub const MAX_EMAIL_CHARS: usize = 254;

/// One `@`, a non-empty local part, a domain with a dot (no empty label),
/// 5 to 254 characters, no white space.
pub fn is_valid_email(text: &str) -> bool {
    // The form validates up to 50 addresses on every keystroke: ASCII text
    // (nearly every address) is checked in a few simple passes over its
    // bytes, in which a byte is a character; other text by characters.
    let bytes = text.as_bytes();
    if !text.is_ascii() {
        return valid_by_chars(text);
    }
    let space = bytes
        .iter()
        .fold(false, |any, &b| any | matches!(b, b'\t'..=b'\r' | b' '));
    let Some(at) = bytes.iter().position(|&b| b == b'@') else {
        return false;
    };
    let domain = bytes.get(at + 1..).unwrap_or_default();
    (MIN_EMAIL_CHARS..=MAX_EMAIL_CHARS).contains(&bytes.len())
        && !space
        && at > 0
        && !domain.contains(&b'@')
        && valid_domain(domain.split(|&b| b == b'.'))
}

/// The same rule read by characters, for text that is not all ASCII.
fn valid_by_chars(text: &str) -> bool {
    let chars = text.chars().count();
    if !(MIN_EMAIL_CHARS..=MAX_EMAIL_CHARS).contains(&chars)
        || text.chars().any(char::is_whitespace)
    {
        return false;
    }
    let mut parts = text.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty() && valid_domain(domain.split('.').map(str::as_bytes))
}

/// A domain's labels: at least two (it has a dot), none empty.
fn valid_domain<'a>(mut labels: impl Iterator<Item = &'a [u8]>) -> bool {
    let mut count = 0;
    labels.all(|label| {
        count += 1;
        !label.is_empty()
    }) && count > 1
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
            "a@b..com",
            ".@b.c\u{a0}",
            "a@b.c\u{2003}",
            "ab@\u{e9}.",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
        assert!(is_valid_email("a@b.c"), "five characters is enough");
        let long = format!("{}@example.com", "a".repeat(243));
        assert_eq!(long.len(), 255);
        assert!(!is_valid_email(&long));
    }

    proptest::proptest! {
        #[test]
        /// The byte passes for ASCII text agree with the rule read by
        /// characters (split by `@` and `.`) on any text.
        fn ascii_passes_agree_with_the_rule_by_chars(text in "[a.@ \u{a0}\u{2003}é\t]{0,12}|[a-z.@]{1,6}@[a-z.]{0,8}") {
            proptest::prop_assert_eq!(is_valid_email(&text), valid_by_chars(&text), "{:?}", text);
        }
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
