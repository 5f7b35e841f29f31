//! `sigwire-gen`: OpenAPI 3.0/3.1 documents with `x-sigwire` signing declarations to typed
//! Python and TypeScript SDKs that call the Sigwire runtimes.
//!
//! The pipeline: [`loader::Source`] (JSON/YAML, `$ref`s across files) → [`build::build`] (the
//! language-neutral [`ir::Api`]) → one thin emitter per language ([`emit`]).
//!
//! ```
//! let src = sigwire_gen::loader::Source::from_str(
//!     "openapi: 3.1.0\ninfo: {title: Demo, version: 1.0.0}\npaths: {}\n", "demo.yaml")?;
//! let api = sigwire_gen::build::build(&src)?;
//! assert_eq!(api.title, "Demo");
//! # Ok::<(), sigwire_gen::Error>(())
//! ```

pub mod build;
pub mod check;
pub mod emit;
pub mod error;
pub mod ir;
pub mod loader;
pub mod naming;

pub use error::{Error, ErrorKind, Result};
