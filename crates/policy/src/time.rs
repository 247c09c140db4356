//! Instants on the wire: RFC 3339 in, UTC out, milliseconds kept.

use chrono::{DateTime, SecondsFormat, SubsecRound, Timelike, Utc};

/// An instant, always UTC.
pub type Instant = DateTime<Utc>;

/// Parses an RFC 3339 date-time with an offset and converts it to UTC,
/// truncated to milliseconds (the precision stored and hashed everywhere).
///
/// A leap second (`23:59:60`) is refused: chrono reads it as a second
/// that lasts two, which every store and surface would write back
/// differently (`…:60.000Z` here, `…:59.999Z` or the next minute there).
pub fn parse_instant(text: &str) -> Option<Instant> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .filter(|t| t.nanosecond() < 1_000_000_000)
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(3))
}

/// Why `text` is not an instant, for a field error: every surface says it
/// the same way.
pub fn not_an_instant(text: &str) -> String {
    // `YYYY-MM-DDTHH:MM:60…`: the seconds of a leap second (read by
    // position, so that chrono's reader stays one copy in the wasm).
    let leap = text.trim().get(16..19) == Some(":60");
    if leap {
        format!("“{text}” is a leap second, which is not accepted: use “:59” or the next minute")
    } else {
        format!("“{text}” is not an RFC 3339 date-time with an offset")
    }
}

/// The first and last instants RFC 3339 can write (years 0000 to 9999):
/// `0000-01-01T00:00:00.000Z` and `9999-12-31T23:59:59.999Z`.
const FIRST_MS: i64 = -62_167_219_200_000;
const LAST_MS: i64 = 253_402_300_799_999;

/// `t + d`, kept within the instants RFC 3339 can write (never panics, and
/// never computes an expiry such as `+10000-01-31T…` that no surface could
/// read back, whatever instant a caller passes as `now`).
pub fn add(t: Instant, d: chrono::Duration) -> Instant {
    let ms = match t.checked_add_signed(d) {
        Some(sum) if (FIRST_MS..=LAST_MS).contains(&sum.timestamp_millis()) => return sum,
        Some(sum) => sum.timestamp_millis().clamp(FIRST_MS, LAST_MS),
        None if d < chrono::Duration::zero() => FIRST_MS,
        None => LAST_MS,
    };
    DateTime::from_timestamp_millis(ms).unwrap_or(t)
}

/// RFC 3339 in UTC with milliseconds: `2026-11-22T10:00:00.000Z`.
pub fn format_instant(instant: Instant) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A length of access in words: `1 hour`, `4 hours`, `7 days`, `90 minutes`,
/// `1 day 2 hours`. Every surface writes periods this way.
pub fn duration_text(minutes: i64) -> String {
    let unit = |n: i64, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    if minutes <= 0 {
        return unit(minutes.max(0), "minute");
    }
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(unit(days, "day"));
    }
    if hours > 0 {
        parts.push(unit(hours, "hour"));
    }
    if mins > 0 {
        // Below two hours, minutes read better than `1 hour 30 minutes`.
        if days == 0 && hours == 1 {
            return unit(minutes, "minute");
        }
        parts.push(unit(mins, "minute"));
    }
    parts.join(" ")
}

/// A request's period in words: as asked, or as granted with what was
/// asked when a reviewer approved less (`1 hour (asked 4 hours)`).
pub fn granted_text(requested_minutes: i64, from: Option<Instant>, to: Option<Instant>) -> String {
    let asked = duration_text(requested_minutes);
    match (from, to) {
        (Some(from), Some(to)) if (to - from).num_minutes() != requested_minutes => {
            format!(
                "{} (asked {asked})",
                duration_text((to - from).num_minutes())
            )
        }
        _ => asked,
    }
}

/// Serde helpers for instants written as RFC 3339 with milliseconds.
pub mod rfc3339_millis {
    use super::{Instant, format_instant, not_an_instant, parse_instant};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(instant: &Instant, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_instant(*instant))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Instant, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_instant(&text).ok_or_else(|| serde::de::Error::custom(not_an_instant(&text)))
    }

    /// The same for optional instants.
    pub mod option {
        use super::super::{Instant, format_instant, not_an_instant, parse_instant};
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
                Some(text) => parse_instant(&text)
                    .map(Some)
                    .ok_or_else(|| serde::de::Error::custom(not_an_instant(&text))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_in_words() {
        use super::duration_text;
        let cases = [
            (0, "0 minutes"),
            (1, "1 minute"),
            (45, "45 minutes"),
            (60, "1 hour"),
            (90, "90 minutes"),
            (240, "4 hours"),
            (150, "2 hours 30 minutes"),
            (1440, "1 day"),
            (1560, "1 day 2 hours"),
            (10_080, "7 days"),
        ];
        for (m, text) in cases {
            assert_eq!(duration_text(m), text, "{m}");
        }
        let at = |s: &str| super::parse_instant(s);
        let from = at("2026-11-22T10:00:00Z");
        assert_eq!(super::granted_text(240, None, None), "4 hours");
        assert_eq!(
            super::granted_text(240, from, at("2026-11-22T14:00:00Z")),
            "4 hours"
        );
        assert_eq!(
            super::granted_text(240, from, at("2026-11-22T11:00:00Z")),
            "1 hour (asked 4 hours)"
        );
    }

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

    #[test]
    fn a_leap_second_is_not_an_instant() {
        for leap in [
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5Z",
            "2017-01-01T00:59:60+01:00",
        ] {
            assert_eq!(parse_instant(leap), None, "{leap}");
            assert!(not_an_instant(leap).contains("leap second"), "{leap}");
        }
        assert!(parse_instant("2016-12-31T23:59:59.999Z").is_some());
        assert!(not_an_instant("noon").contains("RFC 3339"));
    }

    #[test]
    fn sums_stay_writable() {
        let t = parse_instant("9999-12-20T00:00:00Z").unwrap();
        let end = add(t, chrono::Duration::days(31));
        assert_eq!(format_instant(end), "9999-12-31T23:59:59.999Z");
        assert_eq!(parse_instant(&format_instant(end)), Some(end));
        let t = parse_instant("0000-01-02T00:00:00Z").unwrap();
        assert_eq!(
            format_instant(add(t, -chrono::Duration::days(3))),
            "0000-01-01T00:00:00.000Z"
        );
        let far = DateTime::<Utc>::MAX_UTC;
        assert_eq!(
            format_instant(add(far, chrono::Duration::days(1))),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            add(t, chrono::Duration::hours(2)) - t,
            chrono::Duration::hours(2)
        );
    }
}
