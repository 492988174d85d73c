//! Plain-text tables for a terminal: result documents, progress lines, languages.

use crate::api::{ExecutionState, Languages, ResultDoc, TestOutcome};

/// The widest an expected or actual output is shown in the table.
const OUTPUT_WIDTH: usize = 30;
/// The widest an error message is shown in the table.
const ERROR_WIDTH: usize = 70;
/// Lines of compiler output shown; the rest is in `--json`.
const DETAIL_LINES: usize = 40;
/// What the engine puts in `actual_output` when a test produced no value.
const EXECUTION_FAILED: &str = "Execution Failed";

/// `s` cut to `max` characters, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// `s` quoted on one line, escapes shown (a trailing `\n` matters when outputs differ).
fn quoted(s: &str, max: usize) -> String {
    format!("\"{}\"", truncate(&s.escape_debug().to_string(), max))
}

pub fn format_time(ms: Option<f64>, fallback: &str) -> String {
    match ms {
        Some(ms) if ms >= 1000.0 => format!("{:.2} s", ms / 1000.0),
        Some(ms) => format!("{ms:.2} ms"),
        None if fallback.is_empty() => "-".to_owned(),
        None => fallback.to_owned(),
    }
}

pub fn format_memory(kb: Option<u64>, fallback: &str) -> String {
    match kb {
        Some(kb) if kb >= 1024 => format!("{:.1} MB", kb as f64 / 1024.0),
        Some(kb) => format!("{kb} KB"),
        None if fallback.is_empty() => "N/A".to_owned(),
        None => fallback.to_owned(),
    }
}

/// Why a failed test failed, on one line.
fn failure_detail(test: &TestOutcome) -> String {
    match &test.error {
        Some(error) if test.status != "wrong_answer" => {
            truncate(error.lines().next().unwrap_or_default(), ERROR_WIDTH)
        }
        _ if test.actual_output == EXECUTION_FAILED => test.status.replace('_', " "),
        _ => format!(
            "expected {}, got {}",
            quoted(&test.expected_output, OUTPUT_WIDTH),
            quoted(&test.actual_output, OUTPUT_WIDTH)
        ),
    }
}

/// Rows under headers, every column but the last padded; no trailing spaces.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    let mut out = String::new();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i].saturating_sub(cell.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The whole report for a result document: the tests' table (or the compiler's
/// message), then a summary line.
pub fn result_report(doc: &ResultDoc) -> String {
    let mut out = String::new();
    if doc.status == "compile_error" {
        out.push_str("compile error:\n");
        out.push_str(&indented_lines(
            doc.error_details.as_deref().unwrap_or("(no details)"),
        ));
    } else if !doc.results.is_empty() {
        let failures = doc.results.iter().any(|t| !t.passed);
        let mut headers = vec!["#", "VERDICT", "TIME", "MEMORY"];
        if failures {
            headers.push("DETAIL");
        }
        let rows: Vec<Vec<String>> = doc
            .results
            .iter()
            .enumerate()
            .map(|(i, test)| {
                let mut row = vec![
                    (i + 1).to_string(),
                    test.status.clone(),
                    format_time(test.time_ms, &test.time),
                    format_memory(test.memory_kb, &test.memory),
                ];
                if failures {
                    row.push(if test.passed {
                        String::new()
                    } else {
                        failure_detail(test)
                    });
                }
                row
            })
            .collect();
        out.push_str(&table(&headers, &rows));
    } else if let Some(error) = &doc.error {
        // Nothing ran (e.g. an internal error before the first test).
        out.push_str(&format!("error: {error}\n"));
        if let Some(details) = &doc.error_details {
            out.push_str(&indented_lines(details));
        }
    }
    out.push_str(&summary(doc));
    out.push('\n');
    out
}

fn indented_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for line in lines.iter().take(DETAIL_LINES) {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    if lines.len() > DETAIL_LINES {
        out.push_str(&format!(
            "  … ({} more lines; --json shows them all)\n",
            lines.len() - DETAIL_LINES
        ));
    }
    out
}

