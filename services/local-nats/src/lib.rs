//! A nats-server with JetStream in a temp dir, on a port it picked itself, configured as
//! `make up` configures it (`nats/nats-server.conf`); stopped when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct NatsServer {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl NatsServer {
    /// Starts one; panics if it does not come up within 15 s (no nats-server installed, say).
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let log = dir.path().join("nats.log");
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../nats/nats-server.conf");
        let child = Command::new("nats-server")
            .arg("-c")
            .arg(&config)
            .args(["-js", "-a", "127.0.0.1", "-p", "-1", "-sd"])
            .arg(dir.path().join("js"))
            .arg("-l")
            .arg(&log)
            .stdin(Stdio::null())
            .spawn()
            .expect("nats-server runs (`make up` and `make test` install it)");
        let deadline = Instant::now() + Duration::from_secs(15);
        let port = loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(port) = text.lines().find_map(|l| {
                l.split("Listening for client connections on 127.0.0.1:")
                    .nth(1)
            }) {
                break port.trim().parse::<u16>().expect("a port number");
            }
            assert!(
                Instant::now() < deadline,
                "nats-server did not start:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        Self {
            child,
            url: format!("nats://127.0.0.1:{port}"),
            _dir: dir,
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
