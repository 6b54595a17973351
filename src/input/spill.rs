//! The spill: during a scan, the text of every line of a streamed file
//! (compressed, stdin, or plain but read rather than mapped) that the
//! aggregate may refer to, kept on a temporary file, so that the evidence
//! of the report is read back from there instead of by decompressing each
//! file a second time.
//!
//! The lines are those that gave an event and those counted as
//! unrecognized (the samples). The workers collect the lines of their
//! block in a [`Pending`] chunk, compress it and write it at the end of the
//! spill; the spill keeps in memory only where each chunk is, and which
//! lines of which file it covers. Mapped files need none of this: their
//! checkpoints let [`super::lines::fetch`] read a line by seeking.
//!
//! The spill is a cache. A line it does not have (its chunk could not be
//! written, the temporary file could not be made, or an earlier run read
//! it) is read from its file as before, and nothing is said: the report is
//! the same either way. It lives for one run and is never saved.

use super::lines::quoted;
use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// A chunk is written when its lines reach this many bytes (and at the end
/// of each block): a line read back costs the decompression of at most
/// this much. (The 2 GiB bench log keeps 241 MB of lines: in chunks of
/// 64 KiB they compress to 50 MB, of 16 KiB to 56 MB and more slowly, of
/// 256 KiB to 48 MB with four times the work per line read back.)
const CHUNK_BYTES: usize = 64 << 10;

/// The zstd level of the chunks. Measured on the lines of the bench log in
/// 64 KiB chunks, one thread: level 1 compresses at ~700 MB/s to 50 MB,
/// level -3 at ~870 MB/s to 65 MB, lz4_flex at 800-960 MB/s to 71 MB. The
/// whole scan of the zstd copy (medians of 3) took 2.23 s with level 1,
/// 2.20 s with level -3 and 2.15 s with no compression (a 241 MB file);
/// lz4_flex was as level 1 within the noise. The smallest spill, for a few
/// hundredths of a second.
const LEVEL: i32 = 1;

/// Lines read back: `((file id, line), text)`.
type Lines = Vec<((u32, u64), Vec<u8>)>;

/// Where the lines of one chunk are, and which they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Chunk {
    /// File id.
    file: u32,
    /// Line value (a line number once the read is renumbered) of its first
    /// line.
    first: u64,
    /// Line value of its last line.
    last: u64,
    /// Byte offset in the spill.
    offset: u64,
    /// Compressed length.
    len: u32,
    /// Length of its lines as encoded, before compression.
    raw: u32,
}

/// The spill of a scan: a temporary file of compressed chunks and the
/// index of those chunks. Shared by the workers (`&Spill`).
#[derive(Debug)]
pub struct Spill {
    /// The temporary file (unnamed: it goes when the spill is dropped).
    file: File,
    /// Bytes given out to chunks so far: the next chunk goes there.
    end: AtomicU64,
    /// A write failed (disk full?): nothing more is written, and the chunk
    /// that failed is not in the index.
    failed: AtomicBool,
    /// The chunks written, in any order.
    chunks: Mutex<Vec<Chunk>>,
}

/// The chunk a worker is filling: lines of one file and one block, in
/// order, each as the varint distance of its line value from the one
/// before (0 for the first), the varint length of its text, and the text.
#[derive(Default)]
pub struct Pending {
    /// File id.
    file: u32,
    /// The block's index in its file.
    block: u64,
    /// Line value of the first line.
    first: u64,
    /// Line value of the last line.
    last: u64,
    /// The encoded lines (empty: no chunk begun).
    raw: Vec<u8>,
    /// The compressed chunk, reused.
    packed: Vec<u8>,
    /// The worker's compression context, made on first use.
    zstd: Option<zstd::bulk::Compressor<'static>>,
}

impl Spill {
    /// A spill on a new unnamed temporary file in the system's temporary
    /// directory; `None` when it cannot be made (the scan goes on without).
    pub fn new() -> Option<Spill> {
        tempfile::tempfile().ok().map(Spill::on)
    }

    /// A spill written to `file` (open for reading and writing).
    pub fn on(file: File) -> Spill {
        Spill {
            file,
            end: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            chunks: Mutex::new(Vec::new()),
        }
    }

