//! Where the bytes come from: finding the files, opening them (plain,
//! memory-mapped, or through a decompressor chosen from the magic bytes),
//! and cutting them into line-aligned blocks for the workers.
//!
//! Every I/O policy lives here; parsers only ever see `&[u8]` blocks that
//! start at a line start and end after a newline (or at the end of input),
//! each with the number of its first line: the true 1-based number when the
//! reader counts lines ([`ReadOptions::count_lines`]), otherwise a value
//! local to the read that orders lines as their numbers do, mapped to the
//! true number after the read ([`FileInfo::renumber`], see [`number`]).

pub mod discover;
pub mod lines;
pub mod number;
mod sigbus;
pub mod spill;
pub mod split;

pub use discover::{discover, InputFile, Resume, Skipped};
use number::Numberer;
pub use number::{BlockLines, LineMap};

use std::fs::File;
use std::io::{self, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

/// How a file is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Plain text.
    Plain,
    /// gzip (one or several members).
    Gzip,
    /// zstd.
    Zstd,
    /// bzip2.
    Bzip2,
    /// xz.
    Xz,
}

impl Compression {
    /// Detect from the first bytes of the file.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else if head.starts_with(b"BZh") {
            Compression::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Compression::Xz
        } else {
            Compression::Plain
        }
    }

    /// Name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Plain => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
        }
    }
}

/// Options of the block reader.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Target block size in bytes (blocks end at a newline after it).
    pub block_size: usize,
    /// Whether plain files may be memory-mapped.
    pub mmap: bool,
    /// Blocks handed to workers at once before the reader parses one itself
    /// (at most twice the worker threads: enough to keep them busy, and
    /// every block waiting holds its pages or its buffer).
    pub in_flight: usize,
    /// The run's clock (UTC seconds): the anchor for stdin.
    pub now: i64,
    /// Leave a last line without newline unread in a file still being
    /// written (the writer may be in the middle of it), for an incremental
    /// run to read whole next time. Files not written for a while are read
    /// to their end.
    pub hold_partial: bool,
    /// Count the lines of each block before handing it on, so that
    /// [`Block::first_line`] is the true line number (`events`, which
    /// prints numbers block by block). Otherwise the workers number lines
    /// within their block and the numbers are fixed up after the read
    /// ([`FileInfo::renumber`]): no serial pass over the text.
    pub count_lines: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            block_size: 4 << 20,
            mmap: true,
            in_flight: 64,
            now: 0,
            hold_partial: false,
            count_lines: false,
        }
    }
}

/// Blocks are at most this large (a larger `--block-size` is this): a
/// streamed block is a buffer of its size.
pub const MAX_BLOCK: usize = 1 << 30;

/// A line-aligned piece of a file.
#[derive(Clone, Copy, Debug)]
pub struct Block<'a> {
    /// The bytes: whole lines.
    pub data: &'a [u8],
    /// Number of the first line, the next lines counting on by one: the
    /// true 1-based number with [`ReadOptions::count_lines`], otherwise a
    /// value that [`FileInfo::renumber`] maps to it after the read.
    pub first_line: u64,
    /// Index of the block within its file.
    pub seq: u64,
    /// Byte offset of the block in a mapped file: its lines record
    /// checkpoints ([`FileInfo::checkpoints`]). `None` for streams.
    pub offset: Option<u64>,
}

