//! The `fankui score` command end to end: one output line per input record, in
//! order, whatever the input holds.

#[path = "common/cli.rs"]
mod cli;
#[path = "common/scratch.rs"]
mod scratch;

use cli::{fankui, json_lines, stderr};
use scratch::scratch;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

const TINY_MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny_model");

#[test]
fn example_file_gives_one_well_formed_line_per_record() {
    let input = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/feedback.jsonl")).unwrap();
    let ids: Vec<Value> = input.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].clone()).collect();
    let out = fankui(&["score", "examples/feedback.jsonl", "--model", TINY_MODEL], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got = json_lines(&out);
    assert_eq!(got.len(), ids.len());
    for (line, id) in got.iter().zip(&ids) {
        assert_eq!(&line["id"], id);
        assert!(line["text"].is_string());
        assert!(line["clauses"].is_array());
        assert!(line["keywords"].is_array());
        assert!(line["quality"]["ok"].is_boolean());
        assert!(line["store"].is_string(), "extra fields pass through: {line}");
        // Every text with something to score is scored; punctuation alone ("？？？") is not.
        if line["text"].as_str().unwrap().chars().any(char::is_alphanumeric) {
            assert!(line["sentiment"]["label"].is_string(), "{line}");
            let score = line["sentiment"]["score"].as_f64().unwrap();
            assert!((-1.0..=1.0).contains(&score));
            assert!(!line["topics"].as_array().unwrap().is_empty());
        }
        assert!(line.get("embedding").is_none());
    }
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains(&format!("{} records", ids.len())), "{summary}");
}

#[test]
fn bad_records_become_error_lines_and_the_run_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice("{\"id\":\"ok1\",\"text\":\"薯条有股怪味，打电话13812345678\"}\n".as_bytes());
    input.extend_from_slice(b"{not json\n");
    input.extend_from_slice(b"{\"id\":\"utf8\",\"text\":\"\xe8\x96\xaf\xff\xfe\"}\n");
    input.extend_from_slice(b"{\"id\":\"notext\",\"store\":\"S1\"}\n");
    input.extend_from_slice(b"{\"id\":\"num\",\"text\":42}\n");
    input.extend_from_slice(format!("{{\"id\":\"huge\",\"text\":\"{}\"}}\n", "好".repeat(1 << 20)).as_bytes());
    input.extend_from_slice(b"\x00\x01\x02\x03binary\xff junk\n");
    input.extend_from_slice(b"{\"id\":\"empty\",\"text\":\"\"}\n");
    input.extend_from_slice("{\"id\":\"ok2\",\"text\":\"送餐很快，但是汉堡凉了\"}".as_bytes());
    let out = fankui(&["score", "--no-model"], &input);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let got = json_lines(&out);
    let ids: Vec<String> = got.iter().map(|l| l["id"].to_string()).collect();
    assert_eq!(ids, ["\"ok1\"", "2", "\"utf8\"", "\"notext\"", "\"num\"", "\"huge\"", "7", "\"empty\"", "\"ok2\""]);
    let error = |i: usize| got[i]["error"].as_str().unwrap_or_else(|| panic!("line {i} is no error: {}", got[i]));
    assert!(error(1).contains("invalid JSON"));
    assert!(error(2).contains("UTF-8"));
    assert!(error(3).contains("missing field `text`"));
    assert!(error(4).contains("not a string"));
    assert!(error(5).contains("too long"), "{}", error(5));
    assert!(error(6).contains("UTF-8") || error(6).contains("JSON"));
    assert!(!got[0]["text"].as_str().unwrap().contains("13812345678"), "phone masked");
    assert_eq!(got[7]["quality"]["ok"], false);
    assert!(got[7]["quality"]["flags"].as_array().unwrap().contains(&Value::from("empty")));
    assert_eq!(got[8]["clauses"].as_array().unwrap().len(), 2);
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("9 records") && summary.contains("6 errors"), "{summary}");
}

#[test]
fn csv_input_and_field_options() {
    let csv = "review_id,comment,store\nr1,薯條味道不對,S1\nr2,\"好吃,下次还来\",S2\n";
    let out = fankui(
        &["score", "--format", "csv", "--text-field", "comment", "--id-field", "review_id", "--no-model"],
        csv.as_bytes(),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got = json_lines(&out);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["id"], "r1");
    assert_eq!(got[0]["text"], "薯条味道不对");
    assert_eq!(got[1]["store"], "S2");
}

