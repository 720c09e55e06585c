//! The `fankui score` command end to end: one output line per input record, in
//! order, whatever the input holds.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const TINY_MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny_model");

fn fankui(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fankui"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .expect("output is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad output line {l}: {e}")))
        .collect()
}

#[test]
fn example_file_gives_one_well_formed_line_per_record() {
    let input = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/feedback.jsonl")).unwrap();
    let ids: Vec<Value> = input.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].clone()).collect();
    let out = fankui(&["score", "examples/feedback.jsonl", "--model", TINY_MODEL], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got = lines(&out);
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
    let got = lines(&out);
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
    let got = lines(&out);
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
    let got = lines(&out);
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
    for line in lines(&scored) {
        for path in [&["text"][..], &["clauses", "*", "text"], &["keywords"]] {
            strings_at(&line, path, &mut strings);
        }
    }
    assert!(strings.len() > 3 * n, "{} strings", strings.len());
    assert_eq!(leaks(&strings), Vec::<String>::new(), "fankui score");

    let issues = fankui(&["issues", "--group-field", "store", "-q"], input.as_bytes());
    assert!(issues.status.success(), "{}", String::from_utf8_lossy(&issues.stderr));
    let issues = lines(&issues);
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