impl<'a> Block<'a> {
    /// Call `f` on each line of the block (without its newline) with its
    /// number; returns what the reader needs back: the line count and, in a
    /// mapped block, a checkpoint at its start and at each line start
    /// `CHECKPOINT_BYTES` or more after the previous one.
    #[inline]
    pub fn for_each_line(&self, mut f: impl FnMut(u64, &'a [u8])) -> BlockLines {
        let data = self.data;
        let mut no = self.first_line;
        let mut checkpoints = Vec::new();
        // The next checkpoint is the first line start with at most this
        // many bytes after it in the block (0: none).
        let mut mark = if self.offset.is_some() { data.len() } else { 0 };
        let end = self.offset.unwrap_or(0) + data.len() as u64;
        split::for_each_line(data, |line| {
            // Bytes from the line's start to the block's end (at least 1).
            let rest = data.len() - (line.as_ptr() as usize - data.as_ptr() as usize);
            if rest <= mark {
                checkpoints.push((no, end - rest as u64));
                mark = rest.saturating_sub(CHECKPOINT_BYTES);
            }
            f(no, line);
            no += 1;
        });
        BlockLines {
            lines: no - self.first_line,
            checkpoints,
        }
    }
}

/// What reading a file found out.
#[derive(Clone, Debug, Default)]
pub struct FileInfo {
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// How it was stored.
    pub compression: Option<Compression>,
    /// UTC seconds no yearless line of the file is later than.
    pub anchor: i64,
    /// Lines too long to keep in memory, skipped.
    pub long_lines: u64,
    /// An error that stopped the read after some data (the data before it
    /// was used).
    pub error: Option<String>,
    /// `(line, byte offset)` of a line start about every 256 KiB of a mapped
    /// file, so that evidence lines can be read back by seeking instead of
    /// re-reading the file from its start (or from the start of a block).
    pub checkpoints: Vec<(u64, u64)>,
    /// How the line values the blocks carried map to line numbers: every
    /// reference to a line of this read is fixed up with it once the
    /// blocks are done (the identity when the reader counted lines).
    pub renumber: LineMap,
    /// Bytes of a last line without its newline in a file still being
    /// written, left unread ([`ReadOptions::hold_partial`]): the next
    /// incremental run reads that line whole.
    pub held: u64,
}

impl FileInfo {
    /// Where the next incremental read of this file starts: after what was
    /// read.
    pub fn resume_after(&self, before: Resume) -> Resume {
        Resume {
            offset: before.offset + self.bytes,
            lines: before.lines + self.lines,
        }
    }
}

/// Lines longer than this are skipped when streaming (no log line of an
/// authentication program is anywhere near it), so one endless line costs
/// at most this much memory, not its length.
pub const MAX_LINE: usize = 1 << 20;

/// How far before a block its pages are given back: more than the kernel
/// maps around a page fault (`fault_around_bytes`, 64 KiB by default).
const FAULT_AROUND: usize = 256 << 10;

/// Distance between the line checkpoints of a mapped file.
const CHECKPOINT_BYTES: usize = 256 << 10;

/// Plain files smaller than this are read, not mapped.
const MMAP_MIN: u64 = 4 << 20;

/// A file modified this recently may still be written to (or truncated by
/// `logrotate copytruncate`, which turns a mapped page into SIGBUS): read it.
const LIVE_SECS: u64 = 300;

fn mtime_secs(meta: &std::fs::Metadata) -> Option<i64> {
    let m = meta.modified().ok()?;
    match m.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => Some(d.as_secs() as i64),
        Err(_) => Some(0),
    }
}

