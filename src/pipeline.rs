//! The read → parse → fold pipeline over all input files.
//!
//! Files run in parallel (rayon), and so do the blocks of one file; each
//! block is parsed line by line into events that go to a [`Sink`]: the
//! aggregate for `scan`, formatted output for `events`.

use crate::aggregate::{Aggregate, Counts, FoldSettings, Folder, Placed, Ref, Shards};
use crate::event::{Parsed, Source};
use crate::input::spill::{Pending, Spill};
use crate::input::{self, Block, BlockLines, FileInfo, InputFile, ReadOptions, Skipped};
use crate::parse::m365;
use crate::parse::time::{TimeResolver, Zone};
use crate::parse::{parse_line, Verdict};
use indicatif::ProgressBar;
use rayon::prelude::*;
use std::sync::Mutex;

/// Settings of a read.
#[derive(Clone, Debug)]
pub struct ReadSettings {
    /// Zone of timestamps that carry none.
    pub zone: Zone,
    /// `--year`.
    pub year: Option<i32>,
    /// Block reader options.
    pub read: ReadOptions,
    /// Account normalization, aliases and the time window.
    pub fold: FoldSettings,
}

/// Receives the events of a block.
pub trait Sink {
    /// One event, with the line it came from.
    fn event(
        &mut self,
        agg: &mut Aggregate,
        folder: &mut Folder,
        placed: Placed<'_, '_>,
        line: &[u8],
    );

    /// A line that the events or counts of the block may refer to (it gave
    /// an event, or it is an unrecognized line, a sample), after its
    /// events: line `no`, `text` without its newline.
    fn line(&mut self, _no: u64, _text: &[u8]) {}

    /// The block (or export) has ended: nothing of it may be held after.
    fn end(&mut self, _agg: &mut Aggregate, _folder: &mut Folder) {}
}

/// Per-worker state reused across blocks.
struct Worker {
    agg: Aggregate,
    folder: Folder,
    /// The worker's chunk of the spill (empty between blocks).
    spill: Pending,
}

/// A worker's state from the pool, or a new one (that holds its steps
/// for `shards` shards).
fn take_worker(pool: &Mutex<Vec<Worker>>, settings: &ReadSettings, shards: usize) -> Worker {
    pool.lock()
        .ok()
        .and_then(|mut p| p.pop())
        .unwrap_or_else(|| Worker {
            agg: Aggregate::default(),
            folder: Folder::sharded(settings.fold.clone(), shards),
            spill: Pending::default(),
        })
}

/// Parse one block: every line, its events to `sink`, coverage counts to
/// `agg`. Returns the block's lines and checkpoints, for the reader.
fn run_block<'b, S: Sink>(
    block: Block<'b>,
    info: &FileInfo,
    file: u32,
    settings: &ReadSettings,
    agg: &mut Aggregate,
    folder: &mut Folder,
    sink: &mut S,
) -> BlockLines {
    let mut resolver = TimeResolver::new(settings.zone, info.anchor, settings.year);
    let mut out: Vec<Parsed<'b>> = Vec::with_capacity(4);
    let mut counts = Counts {
        bytes: block.data.len() as u64,
        ..Counts::default()
    };
    // Per-source counts of this block, added to the aggregate at the end
    // (not a map lookup per line).
    let mut by_source: Vec<Counts> = vec![Counts::default(); Source::ALL.len()];
    // Parse one line (without its newline) that starts at `line_no`.
    let mut one_line = |raw: &'b [u8], line_no: u64, agg: &mut Aggregate, folder: &mut Folder| {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        out.clear();
        let res = parse_line(line, &mut out);
        if let (Some(source), Some(header)) = (res.source, res.header) {
            let mut events = 0u64;
            // Whether the aggregate may refer to the line.
            let mut referred = false;
            let sc = &mut by_source[source.index()];
            sc.lines += 1;
            if res.verdict == Verdict::Unrecognized {
                referred = true;
                let ts = resolver.resolve(header.stamp).map_or(0, |t| t.0);
                let r = Ref::new(ts, file, line_no);
                counts.unrecognized += 1;
                counts.samples.insert(r);
                sc.unrecognized += 1;
                sc.samples.insert(r);
            }
            if !out.is_empty() {
                match resolver.resolve(header.stamp) {
                    None => agg.bad_timestamps += 1,
                    Some((ts, offset)) => {
                        for ev in &out {
                            if !folder.in_window(ts) {
                                agg.filtered_out += 1;
                                continue;
                            }
                            if !ev.detail {
                                events += 1;
                            }
                            referred = true;
                            sink.event(
                                agg,
                                folder,
                                Placed {
                                    ev,
                                    ts,
                                    offset,
                                    file,
                                    line: line_no,
                                },
                                line,
                            );
                        }
                    }
                }
            }
            counts.events += events;
            by_source[source.index()].events += events;
            if referred {
                sink.line(line_no, raw);
            }
        }
    };
    let found = block.for_each_line(|line_no, line| one_line(line, line_no, agg, folder));
    sink.end(agg, folder);
    counts.lines = found.lines;
    for (src, c) in Source::ALL.iter().zip(by_source) {
        if c.lines > 0 {
            match agg.sources.get_mut(src.as_str()) {
                Some(x) => x.merge(&c),
                None => {
                    agg.sources.insert(src.as_str().to_string(), c);
                }
            }
        }
    }
    agg.files.entry(file).or_default().merge(&counts);
    found
}

