//! Rejection parsing: whether an error response is a Sigwire rejection of the signature.

use sigwire_core::ErrorCode;

/// The rejection code of a response: any status ≥ 400 whose JSON body's `error` member
/// (`error_field`, as the driver's JSON parser read it) is a known Sigwire code (SPEC §7) —
/// whatever the status and whether or not `X-Sigwire-Server-Time` is present.
pub fn rejection_code(status: u16, error_field: Option<&str>) -> Option<ErrorCode> {
    if status < 400 {
        return None;
    }
    ErrorCode::from_code(error_field?)
}

/// The server's clock from an `X-Sigwire-Server-Time` value, as a rejection reports it.
pub fn server_time(value: Option<&str>) -> Option<u64> {
    value?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_error_status_with_a_known_code() {
        for status in [400u16, 401, 403, 409, 413, 500, 503] {
            assert_eq!(
                rejection_code(status, Some("signature_mismatch")),
                Some(ErrorCode::SignatureMismatch),
                "{status}"
            );
        }
        assert_eq!(rejection_code(302, Some("signature_mismatch")), None);
        assert_eq!(rejection_code(401, Some("nope")), None);
        assert_eq!(rejection_code(401, None), None);
        assert_eq!(
            rejection_code(401, Some("unsigned_header")),
            Some(ErrorCode::UnsignedHeader)
        );
        assert_eq!(server_time(Some(" 1700000000 ")), Some(1_700_000_000));
        assert_eq!(server_time(Some("x")), None);
    }
}
