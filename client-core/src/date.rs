//! HTTP-date parsing (RFC 9110 §5.6.7): the preferred IMF-fixdate and the two obsolete forms a
//! recipient must still accept (RFC 850 and ANSI C `asctime`), to Unix seconds. Small on
//! purpose: the browser module carries it (a general date crate cost 5 KB of wasm there).

/// Unix seconds of an HTTP-date, or `None` if `text` is not one (or names an impossible date).
///
/// ```
/// use sigwire_client_core::date::parse_http_date;
/// assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
/// assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(784_111_777));
/// assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(784_111_777));
/// assert_eq!(parse_http_date("yesterday"), None);
/// ```
pub fn parse_http_date(text: &str) -> Option<u64> {
    let b = text.trim().as_bytes();
    let (day, month, year, time) = if b.get(3) == Some(&b',') {
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        if b.len() != 29 || b.get(25..) != Some(b" GMT") {
            return None;
        }
        (
            num(b.get(5..7)?)?,
            month(b.get(8..11)?)?,
            num(b.get(12..16)?)?,
            b.get(17..25)?,
        )
    } else if let Some(comma) = b.iter().position(|&c| c == b',') {
        // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
        let rest = b.get(comma + 2..)?;
        if rest.len() != 22 || rest.get(18..) != Some(b" GMT") {
            return None;
        }
        let yy = num(rest.get(7..9)?)?;
        let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
        (
            num(rest.get(0..2)?)?,
            month(rest.get(3..6)?)?,
            year,
            rest.get(10..18)?,
        )
    } else {
        // asctime: "Sun Nov  6 08:49:37 1994"
        if b.len() != 24 {
            return None;
        }
        let day = b.get(8..10)?;
        let day = if day.first() == Some(&b' ') {
            day.get(1..)?
        } else {
            day
        };
        (
            num(day)?,
            month(b.get(4..7)?)?,
            num(b.get(20..24)?)?,
            b.get(11..19)?,
        )
    };
    if time.get(2) != Some(&b':') || time.get(5) != Some(&b':') {
        return None;
    }
    let (h, m, s) = (
        num(time.get(0..2)?)?,
        num(time.get(3..5)?)?,
        num(time.get(6..8)?)?,
    );
    if year < 1970 || day == 0 || day > days_in_month(year, month) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(days_since_epoch(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// ASCII digits only (no sign, no space) as a number.
fn num(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u64::from(c - b'0'))
    })
}

/// `Jan` … `Dec` (case-sensitive, as the grammar says) as 1 … 12.
fn month(name: &[u8]) -> Option<u64> {
    const MONTHS: &[u8; 36] = b"JanFebMarAprMayJunJulAugSepOctNovDec";
    MONTHS
        .chunks(3)
        .position(|m| m == name)
        .map(|i| i as u64 + 1)
}

fn is_leap(year: u64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to `year`-`month`-`day` (year ≥ 1970).
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let years = (1970..year)
        .map(|y| if is_leap(y) { 366 } else { 365 })
        .sum::<u64>();
    let months = (1..month).map(|m| days_in_month(year, m)).sum::<u64>();
    years + months + day - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn agrees_with_httpdate_on_formatted_dates() {
        // Every ~37 hours over 1970–2100, plus the edges: IMF-fixdate as httpdate formats it.
        let mut t = 0u64;
        while t < 4_102_444_800 {
            let text = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(t));
            assert_eq!(parse_http_date(&text), Some(t), "{text}");
            t += 133_331;
        }
        for t in [0u64, 951_782_400, 4_107_542_399] {
            let text = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(t));
            assert_eq!(parse_http_date(&text), Some(t), "{text}");
        }
    }

    #[test]
    fn obsolete_forms_and_rubbish() {
        assert_eq!(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT"),
            Some(951_825_600)
        );
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sun, 06 Nov 1994 08-49-37 GMT",
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMTé",
            "Sunday, 06-Nov-94 08:49:37 GM",
            "Sun Nov  6 08:49:37 94",
            "ééééééééééééééééééééééééééééé",
            "1700000000",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }
}
