//! Throwaway nats-servers with JetStream in a temp dir, on ports picked here, configured as
//! `make up` configures them (`nats/nats-server.conf`); stopped when dropped. [`NatsServer`]
//! is one server; [`NatsCluster`] is a JetStream cluster whose nodes can be killed and
//! restarted.

use std::ffi::OsString;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repo's single-server configuration (max_payload and the JetStream limits), embedded
/// rather than found by path: a build directory shared by clones in other places must not
/// point a binary at a file in another clone.
const CONFIG: &str = include_str!("../../../nats/nats-server.conf");

/// Writes [`CONFIG`] into `dir` and gives its path.
fn config_in(dir: &Path) -> PathBuf {
    let path = dir.join("nats-server.conf");
    std::fs::write(&path, CONFIG).expect("the config is written to the temp dir");
    path
}

fn spawn(args: &[OsString]) -> Child {
    Command::new("nats-server")
        .args(args)
        .stdin(Stdio::null())
        .spawn()
        .expect("nats-server runs (`make up` and `make test` install it)")
}

/// The log's text from byte `from` on (nats-server appends to its log file on a restart).
fn log_since(log: &Path, from: usize) -> String {
    let bytes = std::fs::read(log).unwrap_or_default();
    String::from_utf8_lossy(bytes.get(from..).unwrap_or_default()).into_owned()
}

fn listens(log: &str) -> bool {
    log.contains("Listening for client connections on")
}

/// The metadata leader logs "Self is new JetStream cluster metadata leader"; the others
/// "JetStream cluster new metadata leader: <name>/<cluster>" (nats-server 2.9).
fn knows_meta_leader(log: &str) -> bool {
    log.contains("new JetStream cluster metadata leader")
        || log.contains("JetStream cluster new metadata leader")
}

