//! Nothing crosses from one submission to the next: a Python submission plants what it can
//! in its sandbox (files, links and a FIFO in `/tmp`, SysV IPC objects, a POSIX message
//! queue, an abstract socket, processes in sessions of their own holding memory and pids,
//! its environment and working directory), then submissions served by the same worker's
//! sandboxes, reused ones included in `SANDBOX_MODE=reuse`, must find none of it and have
//! their whole memory and pids budget. The programs are under `tests/cross_submission/`.

use std::path::Path;

use serde_json::json;

use crate::stack::Stack;

fn program(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cross_submission")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()))
}

#[tokio::test]
async fn later_submissions_see_nothing_an_earlier_one_planted() {
    let mut stack = Stack::start().await;
    let submit = |code: String, function: &str, expected: &str| {
        json!({
            "language": "python",
            "code": code,
            "function_name": function,
            "test_cases": [{"input": [0], "expected_output": expected}],
            "callback_url": stack.callback_url,
        })
    };
    let plant = submit(program("plant.py"), "plant", "planted");
    let check = submit(program("check.py"), "check", "clean");
    // The worker keeps two sandboxes: one after another, every check meets the planter's.
    for round in 0..3 {
        let id = stack.accept(&plant).await;
        let body = stack.callback_for(&id).await.body;
        assert_eq!(
            body["status"], "accepted",
            "round {round}, planting: {body}"
        );
        for _ in 0..3 {
            let id = stack.accept(&check).await;
            let body = stack.callback_for(&id).await.body;
            assert_eq!(
                body["results"][0]["actual_output"], "\"clean\"",
                "round {round}: {body}"
            );
        }
    }
}
