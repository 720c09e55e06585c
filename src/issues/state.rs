//! The state a nightly job carries from one run to the next: validated on
//! load, written atomically, and locked for the whole run.

use crate::cluster::Clusterer;
use crate::error::{Error, Result};
use crate::spike::SpikeDetector;
use crate::window::{describe_window, earliest_window, WindowSize};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::Episode;

pub(crate) const FORMAT: &str = "fankui-issues-state";
pub(crate) const VERSION: u32 = 1;

/// Everything learned so far: clusters, baselines, issue episodes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct State {
    pub format: String,
    pub version: u32,
    /// Fingerprint of the model whose embeddings the clusters are made of.
    pub model: String,
    pub window: WindowSize,
    pub group_fields: Vec<String>,
    pub clusterer: Clusterer,
    pub spikes: SpikeDetector,
    pub episodes: Vec<Episode>,
    /// Topic × group baselines and slow-burn episodes (absent from older files).
    #[serde(default)]
    pub slow_burn: super::slow_burn::SlowBurn,
}

impl State {
    /// Reads a state file and checks that it fits this model and configuration.
    pub fn load(path: &Path, model: &str, window: WindowSize, group_fields: &[String]) -> Result<State> {
        let err = |reason: String| Error::State { path: path.to_path_buf(), reason };
        let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        let head: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| err(format!("not a state file: {e}")))?;
        if head.get("format").and_then(|v| v.as_str()) != Some(FORMAT) {
            return Err(err("not a fankui issues state file".into()));
        }
        let version = head.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version != u64::from(VERSION) {
            return Err(err(format!(
                "state version {version} is not supported (this fankui writes version {VERSION})"
            )));
        }
        let state: State = serde_json::from_value(head).map_err(|e| err(format!("corrupt state: {e}")))?;
        if state.model != model {
            return Err(err(format!(
                "built with model `{}`, but the current model is `{model}`; clusters from another model's embeddings cannot be reused (start a new state file)",
                state.model
            )));
        }
        if state.window != window {
            return Err(err(format!("built with --window {}, not {window}", state.window)));
        }
        if state.group_fields != group_fields {
            return Err(err(format!("built with group fields {:?}, not {:?}", state.group_fields, group_fields)));
        }
        Ok(state)
    }

    /// Checks that the state is consistent: every embedding has `dim` values
    /// (when known; else all have the same number), every window lies between
    /// [`earliest_window`] and `latest` (the run's clock plus its future limit),
    /// nothing is later than the last window, episodes are well formed.
    pub fn validate(&self, dim: Option<usize>, latest: i64) -> std::result::Result<(), String> {
        let size = self.window;
        let range = (earliest_window(size), latest);
        let show = |w: i64| describe_window(w, size);
        if let Some(last) = self.spikes.last_window() {
            if last > latest {
                return Err(format!(
                    "its last window {} is after the latest this run accepts ({}: the clock plus the future limit); a state moved ahead by a mistyped time? Start a new state file, or set the clock (`now`) if this run is meant to be later",
                    show(last),
                    show(latest)
                ));
            }
        }
        self.spikes.validate(size, range)?;
        self.clusterer.validate(dim, range, size)?;
        let last = self.spikes.last_window();
        if let Some(c) = self.clusterer.clusters().iter().find(|c| last.is_none_or(|l| c.last_window > l)) {
            return Err(format!(
                "cluster {} was last seen in {}, after the state's last window ({})",
                c.id,
                show(c.last_window),
                last.map_or("none".to_string(), show)
            ));
        }
        let mut ids = HashSet::new();
        for e in &self.episodes {
            let bad = |why: String| Err(format!("issue {}: {why}", e.id));
            if !ids.insert(e.id.as_str()) {
                return bad("appears twice".into());
            }
            if e.start > e.end || e.start < range.0 || last.is_none_or(|l| e.end > l) {
                return bad(format!(
                    "its windows {}..{} are not within the state's history (last window {})",
                    show(e.start),
                    show(e.end),
                    last.map_or("none".to_string(), show)
                ));
            }
            if !e.score.is_finite() {
                return bad("its score is not a number".into());
            }
            if let Some(a) = e.alerts.iter().find(|a| a.cluster != e.cluster || a.window < e.start || a.window > e.end)
            {
                return bad(format!("alert of cluster {} in {} does not belong to it", a.cluster, show(a.window)));
            }
            if e.alerts.iter().any(|a| !a.score.is_finite() || !a.expected.is_finite()) {
                return bad("an alert's score is not a number".into());
            }
            if let Some(c) = self.clusterer.position(&e.cluster).map(|i| &self.clusterer.clusters()[i]) {
                if c.kind != e.kind {
                    return bad(format!("it is a {} but cluster {} is a {}", e.kind.as_str(), c.id, c.kind.as_str()));
                }
            }
        }
        Ok(())
    }

    /// Writes the state to a temporary file beside `path`, syncs it, then renames
    /// it over `path`: a crash mid-write leaves the previous state intact.
    pub fn save(&self, path: &Path) -> Result<()> {
        let (dir, name) = split(path);
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let result = (|| -> Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            let mut w = std::io::BufWriter::new(&mut file);
            serde_json::to_writer(&mut w, self)?;
            w.flush()?;
            drop(w);
            file.sync_all()?;
            std::fs::rename(&tmp, path)?;
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(|e| Error::State { path: path.to_path_buf(), reason: format!("cannot write: {e}") })
    }
}