    /// Keep line `line` (its value) of block `block` of file `file`, `text`
    /// without its newline, in the worker's chunk `p`; the lines of a block
    /// come in order. A chunk holds lines of one block only (within a block
    /// the values map to line numbers by one shift, see
    /// [`Spill::renumber`]): a line of another block begins a new chunk.
    /// Call [`Spill::flush`] at the end of each block.
    #[inline]
    pub fn keep(&self, p: &mut Pending, file: u32, block: u64, line: u64, text: &[u8]) {
        if self.failed.load(Ordering::Relaxed) {
            return;
        }
        if !p.raw.is_empty() && (p.file, p.block) != (file, block) {
            self.flush(p);
        }
        if p.raw.is_empty() {
            p.file = file;
            p.block = block;
            p.first = line;
            p.last = line;
        }
        let text = quoted(text);
        put_varint(&mut p.raw, line - p.last);
        put_varint(&mut p.raw, text.len() as u64);
        p.raw.extend_from_slice(text);
        p.last = line;
        if p.raw.len() >= CHUNK_BYTES {
            self.flush(p);
        }
    }

    /// Compress the chunk `p` holds (if any), write it and index it; `p`
    /// is then empty. A chunk that cannot be written is dropped, and the
    /// spill takes no more.
    pub fn flush(&self, p: &mut Pending) {
        if p.raw.is_empty() {
            return;
        }
        if !self.failed.load(Ordering::Relaxed) && self.write(p).is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        p.raw.clear();
    }

    fn write(&self, p: &mut Pending) -> std::io::Result<()> {
        let zstd = match &mut p.zstd {
            Some(z) => z,
            None => p.zstd.insert(zstd::bulk::Compressor::new(LEVEL)?),
        };
        p.packed.clear();
        p.packed
            .reserve(zstd::zstd_safe::compress_bound(p.raw.len()));
        zstd.compress_to_buffer(&p.raw[..], &mut p.packed)?;
        let len = p.packed.len() as u64;
        let offset = self.end.fetch_add(len, Ordering::Relaxed);
        self.file.write_all_at(&p.packed, offset)?;
        let chunk = Chunk {
            file: p.file,
            first: p.first,
            last: p.last,
            offset,
            len: len as u32,
            raw: p.raw.len() as u32,
        };
        self.chunks
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .push(chunk);
        Ok(())
    }

    /// Chunks in the spill, and their bytes.
    pub fn size(&self) -> (usize, u64) {
        self.chunks.lock().map_or((0, 0), |c| {
            (c.len(), c.iter().map(|c| u64::from(c.len)).sum())
        })
    }

    /// Give the chunks their line numbers once the read is over:
    /// `line(file, value)` maps the line values the blocks gave out to line
    /// numbers. Within a block that adds the same to every value, so a
    /// chunk's lines keep their distances.
    pub fn renumber(&self, line: impl Fn(u32, u64) -> u64) {
        if let Ok(mut chunks) = self.chunks.lock() {
            for c in chunks.iter_mut() {
                c.first = line(c.file, c.first);
                c.last = line(c.file, c.last);
            }
        }
    }

    /// The text of those of the `wanted` lines (by file id, sorted) that the
    /// spill holds, into `out`; only the chunks that hold some are read
    /// (on the pool's threads).
    pub fn fetch(&self, wanted: &BTreeMap<u32, Vec<u64>>, out: &mut BTreeMap<(u32, u64), Vec<u8>>) {
        use rayon::prelude::*;
        let Ok(mut chunks) = self.chunks.lock() else {
            return;
        };
        chunks.sort_unstable();
        // The chunks that hold wanted lines, each with those lines.
        let mut reads: Vec<(Chunk, Vec<u64>)> = Vec::new();
        for (&fid, lines) in wanted {
            let from = chunks.partition_point(|c| c.file < fid);
            let to = chunks.partition_point(|c| c.file <= fid);
            let of_file = &chunks[from..to];
            for &l in lines {
                // The last chunk starting at or before the line.
                let k = of_file.partition_point(|c| c.first <= l);
                let Some(c) = k.checked_sub(1).map(|k| of_file[k]) else {
                    continue;
                };
                if l > c.last {
                    continue;
                }
                match reads.last_mut() {
                    Some((last, ls)) if *last == c => ls.push(l),
                    _ => reads.push((c, vec![l])),
                }
            }
        }
        drop(chunks);
        let found: Vec<Lines> = reads
            .par_iter()
            .map(|(c, lines)| self.read_chunk(c, lines).unwrap_or_default())
            .collect();
        out.extend(found.into_iter().flatten());
    }

