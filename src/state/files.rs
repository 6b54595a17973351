//! The file table of a state: which file is which across runs, and how
//! much of each was read.

use crate::input::{self, Compression, InputFile, Resume, Skipped};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::io::Read;
use xxhash_rust::xxh3::xxh3_64;

/// How many bytes of a file's start identify it.
pub const HEAD: usize = 4096;

/// A fingerprint of the first `len` bytes of something.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Head {
    /// Bytes covered (at most [`HEAD`]).
    pub len: u32,
    /// Their xxh3 hash.
    pub hash: u64,
}

impl Head {
    /// The fingerprint of `bytes` (at most [`HEAD`] of them are used).
    pub fn of(bytes: &[u8]) -> Head {
        let b = &bytes[..bytes.len().min(HEAD)];
        Head {
            len: b.len() as u32,
            hash: xxh3_64(b),
        }
    }

    /// Whether `bytes` start with what this fingerprint covers.
    pub fn prefix_of(&self, bytes: &[u8]) -> bool {
        let n = self.len as usize;
        bytes.len() >= n && xxh3_64(&bytes[..n]) == self.hash
    }
}

/// The stored bytes of a compressed file: when they are the same as last
/// time, the file is not decompressed again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stored {
    /// Size on disk.
    pub size: u64,
    /// Fingerprint of its first bytes.
    pub head: Head,
}

/// What was read of a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadSoFar {
    /// Bytes of text read (whole lines).
    pub offset: u64,
    /// Lines in them.
    pub lines: u64,
}

/// One file of a state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The name it was last seen under (as given, or `-` for stdin).
    pub name: String,
    /// Order key: the fingerprint hash of its text when it was first read.
    /// It never changes, so renames do not reorder the table.
    pub key: u64,
    /// Fingerprint of the start of its text, as long as it was when last
    /// read (it grows with the file up to [`HEAD`] bytes).
    pub text: Head,
    /// For a compressed file: its stored bytes when last seen.
    pub stored: Option<Stored>,
    /// What was read of it.
    pub read: ReadSoFar,
    /// `(first line, byte offset)` of blocks, for reading evidence back.
    pub checkpoints: Vec<(u64, u64)>,
    /// Read from standard input (cannot be read back by name).
    pub stdin: bool,
}

/// The identity of a file found on disk.
#[derive(Clone, Debug)]
pub struct Identity {
    compression: Compression,
    /// The first [`HEAD`] bytes of its text.
    text: Vec<u8>,
    stored: Stored,
}

/// Read a file's identity: its first bytes as stored and as text.
pub fn identify(file: &InputFile) -> std::io::Result<Identity> {
    let mut f = std::fs::File::open(&file.path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut raw = Vec::with_capacity(HEAD);
    (&mut f).take(HEAD as u64).read_to_end(&mut raw)?;
    let compression = Compression::sniff(&raw);
    let text = if compression == Compression::Plain {
        raw.clone()
    } else {
        input::head(file, HEAD).unwrap_or_default()
    };
    Ok(Identity {
        compression,
        stored: Stored {
            size: meta.len(),
            head: Head::of(&raw),
        },
        text,
    })
}

/// What to do with a file found on disk.
#[derive(Clone, Debug)]
pub struct Planned {
    /// The file, with its id and where to resume.
    pub file: InputFile,
    /// Nothing new in it: not read.
    pub unchanged: bool,
}

/// The plan of a run: the files to read, with ids in the table's space.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files found, with their ids (`file.id` = index in the new table).
    pub files: Vec<Planned>,
    /// The table's old id → new id (the table was re-sorted).
    pub remap: Vec<u32>,
    /// Files that could not even be opened.
    pub skipped: Vec<Skipped>,
    /// Identity of each planned file (same order as `files`), for
    /// [`record_read`].
    identities: Vec<Identity>,
}

