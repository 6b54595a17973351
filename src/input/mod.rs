//! Where the bytes come from: finding the files, opening them (plain,
//! memory-mapped, or through a decompressor chosen from the magic bytes),
//! and cutting them into line-aligned blocks for the workers.
//!
//! Every I/O policy lives here; parsers only ever see `&[u8]` blocks that
//! start at a line start and end after a newline (or at the end of input),
//! each with the 1-based number of its first line.

pub mod discover;
pub mod lines;

pub use discover::{discover, InputFile, Skipped};

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
    /// Blocks handed to workers at once before the reader parses one itself.
    pub in_flight: usize,
    /// The run's clock (UTC seconds): the anchor for stdin.
    pub now: i64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            block_size: 4 << 20,
            mmap: true,
            in_flight: 8,
            now: 0,
        }
    }
}

/// A line-aligned piece of a file.
#[derive(Clone, Copy, Debug)]
pub struct Block<'a> {
    /// The bytes: whole lines.
    pub data: &'a [u8],
    /// 1-based number of the first line.
    pub first_line: u64,
    /// Index of the block within its file.
    pub seq: u64,
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
}

/// Lines longer than this are skipped when streaming (no log line of an
/// authentication program is anywhere near it).
pub const MAX_LINE: usize = 64 << 20;

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
/// on the rayon pool (and on this thread when the workers are busy).
/// `on_disk` is told how many bytes of the stored file were consumed, for
/// progress. Blocks of one file may be handled in any order.
pub fn read_file<H, P>(
    file: &InputFile,
    opts: &ReadOptions,
    handle: &H,
    on_disk: &P,
) -> Result<FileInfo, io::Error>
where
    H: Fn(Block<'_>, &FileInfo) + Sync,
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
        // SAFETY: the file is not expected to change while mapped: it has
        // not been modified for LIVE_SECS (live logs are read, not mapped).
        // A file truncated anyway would raise SIGBUS; that is the risk
        // ripgrep also documents for its --mmap.
        let map = unsafe { memmap2::Mmap::map(&f) };
        if let Ok(map) = map {
            let _ = map.advise(memmap2::Advice::Sequential);
            return Ok(read_mapped(&map, opts, info, handle, on_disk));
        }
    }
    drop(f);
    let raw = File::open(path)?;
    let counted = CountingReader {
        inner: raw,
        report: on_disk,
    };
    let reader: Box<dyn Read + Send + '_> = match compression {
        Compression::Plain => Box::new(counted),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(
            io::BufReader::with_capacity(1 << 16, counted),
        )),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(counted)?),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(counted)),
        Compression::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(counted)),
    };
    Ok(read_stream(reader, opts, info, handle))
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

fn read_mapped<H, P>(
    mmap: &memmap2::Mmap,
    opts: &ReadOptions,
    mut info: FileInfo,
    handle: &H,
    on_disk: &P,
) -> FileInfo
where
    H: Fn(Block<'_>, &FileInfo) + Sync,
    P: Fn(u64) + Sync,
{
    let map: &[u8] = mmap;
    let bs = opts.block_size.max(1);
    let busy = AtomicUsize::new(0);
    let snapshot = info.clone();
    let info_ref = &snapshot;
    let mut start = 0usize;
    let mut line = 1u64;
    let mut seq = 0u64;
    // The blocks are cut (and their lines counted) just ahead of the
    // workers: at most `in_flight` blocks wait, so the pages touched and
    // not yet given back stay few whatever the file size.
    rayon::scope(|s| {
        while start < map.len() {
            let target = (start + bs).min(map.len());
            let end = if target >= map.len() {
                map.len()
            } else {
                match memchr::memchr(b'\n', &map[target - 1..]) {
                    Some(i) => target + i,
                    None => map.len(),
                }
            };
            let (a, b, first_line, this_seq) = (start, end, line, seq);
            line += count_lines(&map[a..b]);
            seq += 1;
            start = end;
            let work = move || {
                handle(
                    Block {
                        data: &map[a..b],
                        first_line,
                        seq: this_seq,
                    },
                    info_ref,
                );
                // Give the pages back: resident memory must not grow with
                // the file.
                // SAFETY: the mapping is private and read-only; dropped
                // pages are read again from the file if touched (a block
                // boundary shares a page with its neighbour).
                unsafe {
                    let _ =
                        mmap.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, a, b - a);
                }
                on_disk((b - a) as u64);
            };
            if busy.load(Ordering::Acquire) >= opts.in_flight {
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
    info.bytes = map.len() as u64;
    info.lines = line - 1;
    info
}

fn read_stream<H>(
    mut reader: Box<dyn Read + Send + '_>,
    opts: &ReadOptions,
    mut info: FileInfo,
    handle: &H,
) -> FileInfo
where
    H: Fn(Block<'_>, &FileInfo) + Sync,
{
    let bs = opts.block_size.max(1);
    let pool: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let busy = AtomicUsize::new(0);
    let mut line = 1u64;
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
            // Fill to at least the block size, and on to a newline.
            loop {
                if buf.len() - n < 1 << 15 {
                    let grown = (buf.len() * 2).max(n + (1 << 16));
                    buf.resize(grown, 0);
                }
                match reader.read(&mut buf[n..]) {
                    Ok(0) => {
                        eof = true;
                        break;
                    }
                    Ok(k) => {
                        n += k;
                        total += k as u64;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        error = Some(e.to_string());
                        eof = true;
                        break;
                    }
                }
                if discarding {
                    // Inside an over-long line: drop up to its end.
                    match memchr::memchr(b'\n', &buf[..n]) {
                        Some(i) => {
                            buf.copy_within(i + 1..n, 0);
                            n -= i + 1;
                            discarding = false;
                            long_lines += 1;
                            line += 1;
                        }
                        None => n = 0,
                    }
                    continue;
                }
                if n >= bs {
                    if let Some(i) = memchr::memrchr(b'\n', &buf[..n]) {
                        carry.extend_from_slice(&buf[i + 1..n]);
                        n = i + 1;
                        break;
                    }
                    if n > MAX_LINE {
                        n = 0;
                        discarding = true;
                    }
                }
            }
            if eof && discarding {
                long_lines += 1;
                line += 1;
                discarding = false;
            }
            if n == 0 {
                pool.lock().map(|mut p| p.push(buf)).ok();
                continue;
            }
            let first_line = line;
            line += count_lines(&buf[..n]);
            let this_seq = seq;
            seq += 1;
            if busy.load(Ordering::Acquire) >= opts.in_flight {
                handle(
                    Block {
                        data: &buf[..n],
                        first_line,
                        seq: this_seq,
                    },
                    info_ref,
                );
                pool.lock().map(|mut p| p.push(buf)).ok();
            } else {
                busy.fetch_add(1, Ordering::AcqRel);
                let pool = &pool;
                let busy = &busy;
                s.spawn(move |_| {
                    handle(
                        Block {
                            data: &buf[..n],
                            first_line,
                            seq: this_seq,
                        },
                        info_ref,
                    );
                    pool.lock().map(|mut p| p.push(buf)).ok();
                    busy.fetch_sub(1, Ordering::AcqRel);
                });
            }
        }
    });
    info.bytes = total;
    info.lines = line - 1;
    info.long_lines = long_lines;
    info.error = error;
    info
}
