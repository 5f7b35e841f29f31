//! Byte searches for the signing and verifying hot path: eight bytes per step in safe Rust,
//! cheaper than `str::find(char)` on the short strings a request is made of.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The index of the first `needle` in `hay`.
///
/// A word XORed with the needle has a zero byte where the needle is; the zero-byte test can
/// flag bytes above the first zero too, never below it, so the lowest flagged byte is the match.
#[inline]
pub(crate) fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let mut words = hay.chunks_exact(8);
    let mut offset = 0;
    for word in words.by_ref() {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let x = u64::from_le_bytes(w) ^ (ONES * u64::from(needle));
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|p| offset + p)
}

/// [`find_byte`] on a `str`, splitting around the first `needle` (an ASCII byte).
#[inline]
pub(crate) fn split_once(s: &str, needle: u8) -> Option<(&str, &str)> {
    debug_assert!(needle.is_ascii());
    let at = find_byte(s.as_bytes(), needle)?;
    // An ASCII byte is always a character boundary.
    Some((s.get(..at)?, s.get(at + 1..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_match_at_every_offset() {
        for len in 0..40 {
            for at in 0..len {
                for needle in [b'"', b'#', 0x80, 0x00, 0xff] {
                    // Bytes just below and above the needle, and the needle again later.
                    let mut hay: Vec<u8> = (0..len)
                        .map(|i| needle.wrapping_add(if i % 2 == 0 { 1 } else { 0xff }))
                        .collect();
                    hay[at] = needle;
                    if at + 3 < len {
                        hay[at + 3] = needle;
                    }
                    assert_eq!(find_byte(&hay, needle), Some(at), "{len} {at} {needle}");
                    assert_eq!(find_byte(&hay[..at], needle), None, "{len} {at} {needle}");
                }
            }
        }
        assert_eq!(split_once("a#b#c", b'#'), Some(("a", "b#c")));
        assert_eq!(split_once("é#", b'#'), Some(("é", "")));
        assert_eq!(split_once("abc", b'#'), None);
    }
}