#[test]
fn records_without_ids_get_line_numbers_and_voice_records_are_cleaned() {
    let input =
        "{\"text\":\"好吃\"}\n\n{\"text\":\"嗯那个就是说薯条吧味道不太对我我觉得是油的问题\",\"source\":\"voice\"}\n";
    let out = fankui(&["score", "-", "--no-model"], input.as_bytes());
    assert!(out.status.success());
    let got = json_lines(&out);
    assert_eq!(got.len(), 2, "the blank line holds no record");
    assert_eq!(got[0]["id"], 1);
    assert_eq!(got[1]["id"], 3);
    assert_eq!(got[1]["source"], "voice");
    let text = got[1]["text"].as_str().unwrap();
    assert!(!text.contains('嗯') && !text.contains("我我"), "{text}");
    assert!(got[1]["clauses"].as_array().unwrap().len() >= 2);
}

#[test]
fn a_missing_model_is_a_clear_fatal_error() {
    let out = fankui(&["score", "--model", "/nonexistent/model"], b"{\"text\":\"x\"}\n");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/model"), "{err}");
}

/// Files in `dir` other than `keep` (left-over temporary files).
fn others(dir: &std::path::Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

const TWO: &str = "{\"id\":\"a\",\"text\":\"好吃\"}\n{\"id\":\"b\",\"text\":\"送餐很快，但是薯条凉了\"}\n";

#[test]
fn output_that_is_the_input_is_refused_and_the_input_is_kept() {
    let dir = scratch("same");
    let input = dir.join("in.jsonl");
    std::fs::write(&input, TWO).unwrap();
    let link = dir.join("link.jsonl");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let hard = dir.join("hard.jsonl");
    std::fs::hard_link(&input, &hard).unwrap();
    let p = |p: &std::path::Path| p.to_str().unwrap().to_string();
    for (file, out) in [(p(&input), p(&input)), (p(&link), p(&input)), (p(&input), p(&link)), (p(&hard), p(&input))] {
        let run = fankui(&["score", &file, "-o", &out, "--no-model"], b"");
        assert_eq!(run.status.code(), Some(1), "{file} -o {out}: {}", stderr(&run));
        assert!(stderr(&run).contains("same file"), "{}", stderr(&run));
        assert_eq!(std::fs::read_to_string(&input).unwrap(), TWO, "the input is intact");
    }
    // Standard input redirected from the output file.
    let run = Command::new(env!("CARGO_BIN_EXE_fankui"))
        .args(["score", "--no-model", "-o", &p(&input)])
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(stderr(&run).contains("same file as standard input"), "{}", stderr(&run));
    assert_eq!(std::fs::read_to_string(&input).unwrap(), TWO);
    // `fankui issues` refuses too, before loading anything.
    let run = fankui(&["issues", &p(&input), "-o", &p(&input)], b"");
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(stderr(&run).contains("same file"), "{}", stderr(&run));
    assert_eq!(std::fs::read_to_string(&input).unwrap(), TWO);
    // A different output is fine.
    let out = dir.join("out.jsonl");
    let run = fankui(&["score", &p(&input), "-o", &p(&out), "--no-model"], b"");
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 2);
}

#[test]
fn the_output_file_is_absent_or_complete() {
    let dir = scratch("atomic");
    let out = dir.join("out.jsonl");
    let out_s = out.to_str().unwrap();
    // A run that fails while reading (the input is a directory) leaves the old output alone.
    std::fs::write(&out, "old\n").unwrap();
    let run = fankui(&["score", dir.to_str().unwrap(), "-o", out_s, "--no-model"], b"");
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old\n");
    assert_eq!(others(&dir, &["out.jsonl"]), Vec::<String>::new(), "no temporary file left");
    std::fs::remove_file(&out).unwrap();

    // A run killed half-way: the output does not exist while it runs, nor after.
    let mut child = Command::new(env!("CARGO_BIN_EXE_fankui"))
        .args(["score", "--no-model", "--chunk", "1", "-o", out_s])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for _ in 0..2000 {
        stdin.write_all(TWO.as_bytes()).unwrap();
    }
    stdin.flush().unwrap();
    // Wait until the run has started writing (its temporary file exists).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while others(&dir, &[]).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!out.exists(), "no partial output under the final name");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert!(!out.exists(), "a killed run leaves no output");

    // A complete run: every line, and nothing else left in the directory.
    let mut input = String::new();
    for _ in 0..2000 {
        input.push_str(TWO);
    }
    for f in others(&dir, &[]) {
        std::fs::remove_file(dir.join(f)).unwrap();
    }
    let run = fankui(&["score", "--no-model", "--chunk", "7", "-o", out_s], input.as_bytes());
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 4000);
    assert_eq!(others(&dir, &["out.jsonl"]), Vec::<String>::new());
}

