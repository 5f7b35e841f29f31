// Idiomatic Swift over the generated UniFFI bindings (Sigwire.swift, module `Sigwire`).
// Compiled by `swift build` in sdk-swift/build-xcframework.sh on macOS; Debian CI has no Swift
// compiler and checks the C header and the library's API checksums instead.
import Foundation

extension SigwireRequest {
    /// A request from `(name, value)` header pairs, kept in order (repeated names allowed).
    public init(method: String, url: String, headerPairs: [(String, String)], body: Data = Data()) {
        self.init(method: method, url: url, headers: headerPairs.map { Header(name: $0.0, value: $0.1) }, body: body)
    }
}

extension SigwireError {
    /// The stable machine code, e.g. `"signature_mismatch"` (the same in every Sigwire SDK).
    public var code: String { errorCode() }
}

extension URLRequest {
    /// A copy of this request with a fresh `Authorization` header signed by `signer`.
    ///
    /// The signed body is `httpBody`: a request with an `httpBodyStream` cannot be signed. A
    /// request with a body must set `Content-Type` itself, because URLSession would otherwise add
    /// one after signing, which the server rejects (`malformed_authorization`).
    ///
    /// - Throws: `SigwireError.InvalidRequest` for a request that cannot be signed.
    public func signed(with signer: Signer, timestamp: UInt64? = nil, nonce: String? = nil) throws -> URLRequest {
        guard let url = self.url else {
            throw SigwireError.InvalidRequest(code: "invalid_request", detail: "the URLRequest has no URL", serverTime: nil)
        }
        if httpBodyStream != nil {
            throw SigwireError.InvalidRequest(
                code: "invalid_request",
                detail: "a body stream cannot be signed; set httpBody to the exact bytes",
                serverTime: nil)
        }
        let body = httpBody ?? Data()
        let fields = allHTTPHeaderFields ?? [:]
        if !body.isEmpty && !fields.keys.contains(where: { $0.caseInsensitiveCompare("Content-Type") == .orderedSame }) {
            throw SigwireError.InvalidRequest(
                code: "invalid_request",
                detail: "set a Content-Type header on a request with a body (URLSession would add one unsigned)",
                serverTime: nil)
        }
        let request = SigwireRequest(
            method: httpMethod ?? "GET",
            url: url.absoluteString,
            headers: fields.map { Header(name: $0.key, value: $0.value) },
            body: body)
        let signature = try signer.signWith(request: request, timestamp: timestamp, nonce: nonce)
        var copy = self
        copy.setValue(signature.authorization, forHTTPHeaderField: "Authorization")
        return copy
    }
}
