//! The Kotlin emitter (issue 16): being built; it emits nothing yet.

use super::{File, Options};
use crate::ir::Api;

/// Generates every file of the Kotlin SDK.
pub fn generate(_api: &Api, _options: &Options) -> Vec<File> {
    Vec::new()
}
