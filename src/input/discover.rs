//! Finding the input files: paths, directories (walked recursively),
//! `--files-from`, stdin, and the standard log locations.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// One input, as the report names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// File id (position in the sorted list).
    pub id: u32,
    /// The name shown in reports: the path as given, or `-`.
    pub name: String,
    /// Where to read it (for stdin, the spool file).
    pub path: PathBuf,
    /// Size on disk.
    pub size: u64,
    /// Read from standard input (spooled to a temporary file).
    pub is_stdin: bool,
    /// Where to start reading (an incremental run resumes a file that
    /// grew); zero for a whole read.
    pub resume: Resume,
}

/// The part of a file's text read before: reading starts after it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resume {
    /// Bytes of (decompressed) text already read: whole lines.
    pub offset: u64,
    /// Lines in them: the first line read is `lines + 1`.
    pub lines: u64,
}

/// An input that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    /// The file (or path) as given.
    pub file: String,
    /// Why.
    pub why: String,
}

/// The standard log locations read when no path is given.
pub const DEFAULT_GLOBS: &[(&str, &str)] = &[
    ("/var/log", "mail.log"),
    ("/var/log", "maillog"),
    ("/var/log", "auth.log"),
    ("/var/log", "secure"),
    ("/var/log", "dovecot"),
    ("/opt/zimbra/log", "audit.log"),
];

/// The standard log files that exist on this machine.
pub fn default_paths() -> Vec<String> {
    let mut out = Vec::new();
    for (dir, prefix) in DEFAULT_GLOBS {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with(prefix))
            .collect();
        names.sort();
        out.extend(names.into_iter().map(|n| format!("{dir}/{n}")));
    }
    out
}

/// Expand paths into the list of files: directories are walked (symbolic
/// links followed, loops reported), `-` is stdin (spooled to `spool`).
/// The list is sorted by name, so ids do not depend on the order of the
/// arguments.
pub fn discover(
    paths: &[String],
    spool: &mut Option<tempfile::NamedTempFile>,
) -> (Vec<InputFile>, Vec<Skipped>) {
    let mut files: Vec<(String, PathBuf, u64, bool)> = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        if p == "-" {
            match spool_stdin() {
                Ok(t) => {
                    let size = t.as_file().metadata().map(|m| m.len()).unwrap_or(0);
                    files.push(("-".into(), t.path().to_path_buf(), size, true));
                    *spool = Some(t);
                }
                Err(e) => skipped.push(Skipped {
                    file: "-".into(),
                    why: format!("cannot read standard input: {e}"),
                }),
            }
            continue;
        }
        let path = Path::new(p);
        match std::fs::metadata(path) {
            Err(e) => skipped.push(Skipped {
                file: p.clone(),
                why: describe(&e),
            }),
            Ok(m) if m.is_dir() => walk(path, &mut files, &mut skipped),
            Ok(m) if !m.is_file() => skipped.push(Skipped {
                file: p.clone(),
                why: special(&m.file_type()),
            }),
            Ok(m) => files.push((p.clone(), path.to_path_buf(), m.len(), false)),
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    let files = files
        .into_iter()
        .enumerate()
        .map(|(i, (name, path, size, is_stdin))| InputFile {
            id: i as u32,
            name,
            path,
            size,
            is_stdin,
            resume: Resume::default(),
        })
        .collect();
    (files, skipped)
}

fn walk(dir: &Path, files: &mut Vec<(String, PathBuf, u64, bool)>, skipped: &mut Vec<Skipped>) {
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) => {
                let t = e.file_type();
                if t.is_file() {
                    let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                    let name = e.path().to_string_lossy().into_owned();
                    files.push((name, e.path().to_path_buf(), size, false));
                } else if !t.is_dir() {
                    skipped.push(Skipped {
                        file: e.path().to_string_lossy().into_owned(),
                        why: special(&t),
                    });
                }
            }
            Err(e) => {
                let file = e
                    .path()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_else(|| dir.to_string_lossy().into_owned());
                let why = if e.loop_ancestor().is_some() {
                    "symbolic link loop, not followed".to_string()
                } else if let Some(io) = e.io_error() {
                    describe(io)
                } else {
                    e.to_string()
                };
                skipped.push(Skipped { file, why });
            }
        }
    }
}

/// Why a path that is neither a file nor a directory is not read. A FIFO
/// is never opened: with no writer, opening it would wait forever, and
/// reading it would consume what another reader expects (evidence is read
/// back from the file after the scan). Pipes go to stdin (`-`), which is
/// spooled to a temporary file.
fn special(t: &std::fs::FileType) -> String {
    use std::os::unix::fs::FileTypeExt;
    let what = if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    };
    format!("{what}, not read: pipe its content to standard input (`-`) instead")
}

/// A short reason for an I/O error.
pub fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn spool_stdin() -> io::Result<tempfile::NamedTempFile> {
    let mut t = tempfile::NamedTempFile::new()?;
    let mut stdin = io::stdin().lock();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => t.write_all(&buf[..n])?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    t.flush()?;
    Ok(t)
}
