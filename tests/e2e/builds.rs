//! Kept builds (harness/PROTOCOL.md, "Builds"): in every language that compiles, the same
//! code compiles once and later runs load what the compiler made, never what a running
//! program left behind.

use std::time::Duration;

use async_nats::jetstream;
use exec_engine::Language;
use futures::StreamExt;
use serde_json::{json, Value};

use crate::conformance::languages_under_test;
use crate::stack::{Stack, StackOptions};

/// How long a build may take to be kept after its run's result arrived (it is kept in the
/// background, and nobody waits for it).
const KEEPING: Duration = Duration::from_secs(10);

/// The builds kept now: each object's name and its unique id (a new one on every write).
async fn kept_builds(stack: &Stack) -> Vec<(String, String)> {
    // A listing can wait for ever on a bucket written while it reads: each try is bounded.
    for _ in 0..5 {
        if let Ok(kept) = tokio::time::timeout(Duration::from_secs(3), list_builds(stack)).await {
            return kept;
        }
    }
    panic!("the bucket of builds could not be listed");
}

async fn list_builds(stack: &Stack) -> Vec<(String, String)> {
    let js = jetstream::new(stack.nats.clone());
    let Ok(store) = js.get_object_store("exec-builds").await else {
        return Vec::new();
    };
    let mut list = store.list().await.expect("the bucket lists");
    let mut kept = Vec::new();
    while let Some(info) = list.next().await {
        let info = info.expect("an object's info");
        kept.push((info.name, info.nuid));
    }
    kept.sort();
    kept
}

/// Waits until `count` builds are kept; returns them.
async fn wait_for_builds(stack: &Stack, count: usize) -> Vec<(String, String)> {
    let deadline = tokio::time::Instant::now() + KEEPING;
    loop {
        let kept = kept_builds(stack).await;
        if kept.len() >= count || tokio::time::Instant::now() > deadline {
            return kept;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn compiled_languages() -> Vec<Language> {
    languages_under_test()
        .into_iter()
        .filter(|l| l.keeps_builds())
        .collect()
}

/// A function doubling its argument, in `language`, with `marker` in a comment.
fn doubling(language: Language, marker: &str) -> String {
    match language {
        Language::Java => {
            format!("class Solution {{\n    public int twice(int n) {{ return 2 * n; }} // {marker}\n}}")
        }
        Language::Cpp => format!("int twice(int n) {{ return 2 * n; }} // {marker}"),
        _ => format!("func twice(n int) int {{ return 2 * n }} // {marker}"),
    }
}

/// Each test's verdict and output.
fn outputs(document: &Value) -> Vec<(Value, Value)> {
    let results = document["results"].as_array().expect("results");
    results
        .iter()
        .map(|r| (r["status"].clone(), r["actual_output"].clone()))
        .collect()
}

async fn run(stack: &mut Stack, request: &Value) -> Value {
    let id = stack.accept(request).await;
    stack.callback_for(&id).await.body
}

#[tokio::test]
async fn the_same_code_compiles_once_whichever_sandbox_runs_it() {
    let languages = compiled_languages();
    if languages.is_empty() {
        return; // E2E_LANGUAGES names none that compiles
    }
    let mut stack = Stack::start_with(StackOptions {
        languages: languages.clone(),
        ..StackOptions::default()
    })
    .await;
    let mut expected_builds = 0;
    let callback_url = stack.callback_url.clone();
    for language in languages {
        let request = |marker: &str| {
            json!({
                "language": language.as_str(),
                "code": doubling(language, marker),
                "function_name": "twice",
                "test_cases": [{"input": [4], "expected_output": "8"}, {"input": [-1], "expected_output": "-2"}],
                "callback_url": callback_url,
            })
        };
        let first = run(&mut stack, &request("first")).await;
        assert_eq!(first["status"], "accepted", "{language}: {first}");
        expected_builds += 1;
        let kept = wait_for_builds(&stack, expected_builds).await;
        assert_eq!(kept.len(), expected_builds, "{language}: one build kept");

        // Again, and again in whichever sandbox comes: the build is loaded, none is made
        // (a miss would ask for one and keep it anew, under a new id).
        for round in 0..3 {
            let again = run(&mut stack, &request("first")).await;
            assert_eq!(
                again["status"], "accepted",
                "{language} round {round}: {again}"
            );
            assert_eq!(outputs(&again), outputs(&first), "{language} round {round}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            kept_builds(&stack).await,
            kept,
            "{language}: nothing built again"
        );

        // Other code is built, and kept beside it.
        let other = run(&mut stack, &request("second")).await;
        assert_eq!(other["status"], "accepted", "{language}: {other}");
        expected_builds += 1;
        assert_eq!(
            wait_for_builds(&stack, expected_builds).await.len(),
            expected_builds
        );
    }
}

/// A C++ program that replaces its own executable before printing: whatever it does to the
/// file its tests run from, a later submission of the same code loads what the compiler made.
const SELF_REPLACING: &str = r##"#include <climits>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>
int main() {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        path[n] = 0;
        unlink(path);
        if (FILE* f = fopen(path, "w")) {
            fputs("#!/bin/sh\necho poisoned\n", f);
            fclose(f);
            chmod(path, 0755);
        }
    }
    puts("original");
}
"##;

#[tokio::test]
async fn a_program_cannot_change_the_build_kept_of_it() {
    if !languages_under_test().contains(&Language::Cpp) {
        return;
    }
    let mut stack = Stack::start_with(StackOptions {
        languages: vec![Language::Cpp],
        ..StackOptions::default()
    })
    .await;
    let request = json!({
        "language": "cpp",
        "code": SELF_REPLACING,
        "test_cases": [{"input": "", "expected_output": "original"},
                       {"input": "", "expected_output": "original"}],
        "callback_url": stack.callback_url,
    });
    let first = run(&mut stack, &request).await;
    assert_eq!(first["results"][0]["status"], "accepted", "{first}");
    assert_eq!(wait_for_builds(&stack, 1).await.len(), 1);
    for round in 0..3 {
        let again = run(&mut stack, &request).await;
        // (Its second test runs what the first left: the program's own doing.)
        assert_eq!(
            again["results"][0]["actual_output"], "original\n",
            "round {round}: {again}"
        );
    }
}
