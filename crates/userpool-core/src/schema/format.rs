//! The formats Cognito checks for `email` and `phone_number` (SPEC §16).

/// Whether `value` is an email address Cognito would store (**decision**: RFC 5322's
/// dot-atom local part, non-ASCII letters allowed as RFC 6531 allows, and a domain of
/// labels made of letters, digits and inner hyphens; quoted local parts and IP-literal
/// domains are refused — Cognito documents no grammar, and these are what mail systems
/// deliver to).
#[must_use]
pub fn is_email_address(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    is_dot_atom(local) && is_domain(domain)
}

fn is_dot_atom(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.chars().count() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom.chars().all(|c| {
                    c.is_alphanumeric()
                        || SPECIALS.contains(c)
                        || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
                })
        })
}

fn is_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain.chars().count() <= 255
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// Whether `value` is an E.164 phone number as Cognito requires: `+`, then the country
/// code and number, digits only, at most 15 digits, not starting with 0.
#[must_use]
pub fn is_e164_phone_number(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "a@b.co",
            "first.last+tag@example.com",
            "x@localhost",
            "ü@exämple.de",
            "o'brien@ex-ample.org",
        ] {
            assert!(is_email_address(ok), "{ok}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "test@m***",
            "a b@c.d",
            "a@b..c",
            ".a@b.c",
            "a.@b.c",
            "a@-b.c",
            "a@b.c-",
            "a@@b.c",
            "a@b c.d",
            "\"q\"@b.c",
            "a@[127.0.0.1]",
        ] {
            assert!(!is_email_address(bad), "{bad}");
        }
    }

    #[test]
    fn phones() {
        for ok in ["+12065551212", "+447911123456", "+49"] {
            assert!(is_e164_phone_number(ok), "{ok}");
        }
        for bad in [
            "555555555",
            "+",
            "+1",
            "+0123456",
            "+1 206 555 1212",
            "+1-206-555-1212",
            "+1234567890123456",
            "12065551212",
            "+١٢٣٤",
        ] {
            assert!(!is_e164_phone_number(bad), "{bad}");
        }
    }
}
