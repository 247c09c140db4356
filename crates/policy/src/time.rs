//! Instants on the wire: RFC 3339 in, UTC out, milliseconds kept.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

/// An instant, always UTC.
pub type Instant = DateTime<Utc>;

/// Parses an RFC 3339 date-time with an offset and converts it to UTC,
/// truncated to milliseconds (the precision stored and hashed everywhere).
pub fn parse_instant(text: &str) -> Option<Instant> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(3))
}

/// `t + d`, saturating at the last representable instant (never panics,
/// whatever instant a caller passes as `now`).
pub fn add(t: Instant, d: chrono::Duration) -> Instant {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// RFC 3339 in UTC with milliseconds: `2026-11-22T10:00:00.000Z`.
pub fn format_instant(instant: Instant) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Serde helpers for instants written as RFC 3339 with milliseconds.
pub mod rfc3339_millis {
    use super::{Instant, format_instant, parse_instant};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(instant: &Instant, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_instant(*instant))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Instant, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_instant(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not an RFC 3339 date-time with an offset"
            ))
        })
    }

    /// The same for optional instants.
    pub mod option {
        use super::super::{Instant, format_instant, parse_instant};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            instant: &Option<Instant>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match instant {
                Some(t) => serializer.serialize_str(&format_instant(*t)),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Instant>, D::Error> {
            match Option::<String>::deserialize(deserializer)? {
                None => Ok(None),
                Some(text) => parse_instant(&text).map(Some).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "`{text}` is not an RFC 3339 date-time with an offset"
                    ))
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_into_utc_millis() {
        let t = parse_instant("2021-12-31T23:59:59.123456+01:00").unwrap();
        assert_eq!(format_instant(t), "2021-12-31T22:59:59.123Z");
        assert!(
            parse_instant("2021-12-31T23:59:59").is_none(),
            "an offset is required"
        );
        assert!(parse_instant("tomorrow").is_none());
    }
}
