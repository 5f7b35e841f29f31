//! `uniffi-bindgen`, built from the same `uniffi` version as the library it reads.
//!
//! ```sh
//! cargo run -p sigwire-uniffi --features cli --bin uniffi-bindgen -- \
//!     generate --library target/uniffi/debug/libsigwire_uniffi.so \
//!     --language kotlin --language swift --out-dir build/uniffi
//! ```

fn main() {
    uniffi::uniffi_bindgen_main()
}