#[test]
fn a_utf8_bom_at_the_start_of_jsonl_is_skipped() {
    let input = format!("\u{feff}{TWO}");
    let out = fankui(&["score", "--no-model"], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let got = json_lines(&out);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["id"], "a");
    assert_eq!(got[0]["text"], "好吃");
    // The same for CSV, and a UTF-16 file is a clear error.
    let out = fankui(&["score", "--no-model", "--format", "csv"], "\u{feff}id,text\n1,好吃\n".as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_lines(&out)[0]["id"], "1");
    let out = fankui(&["score", "--no-model"], b"\xff\xfe{\x00\"\x00");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("UTF-16"), "{}", stderr(&out));
}

#[test]
fn ids_and_passthrough_numbers_are_echoed_exactly() {
    let ids = [
        "18446744073709551616",
        "18446744073709551617",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "1.50",
        "0.1000000000000000055511151231257827",
        "1e400",
        "\"007\"",
        "7",
    ];
    let mut input = String::new();
    for id in ids {
        input.push_str(&format!(
            "{{\"id\":{id},\"text\":\"好吃\",\"price\":3.10,\"big\":18446744073709551617,\"o\":{{\"a\": [1E400, -0.0]}}}}\n"
        ));
    }
    let out = fankui(&["score", "--no-model"], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let got: Vec<&str> = text.lines().collect();
    assert_eq!(got.len(), ids.len());
    for (line, id) in got.iter().zip(ids) {
        assert!(line.starts_with(&format!("{{\"id\":{id},")), "{line}");
        assert!(line.contains("\"price\":3.10,\"big\":18446744073709551617,\"o\":{\"a\": [1E400, -0.0]},"), "{line}");
    }
    // Ids beyond 64 bits stay distinct.
    assert_ne!(got[0][..30], got[1][..30]);
}

#[test]
fn scored_output_reads_back_as_analyses() {
    // `fankui issues` reuses `fankui score --embeddings` output: every line, written
    // without going through a `serde_json::Value`, reads back as an `Analysis`.
    let out = fankui(&["score", "--model", TINY_MODEL, "--embeddings"], TWO.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let a: fankui::Analysis = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(!a.clauses.is_empty() && a.clauses.iter().all(|c| c.sentiment.is_some() && !c.embedding.is_empty()));
    }
}

#[test]
fn an_unterminated_csv_quote_is_an_error_record() {
    let csv = "id,text\n1,好吃\n2,\"不错\n3,一般\n4,还行\n";
    let out = fankui(&["score", "--no-model", "--format", "csv"], csv.as_bytes());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let got = json_lines(&out);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0]["text"], "好吃");
    assert_eq!(got[1]["id"], "2");
    let err = got[1]["error"].as_str().unwrap();
    assert!(err.contains("unterminated quoted field") && err.contains("line 3"), "{err}");
    assert!(stderr(&out).contains("2 records") && stderr(&out).contains("1 errors"), "{}", stderr(&out));
}

#[test]
fn empty_inputs_are_runs_of_no_records() {
    for (format, input) in
        [("jsonl", &b""[..]), ("csv", b""), ("jsonl", b"\n\n  \n"), ("csv", b"\n"), ("csv", b"id,text\n"), ("jsonl", b"\xEF\xBB\xBF")]
    {
        let out = fankui(&["score", "--no-model", "--format", format], input);
        assert_eq!(out.status.code(), Some(0), "{format} {input:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
        assert!(stderr(&out).contains("0 records"), "{}", stderr(&out));
    }
    // An empty file written with -o is an empty file.
    let dir = scratch("empty");
    let (csv, jsonl) = (dir.join("in.csv"), dir.join("in.jsonl"));
    std::fs::write(&csv, "").unwrap();
    std::fs::write(&jsonl, "").unwrap();
    for input in [&csv, &jsonl] {
        let out_file = dir.join("out.jsonl");
        let out = fankui(&["score", input.to_str().unwrap(), "--no-model", "-o", out_file.to_str().unwrap()], b"");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(std::fs::read(&out_file).unwrap(), b"");
    }
    // A CSV header without the text column is still an error.
    let out = fankui(&["score", "--no-model", "--format", "csv"], b"id,comment\n1,x\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no `text` column"), "{}", stderr(&out));
}

