//! Instants as people read them: in the browser's zone, with the zone
//! named, and how far away they are ("in 2 days", "3 hours ago"). The API
//! carries instants as data (RFC 3339, UTC); only here do they become text.

use chrono::{DateTime, Local, Utc};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::form::wall_clock;

/// The browser's time zone, named (`Europe/Berlin`).
pub fn zone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "local time".to_owned())
}

/// `2026-12-07 18:30` in the browser's zone.
pub fn local(t: DateTime<Utc>) -> String {
    wall_clock(t.with_timezone(&Local).naive_local(), ' ', false)
}

/// `2026-12-07 18:30:05` in the browser's zone (the audit's precision).
pub fn local_seconds(t: DateTime<Utc>) -> String {
    wall_clock(t.with_timezone(&Local).naive_local(), ' ', true)
}

/// An instant as a `datetime-local` value in the browser's zone.
pub fn local_input(t: DateTime<Utc>) -> String {
    wall_clock(t.with_timezone(&Local).naive_local(), 'T', false)
}

/// A `datetime-local` value (the browser's zone) as an RFC 3339 instant;
/// text that is no date is passed on for the policy to name.
pub fn local_to_utc(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let d = js_sys::Date::new(&JsValue::from_str(value));
    if d.get_time().is_nan() {
        Some(value.to_owned())
    } else {
        Some(String::from(d.to_iso_string()))
    }
}

/// How far `t` is from `now`, in the largest unit that is at least one:
/// "in 2 days", "3 hours ago", "just now".
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (t - now).num_seconds();
    let ahead = seconds >= 0;
    let s = seconds.unsigned_abs();
    let (n, unit) = match s {
        0..45 => return "just now".to_owned(),
        45..5_400 => (s.div_ceil(60).max(1), "minute"),
        5_400..129_600 => ((s + 1_800) / 3_600, "hour"),
        _ => ((s + 43_200) / 86_400, "day"),
    };
    let unit = if n == 1 {
        unit.to_owned()
    } else {
        format!("{unit}s")
    };
    if ahead {
        format!("in {n} {unit}")
    } else {
        format!("{n} {unit} ago")
    }
}

/// An instant on the page: local wall-clock time, with the zone on hover
/// and the distance from now beside it.
#[component]
pub fn When(
    at: DateTime<Utc>,
    #[prop(optional)] seconds: bool,
    /// Without the distance (a countdown stands beside it).
    #[prop(optional)]
    plain: bool,
) -> impl IntoView {
    let shown = if seconds {
        local_seconds(at)
    } else {
        local(at)
    };
    view! {
        <time datetime=interim_policy::time::format_instant(at) title=zone()>
            {shown}{(!plain).then(|| view! { <span class="rel">" · "{relative(at, Utc::now())}</span> })}
        </time>
    }
}

/// "Times are in Europe/Berlin." under a list of instants.
#[component]
pub fn ZoneNote() -> impl IntoView {
    view! { <p class="hint" data-testid="zone">"Times are in " {zone()} "."</p> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn distances_read_as_people_say_them() {
        let now = Utc::now();
        let at = |s: i64| relative(now + Duration::seconds(s), now);
        assert_eq!(at(10), "just now");
        assert_eq!(at(-10), "just now");
        assert_eq!(at(60), "in 1 minute");
        assert_eq!(at(-600), "10 minutes ago");
        assert_eq!(at(3 * 3600), "in 3 hours");
        assert_eq!(at(-3 * 3600 - 60), "3 hours ago");
        assert_eq!(at(2 * 86_400), "in 2 days");
        assert_eq!(at(-86_400 * 31), "31 days ago");
    }
}
