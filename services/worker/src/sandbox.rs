//! One fresh, locked-down Docker container at a time, driven through bollard: created,
//! fed its job, read as it runs, and always removed. Inside, the supervisor (PID 1,
//! harness/PROTOCOL.md) runs the harness; this module only sets up the box around it.

use std::collections::HashMap;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bollard::container::LogOutput;
use bollard::errors::Error as DockerError;
use bollard::models::{
    ContainerCreateBody, ContainerSummaryStateEnum, HostConfig, HostConfigLogConfig,
    ResourcesUlimits,
};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptionsBuilder, ListContainersOptionsBuilder,
    RemoveContainerOptionsBuilder, RenameContainerOptionsBuilder,
};
use bollard::Docker;
use bytes::Bytes;
use exec_engine::telemetry::names;
use futures::{Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::time::{timeout_at, Instant};
use uuid::Uuid;

use crate::executor::{LiveSandbox, Sandboxes};

/// Every container the engine creates carries this label...
pub const LABEL: &str = "exec-engine";
/// ...this one: the Unix time after which it may be removed as left behind...
pub const DEADLINE_LABEL: &str = "exec-engine.deadline";
/// ...the execution it runs, or [`POOLED`]...
pub const EXECUTION_LABEL: &str = "exec-engine.execution";
/// ...and the deployment whose worker started it: sweeps touch their own deployment's alone.
pub const DEPLOYMENT_LABEL: &str = "exec-engine.deployment";
/// The execution label of a sandbox started before any submission took it.
pub const POOLED: &str = "pooled";

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
#[derive(Clone, Debug, PartialEq)]
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
    #[error("the container did not end within {0:?}")]
    TimedOut(Duration),
}

#[derive(Clone)]
pub struct Sandbox {
    docker: Docker,
    /// The value of [`DEPLOYMENT_LABEL`] on the containers this one starts.
    deployment: String,
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
    /// Its containers are labeled as `deployment`'s.
    pub async fn connect(deployment: String) -> Result<Self, DockerError> {
        let docker = Docker::connect_with_local_defaults()?
            .negotiate_version()
            .await?;
        docker.ping().await?;
        Ok(Self { docker, deployment })
    }

    /// The id of the image `name` names now.
    pub async fn image_id(&self, name: &str) -> Result<String, DockerError> {
        let image = self.docker.inspect_image(name).await?;
        Ok(image.id.unwrap_or_else(|| name.to_owned()))
    }

    /// The value of the image's `label`, if it has one.
    pub async fn image_label(
        &self,
        name: &str,
        label: &str,
    ) -> Result<Option<String>, DockerError> {
        let image = self.docker.inspect_image(name).await?;
        Ok(image
            .config
            .and_then(|config| config.labels)
            .and_then(|mut labels| labels.remove(label)))
    }

