//! Files of this clone, for the test binaries.

/// `relative`'s path in this clone, found when the test runs (cargo tells it): a path built
/// in would point into whichever clone compiled the binary, in a shared build directory.
pub fn repo_path(relative: &str) -> std::path::PathBuf {
    let root = std::env::var_os("CARGO_MANIFEST_DIR").expect("run by `cargo test`");
    std::path::Path::new(&root).join(relative)
}