pub fn summary(doc: &ResultDoc) -> String {
    let passed = doc.results.iter().filter(|t| t.passed).count();
    let mut line = format!(
        "{passed}/{} passed, status: {}",
        doc.results.len(),
        doc.status
    );
    // Told where the tests weigh other than one each.
    if let Some(score) = doc.score.filter(|&score| score != passed as f64) {
        line.push_str(&format!(", score: {score}"));
    }
    if let Some(ms) = doc.compile_time_ms {
        line.push_str(&format!(" (compiled in {})", format_time(Some(ms), "")));
    }
    line
}

/// One line for a test as it completes (`--follow`).
pub fn test_progress(position: usize, total: Option<usize>, test: &TestOutcome) -> String {
    let of = total.map(|t| format!("/{t}")).unwrap_or_default();
    let mut line = format!(
        "test {position}{of}: {} ({})",
        test.status,
        format_time(test.time_ms, &test.time)
    );
    if !test.passed {
        line.push_str(&format!(": {}", failure_detail(test)));
    }
    line
}

/// The state line of `status`, and the callback's when there is one.
pub fn state_report(state: &ExecutionState) -> String {
    let mut out = match state.state.as_str() {
        "completed" => "state: completed\n".to_owned(),
        other => format!("state: {other} ({} tests done)\n", state.tests_done),
    };
    if let Some(callback) = state.callback.as_ref().filter(|c| c.state != "none") {
        out.push_str(&format!(
            "callback: {} ({} attempts)",
            callback.state, callback.attempts
        ));
        if let Some(error) = &callback.last_error {
            out.push_str(&format!(": {}", truncate(error, ERROR_WIDTH)));
        }
        out.push('\n');
    }
    out
}

