//! Scratch directories for tests' files (tests/cli.rs, tests/report.rs, tests/tickets.rs,
//! tests/tickets_cli.rs).

use std::path::PathBuf;

/// A fresh, empty directory for one test's files, `fankui-<test>-<pid>-<name>` in
/// the system's temporary directory (`<test>`: the test binary, e.g. `tickets-cli`).
pub fn scratch(name: &str) -> PathBuf {
    let test = env!("CARGO_CRATE_NAME").replace('_', "-");
    let dir = std::env::temp_dir().join(format!("fankui-{test}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
