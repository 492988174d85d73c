//! Fault injection: the engine as separate processes, broken on purpose while it works (a
//! worker killed or paused, a receiver failing or gone, NATS or the notifier killed and
//! restarted), counting what went in and what came out: every accepted submission gets
//! exactly one stored result, and at least one callback carrying it.
//! Run by `make test` (`cargo test --features e2e --test faults`) after `cargo build --bins`.

#[path = "../common/deployment.rs"]
mod deployment;
mod engine;

use std::time::Duration;

use engine::{Engine, Options, Submitted};

/// How long the receiver stays in trouble.
const OUTAGE: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_killed_workers_submissions_run_on_another() {
    let mut engine = Engine::start(Options {
        workers: 2,
        ..Options::default()
    })
    .await;
    let ids = engine.submit_all(20, 400).await;
    // Both workers hold submissions (three each at a time); one dies without a word.
    tokio::time::sleep(Duration::from_secs(2)).await;
    engine.workers[0].kill();
    let killed = std::time::Instant::now();
    engine.assert_nothing_lost_nothing_twice(&ids).await;
    // A figure for the record (`--nocapture`), not an assertion.
    eprintln!(
        "every result delivered {:?} after the kill",
        killed.elapsed()
    );
}

#[tokio::test]
async fn a_worker_stopped_with_sigterm_hands_back_what_it_holds() {
    let mut engine = Engine::start(Options {
        workers: 2,
        env: vec![
            ("SHUTDOWN_GRACE_SECS", "1".to_owned()),
            ("LOG_FORMAT", "json".to_owned()),
        ],
        ..Options::default()
    })
    .await;
    let ids = engine.submit_all(12, 1500).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    engine.workers[0].signal(libc::SIGTERM);
    // The grace, then what runs is handed back; the pull it waits on ends within 2 s.
    assert!(
        engine.workers[0]
            .exited_within(Duration::from_secs(15))
            .await,
        "the worker stops within its grace:\n{}",
        engine.workers[0].log_text()
    );
    engine.assert_nothing_lost_nothing_twice(&ids).await;
    // Its logs (LOG_FORMAT=json) are one JSON object a line, the execution id among the
    // fields of the lines about an execution.
    let log = engine.workers[1].log_text();
    for line in log.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|_| panic!("{line}"));
    }
    let about_an_execution = |line: &&str| {
        ids.iter()
            .any(|id| line.contains(&format!(r#""id":"{id}""#)))
    };
    assert!(log.lines().any(|line| about_an_execution(&line)), "{log}");
}

#[tokio::test]
async fn a_receiver_that_fails_for_a_while_gets_every_callback() {
    let engine = Engine::start(Options::default()).await;
    engine.receiver.fail_with(500);
    let ids = engine.submit_all(10, 0).await;
    tokio::time::sleep(OUTAGE).await;
    for id in &ids {
        assert!(engine.callbacks.for_id(id).is_empty());
        let (_, state) = engine.state(id).await;
        assert_eq!(state["callback"]["state"], "pending", "{state}");
        assert!(
            state["callback"]["attempts"].as_u64().unwrap() >= 2,
            "{state}"
        );
    }
    engine.receiver.recover();
    engine.assert_nothing_lost_nothing_twice(&ids).await;
}

#[tokio::test]
async fn a_receiver_that_is_down_for_a_while_gets_every_callback() {
    let mut engine = Engine::start(Options::default()).await;
    engine.receiver.stop();
    let ids = engine.submit_all(10, 0).await;
    tokio::time::sleep(OUTAGE).await;
    engine.restart_receiver().await;
    engine.assert_nothing_lost_nothing_twice(&ids).await;
}

#[tokio::test]
async fn nats_killed_and_restarted_mid_flow_loses_nothing() {
    let mut engine = Engine::start(Options::default()).await;
    // One worker serves /readyz, which says whether NATS and Docker answer.
    let operator = format!("http://127.0.0.1:{}", engine::free_port());
    let worker_addr = operator.trim_start_matches("http://").to_owned();
    engine.workers[0].restart_with(&[("METRICS_ADDR", worker_addr.as_str())]);
    engine.workers[0].logged("worker ready", 2).await;
    let ready = |url: String| {
        let http = engine.http.clone();
        async move {
            let response = http.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, body) = ready(format!("{operator}/readyz")).await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ready"}"#));
    let mut accepted = Vec::new();
    let mut unconfirmed = Vec::new();
    // 20 rounds up, 20 down, then until 10 more are accepted once NATS is back (the clients
    // reconnect after a backoff, longer on a loaded machine), or a minute.
    let mut round = 0;
    let mut after_restart = 0;
    let mut restarted_at = None;
    while after_restart < 10 {
        if round == 20 {
            engine.nats.as_mut().unwrap().kill();
        }
        if round == 30 {
            let (status, body) = ready(format!("{operator}/readyz")).await;
            assert_eq!(status, 503, "{body}");
            assert!(body.contains("not connected to NATS"), "{body}");
            let (status, _) = ready(format!("{}/readyz", engine.gateway_url)).await;
            assert_eq!(status, 503);
        }
        if round == 40 {
            engine.nats.as_mut().unwrap().restart();
            restarted_at = Some(std::time::Instant::now());
        }
        if let Some(at) = restarted_at {
            assert!(
                at.elapsed() < Duration::from_secs(60),
                "{after_restart} accepted in the minute after NATS restarted"
            );
        }
        match engine.submit(100).await {
            Submitted::Accepted(id) => {
                after_restart += usize::from(restarted_at.is_some());
                accepted.push(id);
            }
            Submitted::Unconfirmed(id) => unconfirmed.push(id),
            Submitted::NoAnswer => {}
        }
        round += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!unconfirmed.is_empty(), "NATS was down for a while");
    assert!(accepted.len() >= 25, "{} accepted", accepted.len());
    engine.assert_nothing_lost_nothing_twice(&accepted).await;
    assert_eq!(ready(format!("{operator}/readyz")).await.0, 200);
    // A 503's id is either unknown, or was stored after all and ran once.
    let stored = engine.stored_results().await;
    for id in &unconfirmed {
        let (status, _) = engine.state(id).await;
        assert!(
            status == 404 || stored.get(id) == Some(&1),
            "{id}: {status}"
        );
    }
}

#[tokio::test]
async fn a_notifier_killed_with_callbacks_in_flight_delivers_them_after_restart() {
    let mut engine = Engine::start(Options::default()).await;
    engine.receiver.fail_with(503);
    let ids = engine.submit_all(20, 0).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    engine.notifier.kill();
    engine.receiver.recover();
    tokio::time::sleep(Duration::from_secs(2)).await;
    engine.notifier.start();
    engine.assert_nothing_lost_nothing_twice(&ids).await;
}

#[tokio::test]
async fn a_worker_paused_past_the_duplicate_window_cannot_store_a_second_result() {
    let engine = Engine::start(Options {
        workers: 2,
        env: vec![("DUPLICATE_WINDOW_SECS", "2".to_owned())],
        ..Options::default()
    })
    .await;
    let ids = engine.submit_all(12, 300).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    engine.workers[0].signal(libc::SIGSTOP);
    // Past the ack wait (its submissions go to the other worker) and the duplicate window.
    tokio::time::sleep(Duration::from_secs(15)).await;
    engine.every_callback(&ids, engine::SETTLE_TIMEOUT).await;
    engine.workers[0].signal(libc::SIGCONT);
    // The paused worker finishes what it held; the stream refuses its results.
    tokio::time::sleep(Duration::from_secs(8)).await;
    engine.assert_nothing_lost_nothing_twice(&ids).await;
    let log = engine.workers[0].log_text();
    assert!(
        log.contains("a result for this execution was stored before"),
        "the paused worker's late results were dropped:\n{log}"
    );
}

#[tokio::test]
async fn a_notifier_restarted_with_new_retry_settings_keeps_every_callback() {
    let mut engine = Engine::start(Options::default()).await;
    engine.receiver.fail_with(500);
    let ids = engine.submit_all(10, 0).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let metrics_port = engine::free_port();
    let metrics_addr = format!("127.0.0.1:{metrics_port}");
    engine.notifier.restart_with(&[
        ("METRICS_ADDR", metrics_addr.as_str()),
        ("CALLBACK_TIMEOUT_MS", "3000"),
        ("CALLBACK_MAX_PENDING", "500"),
        ("CALLBACK_RETRY_MAX_MS", "500"),
        ("CALLBACK_RETRY_PERIOD_SECS", "3600"),
    ]);
    engine.notifier.logged("notifier ready", 2).await;
    let stream = engine
        .js
        .get_stream(exec_engine::subjects::RESULTS_STREAM)
        .await
        .unwrap();
    let consumer = stream.consumer_info("notifier").await.unwrap();
    assert_eq!(consumer.config.ack_wait, Duration::from_secs(23));
    assert_eq!(consumer.config.max_ack_pending, 500);
    tokio::time::sleep(Duration::from_secs(3)).await;
    // The notifier serves its metrics: its retries are counted.
    let metrics = engine
        .http
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"exec_callback_attempts_total{outcome="retry"}"#),
        "{metrics}"
    );
    let ready = engine
        .http
        .get(format!("http://{metrics_addr}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    engine.receiver.recover();
    engine.assert_nothing_lost_nothing_twice(&ids).await;
}

#[tokio::test]
async fn a_three_node_cluster_loses_nothing_when_a_node_dies() {
    let mut cluster = local_nats::NatsCluster::start(3);
    let engine = Engine::start(Options {
        workers: 1,
        env: vec![("STREAM_REPLICAS", "3".to_owned())],
        nats_url: Some(cluster.url()),
    })
    .await;
    let mut accepted = Vec::new();
    let mut accepted_after_the_kill = 0;
    for round in 0..80 {
        if round == 10 {
            cluster.kill(0);
        }
        match engine.submit(50).await {
            Submitted::Accepted(id) => {
                accepted.push(id);
                accepted_after_the_kill += usize::from(round >= 10);
            }
            // An election takes a few seconds (4 to 9 here); the client may retry.
            Submitted::Unconfirmed(_) | Submitted::NoAnswer => {}
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        accepted_after_the_kill >= 10,
        "{accepted_after_the_kill} accepted after the kill"
    );
    engine.assert_nothing_lost_nothing_twice(&accepted).await;
    let mut stream = engine
        .js
        .get_stream(exec_engine::subjects::RESULTS_STREAM)
        .await
        .unwrap();
    let info = stream.info().await.unwrap();
    assert_eq!(info.config.num_replicas, 3);
}
