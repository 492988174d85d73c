//! One fresh, locked-down Docker container per submission, driven through bollard.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bollard::container::LogOutput;
use bollard::errors::Error as DockerError;
use bollard::models::{ContainerCreateBody, HostConfig, ResourcesUlimits};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptionsBuilder, ListContainersOptionsBuilder,
    RemoveContainerOptionsBuilder,
};
use bollard::Docker;
use futures::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::time::{timeout_at, Instant};
use uuid::Uuid;

/// Every container the engine creates carries this label...
pub const LABEL: &str = "exec-engine";
/// ...and this one: the Unix time after which it may be removed as left behind.
pub const DEADLINE_LABEL: &str = "exec-engine.deadline";

/// What the engine reads of a sandbox's own output at the most; past it the sandbox is
/// stopped (its per-test output is capped far lower inside by the harness).
const MAX_CAPTURED_BYTES: usize = 16 * 1024 * 1024;
/// Time a container may outlive its deadline before a starting worker removes it.
const LEFTOVER_GRACE: Duration = Duration::from_secs(60);
/// Open files inside the sandbox.
const NOFILE_LIMIT: i64 = 256;

/// The limits and image of one language's sandboxes.
#[derive(Clone, Debug)]
pub struct SandboxSpec {
    pub image: String,
    pub memory_bytes: u64,
    pub nano_cpus: i64,
    pub pids_limit: i64,
    pub tmpfs_bytes: u64,
    /// Whether files in `/tmp` may be executed: compiled languages build into it.
    pub tmpfs_exec: bool,
    /// Wall clock for the whole container, from start to exit.
    pub timeout: Duration,
}

/// What came out of a finished (or stopped) sandbox.
#[derive(Debug, Default)]
pub struct SandboxOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit_code: Option<i64>,
    pub timed_out: bool,
    pub oom_killed: bool,
    /// The sandbox wrote more than the engine reads.
    pub overflowed: bool,
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

    /// Runs `job` (one line for the harness's stdin) in a new container and removes it.
    pub async fn run(
        &self,
        spec: &SandboxSpec,
        execution: Uuid,
        job: &[u8],
    ) -> Result<SandboxOutput, SandboxError> {
        let name = format!(
            "exec-{execution}-{}",
            &Uuid::new_v4().simple().to_string()[..8]
        );
        let deadline = Instant::now() + spec.timeout;
        self.docker
            .create_container(
                Some(CreateContainerOptionsBuilder::default().name(&name).build()),
                container_body(spec, execution),
            )
            .await?;
        let result = self.attach_and_run(&name, job, deadline).await;
        // The container goes whatever happened; a failure here is only logged, and the
        // next worker start removes what is left.
        if let Err(err) = self
            .docker
            .remove_container(
                &name,
                Some(RemoveContainerOptionsBuilder::default().force(true).build()),
            )
            .await
        {
            tracing::warn!(container = %name, error = %err, "could not remove a sandbox");
        }
        result
    }

    async fn attach_and_run(
        &self,
        name: &str,
        job: &[u8],
        deadline: Instant,
    ) -> Result<SandboxOutput, SandboxError> {
        let attached = self
            .docker
            .attach_container(
                name,
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
        let (mut output, mut input) = (attached.output, attached.input);
        self.docker.start_container(name, None).await?;
        input.write_all(job).await?;
        input.flush().await?;

        let mut out = SandboxOutput::default();
        loop {
            match timeout_at(deadline, output.next()).await {
                Err(_) => {
                    out.timed_out = true;
                    break;
                }
                Ok(None) => break,
                Ok(Some(Err(err))) => return Err(err.into()),
                Ok(Some(Ok(LogOutput::StdOut { message }))) => {
                    out.stdout.extend_from_slice(&message)
                }
                Ok(Some(Ok(LogOutput::StdErr { message }))) => {
                    out.stderr.extend_from_slice(&message)
                }
                Ok(Some(Ok(_))) => {}
            }
            if out.stdout.len() + out.stderr.len() > MAX_CAPTURED_BYTES {
                out.overflowed = true;
                break;
            }
        }
        drop(input);
        if out.timed_out || out.overflowed {
            let _ = self.docker.kill_container(name, None).await;
        }
        let state = self
            .docker
            .inspect_container(name, None)
            .await?
            .state
            .unwrap_or_default();
        out.exit_code = state.exit_code;
        out.oom_killed = state.oom_killed.unwrap_or(false);
        Ok(out)
    }

    /// Removes containers that a crashed worker left behind: labeled as the engine's and
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
                let removal = self
                    .docker
                    .remove_container(
                        &id,
                        Some(RemoveContainerOptionsBuilder::default().force(true).build()),
                    )
                    .await;
                match removal {
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

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn container_body(spec: &SandboxSpec, execution: Uuid) -> ContainerCreateBody {
    let labels = HashMap::from([
        (LABEL.to_owned(), "sandbox".to_owned()),
        (
            DEADLINE_LABEL.to_owned(),
            (unix_now() + spec.timeout.as_secs()).to_string(),
        ),
        ("exec-engine.execution".to_owned(), execution.to_string()),
    ]);
    let tmpfs = HashMap::from([(
        "/tmp".to_owned(),
        format!("rw,nosuid,nodev,noexec,size={},mode=1777", spec.tmpfs_bytes),
    )]);
    let memory = i64::try_from(spec.memory_bytes).unwrap_or(i64::MAX);
    ContainerCreateBody {
        image: Some(spec.image.clone()),
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
            security_opt: Some(vec!["no-new-privileges".to_owned()]),
            memory: Some(memory),
            // Equal to memory: no swap.
            memory_swap: Some(memory),
            nano_cpus: Some(spec.nano_cpus),
            pids_limit: Some(spec.pids_limit),
            ulimits: Some(vec![ResourcesUlimits {
                name: Some("nofile".to_owned()),
                soft: Some(NOFILE_LIMIT),
                hard: Some(NOFILE_LIMIT),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}