pub fn languages_table(languages: &Languages) -> String {
    let limit = |v: Option<u64>, unit: &str| v.map_or("-".to_owned(), |v| format!("{v} {unit}"));
    let rows: Vec<Vec<String>> = languages
        .languages
        .iter()
        .map(|l| {
            vec![
                l.language.clone(),
                l.runtime.clone(),
                if l.compiled { "yes" } else { "no" }.to_owned(),
                limit(l.limits.time_limit_ms, "ms"),
                limit(l.limits.memory_limit_mb, "MB"),
                l.image.clone(),
            ]
        })
        .collect();
    table(
        &[
            "LANGUAGE",
            "RUNTIME",
            "COMPILED",
            "TIME LIMIT",
            "MEMORY LIMIT",
            "IMAGE",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(value: serde_json::Value) -> ResultDoc {
        serde_json::from_value(value).unwrap()
    }

    fn test_result(passed: bool, status: &str, expected: &str, actual: &str) -> serde_json::Value {
        json!({"input": [2, 3], "expected_output": expected, "actual_output": actual,
               "passed": passed, "time": "0.0457 ms", "memory": "12345 KB", "status": status,
               "time_ms": 0.0457, "memory_kb": 12345, "stdout": "", "stderr": "", "error": null})
    }

    #[test]
    fn an_accepted_document_renders_without_a_detail_column() {
        let d = doc(
            json!({"id": "x", "status": "accepted", "all_passed": true, "language": "python",
            "results": [test_result(true, "accepted", "5", "5"), test_result(true, "accepted", "7", "7")]}),
        );
        assert_eq!(
            result_report(&d),
            "\
#  VERDICT   TIME     MEMORY
1  accepted  0.05 ms  12.1 MB
2  accepted  0.05 ms  12.1 MB
2/2 passed, status: accepted
"
        );
    }

    #[test]
    fn the_score_is_told_where_tests_weigh_other_than_one() {
        let results = json!([
            test_result(true, "accepted", "5", "5"),
            test_result(false, "wrong_answer", "7", "8"),
            test_result(false, "skipped", "9", "Execution Failed")
        ]);
        let weighed = doc(json!({"status": "wrong_answer", "score": 2.5, "results": results}));
        assert_eq!(
            summary(&weighed),
            "1/3 passed, status: wrong_answer, score: 2.5"
        );
        let unweighed = doc(json!({"status": "wrong_answer", "score": 1.0, "results": results}));
        assert_eq!(summary(&unweighed), "1/3 passed, status: wrong_answer");
    }

    #[test]
    fn failures_show_expected_and_actual_or_the_error() {
        let mut runtime = test_result(false, "runtime_error", "1", "Execution Failed");
        runtime["error"] = json!("ZeroDivisionError: division by zero\n  at line 3");
        runtime["memory_kb"] = json!(null);
        runtime["memory"] = json!("N/A");
        runtime["time_ms"] = json!(1500.0);
        let long = "x".repeat(100);
        let d = doc(
            json!({"id": "x", "status": "wrong_answer", "all_passed": false,
            "error": "Runtime error", "results": [
                test_result(true, "accepted", "5", "5"),
                test_result(false, "wrong_answer", "5", "6\n"),
                runtime,
                test_result(false, "wrong_answer", &long, "y"),
            ]}),
        );
        let report = result_report(&d);
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "#  VERDICT        TIME     MEMORY   DETAIL");
        assert_eq!(lines[1], "1  accepted       0.05 ms  12.1 MB");
        assert_eq!(
            lines[2],
            r#"2  wrong_answer   0.05 ms  12.1 MB  expected "5", got "6\n""#
        );
        assert_eq!(
            lines[3],
            "3  runtime_error  1.50 s   N/A      ZeroDivisionError: division by zero"
        );
        assert_eq!(
            lines[4],
            format!(
                "4  wrong_answer   0.05 ms  12.1 MB  expected \"{}…\", got \"y\"",
                "x".repeat(29)
            )
        );
        assert_eq!(lines[5], "1/4 passed, status: wrong_answer");
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn a_compile_error_prints_its_details_instead_of_the_table() {
        let failed = test_result(false, "compile_error", "5", "Execution Failed");
        let d = doc(
            json!({"id": "x", "status": "compile_error", "all_passed": false,
            "error": "Execution environment error",
            "error_details": "main.cpp:3:1: error: expected ';'\n    3 | }\n",
            "compile_time_ms": 812.4, "results": [failed.clone(), failed]}),
        );
        assert_eq!(
            result_report(&d),
            "\
compile error:
  main.cpp:3:1: error: expected ';'
      3 | }
0/2 passed, status: compile_error (compiled in 812.40 ms)
"
        );
    }

    #[test]
    fn long_compiler_output_is_cut() {
        let details: Vec<String> = (0..50).map(|i| format!("line {i}")).collect();
        let d = doc(json!({"status": "compile_error", "error_details": details.join("\n")}));
        let report = result_report(&d);
        assert!(report.contains("  line 39\n  … (10 more lines; --json shows them all)\n"));
        assert!(!report.contains("line 40"));
    }

    #[test]
    fn an_error_before_any_test_is_shown() {
        let d = doc(
            json!({"status": "internal_error", "error": "Internal error",
            "error_details": "the sandbox did not start", "results": []}),
        );
        assert_eq!(
            result_report(&d),
            "error: Internal error\n  the sandbox did not start\n0/0 passed, status: internal_error\n"
        );
    }

    #[test]
    fn progress_lines_and_state_lines() {
        let t: TestOutcome =
            serde_json::from_value(test_result(false, "wrong_answer", "5", "6")).unwrap();
        assert_eq!(
            test_progress(2, Some(3), &t),
            r#"test 2/3: wrong_answer (0.05 ms): expected "5", got "6""#
        );
        let state: ExecutionState = serde_json::from_value(json!({"id": "x", "state": "running",
            "result": null, "tests_done": 1,
            "callback": {"state": "pending", "attempts": 2, "last_error": "HTTP 500"}}))
        .unwrap();
        assert_eq!(
            state_report(&state),
            "state: running (1 tests done)\ncallback: pending (2 attempts): HTTP 500\n"
        );
    }

    #[test]
    fn languages_render_as_a_table() {
        let languages: Languages = serde_json::from_value(json!({"languages": [
            {"language": "python", "runtime": "Python 3.11.2", "compiled": false,
             "image": "exec-python:1", "limits": {"time_limit_ms": 5000, "memory_limit_mb": 256, "other": 1}},
            {"language": "cpp", "runtime": "g++ 12", "compiled": true, "image": "exec-cpp:1", "limits": {}}
        ]}))
        .unwrap();
        assert_eq!(
            languages_table(&languages),
            "\
LANGUAGE  RUNTIME        COMPILED  TIME LIMIT  MEMORY LIMIT  IMAGE
python    Python 3.11.2  no        5000 ms     256 MB        exec-python:1
cpp       g++ 12         yes       -           -             exec-cpp:1
"
        );
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo wörld", 5), "héll…");
    }
}
