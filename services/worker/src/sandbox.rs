//! One fresh, locked-down Docker container at a time, driven through bollard: created,
//! fed its job, read as it runs, and always removed. Inside, the supervisor (PID 1,
//! harness/PROTOCOL.md) runs the harness; this module only sets up the box around it.

use std::collections::HashMap;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bollard::container::LogOutput;
use bollard::errors::Error as DockerError;
use bollard::models::{ContainerCreateBody, HostConfig, HostConfigLogConfig, ResourcesUlimits};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptionsBuilder, ListContainersOptionsBuilder,
    RemoveContainerOptionsBuilder,
};
use bollard::Docker;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::time::{timeout_at, Instant};
use uuid::Uuid;

use crate::executor::{LiveSandbox, Sandboxes};

/// Every container the engine creates carries this label...
pub const LABEL: &str = "exec-engine";
/// ...this one: the Unix time after which it may be removed as left behind...
pub const DEADLINE_LABEL: &str = "exec-engine.deadline";
/// ...and the execution it runs.
pub const EXECUTION_LABEL: &str = "exec-engine.execution";

/// The seccomp profile of every sandbox (Docker's default refusals and more; see README).
const SECCOMP_PROFILE: &str = include_str!("../../../harness/seccomp.json");
/// What the supervisor keeps: starting the harness as the code's uid, killing its processes.
const SUPERVISOR_CAPABILITIES: [&str; 3] = ["SETUID", "SETGID", "KILL"];
/// Docker's masked paths, and `/dev/mqueue`, where POSIX message queues would outlive a test.
const MASKED_PATHS: [&str; 12] = [
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    "/dev/mqueue",
];
/// Time a container may outlive its deadline before a sweep removes it.
const LEFTOVER_GRACE: Duration = Duration::from_secs(30);
/// Open files inside the sandbox.
const NOFILE_LIMIT: i64 = 256;
/// What is kept of a sandbox's own stderr, for messages: its last bytes.
const STDERR_TAIL_BYTES: usize = 8 * 1024;