#[test]
fn bad_csv_rows_become_error_lines_and_the_run_goes_on() {
    let mut csv = Vec::new();
    csv.extend_from_slice("id,text,store\n1,薯条有股怪味,S1\n".as_bytes());
    csv.extend_from_slice(b"2,\xe8\x96\xaf\xff\xfe,S2\n"); // invalid UTF-8
    csv.extend_from_slice(b"3\n"); // no text field
    csv.extend_from_slice(format!("4,{},S4\n", "好".repeat(400_000)).as_bytes()); // 1.2 MB row
    csv.extend_from_slice(b"\x00\x01\x02binary\xff junk\n");
    csv.extend_from_slice("6,\"好吃,下次还来\",S6\n".as_bytes());
    let out = fankui(&["score", "--no-model", "--format", "csv", "--max-line-bytes", "1000000"], &csv);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let got = json_lines(&out);
    let ids: Vec<String> = got.iter().map(|l| l["id"].to_string()).collect();
    assert_eq!(ids, ["\"1\"", "\"2\"", "\"3\"", "4", "5", "\"6\""]);
    let error = |i: usize| got[i]["error"].as_str().unwrap_or_else(|| panic!("line {i} is no error: {}", got[i]));
    assert!(error(1).contains("UTF-8"));
    assert!(error(2).contains("missing field `text`"));
    assert!(error(3).contains("longer than the limit"), "{}", error(3));
    assert!(error(4).contains("UTF-8"), "{}", error(4));
    assert!(got[5]["text"].as_str().unwrap().ends_with("下次还来"), "a quoted comma stays in its field: {}", got[5]);
}

#[test]
fn a_line_over_the_byte_limit_is_an_error_and_the_run_goes_on() {
    let mut input = format!("{{\"id\":\"big\",\"text\":\"{}\"}}\n", "a".repeat(1 << 20)).into_bytes();
    input.extend_from_slice(TWO.as_bytes());
    let out = fankui(&["score", "--no-model", "--max-line-bytes", "1000000"], &input);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let got = json_lines(&out);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0]["id"], 1, "the id of a line not read is its line number");
    assert!(got[0]["error"].as_str().unwrap().contains("longer than the limit"));
    assert_eq!(got[2]["id"], "b");
}

/// 3,333 clauses of three characters: 10,000 characters, the default `max_chars`.
fn many_clauses() -> String {
    let han: Vec<char> = "好吃辣香甜咸酸苦鲜嫩脆软硬凉热烫快慢贵多少".chars().collect();
    let mut text: String =
        (0..3333).map(|i| format!("{}{}，", han[i % han.len()], han[(i * 7 + 3) % han.len()])).collect();
    text.push('好');
    text
}

fn check_capped(line: &Value, cap: usize) {
    let clauses = line["clauses"].as_array().unwrap();
    assert_eq!(clauses.len(), 3333, "every clause is still listed");
    assert_eq!(line["unscored_clauses"], 3333 - cap, "{}", &line.to_string()[..200]);
    assert!(clauses[..cap].iter().all(|c| c["sentiment"]["label"].is_string()));
    assert!(clauses[cap..].iter().all(|c| c.get("sentiment").is_none() && c.get("topics").is_none()));
    assert!(line["sentiment"]["label"].is_string(), "the comment itself is scored");
}

