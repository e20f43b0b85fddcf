//! Clock helpers. Timestamps are stored as fixed-width ISO 8601 UTC text with millisecond
//! precision (`2026-01-02T03:04:05.678Z`), so text order is time order; lease and retry
//! deadlines are integer milliseconds since the Unix epoch.

use chrono::{SecondsFormat, Utc};

pub fn now_iso() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Seconds between two stored timestamps (`None` when either does not parse).
pub fn seconds_between(from: &str, to: &str) -> Option<f64> {
    let a = chrono::DateTime::parse_from_rfc3339(from).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(to).ok()?;
    Some((b - a).num_milliseconds() as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_is_fixed_width_utc() {
        let s = now_iso();
        assert_eq!(s.len(), 24, "{s}");
        assert!(s.ends_with('Z'));
        assert_eq!(
            seconds_between("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:01.500Z"),
            Some(1.5)
        );
    }
}
