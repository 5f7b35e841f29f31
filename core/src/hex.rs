//! Lowercase hex, written by hand: it sits on the signing hot path.

/// The digits, for the test that checks the arithmetic encoding against them.
#[cfg(test)]
const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends the lowercase hex of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut String) {
    // Digests are at most 64 bytes: encode on the stack, then append once.
    let mut buf = [0u8; 128];
    for chunk in bytes.chunks(64) {
        let hex = &mut buf[..chunk.len() * 2];
        encode_to_slice(chunk, hex);
        // Only ASCII hex digits were written, so this never fails.
        out.push_str(core::str::from_utf8(hex).unwrap_or_default());
    }
}

/// The lowercase hex of a 32-byte digest, on the stack (ASCII digits only).
pub(crate) fn encode32(bytes: &[u8; 32]) -> [u8; 64] {
    let mut hex = [0u8; 64];
    encode_to_slice(bytes, &mut hex);
    hex
}

/// Writes the lowercase hex of `bytes` into `hex`, which is twice as long.
fn encode_to_slice(bytes: &[u8], hex: &mut [u8]) {
    // Nibbles first, then one branch-free pass turning each into its digit (the compiler
    // vectorises that pass; a table lookup per nibble it cannot).
    for (pair, &b) in hex.chunks_exact_mut(2).zip(bytes) {
        pair[0] = b >> 4;
        pair[1] = b & 0x0f;
    }
    for d in hex.iter_mut() {
        *d += b'0' + u8::from(*d > 9) * (b'a' - b'0' - 10);
    }
}

/// The lowercase hex of `bytes`.
#[cfg(test)]
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    encode_into(bytes, &mut s);
    s
}

/// Decodes lowercase hex only; `None` on odd length, uppercase or any other byte.
pub(crate) fn decode_lower(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(lower_nibble(pair[0])? << 4 | lower_nibble(pair[1])?))
        .collect()
}

/// Decodes hex in either case straight into one buffer (no lowercase copy of the input): for
/// secrets. `None` on odd length or any other byte; the partial output is zeroized then.
pub(crate) fn decode_either_case(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 2);
    for pair in bytes.chunks_exact(2) {
        match (any_nibble(pair[0]), any_nibble(pair[1])) {
            (Some(h), Some(l)) => out.push(h << 4 | l),
            _ => {
                zeroize::Zeroize::zeroize(&mut out);
                return None;
            }
        }
    }
    Some(out)
}

fn any_nibble(c: u8) -> Option<u8> {
    lower_nibble(c.to_ascii_lowercase())
}

/// Whether every byte of `s` is a lowercase hex digit (true for ""). Comparisons folded without
/// an early exit, so the compiler checks many bytes per step.
#[inline]
pub(crate) fn is_lower_hex(s: &str) -> bool {
    s.bytes().fold(true, |ok, b| {
        ok & ((b.wrapping_sub(b'0') < 10) | (b.wrapping_sub(b'a') < 6))
    })
}

/// Decodes lowercase hex into `out`, which must be exactly half as long; false otherwise.
pub(crate) fn decode_lower_into(s: &str, out: &mut [u8]) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() != out.len() * 2 || !is_lower_hex(s) {
        return false;
    }
    // Only digits are left: `0`-`9` are 0x30-0x39 and `a`-`f` 0x61-0x66, so a digit's value is
    // its low nibble plus 9 for a letter (bit 6 set), with no table and no branch. Eight digits
    // per step as one little-endian word: each pair's two values are joined into one byte and
    // the four bytes gathered at the bottom of the word; the digits left over go pair by pair.
    const LOW: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    const EVEN: u64 = 0x00ff_00ff_00ff_00ff;
    let mut digits = bytes.chunks_exact(8);
    let mut outs = out.chunks_exact_mut(4);
    for (d, o) in digits.by_ref().zip(outs.by_ref()) {
        let mut w = [0u8; 8];
        w.copy_from_slice(d);
        let w = u64::from_le_bytes(w);
        let values = (w & LOW) + 9 * ((w >> 6) & ONES);
        let pairs = ((values & EVEN) << 4) | ((values >> 8) & EVEN);
        let halves = (pairs | (pairs >> 8)) & 0x0000_ffff_0000_ffff;
        let bytes4 = (halves | (halves >> 16)) as u32;
        o.copy_from_slice(&bytes4.to_le_bytes());
    }
    let value = |c: u8| (c & 0x0f) + 9 * (c >> 6);
    for (pair, o) in digits
        .remainder()
        .chunks_exact(2)
        .zip(outs.into_remainder())
    {
        *o = value(pair[0]) << 4 | value(pair[1]);
    }
    true
}

fn lower_nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_encodes_to_its_digits() {
        let all: Vec<u8> = (0..=255u8).collect();
        let expected: String = all
            .iter()
            .flat_map(|&b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
            .map(char::from)
            .collect();
        assert_eq!(encode(&all), expected);
        let digest: [u8; 32] = core::array::from_fn(|i| (i * 37) as u8);
        assert_eq!(encode32(&digest).as_slice(), encode(&digest).as_bytes());
    }

    #[test]
    fn decode_into_agrees_with_the_digit_rules() {
        // Every pair of ASCII bytes (and one non-ASCII character), against `lower_nibble`.
        let mut chars: Vec<char> = (0u8..128).map(char::from).collect();
        chars.push('é');
        for &a in &chars {
            for &b in &chars {
                let s: String = [a, b].iter().collect();
                let mut out = [0u8; 1];
                let expected = decode_lower(&s).filter(|v| v.len() == 1);
                let ok = decode_lower_into(&s, &mut out);
                assert_eq!(ok.then_some(out[0]), expected.map(|v| v[0]), "{s:?}");
                assert_eq!(is_lower_hex(&s), decode_lower(&s).is_some(), "{s:?}");
            }
        }
        let mut out = [0u8; 2];
        assert!(!decode_lower_into("abc", &mut out));
        assert!(decode_lower_into("00ff", &mut out) && out == [0, 255]);
    }

    #[test]
    fn decode_into_agrees_with_the_digit_rules_at_every_length_and_place() {
        // Every digit at every place of every even length up to 80 (the word steps and the
        // pairs after them), against the pair-by-pair reference.
        let digits = b"0123456789abcdef";
        for len in (0..=80usize).step_by(2) {
            for place in 0..len.max(1) {
                for &d in digits {
                    let s: String = (0..len)
                        .map(|i| {
                            char::from(if i == place {
                                d
                            } else {
                                digits[(i * 7 + len) % 16]
                            })
                        })
                        .collect();
                    let mut out = vec![0u8; len / 2];
                    assert!(decode_lower_into(&s, &mut out), "{s}");
                    assert_eq!(Some(out), decode_lower(&s), "{s}");
                }
            }
        }
        let mut out = [0u8; 32];
        assert!(!decode_lower_into(&"0g".repeat(32), &mut out));
    }

    #[test]
    fn round_trip() {
        let data = [0u8, 1, 0x7f, 0x80, 0xff];
        assert_eq!(encode(&data), "00017f80ff");
        assert_eq!(decode_lower("00017f80ff").as_deref(), Some(&data[..]));
        assert_eq!(decode_lower("0A"), None);
        assert_eq!(decode_lower("abc"), None);
        assert_eq!(decode_lower("zz"), None);
    }
}
