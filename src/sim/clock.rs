//! The world's clock: moved only forward, by advances (`sim clock advance`, a test's
//! `clock:Advance`) and, for a working directory's world under `serve` and `sim`, by following
//! the wall clock plus every advance made ([`crate::sim::Cloud::follow_wall_clock`]).
//! Timestamps are milliseconds since the Unix epoch.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds since the Unix epoch, on the simulated clock.
pub type Millis = i64;

pub const SECOND: Millis = 1000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

/// The real time now (a world's creation, and what a working directory's clock follows).
pub fn wall_clock_now() -> Millis {
    let now = OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as Millis
}

/// `2026-01-01T00:00:00Z` (milliseconds shown only when present).
pub fn iso8601(t: Millis) -> String {
    let dt = OffsetDateTime::from_unix_timestamp_nanos(i128::from(t) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let (y, mo, d) = (dt.year(), u8::from(dt.month()), dt.day());
    let (h, mi, s) = (dt.hour(), dt.minute(), dt.second());
    let ms = t.rem_euclid(1000);
    if ms == 0 {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
    }
}

/// Parses an RFC 3339 timestamp.
pub fn parse_iso8601(s: &str) -> Option<Millis> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(|dt| (dt.unix_timestamp_nanos() / 1_000_000) as Millis)
}

/// `YYYY/MM/DD` path part and `YYYYMMDDTHHmmZ` file-name part for CloudTrail log files.
pub fn trail_path_parts(t: Millis) -> (String, String) {
    let iso = iso8601(t - t.rem_euclid(1000));
    let (date, time) = iso.split_once('T').unwrap_or((&iso, ""));
    let ymd: Vec<&str> = date.split('-').collect();
    let hm: String = time.chars().filter(char::is_ascii_digit).take(4).collect();
    (ymd.join("/"), format!("{}T{hm}Z", ymd.concat()))
}

/// Parses `8d`, `36h`, `90m`, `45s` or combinations like `1d12h`.
pub fn parse_duration(s: &str) -> Result<Millis, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration: use a number followed by s, m, h or d, like 8d or 36h".into());
    }
    let mut total: Millis = 0;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => SECOND,
            'm' => MINUTE,
            'h' => HOUR,
            'd' => DAY,
            _ => {
                return Err(format!(
                    "invalid duration {s:?}: unknown unit {c:?}; use s, m, h or d"
                ));
            }
        };
        let n: Millis = num
            .parse()
            .map_err(|_| format!("invalid duration {s:?}: expected a number before {c:?}"))?;
        num.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .filter(|t| *t <= 100 * 365 * DAY)
            .ok_or_else(|| format!("duration {s:?} is too long (at most 100 years)"))?;
    }
    if !num.is_empty() {
        return Err(format!(
            "invalid duration {s:?}: missing unit after {num}; use s, m, h or d, like {num}d"
        ));
    }
    Ok(total)
}

/// Human form of a duration for messages: `8d`, `1d12h`, `90s`.
pub fn format_duration(mut ms: Millis) -> String {
    let mut out = String::new();
    for (unit, name) in [(DAY, 'd'), (HOUR, 'h'), (MINUTE, 'm'), (SECOND, 's')] {
        if ms >= unit {
            out.push_str(&format!("{}{name}", ms / unit));
            ms %= unit;
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_reject_garbage() {
        assert_eq!(parse_duration("8d"), Ok(8 * DAY));
        assert_eq!(parse_duration("1d12h"), Ok(DAY + 12 * HOUR));
        assert!(parse_duration("8").is_err());
        assert!(parse_duration("8w").is_err());
        assert!(parse_duration("99999999999d").is_err());
        assert_eq!(format_duration(DAY + 12 * HOUR), "1d12h");
    }

    #[test]
    fn timestamps_round_trip() {
        let t = parse_iso8601("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(iso8601(t), "2026-01-01T00:00:00Z");
        assert_eq!(iso8601(t + 8 * DAY + 1), "2026-01-09T00:00:00.001Z");
        assert_eq!(
            trail_path_parts(t + 90 * MINUTE),
            ("2026/01/01".into(), "20260101T0130Z".into())
        );
    }
}