pub struct NatsServer {
    child: Child,
    pub url: String,
    /// How it was started, with the port it picked: a restart takes the same port and data.
    args: Vec<OsString>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl NatsServer {
    /// Starts one; panics if it does not come up within 15 s (no nats-server installed, say).
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let log = dir.path().join("nats.log");
        let mut args: Vec<OsString> = vec!["-c".into(), config_in(dir.path()).into()];
        args.extend(["-js", "-a", "127.0.0.1", "-p", "-1", "-sd"].map(OsString::from));
        args.push(dir.path().join("js").into());
        args.push("-l".into());
        args.push(log.clone().into());
        let child = spawn(&args);
        let deadline = Instant::now() + Duration::from_secs(15);
        let port = loop {
            let text = log_since(&log, 0);
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
        let port_at = args
            .iter()
            .position(|a| a == "-p")
            .expect("a port argument")
            + 1;
        args[port_at] = port.to_string().into();
        Self {
            child,
            url: format!("nats://127.0.0.1:{port}"),
            args,
            log,
            _dir: dir,
        }
    }

    /// SIGKILL: no chance to flush or say goodbye.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on its port and data, once killed; returns when it listens.
    pub fn restart(&mut self) {
        let from = std::fs::metadata(&self.log).map_or(0, |m| m.len() as usize);
        self.child = spawn(&self.args);
        let deadline = Instant::now() + Duration::from_secs(15);
        while !listens(&log_since(&self.log, from)) {
            assert!(
                Instant::now() < deadline,
                "nats-server did not restart:\n{}",
                log_since(&self.log, from)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One node of a [`NatsCluster`]: its command line (the same on every restart), its log,
/// and its process while it runs.
struct Node {
    args: Vec<OsString>,
    log: PathBuf,
    child: Option<Child>,
}

/// A JetStream cluster of nats-servers on loopback (`node-0`, `node-1`, ... in the cluster
/// `exec-engine-test`), each with its own store in a temp dir; stopped when dropped.
pub struct NatsCluster {
    nodes: Vec<Node>,
    /// Each node's client URL, `nats://127.0.0.1:<port>`, by node index.
    pub urls: Vec<String>,
    dir: tempfile::TempDir,
}

impl NatsCluster {
    /// Starts `n` nodes routed to one another and waits until every one listens for clients
    /// and the cluster has a JetStream metadata leader; panics with the logs if that takes
    /// more than 30 s.
    pub fn start(n: usize) -> Self {
        assert!(n > 0, "a cluster has at least one node");
        let dir = tempfile::tempdir().expect("a temp dir");
        let config = config_in(dir.path());
        let ports = free_ports(2 * n);
        let (client_ports, cluster_ports) = ports.split_at(n);
        let route = |port: u16| format!("nats://127.0.0.1:{port}");
        let nodes: Vec<Node> = (0..n)
            .map(|i| {
                let routes = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| route(cluster_ports[j]))
                    .collect::<Vec<_>>()
                    .join(",");
                let log = dir.path().join(format!("node-{i}.log"));
                let mut args: Vec<OsString> = vec!["-c".into(), config.clone().into()];
                for arg in [
                    "-js".to_owned(),
                    "-a".to_owned(),
                    "127.0.0.1".to_owned(),
                    "-p".to_owned(),
                    client_ports[i].to_string(),
                    // Overrides the config's `server_name: exec-engine`.
                    "-n".to_owned(),
                    format!("node-{i}"),
                    "--cluster_name".to_owned(),
                    "exec-engine-test".to_owned(),
                    "--cluster".to_owned(),
                    route(cluster_ports[i]),
                ] {
                    args.push(arg.into());
                }
                if !routes.is_empty() {
                    args.push("--routes".into());
                    args.push(routes.into());
                }
                args.push("-sd".into());
                args.push(dir.path().join(format!("node-{i}")).into());
                args.push("-l".into());
                args.push(log.clone().into());
                Node {
                    child: Some(spawn(&args)),
                    args,
                    log,
                }
            })
            .collect();
        let urls = client_ports
            .iter()
            .map(|port| format!("nats://127.0.0.1:{port}"))
            .collect();
        let cluster = Self { nodes, urls, dir };
        cluster.wait_until(
            "every node listens and the cluster has a metadata leader",
            |logs| {
                logs.iter().all(|log| listens(log)) && logs.iter().any(|log| knows_meta_leader(log))
            },
        );
        cluster
    }

    /// Every node's URL, comma-separated (`nats://127.0.0.1:a,nats://127.0.0.1:b,...`).
    /// async-nats 0.51 does not split such a string itself (`ToServerAddrs for str` parses
    /// one URL): pass `self.urls`, or the string split on commas, to `connect`.
    pub fn url(&self) -> String {
        self.urls.join(",")
    }

    /// Stops node `i` with SIGKILL, as a crash would, and waits for it to exit.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts node `i` again (after [`kill`](Self::kill)) with the same ports, store and
    /// arguments, and waits until it listens for clients; panics with the logs after 30 s.
    pub fn restart(&mut self, i: usize) {
        self.kill(i);
        let node = &mut self.nodes[i];
        let from = std::fs::metadata(&node.log).map_or(0, |m| m.len() as usize);
        node.child = Some(spawn(&node.args));
        let log = node.log.clone();
        self.wait_until(&format!("node-{i} listens again"), |_| {
            listens(&log_since(&log, from))
        });
    }

    /// The directory holding each node's store (`node-<i>/`) and log (`node-<i>.log`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn wait_until(&self, what: &str, done: impl Fn(&[String]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let logs: Vec<String> = self.nodes.iter().map(|n| log_since(&n.log, 0)).collect();
            if done(&logs) {
                return;
            }
            if Instant::now() >= deadline {
                let logs: Vec<String> = logs
                    .iter()
                    .enumerate()
                    .map(|(i, log)| format!("--- node-{i} ---\n{log}"))
                    .collect();
                panic!(
                    "nats cluster: not done within 30 s: {what}\n{}",
                    logs.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill(i);
        }
    }
}

/// `n` distinct ports that were free a moment ago: each bound on 127.0.0.1:0 (all at once,
/// so none repeats) and released.
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("a bound address").port())
        .collect()
}
