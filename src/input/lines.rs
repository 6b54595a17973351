//! Reading back the text of a few lines (the evidence of findings) by file
//! and line number, after the scan.

use super::{Compression, InputFile};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};

/// Longest evidence text kept, in bytes.
const MAX_TEXT: usize = 2048;

/// The text of each wanted `(file id, line)`; lines that cannot be read
/// back (the file changed or vanished) are missing from the map.
pub fn fetch(files: &[InputFile], wanted: &BTreeSet<(u32, u64)>) -> BTreeMap<(u32, u64), Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut by_file: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for &(f, l) in wanted {
        by_file.entry(f).or_default().push(l);
    }
    for (fid, lines) in by_file {
        let Some(file) = files.iter().find(|x| x.id == fid) else {
            continue;
        };
        if let Ok(reader) = open(file) {
            read_lines(reader, &lines, fid, &mut out);
        }
    }
    out
}

fn open(file: &InputFile) -> std::io::Result<Box<dyn BufRead>> {
    let mut f = File::open(&file.path)?;
    let mut head = [0u8; 6];
    let n = f.read(&mut head)?;
    drop(f);
    let f = File::open(&file.path)?;
    Ok(match Compression::sniff(&head[..n]) {
        Compression::Plain => Box::new(BufReader::with_capacity(1 << 20, f)),
        Compression::Gzip => Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(
            BufReader::new(f),
        ))),
        Compression::Zstd => Box::new(BufReader::new(zstd::stream::read::Decoder::new(f)?)),
        Compression::Bzip2 => Box::new(BufReader::new(bzip2::read::MultiBzDecoder::new(f))),
        Compression::Xz => Box::new(BufReader::new(xz2::read::XzDecoder::new_multi_decoder(f))),
    })
}

fn read_lines(
    mut r: Box<dyn BufRead>,
    lines: &[u64],
    fid: u32,
    out: &mut BTreeMap<(u32, u64), Vec<u8>>,
) {
    // `lines` is sorted (it comes from a BTreeSet).
    let mut want = lines.iter().peekable();
    let mut no = 1u64;
    let mut buf = Vec::new();
    while let Some(&&target) = want.peek() {
        if no < target {
            // Skip whole lines without keeping them.
            match skip_line(&mut r) {
                Ok(true) => no += 1,
                _ => return,
            }
            continue;
        }
        buf.clear();
        match r.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            buf.pop();
        }
        buf.truncate(MAX_TEXT);
        out.insert((fid, no), buf.clone());
        want.next();
        no += 1;
    }
}

/// Consume one line; `false` at the end of input.
fn skip_line(r: &mut Box<dyn BufRead>) -> std::io::Result<bool> {
    let mut any = false;
    loop {
        let (done, used) = {
            let avail = r.fill_buf()?;
            if avail.is_empty() {
                return Ok(any);
            }
            any = true;
            match memchr::memchr(b'\n', avail) {
                Some(i) => (true, i + 1),
                None => (false, avail.len()),
            }
        };
        r.consume(used);
        if done {
            return Ok(true);
        }
    }
}