    /// The wanted `lines` (sorted) of chunk `c` that it holds.
    fn read_chunk(&self, c: &Chunk, lines: &[u64]) -> std::io::Result<Lines> {
        let mut packed = vec![0u8; c.len as usize];
        self.file.read_exact_at(&mut packed, c.offset)?;
        let raw = zstd::bulk::decompress(&packed, c.raw as usize)?;
        let mut out = Vec::with_capacity(lines.len());
        let mut want = lines.iter().copied().peekable();
        let mut pos = 0usize;
        let mut line = c.first;
        while want.peek().is_some() && pos < raw.len() {
            let (Some(step), Some(len)) = (get_varint(&raw, &mut pos), get_varint(&raw, &mut pos))
            else {
                break;
            };
            line += step;
            let Some(text) = raw.get(pos..pos + len as usize) else {
                break;
            };
            pos += len as usize;
            while want.next_if(|&w| w < line).is_some() {}
            if want.next_if_eq(&line).is_some() {
                out.push(((c.file, line), text.to_vec()));
            }
        }
        Ok(out)
    }
}

/// Append `v` as a LEB128 varint.
#[inline]
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The LEB128 varint at `*pos` of `data` (moving `*pos` past it); `None`
/// when `data` ends inside it.
fn get_varint(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = *data.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
        shift += 7;
        if shift >= 64 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::number::{BlockLines, Numberer};
    use super::*;

    /// Lines of two files kept block by block (block-local values, then
    /// counted ones), in chunks cut by size and at each block's end, come
    /// back under their true line numbers with the text `fetch` gives;
    /// lines not kept are not found.
    #[test]
    fn kept_lines_come_back_under_their_line_numbers() {
        let spill = Spill::new().expect("a temporary file");
        let mut p = Pending::default();
        // Blocks of 2,000 lines of ~150 bytes: several chunks each. Local
        // numbers hold 3 blocks; the rest are counted.
        super::super::number::LOCAL_BLOCKS.set(Some(3));
        let mut want = BTreeMap::new();
        let mut expect = BTreeMap::new();
        for (file, start) in [(4u32, 0u64), (7, 1_000)] {
            let mut numbers = Numberer::local(start, 4096);
            let mut found = Vec::new();
            let mut no = start;
            for seq in 0..5u64 {
                let mut block = Vec::new();
                for _ in 0..2_000 {
                    no += 1;
                    let mut line = format!("{file}:{no} {}", "x".repeat((no % 97 + 100) as usize));
                    if no % 11 == 0 {
                        line.push('\r');
                    }
                    if no == start + 4_321 {
                        line.push_str(&"y".repeat(5000));
                    }
                    block.extend_from_slice(line.as_bytes());
                    block.push(b'\n');
                }
                let first = numbers.block(&block, 4095);
                let lines = block.split(|&b| b == b'\n').filter(|l| !l.is_empty());
                for (i, line) in (0..).zip(lines) {
                    let value = first + i;
                    let true_no = start + seq * 2_000 + i + 1;
                    // Two lines in three are kept; all are wanted.
                    if true_no % 3 != 0 {
                        spill.keep(&mut p, file, seq, value, line);
                        expect.insert((file, true_no), quoted(line).to_vec());
                    }
                    want.entry(file).or_insert_with(Vec::new).push(true_no);
                }
                spill.flush(&mut p);
                found.push((
                    seq,
                    BlockLines {
                        lines: 2_000,
                        ..BlockLines::default()
                    },
                ));
            }
            let map = numbers.finish(found).map;
            assert!(!map.is_identity());
            spill.renumber(|f, v| if f == file { map.line(v) } else { v });
        }
        super::super::number::LOCAL_BLOCKS.set(None);
        let (chunks, bytes) = spill.size();
        assert!(chunks > 20, "{chunks} chunks");
        assert!(bytes > 0);
        let mut got = BTreeMap::new();
        spill.fetch(&want, &mut got);
        assert_eq!(got.len(), expect.len());
        assert!(got == expect);
        let long = &got[&(4, 4_321)];
        assert_eq!(long.len(), 2048, "truncated like a line read back");
        assert!(
            got[&(7, 1_012)].ends_with(b"x"),
            "without its carriage return"
        );
    }

    /// A spill whose writes fail (a full disk) keeps nothing, says
    /// nothing, and gives no line back.
    #[test]
    fn a_spill_that_cannot_be_written_holds_nothing() {
        let full = File::options()
            .read(true)
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let spill = Spill::on(full);
        let mut p = Pending::default();
        for no in 1..=50_000u64 {
            spill.keep(
                &mut p,
                0,
                0,
                no,
                format!("line {no} of a full disk").as_bytes(),
            );
        }
        spill.flush(&mut p);
        assert_eq!(spill.size(), (0, 0));
        let mut got = BTreeMap::new();
        spill.fetch(&BTreeMap::from([(0, vec![1, 2, 49_999])]), &mut got);
        assert!(got.is_empty());
    }
}
