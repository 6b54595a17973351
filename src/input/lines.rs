//! Reading back the text of a few lines (the evidence of findings) by file
//! and line number, after the scan: from the scan's spill where it holds
//! them, otherwise from the files.

use super::spill::Spill;
use super::{Compression, InputFile};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;

/// Longest evidence text kept, in bytes.
const MAX_TEXT: usize = 2048;

/// The text kept of a line (given without its newline): its first
/// `MAX_TEXT` bytes, less a carriage return at their end. The same whether
/// the line comes from the spill or from its file.
#[inline]
pub fn quoted(line: &[u8]) -> &[u8] {
    let t = &line[..line.len().min(MAX_TEXT)];
    t.strip_suffix(b"\r").unwrap_or(t)
}

/// The text of each wanted `(file id, line)`; lines that cannot be read
/// back (the file changed or vanished) are missing from the map.
///
/// The lines the scan's `spill` holds (lines of the files it streamed) are
/// taken from there; the others are read from their files.
/// `checkpoints` holds, for mapped files, the line and byte offset of a
/// line start about every 256 KiB: the lines wanted between two
/// checkpoints are read by seeking to the first, so a large file is not
/// read again from its beginning.
pub fn fetch(
    files: &[InputFile],
    wanted: &BTreeSet<(u32, u64)>,
    checkpoints: &BTreeMap<u32, Vec<(u64, u64)>>,
    spill: Option<&Spill>,
) -> BTreeMap<(u32, u64), Vec<u8>> {
    use rayon::prelude::*;
    let mut by_file: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for &(f, l) in wanted {
        by_file.entry(f).or_default().push(l);
    }
    let mut out = BTreeMap::new();
    if let Some(spill) = spill {
        spill.fetch(&by_file, &mut out);
        for (f, lines) in by_file.iter_mut() {
            lines.retain(|&l| !out.contains_key(&(*f, l)));
        }
        by_file.retain(|_, lines| !lines.is_empty());
    }
    let from_spill = out.len();
    let by_id: BTreeMap<u32, &InputFile> = files.iter().map(|f| (f.id, f)).collect();
    // Files are read back in parallel (a compressed one is decompressed
    // again up to its last wanted line: with many rotated archives, that
    // is most of this).
    let found: Vec<BTreeMap<(u32, u64), Vec<u8>>> = by_file
        .into_iter()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(fid, lines)| {
            let mut out = BTreeMap::new();
            let Some(file) = by_id.get(&fid) else {
                return out;
            };
            let Ok((reader, compression)) = open(file) else {
                return out;
            };
            // Checkpoints are offsets in the text of a plain file: of no use
            // in one compressed since (log rotation).
            if let Some(cps) = checkpoints.get(&fid).filter(|c| !c.is_empty()) {
                if compression == Compression::Plain
                    && seek_lines(file, cps, &lines, fid, &mut out).is_ok()
                {
                    return out;
                }
            }
            read_lines(reader, &lines, fid, 1, 1 << 20, &mut out);
            out
        })
        .collect();
    for f in found {
        out.extend(f);
    }
    let found = wanted.iter().filter(|w| out.contains_key(w)).count();
    crate::timing::note(format_args!(
        "evidence: {} lines, {from_spill} from the spill, {} read from their files",
        wanted.len(),
        found - from_spill
    ));
    out
}

/// The text of `file`, and how it is stored.
fn open(file: &InputFile) -> std::io::Result<(Box<dyn Read>, Compression)> {
    let mut f = File::open(&file.path)?;
    let mut head = [0u8; 6];
    let n = f.read(&mut head)?;
    drop(f);
    let f = File::open(&file.path)?;
    let compression = Compression::sniff(&head[..n]);
    let text: Box<dyn Read> = match compression {
        Compression::Plain => Box::new(f),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
            f,
        ))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(f)?),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(f)),
        Compression::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(f)),
    };
    Ok((text, compression))
}

