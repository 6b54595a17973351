//! Saved states: the aggregate of a run plus the record of what was read,
//! for incremental runs (`--state`), shards (`--save-state`, `merge`) and
//! reports without reading logs again (`report`).
//!
//! A state's file table gives each file a stable identity (a fingerprint
//! of the first bytes of its text, plus how much of it was read), so a
//! later run recognizes a file that grew, was renamed or was compressed by
//! log rotation, and reads only what is new. File ids inside a state are
//! canonical: the table is sorted by each file's order key (the
//! fingerprint taken when it was first read) and then its name, so the
//! same files give the same ids however they were split into runs or
//! shards, and a merge changes no comparison between lines of one state.

pub mod files;
pub mod format;

pub use files::{FileEntry, Head};
pub use format::{read_all, read_path, write_atomic, write_to, Pending, StateError};

use crate::aggregate::Aggregate;
use crate::input::spill::Spill;
use crate::input::{InputFile, Skipped};
use crate::pipeline::{self, ReadSettings};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// The settings that shape the aggregate as it is read: states made with
/// different ones cannot be combined (their accounts, times or addresses
/// would not mean the same).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// `--default-domain`.
    pub default_domain: Option<String>,
    /// `--tz` (the zone of timestamps that carry none).
    pub zone: String,
    /// `--year`.
    pub year: Option<i32>,
    /// `--since` (UTC seconds).
    pub since: Option<i64>,
    /// `--until` (UTC seconds).
    pub until: Option<i64>,
    /// Config `trusted_networks`.
    pub trusted: Vec<String>,
    /// Config `proxies`.
    pub proxies: Vec<String>,
}

impl Recorded {
    /// What differs between two sets of settings, one phrase per setting:
    /// empty when they are the same.
    pub fn differences(&self, other: &Recorded) -> Vec<String> {
        fn show<T: std::fmt::Debug>(v: &Option<T>) -> String {
            match v {
                Some(v) => format!("{v:?}"),
                None => "none".into(),
            }
        }
        let mut d = Vec::new();
        if self.default_domain != other.default_domain {
            d.push(format!(
                "--default-domain {} / {}",
                show(&self.default_domain),
                show(&other.default_domain)
            ));
        }
        if self.zone != other.zone {
            d.push(format!("--tz {} / {}", self.zone, other.zone));
        }
        if self.year != other.year {
            d.push(format!(
                "--year {} / {}",
                show(&self.year),
                show(&other.year)
            ));
        }
        if self.since != other.since || self.until != other.until {
            d.push("--since/--until differ".into());
        }
        if self.trusted != other.trusted {
            d.push("config trusted_networks differ".into());
        }
        if self.proxies != other.proxies {
            d.push("config proxies differ".into());
        }
        d
    }
}

/// A whole state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// The settings it was read with.
    pub recorded: Recorded,
    /// The files read; a file's id is its index.
    pub files: Vec<FileEntry>,
    /// The aggregate.
    pub agg: Aggregate,
    /// Inputs that could not be read (wholly or partly) by the run that
    /// made this state, and why; merged states keep them all.
    pub skipped: Vec<Skipped>,
    /// The text of the evidence lines of the last report made with this
    /// state, by `(file id, line)`: shown when the file is gone (deleted by
    /// log rotation) or no longer the same.
    pub texts: Texts,
}

/// Evidence line texts by `(file id, line)`.
pub type Texts = std::collections::BTreeMap<(u32, u64), Vec<u8>>;

/// `texts` with file ids mapped through `map` (old → new).
fn remap_texts(texts: &mut Texts, map: &[u32]) {
    if map.iter().enumerate().all(|(i, &n)| i as u32 == n) {
        return;
    }
    *texts = std::mem::take(texts)
        .into_iter()
        .map(|((f, l), t)| ((map.get(f as usize).copied().unwrap_or(f), l), t))
        .collect();
}

impl State {
    /// An empty state read with these settings.
    pub fn new(recorded: Recorded) -> State {
        State {
            recorded,
            ..State::default()
        }
    }