/// How much of a file is looked at to tell a sign-in export from a log.
const HEAD: usize = 16 << 10;

/// Whether a file is a sign-in export (Microsoft 365 / Entra ID), told from
/// its first bytes: once per file, before it is read; logs go on to the
/// line path untouched.
fn export_shape(file: &InputFile) -> Option<m365::Shape> {
    m365::detect(&input::head(file, HEAD)?)
}

fn skip(skipped: &Mutex<Vec<Skipped>>, file: &InputFile, why: String) {
    if let Ok(mut s) = skipped.lock() {
        s.push(Skipped {
            file: file.name.clone(),
            why,
        });
    }
}

/// Read a sign-in export whole and hand its records to `sink`, with the
/// same coverage counts as the line path (per file; per source, one
/// "line" per record). A file that cannot be read, or whose CSV header
/// lacks required columns, goes to `skipped` with the reason. Returns the
/// bytes and lines read.
fn run_export<S: Sink, P: Fn(u64) + Sync>(
    file: &InputFile,
    shape: m365::Shape,
    agg: &mut Aggregate,
    folder: &mut Folder,
    sink: &mut S,
    on_disk: &P,
    skipped: &Mutex<Vec<Skipped>>,
) -> Option<(u64, u64)> {
    let data = match input::read_whole(file, on_disk) {
        Ok((data, _)) => data,
        Err(e) => {
            skip(skipped, file, input::discover::describe(&e));
            return None;
        }
    };
    let ex = match m365::read(&data, shape) {
        Ok(ex) => ex,
        Err(e) => {
            skip(skipped, file, e.0);
            return None;
        }
    };
    let mut counts = Counts {
        bytes: data.len() as u64,
        lines: input::count_lines(&data),
        ..Counts::default()
    };
    drop(data);
    let mut src = Counts {
        lines: ex.entries(),
        ..Counts::default()
    };
    for &line in &ex.unrecognized {
        let r = Ref::new(0, file.id, line);
        counts.unrecognized += 1;
        counts.samples.insert(r);
        src.unrecognized += 1;
        src.samples.insert(r);
    }
    for rec in &ex.records {
        let Some(ts) = rec.ts else {
            agg.bad_timestamps += 1;
            continue;
        };
        if !folder.in_window(ts) {
            agg.filtered_out += 1;
            continue;
        }
        let ev = rec.parsed();
        counts.events += 1;
        src.events += 1;
        sink.event(
            agg,
            folder,
            Placed {
                ev: &ev,
                ts,
                offset: 0,
                file: file.id,
                line: rec.line,
            },
            b"",
        );
    }
    if src.lines > 0 {
        agg.sources
            .entry(Source::M365.as_str().to_string())
            .or_default()
            .merge(&src);
    }
    sink.end(agg, folder);
    agg.files.entry(file.id).or_default().merge(&counts);
    if let Some(e) = ex.error {
        skip(skipped, file, e);
    }
    Some((counts.bytes, counts.lines))
}

