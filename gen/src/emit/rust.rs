//! The Rust emitter (issue 16): being built; it emits nothing yet.

use super::{File, Options};
use crate::ir::Api;

/// Generates every file of the Rust SDK.
pub fn generate(_api: &Api, _options: &Options) -> Vec<File> {
    Vec::new()
}
