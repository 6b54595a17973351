//! The state file format.
//!
//! ```text
//! magic     16 bytes  \x89 "authsweep-st" \r \n \x1a
//! version   u32 LE    FORMAT_VERSION
//! sections  each: tag u8, length u64 LE, xxh3-64 of the payload u64 LE, payload
//!           tag 1: meta (settings, file table), tag 2: aggregate,
//!           tag 3: evidence texts, tag 0: end (empty)
//! ```
//! Payloads are postcard, compressed with zstd. A state is self-delimiting,
//! so several can follow each other on one stream (`merge -`). The magic's
//! high byte and line ends catch a file mangled as text; the checksums catch
//! damage; the version refuses states of another layout instead of
//! misreading them.

use super::{FileEntry, Recorded, State, Texts};
use crate::aggregate::Aggregate;
use crate::input::Skipped;
use serde::{Deserialize, Serialize};
use std::io::{self, Read, Write};
use std::path::Path;
use xxhash_rust::xxh3::xxh3_64;

const MAGIC: &[u8; 16] = b"\x89authsweep-st\r\n\x1a";

/// Version of the layout; bumped whenever any stored type changes.
pub const FORMAT_VERSION: u32 = 1;

const TAG_END: u8 = 0;
const TAG_META: u8 = 1;
const TAG_AGG: u8 = 2;
const TAG_TEXTS: u8 = 3;

/// Why a state could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Not a state file at all.
    #[error("{0}: not an authsweep state file")]
    NotAState(String),
    /// Written by another layout.
    #[error(
        "{name}: a state of format version {found}; this authsweep ({ours}) reads version {want}: \
         scan the logs again into a new state"
    )]
    Version {
        /// The state.
        name: String,
        /// Its version.
        found: u32,
        /// The version read here.
        want: u32,
        /// This program's version.
        ours: &'static str,
    },
    /// Cut short.
    #[error("{0}: truncated ({1}); the state is incomplete and was not used")]
    Truncated(String, String),
    /// Damaged.
    #[error("{0}: damaged ({1}); the state was not used")]
    Corrupt(String, String),
    /// States that cannot be combined.
    #[error("{0}")]
    Mismatch(String),
    /// Reading or writing failed.
    #[error("{0}: {1}")]
    Io(String, io::Error),
}

#[derive(Serialize, Deserialize)]
struct Meta {
    made_by: String,
    recorded: Recorded,
    files: Vec<FileEntry>,
    skipped: Vec<Skipped>,
}

#[derive(Serialize)]
struct MetaOut<'a> {
    made_by: &'a str,
    recorded: &'a Recorded,
    files: &'a [FileEntry],
    skipped: &'a [Skipped],
}

fn section<W: Write, T: Serialize + ?Sized>(w: &mut W, tag: u8, value: &T) -> io::Result<()> {
    // Serialized straight into the compressor: the uncompressed form (many
    // times larger) is never held whole.
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 1)?;
    enc.include_checksum(false)?;
    // postcard writes a few bytes at a time: buffer them.
    let buf = postcard::to_io(value, io::BufWriter::with_capacity(1 << 16, enc))
        .map_err(io::Error::other)?;
    let packed = buf.into_inner().map_err(|e| e.into_error())?.finish()?;
    w.write_all(&[tag])?;
    w.write_all(&(packed.len() as u64).to_le_bytes())?;
    w.write_all(&xxh3_64(&packed).to_le_bytes())?;
    w.write_all(&packed)
}

/// Write the first part of `state` (settings, file table, aggregate) to
/// `w`; [`write_tail`] ends it. Split so that the aggregate can be saved
/// before the report changes it (roster aliases) and the evidence texts
/// after the report found them.
pub fn write_head<W: Write>(state: &State, w: &mut W) -> io::Result<()> {
    w.write_all(MAGIC)?;
    w.write_all(&FORMAT_VERSION.to_le_bytes())?;
    let made_by = format!("authsweep {}", env!("CARGO_PKG_VERSION"));
    section(
        w,
        TAG_META,
        &MetaOut {
            made_by: &made_by,
            recorded: &state.recorded,
            files: &state.files,
            skipped: &state.skipped,
        },
    )?;
    section(w, TAG_AGG, &state.agg)
}

