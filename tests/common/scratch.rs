//! Scratch directories for tests' files (tests/cli.rs, tests/report.rs, tests/tickets.rs,
//! tests/tickets_cli.rs, tests/issues_state.rs, tests/issues_month.rs).

use std::ops::Deref;
use std::path::{Path, PathBuf};

/// A fresh, empty directory for one test's files, `fankui-<test>-<pid>-<name>` in the system's
/// temporary directory (`<test>`: the test binary, e.g. `tickets-cli`). It is removed with
/// everything in it when the value is dropped, so test runs leave nothing behind.
pub struct Scratch(PathBuf);

impl Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new [`Scratch`] directory named `name` for this test binary.
pub fn scratch(name: &str) -> Scratch {
    let test = env!("CARGO_CRATE_NAME").replace('_', "-");
    let dir = std::env::temp_dir().join(format!("fankui-{test}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}