/// The limits and image of a sandbox.
#[derive(Clone, Debug)]
pub struct SandboxSpec {
    pub image: String,
    pub memory_bytes: u64,
    pub nano_cpus: i64,
    pub pids_limit: i64,
    pub tmpfs_bytes: u64,
    /// Whether files in `/tmp` may be executed: compiled languages build into it.
    pub tmpfs_exec: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("Docker refused to run the sandbox: {0}")]
    Docker(#[from] DockerError),
    #[error("could not hand the job to the sandbox: {0}")]
    Stdin(#[from] std::io::Error),
}

#[derive(Clone)]
pub struct Sandbox {
    docker: Docker,
}

/// What the next read of a running sandbox brought.
pub enum Read {
    Stdout(Bytes),
    /// The sandbox's process ended.
    Ended,
    /// The deadline passed first.
    DeadlinePassed,
}

/// How a sandbox ended: as the supervisor reported its harness's end, or as the
/// container's state shows after it stopped.
#[derive(Debug, Default, PartialEq)]
pub struct Ending {
    pub exit_code: Option<i64>,
    pub signal: Option<i64>,
    /// The OOM killer acted (its count in the cgroup rose, or Docker says so).
    pub oom_killed: bool,
    /// The last of what the harness (or the supervisor) wrote on stderr.
    pub stderr_tail: String,
    /// The supervisor's own account, where it gave one.
    pub message: Option<String>,
}

impl Sandbox {
    /// Connects to the local engine (`DOCKER_HOST` or the Unix socket) at the API version
    /// it speaks.
    pub async fn connect() -> Result<Self, DockerError> {
        let docker = Docker::connect_with_local_defaults()?
            .negotiate_version()
            .await?;
        docker.ping().await?;
        Ok(Self { docker })
    }

    /// Removes containers left behind (by a crashed worker): labeled as the engine's and
    /// past their deadline, so that sandboxes of live workers are never touched.
    pub async fn remove_leftovers(&self) -> Result<usize, DockerError> {
        let filters = HashMap::from([("label".to_owned(), vec![LABEL.to_owned()])]);
        let containers = self
            .docker
            .list_containers(Some(
                ListContainersOptionsBuilder::default()
                    .all(true)
                    .filters(&filters)
                    .build(),
            ))
            .await?;
        let now = unix_now();
        let mut removed = 0;
        for container in containers {
            let expired = container
                .labels
                .as_ref()
                .and_then(|labels| labels.get(DEADLINE_LABEL))
                .and_then(|d| d.parse::<u64>().ok())
                .is_none_or(|d| d + LEFTOVER_GRACE.as_secs() < now);
            if let (true, Some(id)) = (expired, container.id) {
                match remove(&self.docker, &id).await {
                    Ok(()) => removed += 1,
                    // Another worker's sweep got there first: gone, or on its way.
                    Err(DockerError::DockerResponseServerError {
                        status_code: 404 | 409,
                        ..
                    }) => {}
                    Err(err) => return Err(err),
                }
            }
        }
        Ok(removed)
    }
}

impl Sandboxes for Sandbox {
    type Running = RunningSandbox;

    /// Creates a container for `execution`, starts it and writes `job` (one line) to its
    /// stdin. The job tells the supervisor to end the container after `lifetime`, even if
    /// no worker is left to; the label tells a sweep when it may remove it.
    async fn start(
        &self,
        spec: &SandboxSpec,
        execution: Uuid,
        lifetime: Duration,
        job: &[u8],
    ) -> Result<RunningSandbox, SandboxError> {
        let name = format!(
            "exec-{execution}-{}",
            &Uuid::new_v4().simple().to_string()[..8]
        );
        self.docker
            .create_container(
                Some(CreateContainerOptionsBuilder::default().name(&name).build()),
                container_body(spec, execution, lifetime),
            )
            .await?;
        // From here on the session removes the container, however it ends.
        let mut running = RunningSandbox {
            docker: self.docker.clone(),
            name,
            output: Box::pin(futures::stream::empty()),
            stderr: Vec::new(),
            removed: false,
        };
        let attached = self
            .docker
            .attach_container(
                &running.name,
                Some(
                    AttachContainerOptionsBuilder::default()
                        .stdin(true)
                        .stdout(true)
                        .stderr(true)
                        .stream(true)
                        .build(),
                ),
            )
            .await?;
        running.output = attached.output;
        let mut input = attached.input;
        self.docker.start_container(&running.name, None).await?;
        input.write_all(job).await?;
        input.flush().await?;
        Ok(running)
    }
}

type Output = Pin<Box<dyn Stream<Item = Result<LogOutput, DockerError>> + Send>>;

/// A started sandbox. It is removed by [`RunningSandbox::finish`], or when dropped.
pub struct RunningSandbox {
    docker: Docker,
    name: String,
    output: Output,
    stderr: Vec<u8>,
    removed: bool,
}

impl LiveSandbox for RunningSandbox {
    /// Waits for the next piece of stdout, the end of the process, or `deadline`.
    async fn read(&mut self, deadline: Instant) -> Result<Read, SandboxError> {
        loop {
            match timeout_at(deadline, self.output.next()).await {
                Err(_) => return Ok(Read::DeadlinePassed),
                Ok(None) => return Ok(Read::Ended),
                Ok(Some(Err(err))) => return Err(err.into()),
                Ok(Some(Ok(LogOutput::StdOut { message }))) => return Ok(Read::Stdout(message)),
                Ok(Some(Ok(LogOutput::StdErr { message }))) => {
                    self.stderr.extend_from_slice(&message);
                    let excess = self.stderr.len().saturating_sub(STDERR_TAIL_BYTES);
                    self.stderr.drain(..excess);
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Stops the sandbox if it still runs, reads how it ended and removes it.
    async fn finish(mut self) -> Result<Ending, SandboxError> {
        // Hang up first: removal then never waits on a stream nobody reads.
        self.output = Box::pin(futures::stream::empty());
        let _ = self.docker.kill_container(&self.name, None).await;
        let state = self
            .docker
            .inspect_container(&self.name, None)
            .await?
            .state
            .unwrap_or_default();
        self.removed = true;
        remove(&self.docker, &self.name).await?;
        Ok(Ending {
            exit_code: state.exit_code,
            oom_killed: state.oom_killed.unwrap_or(false),
            stderr_tail: String::from_utf8_lossy(&self.stderr).trim().to_owned(),
            ..Ending::default()
        })
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        // Dropped mid-run (the worker is stopping): remove it in the background; what
        // even that misses, the next sweep removes.
        let (docker, name) = (self.docker.clone(), std::mem::take(&mut self.name));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(err) = remove(&docker, &name).await {
                    tracing::warn!(container = %name, error = %err, "could not remove a sandbox");
                }
            });
        }
    }
}

async fn remove(docker: &Docker, name: &str) -> Result<(), DockerError> {
    docker
        .remove_container(
            name,
            Some(RemoveContainerOptionsBuilder::default().force(true).build()),
        )
        .await
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn container_body(spec: &SandboxSpec, execution: Uuid, lifetime: Duration) -> ContainerCreateBody {
    let labels = HashMap::from([
        (LABEL.to_owned(), "sandbox".to_owned()),
        (
            DEADLINE_LABEL.to_owned(),
            (unix_now() + lifetime.as_secs()).to_string(),
        ),
        (EXECUTION_LABEL.to_owned(), execution.to_string()),
    ]);
    let tmpfs = HashMap::from([
        (
            "/tmp".to_owned(),
            format!(
                "rw,nosuid,nodev,{},size={},mode=1777",
                // Docker mounts a tmpfs noexec unless told otherwise.
                if spec.tmpfs_exec { "exec" } else { "noexec" },
                spec.tmpfs_bytes
            ),
        ),
        (
            // The supervisor's reply FIFOs: it may list them, the code only open one named.
            "/run/exec".to_owned(),
            "rw,nosuid,nodev,noexec,size=1m,mode=0711,uid=65533,gid=65533".to_owned(),
        ),
    ]);
    let memory = i64::try_from(spec.memory_bytes).unwrap_or(i64::MAX);
    let file_size = i64::try_from(spec.tmpfs_bytes).unwrap_or(i64::MAX);
    let ulimit = |name: &str, value: i64| ResourcesUlimits {
        name: Some(name.to_owned()),
        soft: Some(value),
        hard: Some(value),
    };
    ContainerCreateBody {
        image: Some(spec.image.clone()),
        // The supervisor starts as root and moves itself and the code to their own uids.
        user: Some("0:0".to_owned()),
        attach_stdin: Some(true),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        open_stdin: Some(true),
        stdin_once: Some(true),
        tty: Some(false),
        network_disabled: Some(true),
        // Nothing of the worker's environment reaches the user's code.
        env: Some(Vec::new()),
        labels: Some(labels),
        host_config: Some(HostConfig {
            network_mode: Some("none".to_owned()),
            readonly_rootfs: Some(true),
            tmpfs: Some(tmpfs),
            cap_drop: Some(vec!["ALL".to_owned()]),
            cap_add: Some(SUPERVISOR_CAPABILITIES.map(str::to_owned).to_vec()),
            security_opt: Some(vec![
                "no-new-privileges".to_owned(),
                format!("seccomp={SECCOMP_PROFILE}"),
            ]),
            // A private IPC namespace with no /dev/shm: nothing to leave behind there.
            ipc_mode: Some("none".to_owned()),
            masked_paths: Some(MASKED_PATHS.map(str::to_owned).to_vec()),
            // The worker reads the container's output itself; the host keeps none of it.
            log_config: Some(HostConfigLogConfig {
                typ: Some("none".to_owned()),
                config: None,
            }),
            memory: Some(memory),
            // Equal to memory: no swap.
            memory_swap: Some(memory),
            nano_cpus: Some(spec.nano_cpus),
            pids_limit: Some(spec.pids_limit),
            ulimits: Some(vec![
                ulimit("nofile", NOFILE_LIMIT),
                ulimit("fsize", file_size),
            ]),
            ..Default::default()
        }),
        ..Default::default()
    }
}
