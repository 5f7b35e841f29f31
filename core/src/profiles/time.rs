//! Calendar arithmetic on Unix time: every profile takes the time as an argument (no clock here).

/// A UTC date and time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Splits Unix seconds into a UTC date and time (proleptic Gregorian, H. Hinnant's algorithm).
pub(crate) fn civil(unix: u64) -> Civil {
    let days = (unix / 86_400) as i64;
    let secs = (unix % 86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
    }
}

/// Unix seconds of a UTC date and time; `None` if a field is out of range.
pub(crate) fn unix(c: Civil) -> Option<u64> {
    if !(1..=12).contains(&c.month)
        || c.day < 1
        || c.day > 31
        || c.hour > 23
        || c.minute > 59
        || c.second > 60
    {
        return None;
    }
    let y = c.year - i64::from(c.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(c.month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(c.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs =
        days * 86_400 + i64::from(c.hour) * 3600 + i64::from(c.minute) * 60 + i64::from(c.second);
    u64::try_from(secs).ok()
}

/// `YYYYMMDD'T'HHMMSS'Z'`, the SigV4 `X-Amz-Date` form.
#[cfg(test)]
pub(crate) fn amz_date(unix: u64) -> String {
    AmzDate::new(unix).as_str().to_owned()
}

/// `YYYYMMDD'T'HHMMSS'Z'` on the stack (signing formats one per request). A year past 9999 is
/// written with all its digits, as `{:04}` would.
#[derive(Clone, Copy)]
pub(crate) struct AmzDate {
    buf: [u8; 32],
    len: usize,
}

impl AmzDate {
    /// The `X-Amz-Date` of Unix seconds `unix`.
    pub(crate) fn new(unix: u64) -> Self {
        let c = civil(unix);
        let mut d = AmzDate {
            buf: [b'0'; 32],
            len: 0,
        };
        if let Ok(year @ 0..=9999) = u32::try_from(c.year) {
            // Every date signed today: sixteen bytes written two digits at a time (the general
            // loop below divides once per digit, ~5x the instructions).
            let pairs = [
                year / 100,
                year % 100,
                c.month,
                c.day,
                c.hour,
                c.minute,
                c.second,
            ];
            let mut at = 0;
            for (i, v) in pairs.into_iter().enumerate() {
                if i == 4 {
                    d.buf[at] = b'T';
                    at += 1;
                }
                // Each field is below 100 (civil() gives in-range fields).
                d.buf[at] = b'0' + (v / 10 % 10) as u8;
                d.buf[at + 1] = b'0' + (v % 10) as u8;
                at += 2;
            }
            d.buf[at] = b'Z';
            d.len = at + 1;
            return d;
        }
        // civil() of a u64 never gives a negative year.
        d.push_digits(u64::try_from(c.year).unwrap_or(0), 4);
        for (i, v) in [c.month, c.day, 0, c.hour, c.minute, c.second]
            .into_iter()
            .enumerate()
        {
            if i == 2 {
                d.buf[d.len] = b'T';
                d.len += 1;
            } else {
                d.push_digits(u64::from(v), 2);
            }
        }
        d.buf[d.len] = b'Z';
        d.len += 1;
        d
    }

    /// Appends `v` in decimal, zero-padded to `width` digits.
    fn push_digits(&mut self, mut v: u64, width: usize) {
        let mut tmp = [b'0'; 20];
        let mut n = 0;
        while v > 0 || n < width {
            tmp[n] = b'0' + (v % 10) as u8;
            v /= 10;
            n += 1;
        }
        for (i, &digit) in tmp[..n].iter().rev().enumerate() {
            self.buf[self.len + i] = digit;
        }
        self.len += n;
    }

    /// The formatted date and time.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' were written.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// Parses `YYYYMMDD'T'HHMMSS'Z'`.
pub(crate) fn parse_amz_date(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: core::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    unix(Civil {
        year: i64::from(num(0..4)?),
        month: num(4..6)?,
        day: num(6..8)?,
        hour: num(9..11)?,
        minute: num(11..13)?,
        second: num(13..15)?,
    })
}

/// `YYYY-MM-DD'T'HH:MM:SS.mmm'Z'` from Unix milliseconds (the OKX timestamp form).
pub(crate) fn iso8601_millis(unix_ms: u64) -> String {
    let c = civil(unix_ms / 1000);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        unix_ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(amz_date(1_440_938_160), "20150830T123600Z");
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(951_782_400), "20000229T000000Z");
        assert_eq!(
            iso8601_millis(1_607_418_537_715),
            "2020-12-08T09:08:57.715Z"
        );
    }

    #[test]
    fn stack_form_equals_format() {
        for t in [
            0u64,
            59,
            86_399,
            1_440_938_160,
            253_402_300_799,
            253_402_300_800,
            u64::MAX,
        ] {
            let c = civil(t);
            let want = format!(
                "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                c.year, c.month, c.day, c.hour, c.minute, c.second
            );
            assert_eq!(AmzDate::new(t).as_str(), want, "{t}");
        }
    }

    #[test]
    fn two_digit_form_equals_format_every_hour_of_four_centuries() {
        // Every hour (and a varying minute and second) from 1970 to 2370, plus the edges of the
        // four-digit years: the two-digits-at-a-time path against format!.
        let mut t = 0u64;
        while t < 12_623_040_000 {
            let c = civil(t);
            let want = format!(
                "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                c.year, c.month, c.day, c.hour, c.minute, c.second
            );
            assert_eq!(AmzDate::new(t).as_str(), want, "{t}");
            t += 3_600 + 61;
        }
    }

    #[test]
    fn parse_round_trips() {
        for t in [
            0u64,
            1_440_938_160,
            951_782_400,
            4_102_444_799,
            1_700_000_000,
        ] {
            assert_eq!(parse_amz_date(&amz_date(t)), Some(t));
        }
        assert_eq!(parse_amz_date("2015-08-30T12:36"), None);
        assert_eq!(parse_amz_date("20151330T123600Z"), None);
        assert_eq!(parse_amz_date("2015083+T123600Z"), None);
    }
}
