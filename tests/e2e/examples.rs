//! The original specification's JavaScript and Java examples give its documented callbacks.

use exec_engine::Language;
use serde_json::{json, Value};

use crate::conformance::languages_under_test;
use crate::spec_examples;
use crate::stack::{Stack, StackOptions};

async fn callback_body(language: Language, request: Value) -> Value {
    let mut stack = Stack::start_with(StackOptions {
        languages: vec![language],
        ..StackOptions::default()
    })
    .await;
    let mut request = request;
    request["callback_url"] = json!(stack.callback_url);
    let id = stack.accept(&request).await;
    let body = stack.callback_for(&id).await.body;
    assert_eq!(body["id"], id.as_str());
    body
}

#[tokio::test]
async fn the_specification_javascript_example() {
    if !languages_under_test().contains(&Language::Js) {
        eprintln!("js is not among E2E_LANGUAGES; skipped");
        return;
    }
    let example = spec_examples::example(Language::Js);
    let body = callback_body(Language::Js, example.request.clone()).await;
    example.assert_documented(&body);
}

#[tokio::test]
async fn the_specification_java_example() {
    if !languages_under_test().contains(&Language::Java) {
        eprintln!("java is not among E2E_LANGUAGES; skipped");
        return;
    }
    let example = spec_examples::example(Language::Java);
    let body = callback_body(Language::Java, example.request.clone()).await;
    example.assert_documented(&body);
}
