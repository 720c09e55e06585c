//! The state file: refused when it belongs to another model, window or grouping
//! or is corrupt; written atomically.

use fankui::{Error, IssueDetector, IssueOptions, WindowSize};

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fankui-state-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("state.json")
}

#[test]
fn a_missing_state_file_starts_fresh_and_saving_creates_it() {
    let path = tmp("fresh");
    let _ = std::fs::remove_file(&path);
    let d = IssueDetector::resume(IssueOptions::default(), "model-a", &path).unwrap();
    assert_eq!(d.last_window(), None);
    d.save(&path).unwrap();
    assert!(path.exists());
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file is left behind");
    IssueDetector::resume(IssueOptions::default(), "model-a", &path).unwrap();
}

#[test]
fn state_from_another_model_or_configuration_is_refused() {
    let path = tmp("mismatch");
    IssueDetector::new(IssueOptions::default(), "model-a").save(&path).unwrap();
    let err = IssueDetector::resume(IssueOptions::default(), "model-b", &path).err().unwrap();
    assert!(matches!(err, Error::State { .. }), "{err}");
    assert!(err.to_string().contains("model-a"), "{err}");
    let hourly = IssueOptions::default().with_window(WindowSize::Hour);
    assert!(IssueDetector::resume(hourly, "model-a", &path).is_err());
    let regions = IssueOptions::default().with_group_fields(["region"]);
    assert!(IssueDetector::resume(regions, "model-a", &path).is_err());
}

#[test]
fn corrupt_or_foreign_files_are_refused_and_left_untouched() {
    let path = tmp("corrupt");
    std::fs::write(&path, b"{\"format\": \"something else\"}").unwrap();
    let err = IssueDetector::resume(IssueOptions::default(), "m", &path).err().unwrap();
    assert!(err.to_string().contains("not a fankui"), "{err}");
    std::fs::write(&path, b"\x00\x01 garbage").unwrap();
    assert!(IssueDetector::resume(IssueOptions::default(), "m", &path).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), b"\x00\x01 garbage");
}

#[test]
fn a_state_of_another_version_is_refused() {
    let path = tmp("version");
    IssueDetector::new(IssueOptions::default(), "m").save(&path).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v["version"] = 99.into();
    std::fs::write(&path, v.to_string()).unwrap();
    let err = IssueDetector::resume(IssueOptions::default(), "m", &path).err().unwrap();
    assert!(err.to_string().contains("version 99"), "{err}");
}