/// A plain file with checkpoints: group the wanted lines by the stretch
/// between two checkpoints that holds them and read each group from the
/// stretch's start (the file's start for lines before the first
/// checkpoint: those of a file read before it was mapped).
fn seek_lines(
    file: &InputFile,
    cps: &[(u64, u64)],
    lines: &[u64],
    fid: u32,
    out: &mut BTreeMap<(u32, u64), Vec<u8>>,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    use std::io::{Seek, SeekFrom};
    // The stretches to read: the wanted lines `i..j` between the last
    // checkpoint at or before the first of them (line 1 is at 0) and the
    // next one.
    let mut groups = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let k = cps.partition_point(|c| c.0 <= lines[i]);
        let (first, offset) = k.checked_sub(1).map_or((1, 0), |k| cps[k]);
        let next = cps.get(k).map_or(u64::MAX, |c| c.0);
        let mut j = i;
        while j < lines.len() && lines[j] < next {
            j += 1;
        }
        let j = j.max(i + 1);
        groups.push((i..j, first, offset));
        i = j;
    }
    // Read in parallel: the evidence of a single large file is spread
    // over hundreds of stretches.
    let found = groups
        .into_par_iter()
        .map(|(range, first, offset)| {
            let mut part = BTreeMap::new();
            let mut f = File::open(&file.path)?;
            f.seek(SeekFrom::Start(offset))?;
            // Checkpoints are a few hundred KiB apart: small reads, not a
            // whole megabyte for a line near the checkpoint.
            read_lines(Box::new(f), &lines[range], fid, first, 64 << 10, &mut part);
            Ok(part)
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    for part in found {
        out.extend(part);
    }
    Ok(())
}

/// Stream the text, counting newlines a buffer of `chunk` bytes at a time
/// (SIMD), and keep the wanted lines (`lines` is sorted), the reader's
/// first line being number `start`.
fn read_lines(
    mut r: Box<dyn Read>,
    lines: &[u64],
    fid: u32,
    start: u64,
    chunk: usize,
    out: &mut BTreeMap<(u32, u64), Vec<u8>>,
) {
    let mut want = lines.iter().copied().peekable();
    let mut buf = vec![0u8; chunk];
    // Line number at the reader's position (`start` where it begins), and
    // the partial wanted line being collected.
    let mut no = start;
    let mut current: Option<Vec<u8>> = None;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        let mut pos = 0usize;
        loop {
            if let Some(text) = current.as_mut() {
                // Inside a wanted line: take up to its end.
                match memchr::memchr(b'\n', &chunk[pos..]) {
                    Some(i) => {
                        extend(text, &chunk[pos..pos + i]);
                        pos += i + 1;
                        finish(out, fid, no, current.take());
                        want.next();
                        no += 1;
                    }
                    None => {
                        extend(text, &chunk[pos..]);
                        break;
                    }
                }
                continue;
            }
            let Some(&target) = want.peek() else { return };
            if no < target {
                let skip = (target - no - 1) as usize;
                let mut it = memchr::memchr_iter(b'\n', &chunk[pos..]);
                match it.nth(skip) {
                    Some(i) => {
                        pos += i + 1;
                        no = target;
                    }
                    None => {
                        no += memchr::memchr_iter(b'\n', &chunk[pos..]).count() as u64;
                        break;
                    }
                }
            }
            current = Some(Vec::new());
        }
    }
    // A last line without a newline (but not the empty "line" after the
    // final newline).
    if current.as_ref().is_some_and(|t| !t.is_empty()) {
        finish(out, fid, no, current);
    }
}

fn extend(text: &mut Vec<u8>, more: &[u8]) {
    let room = MAX_TEXT.saturating_sub(text.len());
    text.extend_from_slice(&more[..more.len().min(room)]);
}

fn finish(out: &mut BTreeMap<(u32, u64), Vec<u8>>, fid: u32, no: u64, text: Option<Vec<u8>>) {
    if let Some(mut t) = text {
        // Already at most `MAX_TEXT` bytes.
        t.truncate(quoted(&t).len());
        out.insert((fid, no), t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_across_buffer_edges() {
        let mut text = Vec::new();
        for i in 1..=300_000u32 {
            text.extend_from_slice(
                format!("line {i} {}\n", "x".repeat((i % 13) as usize)).as_bytes(),
            );
        }
        let want = [1u64, 2, 77_777, 150_001, 299_999, 300_000, 300_001];
        let mut out = BTreeMap::new();
        read_lines(
            Box::new(std::io::Cursor::new(text)),
            &want,
            3,
            1,
            1000,
            &mut out,
        );
        assert_eq!(out[&(3, 1)], b"line 1 x");
        assert_eq!(out[&(3, 2)], b"line 2 xx");
        assert_eq!(
            out[&(3, 77_777)],
            format!("line 77777 {}", "x".repeat(77_777 % 13)).as_bytes()
        );
        assert_eq!(
            out[&(3, 300_000)],
            format!("line 300000 {}", "x".repeat(300_000 % 13)).as_bytes()
        );
        assert!(!out.contains_key(&(3, 300_001)));
        assert_eq!(out.len(), 6);
    }

    /// Checkpoints that start after some wanted lines (a file read whole
    /// before it was mapped, then grown and read mapped from there): those
    /// lines are read from the file's start; every wanted line comes back,
    /// and no other.
    #[test]
    fn lines_before_the_first_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grown.log");
        let mut text = Vec::new();
        let mut cps = Vec::new();
        for i in 1..=2000u64 {
            if i == 1000 || i == 1500 {
                cps.push((i, text.len() as u64));
            }
            text.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        std::fs::write(&path, &text).unwrap();
        let file = InputFile {
            id: 2,
            name: "grown.log".into(),
            path,
            size: text.len() as u64,
            is_stdin: false,
            resume: super::super::Resume::default(),
        };
        let wanted: BTreeSet<(u32, u64)> = [3, 999, 1000, 1700].map(|l| (2, l)).into();
        let got = fetch(&[file], &wanted, &BTreeMap::from([(2, cps)]), None);
        let want: BTreeMap<(u32, u64), Vec<u8>> = wanted
            .iter()
            .map(|&(f, l)| ((f, l), format!("line {l}").into_bytes()))
            .collect();
        assert_eq!(got, want);
    }
}