/// Read `file` block by block, calling `handle` on each block, in parallel
/// on the rayon pool (and on this thread when the workers are busy);
/// `handle` goes through the block with [`Block::for_each_line`] and
/// returns what that gives.
/// `on_disk` is told how many bytes of the stored file were consumed, for
/// progress. Blocks of one file may be handled in any order.
pub fn read_file<H, P>(
    file: &InputFile,
    opts: &ReadOptions,
    handle: &H,
    on_disk: &P,
) -> Result<FileInfo, io::Error>
where
    H: Fn(Block<'_>, &FileInfo) -> BlockLines + Sync,
    P: Fn(u64) + Sync,
{
    let path = &file.path;
    let mut f = File::open(path)?;
    let meta = f.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    let mut head = [0u8; 10];
    let n = read_up_to(&mut f, &mut head)?;
    let compression = Compression::sniff(&head[..n]);
    let mut info = FileInfo {
        compression: Some(compression),
        anchor: if file.is_stdin {
            opts.now
        } else {
            mtime_secs(&meta).unwrap_or(opts.now)
        },
        ..FileInfo::default()
    };
    if compression == Compression::Gzip && n >= 8 {
        // The gzip header keeps the modification time of the file it was
        // made from: better than the archive's own (a copy or a checkout
        // resets that).
        let mt = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        if mt != 0 {
            info.anchor = mt as i64;
        }
    }
    let age_ok = mtime_secs(&meta).is_some_and(|m| opts.now - m > LIVE_SECS as i64);
    if compression == Compression::Plain
        && opts.mmap
        && meta.is_file()
        && meta.len() >= MMAP_MIN
        && age_ok
    {
        // SAFETY: a file not modified for LIVE_SECS is not expected to
        // change while mapped; if it is truncated anyway (copytruncate),
        // the SIGBUS guard maps zero pages over the part past the end and
        // the reader stops at the new size (see sigbus.rs). Without the
        // guard the file is read, not mapped.
        if let Ok(map) = unsafe { memmap2::Mmap::map(&f) } {
            use std::os::fd::AsRawFd;
            if let Some(guard) = sigbus::register(f.as_raw_fd(), map.as_ptr(), map.len()) {
                let _ = map.advise(memmap2::Advice::Sequential);
                let info = read_mapped(&map, &f, &guard, file.resume, opts, info, handle, on_disk);
                drop(guard);
                return Ok(info);
            }
        }
    }
    drop(f);
    let mut raw = File::open(path)?;
    let resume = file.resume;
    if compression == Compression::Plain && resume.offset > 0 {
        use std::io::{Seek, SeekFrom};
        raw.seek(SeekFrom::Start(resume.offset))?;
    }
    let counted = CountingReader {
        inner: raw,
        report: on_disk,
    };
    let mut reader = decoder(counted, compression)?;
    if compression != Compression::Plain && resume.offset > 0 {
        // The text read before is decompressed again, not parsed.
        let skipped = io::copy(&mut (&mut reader).take(resume.offset), &mut io::sink())?;
        if skipped < resume.offset {
            info.error = Some(format!(
                "its text is {skipped} bytes, shorter than the {} bytes read from it before; \
                 nothing new was read",
                resume.offset
            ));
            return Ok(info);
        }
    }
    let hold = opts.hold_partial && !age_ok && compression == Compression::Plain;
    if compression == Compression::Plain {
        return Ok(read_stream(reader, opts, resume, hold, info, handle));
    }
    // Decompression on a thread of its own, a few chunks ahead: the pool's
    // threads all parse (a reader that also parsed stopped decompressing
    // while it did).
    Ok(std::thread::scope(|s| {
        let ahead = ReadAhead::start(s, reader);
        read_stream(Box::new(ahead), opts, resume, hold, info, handle)
    }))
}

/// Decompressed text in chunks of this size go from the decompressing
/// thread to the reader.
const AHEAD_CHUNK: usize = 1 << 20;

/// A reader fed by another thread that reads (decompresses) `AHEAD_CHUNK`
/// bytes at a time, at most a few chunks ahead.
struct ReadAhead {
    chunks: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    spare: std::sync::mpsc::Sender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
}

impl ReadAhead {
    /// Start reading `inner` on a thread of `scope`. The thread ends at the
    /// end of `inner`, at its first error (handed on after the text before
    /// it), or when the `ReadAhead` is dropped.
    fn start<'scope, 'env, R: Read + Send + 'scope>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        mut inner: R,
    ) -> ReadAhead {
        let (tx, chunks) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(3);
        let (spare, spares) = std::sync::mpsc::channel::<Vec<u8>>();
        scope.spawn(move || loop {
            let mut buf = spares.try_recv().unwrap_or_default();
            buf.resize(AHEAD_CHUNK, 0);
            let mut n = 0;
            let mut failed = None;
            while n < buf.len() {
                match inner.read(&mut buf[n..]) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            let end = n < buf.len();
            buf.truncate(n);
            if n > 0 && tx.send(Ok(buf)).is_err() {
                return;
            }
            if let Some(e) = failed {
                let _ = tx.send(Err(e));
                return;
            }
            if end {
                return;
            }
        });
        ReadAhead {
            chunks,
            spare,
            cur: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.cur.len() {
            match self.chunks.recv() {
                Ok(Ok(next)) => {
                    let done = std::mem::replace(&mut self.cur, next);
                    let _ = self.spare.send(done);
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                // The thread ended: the end of the text.
                Err(_) => return Ok(0),
            }
        }
        let k = out.len().min(self.cur.len() - self.pos);
        out[..k].copy_from_slice(&self.cur[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}

/// The decompressed text of `raw`.
fn decoder<'r, R: Read + Send + 'r>(
    raw: R,
    compression: Compression,
) -> io::Result<Box<dyn Read + Send + 'r>> {
    Ok(match compression {
        Compression::Plain => Box::new(raw),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(
            io::BufReader::with_capacity(1 << 16, raw),
        )),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(raw)),
        Compression::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(raw)),
    })
}

fn open_decoded<'r, P: Fn(u64) + 'r + Sync>(
    file: &InputFile,
    on_disk: &'r P,
) -> io::Result<(Box<dyn Read + Send + 'r>, Compression)> {
    let mut f = File::open(&file.path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut magic = [0u8; 10];
    let n = read_up_to(&mut f, &mut magic)?;
    let compression = Compression::sniff(&magic[..n]);
    drop(f);
    let counted = CountingReader {
        inner: File::open(&file.path)?,
        report: on_disk,
    };
    Ok((decoder(counted, compression)?, compression))
}

/// The first `max` bytes of a regular file's (decompressed) text, to tell
/// its format from its content: once per file, before it is read. `None`
/// when it cannot be read (the normal read then reports why).
pub fn head(file: &InputFile, max: usize) -> Option<Vec<u8>> {
    let (r, _) = open_decoded(file, &|_| {}).ok()?;
    let mut buf = Vec::with_capacity(max);
    // A damaged stream gives what came before the damage.
    let _ = r.take(max as u64).read_to_end(&mut buf);
    Some(buf)
}

/// Exports read whole are refused beyond this size (a portal download is at
/// most 100 000 rows, far below).
pub const MAX_WHOLE: u64 = 4 << 30;

/// A whole file's (decompressed) text, for inputs that are not line logs
/// (sign-in exports). `on_disk` is told the stored bytes consumed.
pub fn read_whole<P: Fn(u64) + Sync>(
    file: &InputFile,
    on_disk: &P,
) -> io::Result<(Vec<u8>, Compression)> {
    let (r, compression) = open_decoded(file, on_disk)?;
    let mut data = Vec::with_capacity(file.size.min(MAX_WHOLE) as usize);
    r.take(MAX_WHOLE + 1).read_to_end(&mut data)?;
    if data.len() as u64 > MAX_WHOLE {
        return Err(io::Error::other(format!(
            "larger than {} GiB: not read as a sign-in export",
            MAX_WHOLE >> 30
        )));
    }
    Ok((data, compression))
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

struct CountingReader<'p, R, P: Fn(u64)> {
    inner: R,
    report: &'p P,
}

impl<R: Read, P: Fn(u64)> Read for CountingReader<'_, R, P> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.report)(n as u64);
        Ok(n)
    }
}

/// Number of lines in `data` (a last line without newline counts).
pub fn count_lines(data: &[u8]) -> u64 {
    let n = memchr::memchr_iter(b'\n', data).count() as u64;
    if data.last().is_some_and(|&b| b != b'\n') {
        n + 1
    } else {
        n
    }
}

/// Blocks a reader hands on before parsing one itself (see
/// [`ReadOptions::in_flight`]).
fn in_flight(opts: &ReadOptions) -> usize {
    opts.in_flight.min(2 * rayon::current_num_threads())
}

#[allow(clippy::too_many_arguments)]
fn read_mapped<H, P>(
    mmap: &memmap2::Mmap,
    file: &File,
    guard: &sigbus::Guard,
    resume: Resume,
    opts: &ReadOptions,
    mut info: FileInfo,
    handle: &H,
    on_disk: &P,
) -> FileInfo
where
    H: Fn(Block<'_>, &FileInfo) -> BlockLines + Sync,
    P: Fn(u64) + Sync,
{
    let map: &[u8] = mmap;
    let bs = opts.block_size.clamp(1, MAX_BLOCK);
    let in_flight = in_flight(opts);
    let busy = AtomicUsize::new(0);
    let snapshot = info.clone();
    let info_ref = &snapshot;
    let first = (resume.offset as usize).min(map.len());
    let mut start = first;
    // A block ends at the first newline at or after `bs - 1` bytes: at most
    // `bs` lines (one more for safety). A file of more blocks than local
    // numbers can hold is counted.
    let max_lines = bs as u64 + 1;
    let mut numbers = Numberer::local(resume.lines, max_lines);
    if opts.count_lines || !numbers.holds(((map.len() - first) / bs) as u64 + 1) {
        numbers = Numberer::counting(resume.lines);
    }
    let found: Mutex<Vec<(u64, BlockLines)>> = Mutex::new(Vec::new());
    let found_ref = &found;
    let mut seq = 0u64;
    let mut shrank = None;
    // The blocks are cut just ahead of the workers: at most `in_flight`
    // blocks wait, so the pages touched and not yet given back stay few
    // whatever the file size.
    rayon::scope(|s| {
        while start < map.len() {
            // A file truncated while mapped (copytruncate) is not read past
            // its new end: one `statx` per block.
            let now = file.metadata().map_or(0, |m| m.len());
            if guard.hit() || now < map.len() as u64 {
                shrank = Some(now);
                break;
            }
            let target = (start + bs).min(map.len());
            let end = if target >= map.len() {
                map.len()
            } else {
                match memchr::memchr(b'\n', &map[target - 1..]) {
                    Some(i) => target + i,
                    None => map.len(),
                }
            };
            let (a, b, this_seq) = (start, end, seq);
            let first_line = numbers.block(&map[a..b], ((b - a) as u64).min(max_lines));
            seq += 1;
            start = end;
            let work = move || {
                // The block's pages mapped in one call, not a fault per
                // few pages as the lines are read (Linux 5.14 and later;
                // an error, as for a file truncated meanwhile, changes
                // nothing: the SIGBUS guard still stands).
                #[cfg(target_os = "linux")]
                let _ = mmap.advise_range(memmap2::Advice::PopulateRead, a, b - a);
                // The block's lines record a checkpoint every
                // `CHECKPOINT_BYTES` (at a line start), not only per block:
                // reading an evidence line back then reads at most that
                // much before it, not up to a whole block.
                let lines = handle(
                    Block {
                        data: &map[a..b],
                        first_line,
                        seq: this_seq,
                        offset: Some(a as u64),
                    },
                    info_ref,
                );
                if let Ok(mut f) = found_ref.lock() {
                    f.push((this_seq, lines));
                }
                // Give the pages back: resident memory must not grow with
                // the file. The range starts `FAULT_AROUND` before the
                // block: a page fault maps the cached pages around it, also
                // pages before the block that its neighbour gave back
                // already, and nothing else would drop those.
                let from = a.saturating_sub(FAULT_AROUND);
                // SAFETY: the mapping is private and read-only; dropped
                // pages are read again from the file if touched (a block
                // boundary shares a page with its neighbour).
                unsafe {
                    let _ = mmap.unchecked_advise_range(
                        memmap2::UncheckedAdvice::DontNeed,
                        from,
                        b - from,
                    );
                }
                on_disk((b - a) as u64);
            };
            if busy.load(Ordering::Acquire) >= in_flight {
                work();
            } else {
                busy.fetch_add(1, Ordering::AcqRel);
                let busy = &busy;
                s.spawn(move |_| {
                    work();
                    busy.fetch_sub(1, Ordering::AcqRel);
                });
            }
        }
    });
    let numbered = numbers.finish(found.into_inner().unwrap_or_default());
    info.bytes = (start - first) as u64;
    info.lines = numbered.lines;
    info.checkpoints = numbered.checkpoints;
    info.renumber = numbered.map;
    if let Some(now) = shrank {
        info.error = Some(format!(
            "the file shrank from {} to {now} bytes while it was read (truncated by log \
             rotation?); the lines after line {} were not read",
            map.len(),
            resume.lines + info.lines
        ));
    }
    info
}

fn read_stream<H>(
    mut reader: Box<dyn Read + Send + '_>,
    opts: &ReadOptions,
    resume: Resume,
    hold: bool,
    mut info: FileInfo,
    handle: &H,
) -> FileInfo
where
    H: Fn(Block<'_>, &FileInfo) -> BlockLines + Sync,
{
    let bs = opts.block_size.clamp(1, MAX_BLOCK);
    let in_flight = in_flight(opts);
    let pool: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let busy = AtomicUsize::new(0);
    // A block holds at most a line per byte; it is about the block size,
    // or the buffer grown around a line up to `MAX_LINE` long. A larger
    // one (or too many blocks) switches to counting.
    let mut numbers = if opts.count_lines {
        Numberer::counting(resume.lines)
    } else {
        Numberer::local(resume.lines, (bs + MAX_LINE + (1 << 18)) as u64)
    };
    let found: Mutex<Vec<(u64, BlockLines)>> = Mutex::new(Vec::new());
    let found_ref = &found;
    let mut held = 0u64;
    let mut seq = 0u64;
    let mut carry: Vec<u8> = Vec::new();
    let mut discarding = false;
    let info_snapshot = info.clone();
    let info_ref = &info_snapshot;
    let mut error = None;
    let mut total = 0u64;
    let mut long_lines = 0u64;
    rayon::scope(|s| {
        let mut eof = false;
        while !eof {
            let mut buf = pool
                .lock()
                .map(|mut p| p.pop())
                .ok()
                .flatten()
                .unwrap_or_default();
            // `buf` keeps its length (initialized bytes) between uses; `n`
            // says how much of it holds data. Growing zeroes new memory
            // once, not on every read.
            let floor = bs.max(1 << 16) + (1 << 16);
            if buf.len() < floor.max(carry.len() + (1 << 16)) {
                buf.resize(floor.max(carry.len() + (1 << 16)), 0);
            }
            buf[..carry.len()].copy_from_slice(&carry);
            let mut n = carry.len();
            carry.clear();
            // Start of the last, incomplete line of `buf[..n]` (the carry is
            // one incomplete line).
            let mut tail = 0usize;
            // Fill to at least the block size, and on to a newline.
            loop {
                if buf.len() - n < 1 << 15 {
                    let grown = (buf.len() * 2).max(n + (1 << 16));
                    buf.resize(grown, 0);
                }
                let old = n;
                match reader.read(&mut buf[n..]) {
                    Ok(0) => {
                        eof = true;
                        break;
                    }
                    Ok(k) => {
                        n += k;
                        total += k as u64;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        error = Some(e.to_string());
                        eof = true;
                        break;
                    }
                }
                if discarding {
                    // Inside an over-long line (`old` is 0): drop up to its
                    // end, keep what follows.
                    match memchr::memchr(b'\n', &buf[..n]) {
                        Some(i) => {
                            buf.copy_within(i + 1..n, 0);
                            n -= i + 1;
                            discarding = false;
                            long_lines += 1;
                            numbers.skip_line();
                            tail = memchr::memrchr(b'\n', &buf[..n]).map_or(0, |j| j + 1);
                        }
                        None => {
                            n = 0;
                            continue;
                        }
                    }
                } else if let Some(j) = memchr::memrchr(b'\n', &buf[old..n]) {
                    tail = old + j + 1;
                }
                if n - tail > MAX_LINE {
                    // The incomplete line is over-long: hand on the whole
                    // lines before it, drop it up to its end.
                    discarding = true;
                    n = tail;
                    if n > 0 {
                        break;
                    }
                    continue;
                }
                if n >= bs && tail > 0 {
                    carry.extend_from_slice(&buf[tail..n]);
                    n = tail;
                    break;
                }
            }
            if error.is_some() {
                // The read stopped inside a line: that piece is damaged.
                n = tail;
            }
            if eof && discarding {
                long_lines += 1;
                numbers.skip_line();
                discarding = false;
            }
            if eof && hold && n > 0 && buf[n - 1] != b'\n' {
                // The writer may be in the middle of this line.
                let start = memchr::memrchr(b'\n', &buf[..n]).map_or(0, |i| i + 1);
                held = (n - start) as u64;
                n = start;
            }
            if n == 0 {
                pool.lock().map(|mut p| p.push(buf)).ok();
                continue;
            }
            let first_line = numbers.block(&buf[..n], n as u64);
            let this_seq = seq;
            seq += 1;
            let work = move |buf: Vec<u8>| {
                let lines = handle(
                    Block {
                        data: &buf[..n],
                        first_line,
                        seq: this_seq,
                        offset: None,
                    },
                    info_ref,
                );
                if let Ok(mut f) = found_ref.lock() {
                    f.push((this_seq, lines));
                }
                buf
            };
            if busy.load(Ordering::Acquire) >= in_flight {
                let buf = work(buf);
                pool.lock().map(|mut p| p.push(buf)).ok();
            } else {
                busy.fetch_add(1, Ordering::AcqRel);
                let pool = &pool;
                let busy = &busy;
                s.spawn(move |_| {
                    let buf = work(buf);
                    pool.lock().map(|mut p| p.push(buf)).ok();
                    busy.fetch_sub(1, Ordering::AcqRel);
                });
            }
        }
    });
    let numbered = numbers.finish(found.into_inner().unwrap_or_default());
    info.bytes = total - held;
    info.lines = numbered.lines;
    info.renumber = numbered.map;
    info.held = held;
    info.long_lines = long_lines;
    info.error = error;
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// An old (mapped) file truncated while it is read: no SIGBUS crash,
    /// the read stops at the new end and says so.
    #[test]
    fn mapped_file_truncated_during_the_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.log");
        let mut f = std::fs::File::create(&path).unwrap();
        let line = b"Mar  1 10:00:00 mx1 sshd[1]: Accepted password for alice from 192.0.2.1 port 22 ssh2\n";
        for _ in 0..(16 << 20) / line.len() {
            f.write_all(line).unwrap();
        }
        f.set_modified(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
            .unwrap();
        drop(f);
        let file = InputFile {
            id: 0,
            name: "old.log".into(),
            path: path.clone(),
            size: 0,
            is_stdin: false,
            resume: Resume::default(),
        };
        let opts = ReadOptions {
            block_size: 1 << 20,
            in_flight: 0,
            now: 2_000_000_000,
            ..ReadOptions::default()
        };
        let seen = AtomicUsize::new(0);
        let handle = |b: Block<'_>, _: &FileInfo| {
            if b.seq == 0 {
                let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
                f.set_len(100_000).unwrap();
            }
            // Touch every byte: the pages past the new end raise SIGBUS,
            // and the guard gives zeros for them (no newlines).
            if b.seq == 0 {
                seen.store(count_lines(b.data) as usize, Ordering::Relaxed);
            }
            b.for_each_line(|_, _| {})
        };
        let info = read_file(&file, &opts, &handle, &|_| {}).unwrap();
        let err = info.error.expect("the shrink is reported");
        assert!(err.contains("shrank"), "{err}");
        assert!(info.bytes < 16 << 20);
        let block0 = seen.load(Ordering::Relaxed);
        assert!(block0 > 1000 && block0 < 1300, "{block0} lines in block 0");
        // Only block 0 was read: the message names its last line.
        assert_eq!(info.lines, block0 as u64);
        assert!(err.contains(&format!("after line {block0} were")), "{err}");
    }

    /// The read-ahead thread hands on every byte in order, in reads of any
    /// size, then the error that stopped its reader, then the end.
    #[test]
    fn read_ahead_keeps_order_and_error() {
        struct Failing(std::io::Cursor<Vec<u8>>);
        impl Read for Failing {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                // Odd sizes, then a broken stream.
                let k = b.len().min(777);
                match self.0.read(&mut b[..k])? {
                    0 => Err(io::Error::other("corrupt block")),
                    n => Ok(n),
                }
            }
        }
        let text: Vec<u8> = (0..3 * AHEAD_CHUNK + 12345)
            .map(|i| (i % 251) as u8)
            .collect();
        std::thread::scope(|s| {
            let mut r = ReadAhead::start(s, Failing(std::io::Cursor::new(text.clone())));
            let mut got = Vec::new();
            let mut buf = vec![0u8; 70_001];
            let err = loop {
                match r.read(&mut buf) {
                    Ok(0) => panic!("end before the error"),
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(e) => break e,
                }
            };
            assert_eq!(err.to_string(), "corrupt block");
            assert!(got == text, "{} of {} bytes", got.len(), text.len());
            assert_eq!(r.read(&mut buf).unwrap(), 0);
        });
    }

    /// Lines `"<n> xx…"` of varying length (every 17th empty, some ending in
    /// CRLF), at least `min` bytes, the last without newline; and the byte
    /// offset where each line starts.
    fn numbered_text(min: usize) -> (Vec<u8>, Vec<u64>) {
        let (mut text, mut starts) = (Vec::new(), Vec::new());
        let mut n = 1u64;
        while text.len() < min {
            starts.push(text.len() as u64);
            if n % 17 != 0 {
                text.extend_from_slice(
                    format!("{n} {}", "x".repeat((n * 7 % 90) as usize)).as_bytes(),
                );
            }
            if n % 5 == 0 {
                text.push(b'\r');
            }
            text.push(b'\n');
            n += 1;
        }
        starts.push(text.len() as u64);
        text.extend_from_slice(format!("{n} last").as_bytes());
        (text, starts)
    }

    /// However a file is cut (block size, mapped or streamed, resumed or
    /// not, block-local numbers or counted, switching to counting part way),
    /// every line gets its true number, the line count is right and each
    /// checkpoint names the line that starts at its offset.
    #[test]
    fn line_numbers_and_checkpoints_do_not_depend_on_the_blocks() {
        let (text, starts) = numbered_text(MMAP_MIN as usize + (300 << 10));
        let total = starts.len() as u64;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.log");
        std::fs::write(&path, &text).unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
            .unwrap();
        drop(f);
        let line_text = |n: u64| {
            let a = starts[n as usize - 1] as usize;
            let b = starts
                .get(n as usize)
                .map_or(text.len(), |&s| s as usize - 1);
            text[a..b].to_vec()
        };
        for resume in [
            Resume::default(),
            Resume {
                offset: starts[999],
                lines: 999,
            },
        ] {
            let want: Vec<(u64, Vec<u8>)> = (resume.lines + 1..=total)
                .map(|n| (n, line_text(n)))
                .collect();
            for (mmap, bs, count_lines, local_blocks) in [
                (true, 1, false, None),
                (true, 7, false, None),
                (true, 64, true, None),
                (true, 100_000, false, None),
                (true, 100_000, true, None),
                (true, 4 << 20, false, None),
                (true, 100_000, false, Some(3)),
                (false, 1, false, None),
                (false, 64, false, None),
                (false, 64, true, None),
                (false, 100_000, false, None),
                (false, 1, false, Some(3)),
            ] {
                let case = format!(
                    "mmap {mmap}, block size {bs}, count {count_lines}, local blocks \
                     {local_blocks:?}, resume {resume:?}"
                );
                number::LOCAL_BLOCKS.set(local_blocks);
                let file = InputFile {
                    id: 0,
                    name: "n.log".into(),
                    path: path.clone(),
                    size: text.len() as u64,
                    is_stdin: false,
                    resume,
                };
                let opts = ReadOptions {
                    block_size: bs,
                    mmap,
                    count_lines,
                    now: 2_000_000_000,
                    ..ReadOptions::default()
                };
                let got = Mutex::new(Vec::new());
                let handle = |b: Block<'_>, _: &FileInfo| {
                    let mut mine = Vec::new();
                    let found = b.for_each_line(|no, l| mine.push((no, l.to_vec())));
                    got.lock().unwrap().extend(mine);
                    found
                };
                let info = read_file(&file, &opts, &handle, &|_| {}).unwrap();
                number::LOCAL_BLOCKS.set(None);
                let got = renumbered(got, &info);
                assert!(
                    got == want,
                    "{case}: {} lines, {} wanted",
                    got.len(),
                    want.len()
                );
                assert_eq!(info.lines, total - resume.lines, "{case}");
                // A mapped file of more blocks than local numbers hold is
                // counted from its start; a stream switches part way.
                let counted = count_lines || (mmap && local_blocks.is_some());
                assert_eq!(info.renumber.is_identity(), counted, "{case}");
                if !mmap {
                    assert!(info.checkpoints.is_empty(), "{case}");
                    continue;
                }
                let cps = &info.checkpoints;
                assert_eq!(cps[0], (resume.lines + 1, resume.offset), "{case}");
                for w in cps.windows(2) {
                    assert!(w[0].0 < w[1].0 && w[0].1 < w[1].1, "{case}: {w:?}");
                    // No more than a checkpoint span and a line apart.
                    assert!(w[1].1 - w[0].1 <= (CHECKPOINT_BYTES + 100) as u64, "{case}");
                }
                for &(line, offset) in cps {
                    assert_eq!(starts[line as usize - 1], offset, "{case}");
                }
            }
        }
    }

    /// The lines a test's handler collected, under their line numbers
    /// (the read's map applied), in order.
    fn renumbered(got: Mutex<Vec<(u64, Vec<u8>)>>, info: &FileInfo) -> Vec<(u64, Vec<u8>)> {
        let mut got: Vec<(u64, Vec<u8>)> = got
            .into_inner()
            .unwrap()
            .into_iter()
            .map(|(no, l)| (info.renumber.line(no), l))
            .collect();
        got.sort();
        got
    }

    /// A line longer than `MAX_LINE` costs no more than `MAX_LINE`, and the
    /// lines around it are read with the right numbers.
    #[test]
    fn over_long_streamed_line_is_skipped() {
        let mut data = b"a\nb\n".to_vec();
        data.resize(data.len() + 3 * MAX_LINE, b'x');
        data.extend_from_slice(b"\nc\nd");
        for count_lines in [false, true] {
            let opts = ReadOptions {
                block_size: 1 << 10,
                count_lines,
                ..ReadOptions::default()
            };
            let got = Mutex::new(Vec::new());
            let handle = |b: Block<'_>, _: &FileInfo| {
                b.for_each_line(|no, l| got.lock().unwrap().push((no, l.to_vec())))
            };
            let info = read_stream(
                Box::new(std::io::Cursor::new(data.clone())),
                &opts,
                Resume::default(),
                false,
                FileInfo::default(),
                &handle,
            );
            let got = renumbered(got, &info);
            let want: Vec<(u64, Vec<u8>)> = vec![
                (1, b"a".to_vec()),
                (2, b"b".to_vec()),
                (4, b"c".to_vec()),
                (5, b"d".to_vec()),
            ];
            assert_eq!(got, want, "count_lines {count_lines}");
            assert_eq!(info.renumber.is_identity(), count_lines);
            assert_eq!(info.long_lines, 1);
            assert_eq!(info.lines, 5);
        }
    }
}
