//! Sets the linker flags an N-API addon needs (undefined symbols resolved by node at load time).
fn main() {
    napi_build::setup();
}
