//! Serde for enums written as one of their names (`grant.created`,
//! `company.users`): a name is read as a string and looked up, so each such
//! enum costs one comparison loop, not the externally-tagged enum reader
//! serde derives (string or single-key map, a visitor per variant kind).

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Reads one of `names`; `all[i]` is the value named `names[i]`.
pub(crate) fn read<'de, D: Deserializer<'de>, T: Copy>(
    deserializer: D,
    all: &[T],
    names: &'static [&'static str],
) -> Result<T, D::Error> {
    let i = deserializer.deserialize_str(Name(names))?;
    all.get(i)
        .copied()
        .ok_or_else(|| de::Error::unknown_variant("", names))
}

/// Finds a name's position; an unknown name is `unknown value`, with the names.
struct Name(&'static [&'static str]);

impl Visitor<'_> for Name {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|n| *n == v)
            .ok_or_else(|| E::unknown_variant(v, self.0))
    }
}

/// For an enum with `ALL` and `const fn $name(self) -> &'static str`: its
/// `NAMES` (in the order of `ALL`, computed at compile time from `$name`, so
/// each name is written once), `impl Serialize` and `impl Deserialize`.
macro_rules! named_serde {
    ($ty:ident, $name:ident) => {
        impl $ty {
            /// The names, in the order of `ALL`.
            #[allow(
                clippy::indexing_slicing,
                reason = "compile-time evaluation: an index out of bounds fails the build"
            )]
            pub const NAMES: &'static [&'static str] = &{
                let mut names = [""; $ty::ALL.len()];
                let mut i = 0;
                while i < names.len() {
                    names[i] = $ty::ALL[i].$name();
                    i += 1;
                }
                names
            };
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.$name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::named::read(d, &Self::ALL[..], Self::NAMES)
            }
        }
    };
}
pub(crate) use named_serde;

#[cfg(test)]
mod tests {
    use crate::audit::AuditAction;
    use crate::catalogue::{Access, Operation};
    use crate::request::{Period, RequestStatus};
    use crate::role::{Category, Level, Role};

    /// `ALL`, `NAMES` and the name function agree, and each value is written
    /// and read back by its name.
    fn agree<T>(all: &[T], names: &[&str], name: fn(T) -> &'static str)
    where
        T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
    {
        assert_eq!(all.len(), names.len());
        for (&value, &expected) in all.iter().zip(names) {
            assert_eq!(name(value), expected);
            assert_eq!(serde_json::to_value(value).unwrap(), expected);
            let read: T = crate::parse::from_value(serde_json::json!(expected)).unwrap();
            assert_eq!(read, value);
        }
    }

    #[test]
    fn every_named_enum_reads_and_writes_its_names() {
        agree(AuditAction::ALL, AuditAction::NAMES, AuditAction::as_str);
        agree(Operation::ALL, Operation::NAMES, Operation::id);
        agree(&Access::ALL, Access::NAMES, Access::wire_name);
        agree(&Period::ALL, Period::NAMES, Period::wire_name);
        agree(
            &RequestStatus::ALL,
            RequestStatus::NAMES,
            RequestStatus::wire_name,
        );
        agree(&Role::ALL, Role::NAMES, Role::wire_name);
        agree(&Category::ALL, Category::NAMES, Category::wire_name);
        agree(&Level::ALL, Level::NAMES, Level::wire_name);
    }

    #[test]
    fn an_unknown_name_or_a_non_string_is_refused_with_serde_words() {
        let e = crate::parse::from_value::<Period>(serde_json::json!("2h")).unwrap_err();
        assert_eq!(
            e.message,
            "unknown value `2h`, expected one of `1h`, `4h`, `8h`, `12h`, `1d`, `7d`, `custom`"
        );
        let e = crate::parse::from_value::<RequestStatus>(serde_json::json!(7)).unwrap_err();
        assert_eq!(e.message, "invalid type: integer `7`, expected a string");
    }
}