    /// Removes containers left behind (by a crashed or stopped worker): labeled as this
    /// deployment's and past their deadline, or warm ones not running (a warm sandbox ends when
    /// its worker hangs up; one whose start was cut short never ran). Sandboxes that live
    /// workers run are never touched (one caught between its creation and its start fails
    /// to start, and its pool starts another).
    pub async fn remove_leftovers(&self) -> Result<usize, DockerError> {
        let filters = HashMap::from([(
            "label".to_owned(),
            vec![
                LABEL.to_owned(),
                format!("{DEPLOYMENT_LABEL}={}", self.deployment),
            ],
        )]);
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
                .is_none_or(|d| d + LEFTOVER_GRACE.as_secs() < now)
                || (matches!(
                    container.state,
                    Some(ContainerSummaryStateEnum::EXITED | ContainerSummaryStateEnum::CREATED)
                ) && container.names.iter().flatten().any(|name| {
                    name.trim_start_matches('/')
                        .starts_with(&format!("exec-{POOLED}-"))
                }));
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

impl Sandbox {
    /// Creates, attaches to and starts a container that waits for its job (see
    /// [`RunningSandbox::hand`]): for `execution`, or for whichever submission takes it from
    /// a pool (`None`). A sweep may remove it once `deadline` (from now) is past.
    pub async fn launch(
        &self,
        spec: &SandboxSpec,
        execution: Option<Uuid>,
        deadline: Duration,
    ) -> Result<RunningSandbox, SandboxError> {
        let owner = execution.map_or_else(|| POOLED.to_owned(), |id| id.to_string());
        let id = self
            .docker
            .create_container(
                Some(
                    CreateContainerOptionsBuilder::default()
                        .name(&container_name(&owner))
                        .build(),
                ),
                container_body(spec, &owner, &self.deployment, deadline),
            )
            .await?
            .id;
        // From here on the session removes the container, however it ends.
        let mut running = RunningSandbox {
            docker: self.docker.clone(),
            id,
            output: Box::pin(futures::stream::empty()),
            input: Box::pin(tokio::io::sink()),
            jobs: 0,
            started: std::time::Instant::now(),
            stderr: Vec::new(),
            removed: false,
        };
        let attached = self
            .docker
            .attach_container(
                &running.id,
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
        running.input = attached.input;
        self.docker.start_container(&running.id, None).await?;
        metrics::counter!(names::SANDBOX_STARTS).increment(1);
        Ok(running)
    }
}

impl Sandbox {
    /// What `command` prints in the sandbox image (its runtime's version, say), run once
    /// as nobody in a container as locked down as a sandbox, without the supervisor.
    pub async fn run_once(
        &self,
        spec: &SandboxSpec,
        command: &[&str],
        limit: Duration,
    ) -> Result<String, SandboxError> {
        let mut body = container_body(spec, "runtime", &self.deployment, limit);
        body.user = Some("65534:65534".to_owned());
        body.entrypoint = Some(command.iter().map(|part| part.to_string()).collect());
        body.cmd = None;
        body.open_stdin = Some(false);
        body.attach_stdin = Some(false);
        body.stdin_once = Some(false);
        if let Some(host) = body.host_config.as_mut() {
            host.cap_add = None;
        }
        let id = self.docker.create_container(None, body).await?.id;
        let read = async {
            let attached = self
                .docker
                .attach_container(
                    &id,
                    Some(
                        AttachContainerOptionsBuilder::default()
                            .stdout(true)
                            .stderr(true)
                            .stream(true)
                            .build(),
                    ),
                )
                .await?;
            self.docker.start_container(&id, None).await?;
            let mut output = attached.output;
            let mut text = Vec::new();
            while let Some(chunk) = output.next().await {
                text.extend_from_slice(&chunk?.into_bytes());
                if text.len() > 64 * 1024 {
                    break;
                }
            }
            Ok::<_, DockerError>(String::from_utf8_lossy(&text).into_owned())
        };
        let text = tokio::time::timeout(limit, read).await;
        let _ = remove(&self.docker, &id).await;
        match text {
            Ok(text) => Ok(text?),
            Err(_) => Err(SandboxError::TimedOut(limit)),
        }
    }
}

impl Sandboxes for Sandbox {
    type Running = RunningSandbox;

    /// A fresh container for `execution`, handed `job` at once. The job tells the
    /// supervisor to end the container after `lifetime`, even if no worker is left to.
    async fn start(
        &self,
        spec: &SandboxSpec,
        execution: Uuid,
        lifetime: Duration,
        job: &[u8],
    ) -> Result<RunningSandbox, SandboxError> {
        let mut running = self.launch(spec, Some(execution), lifetime).await?;
        running.hand(job).await?;
        Ok(running)
    }
}

type Output = Pin<Box<dyn Stream<Item = Result<LogOutput, DockerError>> + Send>>;

/// A started sandbox. It is removed by [`LiveSandbox::finish`], or when dropped.
pub struct RunningSandbox {
    docker: Docker,
    /// Docker's id: the name changes when a pooled sandbox is claimed.
    id: String,
    output: Output,
    /// Its stdin, where its jobs are written.
    input: Pin<Box<dyn AsyncWrite + Send>>,
    /// Jobs it was handed.
    jobs: u32,
    started: std::time::Instant,
    stderr: Vec<u8>,
    removed: bool,
}

impl RunningSandbox {
    /// Names a pooled sandbox after the execution that took it, as a fresh one is named,
    /// or ([`POOLED`]) after none once it is back in its pool. In the background: nothing
    /// waits for it.
    pub fn name_for(&self, owner: &str) {
        let (docker, id) = (self.docker.clone(), self.id.clone());
        let name = container_name(owner);
        tokio::spawn(async move {
            let options = RenameContainerOptionsBuilder::default().name(&name).build();
            if let Err(err) = docker.rename_container(&id, options).await {
                tracing::debug!(container = %id, error = %err, "could not rename a sandbox");
            }
        });
    }

    /// Writes a job (one line) to the supervisor, which waits for nothing else.
    pub async fn hand(&mut self, job: &[u8]) -> Result<(), SandboxError> {
        self.jobs += 1;
        self.input.write_all(job).await?;
        self.input.flush().await?;
        Ok(())
    }

    /// How many jobs it was handed, and how long ago it started.
    pub fn wear(&self) -> (u32, Duration) {
        (self.jobs, self.started.elapsed())
    }
}

impl LiveSandbox for RunningSandbox {
    async fn send(&mut self, line: &[u8]) -> Result<(), SandboxError> {
        self.input.write_all(line).await?;
        self.input.flush().await?;
        Ok(())
    }

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
        let _ = self.docker.kill_container(&self.id, None).await;
        let state = self
            .docker
            .inspect_container(&self.id, None)
            .await?
            .state
            .unwrap_or_default();
        self.removed = true;
        remove(&self.docker, &self.id).await?;
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
        // Dropped (done with, or the worker is stopping): remove it in the background;
        // what even that misses, the next sweep removes.
        let (docker, id) = (self.docker.clone(), std::mem::take(&mut self.id));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(err) = remove(&docker, &id).await {
                    tracing::warn!(container = %id, error = %err, "could not remove a sandbox");
                }
            });
        }
    }
}

async fn remove(docker: &Docker, id: &str) -> Result<(), DockerError> {
    docker
        .remove_container(
            id,
            Some(RemoveContainerOptionsBuilder::default().force(true).build()),
        )
        .await?;
    metrics::counter!(names::SANDBOX_REMOVALS).increment(1);
    Ok(())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `exec-<execution>-<8 hex>`, or `exec-pooled-<8 hex>` until a submission claims it.
fn container_name(owner: &str) -> String {
    format!("exec-{owner}-{}", &Uuid::new_v4().simple().to_string()[..8])
}

fn container_body(
    spec: &SandboxSpec,
    owner: &str,
    deployment: &str,
    deadline: Duration,
) -> ContainerCreateBody {
    let labels = HashMap::from([
        (LABEL.to_owned(), "sandbox".to_owned()),
        (DEPLOYMENT_LABEL.to_owned(), deployment.to_owned()),
        (
            DEADLINE_LABEL.to_owned(),
            (unix_now() + deadline.as_secs()).to_string(),
        ),
        (EXECUTION_LABEL.to_owned(), owner.to_owned()),
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
