//! Output files: never the input, and written whole or not at all.
//!
//! An `-o FILE` is written to a temporary file in the same directory and renamed
//! over `FILE` only when the run has written everything, so a failed or killed run
//! leaves `FILE` as it was (a killed one may leave its `.FILE.tmp-*` behind). Writing
//! to a file that is also an input is refused before anything is written.

use anyhow::{bail, Context};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Identity of an existing file: device and inode (hard links and symlinks to
/// the same file compare equal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    fn of(meta: &std::fs::Metadata) -> FileId {
        use std::os::unix::fs::MetadataExt;
        FileId { dev: meta.dev(), ino: meta.ino() }
    }
}

/// Refuses an output file that is also an input: the command's input `input` (a
/// path; `-` or `None` is standard input, refused when it is redirected from the
/// output file) or one of `others` (a path and what it is, e.g. a state file).
/// Checked before any work; no output file, nothing to check.
pub fn check_output(output: Option<&Path>, input: Option<&str>, others: &[(Option<&Path>, &str)]) -> anyhow::Result<()> {
    let Some(output) = output else { return Ok(()) };
    let Ok(meta) = std::fs::metadata(output) else { return Ok(()) };
    if !meta.is_file() {
        return Ok(()); // /dev/null, a FIFO: nothing to destroy
    }
    let out = FileId::of(&meta);
    let input = input.filter(|p| *p != "-");
    let mut candidates = vec![(
        input_id(input),
        input.map_or_else(|| "standard input".to_string(), |p| format!("the input {p}")),
    )];
    for (path, what) in others {
        if let Some(p) = path {
            candidates.push((std::fs::metadata(p).ok().map(|m| FileId::of(&m)), format!("{what} {}", p.display())));
        }
    }
    for (id, what) in candidates {
        if id == Some(out) {
            bail!("the output {} is the same file as {what}; write the output elsewhere", output.display());
        }
    }
    Ok(())
}

/// The file a command reads: `path`, or standard input when it is a redirected file.
fn input_id(path: Option<&str>) -> Option<FileId> {
    match path {
        Some(p) => std::fs::metadata(p).ok().map(|m| FileId::of(&m)),
        None => {
            use std::os::fd::AsFd;
            let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
            let meta = File::from(fd).metadata().ok()?;
            meta.is_file().then(|| FileId::of(&meta))
        }
    }
}

/// Where a command writes: standard output, or a file written atomically.
pub struct Output {
    sink: Sink,
}

enum Sink {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    /// A temporary file renamed over `dest` by [`Output::finish`].
    Atomic { file: BufWriter<File>, tmp: PathBuf, dest: PathBuf, done: bool },
    /// An existing file that is not a regular file (`/dev/null`, a FIFO): written directly.
    Direct(BufWriter<File>),
}

impl Output {
    /// Standard output when `path` is `None`, else a temporary file beside `path`.
    pub fn create(path: Option<&Path>) -> anyhow::Result<Output> {
        let Some(path) = path else {
            return Ok(Output { sink: Sink::Stdout(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())) });
        };
        // Write through a symlink to its target, and keep the mode of a file replaced.
        let (dest, mode) = match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => {
                if meta.is_dir() {
                    bail!("the output {} is a directory", path.display());
                }
                let file = OpenOptions::new().write(true).open(path).with_context(|| format!("opening {}", path.display()))?;
                return Ok(Output { sink: Sink::Direct(BufWriter::with_capacity(1 << 16, file)) });
            }
            Ok(meta) => (std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()), Some(meta.permissions())),
            Err(_) => (path.to_path_buf(), None),
        };
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest.file_name().with_context(|| format!("the output {} names no file", path.display()))?;
        let mut attempt = 0u32;
        let (file, tmp) = loop {
            let tmp = dir.join(format!(".{}.tmp-{}-{attempt}", name.to_string_lossy(), std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(f) => break (f, tmp),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => {
                    return Err(e).with_context(|| format!("creating a temporary file in {} for {}", dir.display(), path.display()))
                }
            }
        };
        if let Some(mode) = mode {
            let _ = file.set_permissions(mode);
        }
        Ok(Output { sink: Sink::Atomic { file: BufWriter::with_capacity(1 << 16, file), tmp, dest, done: false } })
    }

    /// Flushes and, for a file, moves it into place. Without this call (an error, a
    /// panic) the temporary file is removed and the destination left untouched.
    pub fn finish(mut self) -> anyhow::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.flush()?,
            Sink::Direct(w) => w.flush()?,
            Sink::Atomic { file, tmp, dest, done } => {
                file.flush().with_context(|| format!("writing {}", tmp.display()))?;
                file.get_ref().sync_all().with_context(|| format!("writing {}", tmp.display()))?;
                std::fs::rename(&*tmp, &*dest)
                    .with_context(|| format!("moving {} to {}", tmp.display(), dest.display()))?;
                *done = true;
            }
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(w) => w.write(buf),
            Sink::Direct(w) => w.write(buf),
            Sink::Atomic { file, .. } => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::Direct(w) => w.write_all(buf),
            Sink::Atomic { file, .. } => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.flush(),
            Sink::Direct(w) => w.flush(),
            Sink::Atomic { file, .. } => file.flush(),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Sink::Atomic { tmp, done: false, .. } = &self.sink {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