/// Match the files found against the table (`entries`, updated in place:
/// new files added, names of renamed ones changed) and decide what to read
/// of each. The table is then sorted into canonical order; `remap` says
/// where each old id went.
pub fn plan(entries: &mut Vec<FileEntry>, found: Vec<InputFile>) -> Plan {
    let ids: Vec<std::io::Result<Identity>> = found.par_iter().map(identify).collect();
    let old = entries.len();
    let mut claimed = vec![false; old];
    let mut plan = Plan::default();
    let mut planned: Vec<(usize, InputFile, Identity, bool)> = Vec::new();
    // Two passes: a file still under its old name is matched first, so a
    // copy elsewhere does not take its place.
    let mut slots: Vec<Option<(InputFile, Identity)>> = Vec::new();
    for (f, id) in found.into_iter().zip(ids) {
        match id {
            Ok(id) => slots.push(Some((f, id))),
            Err(e) => {
                plan.skipped.push(Skipped {
                    file: f.name.clone(),
                    why: input::discover::describe(&e),
                });
                slots.push(None);
            }
        }
    }
    // Indexes of the table, so that thousands of files against thousands
    // of entries cost a few hashes each, not a comparison per pair.
    let mut by_stored: FxHashMap<Stored, Vec<usize>> = FxHashMap::default();
    let mut by_text: FxHashMap<Head, Vec<usize>> = FxHashMap::default();
    let mut lens: Vec<u32> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(st) = e.stored {
            by_stored.entry(st).or_default().push(i);
        }
        by_text.entry(e.text).or_default().push(i);
        lens.push(e.text.len);
    }
    lens.sort_unstable();
    lens.dedup();
    for pass in 0..2 {
        for slot in slots.iter_mut() {
            let Some((f, id)) = slot else { continue };
            let usable = |i: &usize| {
                !claimed[*i]
                    && (pass == 1 || entries[*i].name == f.name)
                    && matches(&entries[*i], f, id)
            };
            let mut hit = None;
            if id.compression != Compression::Plain {
                hit = by_stored
                    .get(&id.stored)
                    .and_then(|v| v.iter().copied().find(|i| usable(i)));
            }
            if hit.is_none() {
                hit = lens
                    .iter()
                    .filter(|&&l| l as usize <= id.text.len())
                    .filter_map(|&l| by_text.get(&Head::of(&id.text[..l as usize])))
                    .flat_map(|v| v.iter().copied())
                    .filter(|i| usable(i))
                    .min();
            }
            if let Some(i) = hit {
                claimed[i] = true;
                let (f, id) = slot.take().expect("slot checked above");
                let e = &mut entries[i];
                let unchanged = is_unchanged(e, &f, &id);
                if e.read.offset == 0 {
                    // Nothing of it was kept yet: its order key may follow
                    // its text.
                    e.key = Head::of(&id.text).hash;
                }
                e.name = f.name.clone();
                e.stdin = f.is_stdin;
                if id.text.len() > e.text.len as usize {
                    e.text = Head::of(&id.text);
                }
                planned.push((i, f, id, unchanged));
            }
        }
    }
    for slot in slots.into_iter().flatten() {
        let (f, id) = slot;
        let text = Head::of(&id.text);
        entries.push(FileEntry {
            name: f.name.clone(),
            key: text.hash,
            text,
            stored: None,
            read: ReadSoFar::default(),
            checkpoints: Vec::new(),
            stdin: f.is_stdin,
        });
        planned.push((entries.len() - 1, f, id, false));
    }
    let map = canonical_order(entries);
    plan.remap = map[..old].to_vec();
    planned.sort_by_key(|p| map[p.0]);
    for (i, mut f, id, unchanged) in planned {
        let e = &entries[map[i] as usize];
        f.id = map[i];
        f.resume = Resume {
            offset: e.read.offset,
            lines: e.read.lines,
        };
        plan.files.push(Planned { file: f, unchanged });
        plan.identities.push(id);
    }
    plan
}

/// Whether the table entry `e` is the file `f` (with identity `id`), that
/// may have grown, been renamed or compressed since.
fn matches(e: &FileEntry, f: &InputFile, id: &Identity) -> bool {
    if id.compression != Compression::Plain && e.stored == Some(id.stored) {
        return true;
    }
    if !e.text.prefix_of(&id.text) {
        return false;
    }
    if e.text.len == 0 && e.read.offset > 0 {
        return false;
    }
    // A plain file shorter than what was read of it was truncated or
    // replaced: it is a new file.
    id.compression != Compression::Plain || f.size >= e.read.offset
}

fn is_unchanged(e: &FileEntry, f: &InputFile, id: &Identity) -> bool {
    if id.compression == Compression::Plain {
        f.size == e.read.offset
    } else {
        e.stored == Some(id.stored)
    }
}

/// Record what a read found in the file's entry.
pub fn record_read(
    entries: &mut [FileEntry],
    plan: &Plan,
    infos: &std::collections::BTreeMap<u32, input::FileInfo>,
) {
    for (p, id) in plan.files.iter().zip(&plan.identities) {
        let Some(info) = infos.get(&p.file.id) else {
            continue;
        };
        let e = &mut entries[p.file.id as usize];
        let r = info.resume_after(p.file.resume);
        e.read = ReadSoFar {
            offset: r.offset,
            lines: r.lines,
        };
        e.checkpoints.extend_from_slice(&info.checkpoints);
        e.checkpoints.sort_unstable();
        e.checkpoints.dedup_by_key(|c| c.0);
        if id.compression != Compression::Plain {
            e.stored = Some(id.stored);
        }
    }
}

/// Sort the table into canonical order (order key, then name, then the
/// rest); returns old index → new index.
pub fn canonical_order(entries: &mut Vec<FileEntry>) -> Vec<u32> {
    let mut idx: Vec<usize> = (0..entries.len()).collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (&entries[a], &entries[b]);
        (x.key, &x.name, x.text, x.read.offset, x.read.lines).cmp(&(
            y.key,
            &y.name,
            y.text,
            y.read.offset,
            y.read.lines,
        ))
    });
    let mut map = vec![0u32; entries.len()];
    for (new, &old) in idx.iter().enumerate() {
        map[old] = new as u32;
    }
    let mut sorted: Vec<Option<FileEntry>> = entries.drain(..).map(Some).collect();
    for &old in &idx {
        entries.push(sorted[old].take().expect("each index once"));
    }
    map
}

/// The table as input files, for reading evidence lines back. Only the
/// files in `check` are looked at: one whose start no longer matches
/// (replaced, or gone) gets no path, so no wrong line is ever shown as
/// evidence; the others get none either.
pub fn readable(entries: &[FileEntry], check: &std::collections::BTreeSet<u32>) -> Vec<InputFile> {
    entries
        .par_iter()
        .enumerate()
        .map(|(i, e)| {
            let mut f = InputFile {
                id: i as u32,
                name: e.name.clone(),
                path: std::path::PathBuf::from(&e.name),
                size: 0,
                is_stdin: e.stdin,
                resume: Resume::default(),
            };
            let ok = !e.stdin
                && check.contains(&(i as u32))
                && identify(&f).is_ok_and(|id| {
                    e.text.prefix_of(&id.text) && (e.text.len > 0 || e.read.offset == 0)
                });
            if !ok {
                f.path = std::path::PathBuf::new();
            }
            f
        })
        .collect()
}