    /// Fold `other` into `self`. Fails when the settings differ, or when
    /// both hold data of the same file (its lines would count twice).
    /// `names` name the two states in messages.
    pub fn merge(&mut self, other: State, names: (&str, &str)) -> Result<(), StateError> {
        let diff = self.recorded.differences(&other.recorded);
        if !diff.is_empty() {
            return Err(StateError::Mismatch(format!(
                "{} and {} were read with different settings ({}, in that order): their data cannot \
                 be combined",
                names.0,
                names.1,
                diff.join("; ")
            )));
        }
        // The same file: the same order key and the same fingerprint.
        let held: rustc_hash::FxHashMap<(u64, files::Head), &FileEntry> = self
            .files
            .iter()
            .filter(|g| g.read.offset > 0 && g.text.len > 0)
            .map(|g| ((g.key, g.text), g))
            .collect();
        for f in other.files.iter().filter(|f| f.read.offset > 0) {
            if let Some(g) = held.get(&(f.key, f.text)) {
                return Err(StateError::Mismatch(format!(
                    "{} and {} both hold data of the same file ({} / {}): merging them would count \
                     its lines twice",
                    names.0, names.1, g.name, f.name
                )));
            }
        }
        let State {
            files: mut theirs,
            agg: mut their_agg,
            texts: mut their_texts,
            skipped: mut their_skipped,
            ..
        } = other;
        let mine = self.files.len();
        self.files.append(&mut theirs);
        let map = files::canonical_order(&mut self.files);
        let (a, b) = map.split_at(mine);
        self.agg.remap_files(a);
        remap_texts(&mut self.texts, a);
        their_agg.remap_files(b);
        remap_texts(&mut their_texts, b);
        self.agg.absorb(their_agg);
        self.texts.append(&mut their_texts);
        self.skipped.append(&mut their_skipped);
        self.skipped
            .sort_by(|a, b| (&a.file, &a.why).cmp(&(&b.file, &b.why)));
        self.skipped.dedup();
        Ok(())
    }

    /// Read what is new in the files `found` into this state (on the
    /// current rayon pool): files seen before go on from where they were
    /// left, files renamed or compressed since are recognized, new files
    /// are read whole. `progress` is made for the number of bytes to read.
    /// The lines the evidence may quote go to `spill`, if any (see
    /// [`pipeline::scan_files`]), under the file ids of the new table.
    pub fn read(
        &mut self,
        found: Vec<InputFile>,
        settings: &ReadSettings,
        progress: impl FnOnce(u64) -> indicatif::ProgressBar,
        skipped: &Mutex<Vec<Skipped>>,
        spill: Option<&Spill>,
    ) -> RunRead {
        let plan = files::plan(&mut self.files, found);
        self.agg.remap_files(&plan.remap);
        remap_texts(&mut self.texts, &plan.remap);
        if let Ok(mut s) = skipped.lock() {
            s.extend(plan.skipped.iter().cloned());
        }
        let to_read: Vec<InputFile> = plan
            .files
            .iter()
            .filter(|p| !p.unchanged)
            .map(|p| p.file.clone())
            .collect();
        let total: u64 = to_read
            .iter()
            .map(|f| f.size.saturating_sub(f.resume.offset).max(1))
            .sum();
        let bar = progress(total);
        let infos = Mutex::new(pipeline::Infos::new());
        let run = pipeline::scan_files(&to_read, settings, &bar, skipped, &infos, spill);
        bar.finish_and_clear();
        let infos = infos.into_inner().unwrap_or_default();
        files::record_read(&mut self.files, &plan, &infos);
        let mut out = RunRead {
            files: plan.files.into_iter().map(|p| p.file).collect(),
            ..RunRead::default()
        };
        for c in run.files.values() {
            out.read += usize::from(c.bytes > 0);
            out.bytes += c.bytes;
            out.lines += c.lines;
            out.events += c.events;
        }
        self.agg.absorb(run);
        out
    }

    /// Totals over the file table: files, bytes and lines read.
    pub fn totals(&self) -> (usize, u64, u64) {
        (
            self.files.len(),
            self.files.iter().map(|f| f.read.offset).sum(),
            self.files.iter().map(|f| f.read.lines).sum(),
        )
    }
}

/// What [`State::read`] did.
#[derive(Clone, Debug, Default)]
pub struct RunRead {
    /// Every file found, with its id in the state (and where it is now).
    pub files: Vec<InputFile>,
    /// Files with something new, read. (A file renamed and compressed
    /// since is decompressed to find out whether it has more lines; when it
    /// has none, it does not count here.)
    pub read: usize,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Events.
    pub events: u64,
}

#[cfg(test)]
mod tests;
