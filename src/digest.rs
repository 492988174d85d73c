//! Content hashes, written one way everywhere: a SHA-256 in lower-case hex.

/// The SHA-256 of `bytes`, in lower-case hex (64 characters: valid as a KV key or a file
/// name, and what `sha256sum` prints).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn it_is_what_sha256sum_prints() {
        // printf %s abc | sha256sum
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