/// The directory and file name of a state path.
fn split(path: &Path) -> (&Path, String) {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state".into());
    (dir, name)
}

/// An exclusive lock on a state file, held while a run reads, updates and saves
/// it, so that two runs on one state cannot both start from the same history
/// (the later save would silently drop the earlier run's day).
///
/// The lock is an advisory lock (`flock`) on `.NAME.lock` beside the state
/// file; the operating system releases it when the process ends, however it
/// ends. The lock file itself stays (removing it would let a third run lock a
/// fresh file while the second still holds the old one). Taking the lock also
/// removes temporary files (`.NAME.tmp-PID`) that a run killed mid-save left
/// behind: while the lock is held no other run can be writing one.
#[derive(Debug)]
pub struct StateLock {
    path: PathBuf,
    key: PathBuf,
    _file: File,
}

impl StateLock {
    /// Locks the state file at `path` (which need not exist yet; its directory
    /// must). Fails at once, naming the file, when another run holds the lock.
    pub fn acquire(path: &Path) -> Result<StateLock> {
        let err = |reason: String| Error::State { path: path.to_path_buf(), reason };
        let (dir, name) = split(path);
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(err(format!("{} is not a directory", dir.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(err(format!("its directory {} does not exist", dir.display())))
            }
            Err(e) => return Err(err(format!("cannot read its directory {}: {e}", dir.display()))),
        }
        if path.is_dir() {
            return Err(err("is a directory".into()));
        }
        let lock_path = dir.join(format!(".{name}.lock"));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| err(format!("cannot create the lock file {}: {e}", lock_path.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&lock_path).ok().and_then(|s| s.trim().parse::<u32>().ok());
                return Err(err(format!(
                    "in use by another fankui run{} holding {}; wait for it to finish or use another state file",
                    holder.map(|p| format!(" (pid {p})")).unwrap_or_default(),
                    lock_path.display()
                )));
            }
            Err(TryLockError::Error(e)) => return Err(err(format!("cannot lock {}: {e}", lock_path.display()))),
        }
        // Who holds it, for the message of a refused run (best effort).
        let _ = file.set_len(0).and_then(|()| (&file).write_all(std::process::id().to_string().as_bytes()));
        remove_stale_temp_files(dir, &name);
        let key = key(path).map_err(|e| err(format!("cannot resolve its directory: {e}")))?;
        Ok(StateLock { path: path.to_path_buf(), key, _file: file })
    }

    /// The state file this lock is for.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this lock covers the state file at `path` (however it is spelled).
    pub fn covers(&self, path: &Path) -> bool {
        key(path).is_ok_and(|k| k == self.key)
    }
}

/// A state path with its directory resolved, to compare two spellings of one file.
fn key(path: &Path) -> std::io::Result<PathBuf> {
    let (dir, name) = split(path);
    Ok(dir.canonicalize()?.join(name))
}

/// Removes the `.NAME.tmp-PID` files of the state `name` in `dir`; the caller
/// holds the state's lock, so none of them is being written. Returns how many.
fn remove_stale_temp_files(dir: &Path, name: &str) -> usize {
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.strip_prefix(&prefix).is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}
