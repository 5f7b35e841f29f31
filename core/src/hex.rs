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
        // Nibbles first, then one branch-free pass turning each into its digit (the compiler
        // vectorises that pass; a table lookup per nibble it cannot).
        for (pair, &b) in hex.chunks_exact_mut(2).zip(chunk) {
            pair[0] = b >> 4;
            pair[1] = b & 0x0f;
        }
        for d in hex.iter_mut() {
            *d += b'0' + u8::from(*d > 9) * (b'a' - b'0' - 10);
        }
        // Only ASCII hex digits were written, so this never fails.
        out.push_str(core::str::from_utf8(hex).unwrap_or_default());
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

/// Decodes lowercase hex into `out`, which must be exactly half as long; false otherwise.
pub(crate) fn decode_lower_into(s: &str, out: &mut [u8]) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() != out.len() * 2 {
        return false;
    }
    // One table lookup per digit; any invalid digit sets the high bit, checked once at the end.
    let mut bad = 0u8;
    for (pair, o) in bytes.chunks_exact(2).zip(out.iter_mut()) {
        let (h, l) = (LOWER[usize::from(pair[0])], LOWER[usize::from(pair[1])]);
        bad |= h | l;
        *o = h << 4 | (l & 0x0f);
    }
    bad & 0x80 == 0
}

/// Lowercase hex digit → its value; every other byte → `0x80` (invalid).
const LOWER: [u8; 256] = {
    let mut t = [0x80u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

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