#[test]
fn a_comment_of_thousands_of_clauses_yields_one_line_with_the_cap_reported() {
    let input = format!("{{\"id\":\"many\",\"text\":\"{}\"}}\n{TWO}", many_clauses());
    let out = fankui(&["score", "--model", TINY_MODEL], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let got = json_lines(&out);
    assert_eq!(got.len(), 3, "one output per input");
    assert_eq!(got[0]["id"], "many");
    check_capped(&got[0], 64);
    assert!(got[2].get("unscored_clauses").is_none(), "absent when every clause is scored");
    assert_eq!(got[2]["clauses"].as_array().unwrap().len(), 2);
    // The cap is a pipeline setting.
    let dir = scratch("cap");
    let config = dir.join("pipeline.json");
    std::fs::write(&config, "{\"max_scored_clauses\": 5}").unwrap();
    let out = fankui(&["score", "--model", TINY_MODEL, "--config", config.to_str().unwrap()], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    check_capped(&json_lines(&out)[0], 5);
}

#[test]
fn the_bundled_model_scores_a_comment_of_thousands_of_clauses_as_spans_up_to_the_cap() {
    // The span path: clauses inside the model's 256 tokens pool the comment's
    // features, the others run alone; either way at most 64.
    let input = format!("{{\"id\":\"many\",\"text\":\"{}\"}}\n", many_clauses());
    let out = fankui(&["score"], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let got = json_lines(&out);
    assert_eq!(got.len(), 1);
    check_capped(&got[0], 64);
}

/// Strings of `v` at the JSON pointers `paths` (`*` walks every element of an array).
fn strings_at(v: &Value, path: &[&str], out: &mut Vec<String>) {
    match (path.split_first(), v) {
        (None, Value::String(s)) => out.push(s.clone()),
        (None, Value::Array(a)) => a.iter().for_each(|x| strings_at(x, &[], out)),
        (Some((&"*", rest)), Value::Array(a)) => a.iter().for_each(|x| strings_at(x, rest, out)),
        (Some((key, rest)), Value::Object(o)) => {
            if let Some(x) = o.get(*key) {
                strings_at(x, rest, out);
            }
        }
        _ => {}
    }
}

/// Personal data in every written form never reaches the text, clauses and keywords of
/// `fankui score`, nor the names, keywords and examples of `fankui issues` (made from the
/// masked clauses), typed or spoken. The comments hold no other digit, so none may show.
#[test]
fn personal_data_reaches_no_output_field_of_score_or_issues() {
    const FORMS: [&str; 12] = [
        "138.1234.5678",
        "幺三八 幺二三四 五六七八",
        "110101 19900307 7777",
        "-zhangsan@163.com",
        "微信 zhangsan88",
        "(138)12345678",
        "+86(138)1234-5678",
        "138  1234  5678",
        "0755 1234567 转 8001",
        "6222 0212 3456 7890",
        "幺三八，幺二三四，五六七八",
        "１３８－１２３４－５６７８",
    ];
    const EVERYDAY: [&str; 6] = ["送餐太慢了", "汉堡凉了", "服务员态度不好", "价格有点贵", "可乐没气", "包装破了"];
    let mut input = String::new();
    let mut n = 0;
    let mut record = |input: &mut String, time: String, store: usize, text: String, voice: bool| {
        n += 1;
        let source = if voice { "voice" } else { "text" };
        let line = serde_json::json!({"id": format!("r{n}"), "time": time, "store": format!("S{store:02}"), "text": text, "source": source});
        input.push_str(&format!("{line}\n"));
    };
    for day in 8..=21 {
        for k in 0..5 {
            let text = format!("{}，电话{}", EVERYDAY[(day + k) % 6], FORMS[(day * 3 + k) % 12]);
            record(&mut input, format!("2026-10-{day:02}T1{}:00:00+08:00", k % 10), (day + k) % 20, text, k % 3 == 0);
        }
    }
    for k in 0..36 {
        let form = FORMS[k % 12];
        let text = if k % 2 == 0 { format!("{form}薯条有股怪味") } else { format!("薯条有股怪味 {form}") };
        record(&mut input, format!("2026-10-20T12:{k:02}:00+08:00"), k % 15, text, k % 3 == 0);
    }
    let leaks = |strings: &[String]| -> Vec<String> {
        let secret = |s: &str| {
            s.chars().any(|c| c.is_numeric() || "零幺一二三四五六七八九".contains(c))
                || ["zhangsan", "163", "@"].iter().any(|x| s.contains(x))
        };
        strings.iter().filter(|s| secret(s)).cloned().collect()
    };

    let scored = fankui(&["score", "-q"], input.as_bytes());
    assert!(scored.status.success(), "{}", String::from_utf8_lossy(&scored.stderr));
    let mut strings = Vec::new();
    for line in json_lines(&scored) {
        for path in [&["text"][..], &["clauses", "*", "text"], &["keywords"]] {
            strings_at(&line, path, &mut strings);
        }
    }
    assert!(strings.len() > 3 * n, "{} strings", strings.len());
    assert_eq!(leaks(&strings), Vec::<String>::new(), "fankui score");

    let issues = fankui(&["issues", "--group-field", "store", "-q"], input.as_bytes());
    assert!(issues.status.success(), "{}", String::from_utf8_lossy(&issues.stderr));
    let issues = json_lines(&issues);
    let mut strings = Vec::new();
    for issue in &issues {
        for path in [&["name"][..], &["keywords"], &["examples", "*", "text"]] {
            strings_at(issue, path, &mut strings);
        }
    }
    let examples: Vec<&String> = strings.iter().filter(|s| s.contains("怪味")).collect();
    assert!(examples.iter().any(|s| s.contains('<')), "the spike is found, with masked examples: {issues:?}");
    assert_eq!(leaks(&strings), Vec::<String>::new(), "fankui issues");
}