/// The scan sink: events go into the shared shards of accounts and
/// addresses, a block at a time; the lines they come from go to the spill
/// when the block is of a streamed file.
struct FoldSink<'s> {
    shards: &'s Shards,
    /// The spill, the worker's chunk of it, the file id and the block's
    /// index in the file.
    spill: Option<(&'s Spill, &'s mut Pending, u32, u64)>,
}

impl Sink for FoldSink<'_> {
    fn event(
        &mut self,
        agg: &mut Aggregate,
        folder: &mut Folder,
        placed: Placed<'_, '_>,
        _line: &[u8],
    ) {
        folder.hold(agg, placed);
        if folder.is_full() {
            self.shards.fold(folder);
        }
    }

    fn line(&mut self, no: u64, text: &[u8]) {
        if let Some((spill, pending, file, block)) = &mut self.spill {
            spill.keep(pending, *file, *block, no, text);
        }
    }

    fn end(&mut self, _agg: &mut Aggregate, folder: &mut Folder) {
        self.shards.fold(folder);
        if let Some((spill, pending, ..)) = &mut self.spill {
            spill.flush(pending);
        }
    }
}

/// Record what went wrong with a file that was read (partly).
fn note_file(file: &InputFile, info: &FileInfo, skipped: &Mutex<Vec<Skipped>>) {
    let mut notes = Vec::new();
    if let Some(e) = &info.error {
        notes.push(match info.compression {
            Some(c) if c != input::Compression::Plain => format!(
                "{} data damaged or truncated after {} lines ({e}); the lines before were used",
                c.as_str(),
                info.lines
            ),
            _ => format!(
                "read stopped after {} lines: {e}; the lines before were used",
                info.lines
            ),
        });
    }
    if info.long_lines > 0 {
        notes.push(format!(
            "{} line(s) longer than {} MiB skipped (the lines around them were read)",
            info.long_lines,
            input::MAX_LINE >> 20
        ));
    }
    if !notes.is_empty() {
        if let Ok(mut s) = skipped.lock() {
            s.push(Skipped {
                file: file.name.clone(),
                why: notes.join("; "),
            });
        }
    }
}

/// Per file id, what reading it found (see [`input::FileInfo`]): where an
/// incremental run resumes, and the block checkpoints for evidence.
pub type Infos = std::collections::BTreeMap<u32, FileInfo>;

/// Per file id, the `(line, byte offset)` of a line start about every
/// 256 KiB of a mapped file (see [`input::FileInfo::checkpoints`]).
pub type Checkpoints = std::collections::BTreeMap<u32, Vec<(u64, u64)>>;

/// Read every file and fold its events into one aggregate. Files that
/// cannot be read (or stop early) are added to `skipped`. The lines of
/// streamed files that the aggregate may refer to go to `spill`, if any,
/// for reading the evidence back ([`input::lines::fetch`]).
pub fn scan_files(
    files: &[InputFile],
    settings: &ReadSettings,
    progress: &ProgressBar,
    skipped: &Mutex<Vec<Skipped>>,
    infos: &Mutex<Infos>,
    spill: Option<&Spill>,
) -> Aggregate {
    let pool: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
    // A few shards per worker, so that two seldom want the same one.
    let shards = Shards::new(4 * rayon::current_num_threads().max(4));
    let read = crate::timing::phase("read");
    files.par_iter().for_each(|file| {
        if let Some(shape) = export_shape(file) {
            if file.resume.offset > 0 {
                return skip(
                    skipped,
                    file,
                    format!(
                        "a sign-in export that changed since {} bytes of it were read: not read \
                         again (its records would count twice); scan it into a new state",
                        file.resume.offset
                    ),
                );
            }
            let mut w = take_worker(&pool, settings, shards.len());
            let Worker { agg, folder, .. } = &mut w;
            let on_disk = |n: u64| progress.inc(n);
            let mut sink = FoldSink {
                shards: &shards,
                spill: None,
            };
            let read = run_export(file, shape, agg, folder, &mut sink, &on_disk, skipped);
            if let Ok(mut p) = pool.lock() {
                p.push(w);
            }
            if let (Some((bytes, lines)), Ok(mut c)) = (read, infos.lock()) {
                c.insert(
                    file.id,
                    FileInfo {
                        bytes,
                        lines,
                        ..FileInfo::default()
                    },
                );
            }
            return;
        }
        let handle = |block: Block<'_>, info: &FileInfo| {
            let mut w = take_worker(&pool, settings, shards.len());
            let Worker {
                agg,
                folder,
                spill: pending,
            } = &mut w;
            // A mapped block's lines are read back by seeking.
            let mut sink = FoldSink {
                shards: &shards,
                spill: spill
                    .filter(|_| block.offset.is_none())
                    .map(|s| (s, pending, file.id, block.seq)),
            };
            let lines = run_block(block, info, file.id, settings, agg, folder, &mut sink);
            if let Ok(mut p) = pool.lock() {
                p.push(w);
            }
            lines
        };
        let on_disk = |n: u64| progress.inc(n);
        match input::read_file(file, &settings.read, &handle, &on_disk) {
            Ok(info) => {
                note_file(file, &info, skipped);
                if let Ok(mut c) = infos.lock() {
                    c.insert(file.id, info);
                }
            }
            Err(e) => {
                if let Ok(mut s) = skipped.lock() {
                    s.push(Skipped {
                        file: file.name.clone(),
                        why: input::discover::describe(&e),
                    });
                }
            }
        }
    });
    drop(read);
    let _merge = crate::timing::phase("merge");
    // The accounts and addresses are in the shards; the workers' own
    // aggregates hold the counts per file and source.
    let mut total = shards.into_aggregate();
    for w in pool.into_inner().unwrap_or_default() {
        total.absorb(w.agg);
    }
    for f in files {
        total.files.entry(f.id).or_default();
    }
    if let Ok(mut infos) = infos.lock() {
        renumber(&mut total, spill, &mut infos);
    }
    total
}

