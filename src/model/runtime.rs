//! Finding and loading the ONNX Runtime shared library.
//!
//! fankui links ONNX Runtime dynamically (`ort`'s `load-dynamic`), so nothing is
//! downloaded at build time. The library is the CPU build shipped in PyPI's
//! `onnxruntime` wheel (`onnxruntime/capi/libonnxruntime.so.1.31.1`). It is
//! looked for, in order:
//!
//! 1. the path given in [`ModelOptions::runtime`](super::ModelOptions::runtime);
//! 2. the `ORT_DYLIB_PATH` environment variable;
//! 3. a project venv: `.venv/` in the current directory or one of its parents,
//!    or in the directory this crate was built from;
//! 4. the active Python environment (`$VIRTUAL_ENV`, then `python3` on `PATH`).
//!
//! When none has it, [`Error::RuntimeNotFound`] lists every place tried.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

static ENVIRONMENT: Mutex<Option<(PathBuf, Arc<ort::environment::Environment>)>> = Mutex::new(None);

/// The process-wide ONNX Runtime environment, loading the library on first use.
///
/// ONNX Runtime can be loaded once per process; later calls return the same
/// environment whatever path they name.
pub fn environment(explicit: Option<&Path>) -> Result<Arc<ort::environment::Environment>> {
    let mut guard = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, env)) = guard.as_ref() {
        return Ok(env.clone());
    }
    let path = locate(explicit)?;
    let builder = ort::init_from(&path).map_err(|e| Error::RuntimeNotFound {
        searched: format!("{} (found but failed to load: {e})", path.display()),
    })?;
    let env = builder
        .with_name("fankui")
        .build()
        .map_err(|e| Error::Inference(format!("creating the ONNX Runtime environment: {e}")))?;
    let env = Arc::new(env);
    *guard = Some((path, env.clone()));
    Ok(env)
}

/// The path of the loaded ONNX Runtime library, if one has been loaded.
pub fn loaded_path() -> Option<PathBuf> {
    ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|(p, _)| p.clone())
}

/// Finds the ONNX Runtime library without loading it.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf> {
    // An explicit path is authoritative: never silently fall back to another library.
    if let Some(p) = explicit {
        let path = dylib_in(p);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(Error::RuntimeNotFound { searched: format!("option {} (no such file)", path.display()) })
        };
    }
    let mut searched = Vec::new();
    for (place, path) in candidates() {
        if let Some(path) = path.filter(|p| p.is_file()) {
            return Ok(path);
        }
        searched.push(place);
    }
    Err(Error::RuntimeNotFound { searched: searched.join("; ") })
}

/// Every place to look, in order: `(description, path to try)`; entries without a
/// path only record that a place was checked and had nothing.
fn candidates() -> Vec<(String, Option<PathBuf>)> {
    let mut out = Vec::new();
    match std::env::var_os("ORT_DYLIB_PATH") {
        Some(p) => {
            let path = dylib_in(Path::new(&p));
            out.push((format!("ORT_DYLIB_PATH {}", path.display()), Some(path)));
        }
        None => out.push(("ORT_DYLIB_PATH (unset)".into(), None)),
    }
    let mut venvs = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        venvs.extend(cwd.ancestors().map(|d| d.join(".venv")));
    }
    venvs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv"));
    if let Some(v) = std::env::var_os("VIRTUAL_ENV") {
        venvs.push(PathBuf::from(v));
    }
    let mut seen = std::collections::HashSet::new();
    for venv in venvs.into_iter().filter(|v| v.is_dir()) {
        if !seen.insert(venv.clone()) {
            continue;
        }
        match site_packages_dylib(&venv) {
            Some(p) => out.push((format!("venv {}", p.display()), Some(p))),
            None => out.push((format!("venv {} (no onnxruntime package)", venv.display()), None)),
        }
    }
    match python_onnxruntime_dir() {
        Some(dir) => {
            let p = dylib_in(&dir.join("capi"));
            out.push((format!("python3's onnxruntime {}", p.display()), Some(p)));
        }
        None => out.push(("python3 on PATH (no onnxruntime package)".into(), None)),
    }
    out
}

/// A file path is taken as is; a directory is searched for `libonnxruntime.so*`.
fn dylib_in(path: &Path) -> PathBuf {
    if path.is_dir() {
        if let Some(found) = find_lib(path) {
            return found;
        }
    }
    path.to_path_buf()
}

fn find_lib(dir: &Path) -> Option<PathBuf> {
    let mut hits: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("libonnxruntime.so") || name == "libonnxruntime.dylib" || name == "onnxruntime.dll"
        })
        .collect();
    // Prefer the fully versioned file (libonnxruntime.so.1.31.1) over symlinks.
    hits.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
    hits.into_iter().next()
}

fn site_packages_dylib(venv: &Path) -> Option<PathBuf> {
    let lib = venv.join("lib");
    for entry in std::fs::read_dir(&lib).ok()?.flatten() {
        let capi = entry.path().join("site-packages/onnxruntime/capi");
        if let Some(p) = find_lib(&capi) {
            return Some(p);
        }
    }
    find_lib(&venv.join("Lib/site-packages/onnxruntime/capi"))
}

fn python_onnxruntime_dir() -> Option<PathBuf> {
    let out = std::process::Command::new("python3")
        .args(["-c", "import importlib.util as u; s = u.find_spec('onnxruntime'); print(s.submodule_search_locations[0] if s else '')"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let dir = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_explicit_path_is_an_error_naming_it() {
        let err = locate(Some(Path::new("/nonexistent/libonnxruntime.so"))).unwrap_err();
        assert!(matches!(err, Error::RuntimeNotFound { .. }));
        assert!(err.to_string().contains("/nonexistent/libonnxruntime.so"), "{err}");
    }

    #[test]
    fn search_lists_every_place_tried() {
        let places: Vec<String> = candidates().into_iter().map(|(place, _)| place).collect();
        assert!(places.iter().any(|s| s.starts_with("ORT_DYLIB_PATH")), "{places:?}");
        assert!(places.iter().any(|s| s.contains("python3")), "{places:?}");
    }
}
