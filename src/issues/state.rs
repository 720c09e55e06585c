//! The state a nightly job carries from one run to the next, written atomically.

use crate::cluster::Clusterer;
use crate::error::{Error, Result};
use crate::spike::SpikeDetector;
use crate::window::WindowSize;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

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

    /// Writes the state to a temporary file beside `path`, syncs it, then renames
    /// it over `path`: a crash mid-write leaves the previous state intact.
    pub fn save(&self, path: &Path) -> Result<()> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("state");
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