/// Give the refs of `agg` and the chunks of `spill` their line numbers:
/// blocks numbered their lines within themselves ([`input::number`]);
/// each file's map (taken from its info, not needed after) turns those
/// into line numbers, in one walk.
fn renumber(agg: &mut Aggregate, spill: Option<&Spill>, infos: &mut Infos) {
    let mut maps: Vec<Option<input::LineMap>> = Vec::new();
    for (&id, info) in infos.iter_mut() {
        if !info.renumber.is_identity() {
            let id = id as usize;
            if maps.len() <= id {
                maps.resize(id + 1, None);
            }
            maps[id] = Some(std::mem::take(&mut info.renumber));
        }
    }
    if maps.is_empty() {
        return;
    }
    let _t = crate::timing::phase("renumber");
    let line = |file: u32, line: u64| match maps.get(file as usize) {
        Some(Some(m)) => m.line(line),
        _ => line,
    };
    agg.map_lines(line);
    if let Some(spill) = spill {
        spill.renumber(line);
    }
}

/// What `events` prints.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    /// Only this account (its id).
    pub account: Option<crate::account::AccountId>,
    /// Only addresses in this network.
    pub ip: Option<crate::net::Cidr>,
    /// Also print lines that detail an attempt counted on another line.
    pub details: bool,
    /// CSV instead of NDJSON.
    pub csv: bool,
}

struct PrintSink<'a> {
    filter: &'a EventFilter,
    file: &'a str,
    out: Vec<u8>,
}

impl Sink for PrintSink<'_> {
    fn event(
        &mut self,
        _agg: &mut Aggregate,
        folder: &mut Folder,
        placed: Placed<'_, '_>,
        _line: &[u8],
    ) {
        let ev = placed.ev;
        if ev.detail && !self.filter.details {
            return;
        }
        if let Some(net) = &self.filter.ip {
            match ev.ip {
                Some(ip) if net.contains(crate::aggregate::ip_key(ip)) => {}
                _ => return,
            }
        }
        let acct = ev.user.and_then(|u| folder.account(u));
        if let Some(want) = self.filter.account {
            if acct.as_ref().map(|a| a.0) != Some(want) {
                return;
            }
        }
        let key = acct.map(|a| a.1);
        if self.filter.csv {
            crate::report::events::write_csv(&mut self.out, &placed, key, self.file);
        } else {
            crate::report::events::write_ndjson(&mut self.out, &placed, key, self.file);
        }
    }
}

/// Ordered output of blocks finished in any order.
struct Ordered<'w> {
    next: u64,
    pending: std::collections::BTreeMap<u64, Vec<u8>>,
    writer: &'w mut (dyn std::io::Write + Send),
    error: Option<std::io::Error>,
}

