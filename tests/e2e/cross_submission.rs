//! Nothing crosses from one submission to the next: in each language, a submission plants
//! what it can in its sandbox (files, links and a FIFO in `/tmp`, SysV IPC objects, a POSIX
//! message queue, an abstract socket, processes in sessions of their own holding memory and
//! pids, its environment and working directory), then submissions served by the same
//! worker's sandboxes, reused ones included in `SANDBOX_MODE=reuse`, must find none of it
//! and have their whole memory and pids budget. The programs are
//! `tests/cross_submission/{plant,check}.<extension>`.

use exec_engine::Language;
use serde_json::json;

use crate::conformance::{extension, languages_under_test};
use crate::stack::{Stack, StackOptions};

fn program(name: &str) -> String {
    let path = crate::repo_path("tests/cross_submission").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()))
}

#[tokio::test]
async fn later_submissions_see_nothing_an_earlier_one_planted() {
    let languages = languages_under_test();
    let mut stack = Stack::start_with(StackOptions {
        languages: languages.clone(),
        ..StackOptions::default()
    })
    .await;
    for language in languages {
        let submit = |name: &str, function: &str, expected: &str| {
            json!({
                "language": language.as_str(),
                "code": program(&format!("{name}.{}", extension(language))),
                "function_name": function,
                "test_cases": [{"input": [0], "expected_output": expected}],
                "callback_url": stack.callback_url,
            })
        };
        let plant = submit("plant", "plant", "planted");
        let check = submit("check", "check", "clean");
        // The worker keeps two sandboxes: one after another, every check meets the planter's.
        for round in 0..2 {
            let id = stack.accept(&plant).await;
            let body = stack.callback_for(&id).await.body;
            assert_eq!(
                body["status"], "accepted",
                "{language} round {round}, planting: {body}"
            );
            for _ in 0..3 {
                let id = stack.accept(&check).await;
                let body = stack.callback_for(&id).await.body;
                assert_eq!(
                    body["results"][0]["actual_output"], "\"clean\"",
                    "{language} round {round}: {body}"
                );
            }
        }
    }
}

/// The languages whose programs are there: each must have both.
#[test]
fn every_language_has_a_planter_and_a_checker() {
    for language in Language::ALL {
        for name in ["plant", "check"] {
            program(&format!("{name}.{}", extension(language)));
        }
    }
}