/// End a state begun with [`write_head`]: the evidence texts, the end mark.
pub fn write_tail<W: Write>(texts: &Texts, w: &mut W) -> io::Result<()> {
    section(w, TAG_TEXTS, texts)?;
    w.write_all(&[TAG_END])?;
    w.write_all(&0u64.to_le_bytes())?;
    w.write_all(&xxh3_64(&[]).to_le_bytes())?;
    w.flush()
}

/// Write `state` to `w`.
pub fn write_to<W: Write>(state: &State, w: &mut W) -> io::Result<()> {
    write_head(state, w)?;
    write_tail(&state.texts, w)
}

/// A state being written to a file: begun with the aggregate, ended with
/// the texts; dropped unfinished, it leaves the old file as it was.
pub struct Pending {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

impl Pending {
    /// Begin writing `state` to `path` (in a temporary file beside it).
    pub fn begin(state: &State, path: &Path) -> Result<Pending, StateError> {
        let name = path.display().to_string();
        let io = |e: io::Error| StateError::Io(name.clone(), e);
        let dir = dir_of(path);
        let mut tmp = tempfile::Builder::new()
            .prefix(".authsweep-state-")
            .tempfile_in(dir)
            .map_err(io)?;
        {
            let mut w = io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
            write_head(state, &mut w).map_err(io)?;
            w.flush().map_err(io)?;
        }
        Ok(Pending {
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// Write the texts and the end, flush to disk, and rename over the old
    /// state.
    pub fn finish(mut self, texts: &Texts) -> Result<(), StateError> {
        let name = self.path.display().to_string();
        let io = |e: io::Error| StateError::Io(name.clone(), e);
        {
            let mut w = io::BufWriter::with_capacity(1 << 20, self.tmp.as_file_mut());
            write_tail(texts, &mut w).map_err(io)?;
        }
        // A state replaced keeps its permissions; a new one is private to
        // its owner (it names accounts and addresses).
        if let Ok(m) = std::fs::metadata(&self.path) {
            let _ = self.tmp.as_file().set_permissions(m.permissions());
        }
        self.tmp.as_file().sync_all().map_err(io)?;
        self.tmp.persist(&self.path).map_err(|e| io(e.error))?;
        let dir = dir_of(&self.path);
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// The directory a state at `path` goes in (its temporary file too).
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Fail now, not after hours of reading, when a state cannot be written
/// at `path` (its directory is missing or not writable).
pub fn check_writable(path: &Path) -> Result<(), StateError> {
    let dir = dir_of(path);
    if path.is_dir() {
        return Err(StateError::Io(
            path.display().to_string(),
            io::Error::other("is a directory"),
        ));
    }
    tempfile::Builder::new()
        .prefix(".authsweep-state-")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| StateError::Io(path.display().to_string(), e))
}

/// Write `state` to `path` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed over the old one. A failure
/// leaves the old state as it was.
pub fn write_atomic(state: &State, path: &Path) -> Result<(), StateError> {
    Pending::begin(state, path)?.finish(&state.texts)
}

/// Read exactly `buf.len()` bytes; `Ok(false)` at a clean end of stream
/// before the first byte.
fn fill<R: Read>(r: &mut R, buf: &mut [u8], name: &str, what: &str) -> Result<bool, StateError> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) if n == 0 => return Ok(false),
            Ok(0) => {
                return Err(StateError::Truncated(
                    name.into(),
                    format!("it ends inside the {what}"),
                ))
            }
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(StateError::Io(name.into(), e)),
        }
    }
    Ok(true)
}

fn need<R: Read>(r: &mut R, buf: &mut [u8], name: &str, what: &str) -> Result<(), StateError> {
    if fill(r, buf, name, what)? {
        Ok(())
    } else {
        Err(StateError::Truncated(
            name.into(),
            format!("it ends before the {what}"),
        ))
    }
}

/// The largest section accepted (a guard against a damaged length asking
/// for all memory).
const MAX_SECTION: u64 = 1 << 40;

fn read_section<R: Read>(r: &mut R, name: &str) -> Result<(u8, Vec<u8>), StateError> {
    let mut h = [0u8; 17];
    need(r, &mut h, name, "section header")?;
    let tag = h[0];
    let len = u64::from_le_bytes(h[1..9].try_into().expect("8 bytes"));
    let sum = u64::from_le_bytes(h[9..17].try_into().expect("8 bytes"));
    if len > MAX_SECTION {
        return Err(StateError::Corrupt(
            name.into(),
            format!("a section claims {len} bytes"),
        ));
    }
    let mut packed = Vec::new();
    let got = r
        .take(len)
        .read_to_end(&mut packed)
        .map_err(|e| StateError::Io(name.into(), e))?;
    if (got as u64) < len {
        return Err(StateError::Truncated(
            name.into(),
            format!("a section of {len} bytes has only {got}"),
        ));
    }
    if xxh3_64(&packed) != sum {
        return Err(StateError::Corrupt(
            name.into(),
            "a section's checksum does not match".into(),
        ));
    }
    if len == 0 {
        return Ok((tag, Vec::new()));
    }
    let raw = zstd::stream::decode_all(&packed[..])
        .map_err(|e| StateError::Corrupt(name.into(), format!("cannot decompress: {e}")))?;
    Ok((tag, raw))
}

/// Read one state from `r`; `Ok(None)` at a clean end of stream (no state
/// follows).
pub fn read_one<R: Read>(r: &mut R, name: &str) -> Result<Option<State>, StateError> {
    let mut magic = [0u8; 16];
    if !fill(r, &mut magic, name, "header")? {
        return Ok(None);
    }
    if &magic != MAGIC {
        return Err(StateError::NotAState(name.into()));
    }
    let mut v = [0u8; 4];
    need(r, &mut v, name, "version")?;
    let version = u32::from_le_bytes(v);
    if version != FORMAT_VERSION {
        return Err(StateError::Version {
            name: name.into(),
            found: version,
            want: FORMAT_VERSION,
            ours: env!("CARGO_PKG_VERSION"),
        });
    }
    let bad = |what: &str, e: postcard::Error| {
        StateError::Corrupt(name.into(), format!("the {what} cannot be decoded: {e}"))
    };
    let (tag, raw) = read_section(r, name)?;
    if tag != TAG_META {
        return Err(StateError::Corrupt(
            name.into(),
            format!("section {tag} where the file table belongs"),
        ));
    }
    let meta: Meta = postcard::from_bytes(&raw).map_err(|e| bad("file table", e))?;
    let (tag, raw) = read_section(r, name)?;
    if tag != TAG_AGG {
        return Err(StateError::Corrupt(
            name.into(),
            format!("section {tag} where the aggregate belongs"),
        ));
    }
    let agg: Aggregate = postcard::from_bytes(&raw).map_err(|e| bad("aggregate", e))?;
    drop(raw);
    let (tag, raw) = read_section(r, name)?;
    if tag != TAG_TEXTS {
        return Err(StateError::Corrupt(
            name.into(),
            format!("section {tag} where the evidence texts belong"),
        ));
    }
    let texts: Texts = postcard::from_bytes(&raw).map_err(|e| bad("evidence texts", e))?;
    let (tag, _) = read_section(r, name)?;
    if tag != TAG_END {
        return Err(StateError::Corrupt(
            name.into(),
            format!("section {tag} where the end belongs"),
        ));
    }
    let _ = meta.made_by;
    Ok(Some(State {
        recorded: meta.recorded,
        files: meta.files,
        skipped: meta.skipped,
        agg,
        texts,
    }))
}

/// Every state on `r` (one or more, back to back).
pub fn read_all<R: Read>(r: &mut R, name: &str) -> Result<Vec<State>, StateError> {
    let mut out = Vec::new();
    while let Some(s) = read_one(r, name)? {
        out.push(s);
    }
    if out.is_empty() {
        return Err(StateError::Truncated(name.into(), "it is empty".into()));
    }
    Ok(out)
}

/// The state at `path`; `Ok(None)` when there is no such file.
pub fn read_path(path: &Path) -> Result<Option<Vec<State>>, StateError> {
    let name = path.display().to_string();
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::Io(name, e)),
    };
    let mut r = io::BufReader::with_capacity(1 << 20, f);
    read_all(&mut r, &name).map(Some)
}