impl Ordered<'_> {
    fn put(&mut self, seq: u64, buf: Vec<u8>) {
        self.pending.insert(seq, buf);
        while let Some(buf) = self.pending.remove(&self.next) {
            if self.error.is_none() {
                if let Err(e) = self.writer.write_all(&buf) {
                    self.error = Some(e);
                }
            }
            self.next += 1;
        }
    }
}

/// Print the events of every file, in file order and, within a file, in
/// line order. Returns the coverage aggregate (no account data).
pub fn print_events(
    files: &[InputFile],
    settings: &ReadSettings,
    filter: &EventFilter,
    writer: &mut (dyn std::io::Write + Send),
    progress: &ProgressBar,
    skipped: &Mutex<Vec<Skipped>>,
) -> std::io::Result<Aggregate> {
    let pool: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
    // Lines are printed with their numbers block by block: the reader
    // counts them.
    let read = ReadOptions {
        count_lines: true,
        ..settings.read.clone()
    };
    let ordered = Mutex::new(Ordered {
        next: 0,
        pending: Default::default(),
        writer,
        error: None,
    });
    for file in files {
        if let Ok(mut o) = ordered.lock() {
            o.next = 0;
        }
        if let Some(shape) = export_shape(file) {
            let mut w = take_worker(&pool, settings, 1);
            let mut sink = PrintSink {
                filter,
                file: &file.name,
                out: Vec::new(),
            };
            let Worker { agg, folder, .. } = &mut w;
            let on_disk = |n: u64| progress.inc(n);
            run_export(file, shape, agg, folder, &mut sink, &on_disk, skipped);
            if let Ok(mut p) = pool.lock() {
                p.push(w);
            }
            if let Ok(mut o) = ordered.lock() {
                o.put(0, sink.out);
                if let Some(e) = o.error.take() {
                    return Err(e);
                }
            }
            continue;
        }
        let handle = |block: Block<'_>, info: &FileInfo| {
            let mut w = take_worker(&pool, settings, 1);
            let mut sink = PrintSink {
                filter,
                file: &file.name,
                out: Vec::new(),
            };
            let Worker { agg, folder, .. } = &mut w;
            let lines = run_block(block, info, file.id, settings, agg, folder, &mut sink);
            if let Ok(mut o) = ordered.lock() {
                o.put(block.seq, sink.out);
            }
            if let Ok(mut p) = pool.lock() {
                p.push(w);
            }
            lines
        };
        let on_disk = |n: u64| progress.inc(n);
        match input::read_file(file, &read, &handle, &on_disk) {
            Ok(info) => note_file(file, &info, skipped),
            Err(e) => {
                if let Ok(mut s) = skipped.lock() {
                    s.push(Skipped {
                        file: file.name.clone(),
                        why: input::discover::describe(&e),
                    });
                }
            }
        }
        if let Some(e) = ordered.lock().ok().and_then(|mut o| o.error.take()) {
            return Err(e);
        }
    }
    let workers = pool.into_inner().unwrap_or_default();
    let mut total = Aggregate::default();
    for w in workers {
        total.absorb(w.agg);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::time::Zone;
    use std::path::Path;

    /// Scan `files` (keeping a spill in `spill`, if any): the aggregate and
    /// what the reader found of each file.
    fn scan_all(
        files: &[InputFile],
        settings: &ReadSettings,
        spill: Option<&Spill>,
    ) -> (Aggregate, Infos) {
        let skipped = Mutex::new(Vec::new());
        let infos = Mutex::new(Infos::new());
        let agg = scan_files(
            files,
            settings,
            &ProgressBar::hidden(),
            &skipped,
            &infos,
            spill,
        );
        (agg, infos.into_inner().unwrap())
    }

    /// The aggregate of a scan, every ref in it, the line counts and the
    /// checkpoints are the same whether the reader counted lines or the
    /// blocks numbered them locally (fixed up after the merge), whatever
    /// the block size.
    #[test]
    fn block_local_numbers_give_the_counted_aggregate() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
        let dir = tempfile::tempdir().unwrap();
        // A plain copy of the archive, large and old enough to be mapped.
        let mut text = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::MultiGzDecoder::new(
                std::fs::File::open(sample.join("mail.log.1.gz")).unwrap(),
            ),
            &mut text,
        )
        .unwrap();
        let plain = dir.path().join("mail.log.1");
        std::fs::write(&plain, &text).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&plain)
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_735_700_000))
            .unwrap();
        let paths = [
            sample.to_string_lossy().into_owned(),
            plain.to_string_lossy().into_owned(),
        ];
        let (files, _) = input::discover(&paths, &mut None);
        let scan = |block_size: usize, count_lines: bool| {
            let settings = ReadSettings {
                zone: Zone::Utc,
                year: None,
                read: ReadOptions {
                    block_size,
                    count_lines,
                    now: 1_800_000_000,
                    ..ReadOptions::default()
                },
                fold: FoldSettings {
                    default_domain: Some("example.gov".into()),
                    ..FoldSettings::default()
                },
            };
            let (agg, infos) = scan_all(&files, &settings, None);
            let infos: Vec<(u64, Vec<(u64, u64)>)> = infos
                .into_values()
                .map(|i| (i.lines, i.checkpoints))
                .collect();
            (agg, infos)
        };
        let (base, _) = scan(4 << 20, true);
        for bs in [1, 7, 100_000, 4 << 20] {
            let (agg, infos) = scan(bs, false);
            assert!(agg == base, "block size {bs}");
            // Checkpoints fall at block starts too: the same as the
            // reader's counting gives at this block size.
            let (_, counted) = scan(bs, true);
            assert!(counted.iter().any(|i| i.1.len() > 4));
            assert!(infos == counted, "block size {bs}");
        }
    }

    /// The text of every line of the sample logs, read back after a scan
    /// with `fetch`, is the file's, whether the scan kept a spill, kept
    /// one that could not be written (a full disk), or kept none; with a
    /// working spill, the lines of the streamed files that gave events
    /// come from it, under their true numbers, whatever the block size.
    #[test]
    fn lines_read_back_with_or_without_a_spill() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
        let paths = [sample.to_string_lossy().into_owned()];
        let (files, _) = input::discover(&paths, &mut None);
        // Every line of every file, as the files hold them.
        let mut all = std::collections::BTreeSet::new();
        let mut truth = std::collections::BTreeMap::new();
        for f in &files {
            let text = text_of(f);
            for (i, line) in text.split(|&b| b == b'\n').enumerate() {
                if line.is_empty() {
                    continue;
                }
                all.insert((f.id, i as u64 + 1));
                truth.insert((f.id, i as u64 + 1), input::lines::quoted(line).to_vec());
            }
        }
        let scan = |block_size: usize, spill: Option<&Spill>| {
            let settings = ReadSettings {
                zone: Zone::Utc,
                year: None,
                read: ReadOptions {
                    block_size,
                    now: 1_800_000_000,
                    ..ReadOptions::default()
                },
                fold: FoldSettings::default(),
            };
            let (agg, _) = scan_all(&files, &settings, spill);
            assert!(agg.files.values().map(|c| c.events).sum::<u64>() > 10_000);
            input::lines::fetch(&files, &all, &Default::default(), spill)
        };
        let full = || {
            Spill::on(
                std::fs::File::options()
                    .read(true)
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
        };
        assert!(scan(4 << 20, None) == truth);
        let failed = full();
        assert!(scan(4 << 20, Some(&failed)) == truth);
        assert_eq!(failed.size(), (0, 0));
        for bs in [7, 100_000, 4 << 20] {
            let spill = Spill::new().unwrap();
            assert!(scan(bs, Some(&spill)) == truth, "block size {bs}");
            // The spill alone: the lines that gave events, right.
            let mut by_file: std::collections::BTreeMap<u32, Vec<u64>> = Default::default();
            for &(f, l) in &all {
                by_file.entry(f).or_default().push(l);
            }
            let mut kept = std::collections::BTreeMap::new();
            spill.fetch(&by_file, &mut kept);
            assert!(kept.len() > 10_000, "block size {bs}: {} lines", kept.len());
            for (k, text) in &kept {
                assert_eq!(Some(text), truth.get(k), "block size {bs}: {k:?}");
            }
        }
    }

    /// A file's whole text (a gzip file's decompressed).
    fn text_of(f: &InputFile) -> Vec<u8> {
        let raw = std::fs::read(&f.path).unwrap();
        if input::Compression::sniff(&raw) != input::Compression::Gzip {
            return raw;
        }
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&raw[..]), &mut text)
            .unwrap();
        text
    }
}
