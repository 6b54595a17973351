//! Line numbers without a serial count: the reader hands blocks on without
//! counting their lines, the workers number the lines of their block (they
//! find every newline anyway), and the true numbers are worked out once the
//! parallel pass is over.
//!
//! While a file is read, line `i` (1-based) of block `seq` carries the value
//! `seq << k | i`, where `2^k` is more than the lines a block can hold (a
//! mapped block holds at most `block size + 1` lines, a streamed one at most
//! one per byte). Within a file these values order lines as their true
//! numbers do, so everything the fold compares (last login, earliest and
//! latest evidence, samples) comes out the same; after the read a prefix
//! sum over the blocks' line counts gives each block its first line, and
//! [`LineMap`] turns every value into the true line number.
//!
//! The values stay below `2^39` (half of the 40 bits a [`Ref`] has for the
//! line): `2^(39 - k)` blocks per file. A stream with more blocks, or a
//! block that could hold `2^k` lines or more, goes on counted: from then
//! on the reader counts each block's lines before handing it on (as it
//! always does for `events`, which prints numbers per block) and numbers
//! them `base + n` with `base` the first value above those used so far, so
//! the order still holds. A mapped file known up front to need more blocks
//! is counted from its start, with its true numbers.
//!
//! [`Ref`]: crate::aggregate::Ref

/// Values of block-local numbers stay below this.
const LOCAL_LIMIT_BITS: u32 = 39;

#[cfg(test)]
thread_local! {
    /// Tests: at most this many blocks numbered locally by a reader on
    /// this thread (to reach the switch to counting with small inputs).
    pub(crate) static LOCAL_BLOCKS: std::cell::Cell<Option<u64>> =
        const { std::cell::Cell::new(None) };
}

/// The number of bits that hold `x`: `x < 1 << bits(x)`.
pub(crate) fn bits(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// What a worker found in a block: its line count, and the checkpoints it
/// recorded (`(line value, byte offset)`, see
/// [`super::FileInfo::checkpoints`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockLines {
    /// Lines of the block (a last line without newline counts).
    pub lines: u64,
    /// Line starts about every 256 KiB of a mapped block, with the value
    /// of their line.
    pub checkpoints: Vec<(u64, u64)>,
}

/// How the line values given out during a read map to line numbers.
/// The default maps every value to itself (a read that counted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineMap {
    /// Bits of the line within a block.
    k: u32,
    /// The first line number of each block numbered locally, by `seq`.
    firsts: Vec<u64>,
    /// `(base, first)`: the values above `base` were counted by the reader;
    /// value `base + 1` is line `first`.
    counted: Option<(u64, u64)>,
}

impl LineMap {
    /// Whether every value is its own line number (nothing to fix up).
    pub fn is_identity(&self) -> bool {
        self.firsts.is_empty() && self.counted.is_none_or(|(base, first)| base + 1 == first)
    }

    /// The line number of value `v` (values never given out map to
    /// themselves).
    pub fn line(&self, v: u64) -> u64 {
        if let Some((base, first)) = self.counted {
            if v > base {
                return first + (v - base - 1);
            }
        }
        if self.firsts.is_empty() {
            return v;
        }
        let seq = (v >> self.k) as usize;
        let i = v & ((1 << self.k) - 1);
        match self.firsts.get(seq) {
            Some(&f) if i > 0 => f + i - 1,
            _ => v,
        }
    }
}

/// A block handed on: lines skipped (too long) just before it, and its
/// line count when the reader counted it.
#[derive(Clone, Copy, Debug)]
struct Slot {
    skipped_before: u64,
}

/// The reader's side: gives each block the value of its first line, in
/// block order.
#[derive(Debug)]
pub(crate) struct Numberer {
    /// Bits of the line within a block.
    k: u32,
    /// Blocks that can be numbered locally.
    cap: u64,
    /// Lines before the read (a resumed read).
    start: u64,
    /// Blocks handed on so far.
    blocks: Vec<Slot>,
    /// `(seq, base)`: counting from block `seq` on, its first line being
    /// value `base + 1`.
    switch: Option<(u64, u64)>,
    /// Lines counted (and skipped) since the switch.
    counted: u64,
    /// Lines skipped since the last block.
    skipped: u64,
}

/// The outcome of a read's numbering.
#[derive(Debug, Default)]
pub(crate) struct Numbered {
    /// Lines read (the skipped ones too).
    pub lines: u64,
    /// Checkpoints with true line numbers, in file order.
    pub checkpoints: Vec<(u64, u64)>,
    /// How values map to line numbers.
    pub map: LineMap,
}

impl Numberer {
    /// Numbering for a read after `start` lines, in blocks of at most
    /// `max_lines` lines: locally while it can, counted after.
    pub fn local(start: u64, max_lines: u64) -> Numberer {
        // At most 40: a bound that large numbers nothing locally.
        let k = bits(max_lines).clamp(1, 40);
        let cap = LOCAL_LIMIT_BITS
            .checked_sub(k)
            .map_or(0, |free| 1u64 << free);
        #[cfg(test)]
        let cap = LOCAL_BLOCKS.get().map_or(cap, |c| c.min(cap));
        Numberer {
            k,
            cap,
            start,
            blocks: Vec::new(),
            switch: None,
            counted: 0,
            skipped: 0,
        }
    }

    /// Numbering in which the reader counts every block: blocks carry their
    /// true line numbers.
    pub fn counting(start: u64) -> Numberer {
        Numberer {
            switch: Some((0, start)),
            ..Numberer::local(start, 1)
        }
    }

    /// Whether `blocks` blocks can all be numbered locally.
    pub fn holds(&self, blocks: u64) -> bool {
        blocks <= self.cap
    }

    /// A line skipped between blocks (too long to keep).
    pub fn skip_line(&mut self) {
        self.skipped += 1;
    }

    /// The next block, `data`, of at most `max_lines` lines: the value of
    /// its first line.
    pub fn block(&mut self, data: &[u8], max_lines: u64) -> u64 {
        let seq = self.blocks.len() as u64;
        let skipped = std::mem::take(&mut self.skipped);
        self.blocks.push(Slot {
            skipped_before: skipped,
        });
        if self.switch.is_none() && seq < self.cap && max_lines < 1 << self.k {
            return (seq << self.k) | 1;
        }
        let base = match self.switch {
            Some((_, base)) => base,
            None => {
                // Above every value given out so far; from the first block
                // on, the true numbers (nothing to map).
                let base = if seq == 0 { self.start } else { seq << self.k };
                self.switch = Some((seq, base));
                base
            }
        };
        self.counted += skipped;
        let first = base + self.counted + 1;
        self.counted += super::count_lines(data);
        first
    }

    /// After the read, the blocks' line counts and checkpoints as their
    /// workers found them (`found[i]` is block `seq`'s, in any order):
    /// the lines read, the checkpoints with their line numbers, and the map
    /// of values to line numbers.
    pub fn finish(self, mut found: Vec<(u64, BlockLines)>) -> Numbered {
        found.sort_unstable_by_key(|f| f.0);
        debug_assert!(found.iter().map(|f| f.0).eq(0..self.blocks.len() as u64));
        let local = self.switch.map_or(self.blocks.len() as u64, |s| s.0) as usize;
        let mut firsts = Vec::with_capacity(local);
        let mut next = self.start + 1;
        for (slot, (_, b)) in self.blocks.iter().zip(&found).take(local) {
            next += slot.skipped_before;
            firsts.push(next);
            next += b.lines;
        }
        let map = LineMap {
            k: self.k,
            firsts,
            counted: self.switch.map(|(_, base)| (base, next)),
        };
        let lines = next - 1 + self.counted + self.skipped - self.start;
        let mut checkpoints = Vec::new();
        for (_, b) in &found {
            checkpoints.extend(b.checkpoints.iter().map(|&(v, off)| (map.line(v), off)));
        }
        Numbered {
            lines,
            checkpoints,
            map,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand `blocks` (their texts) to `n`, as workers would report them:
    /// per line its value; then the true numbers those values map to.
    fn run(mut n: Numberer, blocks: &[&[u8]], skips: &[usize]) -> (Vec<u64>, Vec<u64>, Numbered) {
        let mut values = Vec::new();
        let mut found = Vec::new();
        for (seq, data) in blocks.iter().enumerate() {
            for _ in 0..skips.iter().filter(|&&s| s == seq).count() {
                n.skip_line();
            }
            let lines = super::super::count_lines(data);
            let first = n.block(data, lines);
            values.extend(first..first + lines);
            found.push((
                seq as u64,
                BlockLines {
                    lines,
                    checkpoints: vec![(first, seq as u64)],
                },
            ));
        }
        for _ in 0..skips.iter().filter(|&&s| s == blocks.len()).count() {
            n.skip_line();
        }
        found.reverse();
        let done = n.finish(found);
        let lines = values.iter().map(|&v| done.map.line(v)).collect();
        (values, lines, done)
    }

    #[test]
    fn local_values_order_and_map_to_true_lines() {
        let blocks: [&[u8]; 4] = [b"a\nb\n", b"c\n", b"", b"d\ne\nf"];
        let (values, lines, done) = run(Numberer::local(10, 8), &blocks, &[1, 4, 4]);
        assert!(values.windows(2).all(|w| w[0] < w[1]), "{values:?}");
        // Line 13 (skipped) is before block 1, two more after the last.
        assert_eq!(lines, [11, 12, 14, 15, 16, 17]);
        assert_eq!(done.lines, 9);
        assert!(!done.map.is_identity());
        assert_eq!(done.checkpoints, [(11, 0), (14, 1), (15, 2), (15, 3)]);
    }

    #[test]
    fn counting_gives_true_numbers() {
        let blocks: [&[u8]; 3] = [b"a\nb\n", b"c\n", b"d\ne\nf"];
        let (values, lines, done) = run(Numberer::counting(5), &blocks, &[2]);
        assert_eq!(values, [6, 7, 8, 10, 11, 12]);
        assert_eq!(lines, values);
        assert!(done.map.is_identity());
        assert_eq!(done.lines, 7);
    }

    /// A block that may hold `2^k` lines, or one block too many, switches
    /// to counting; values keep their order and map to true lines.
    #[test]
    fn switch_to_counting_keeps_order() {
        // k = 2: at most 3 lines per local block, 2^37 blocks.
        let blocks: [&[u8]; 4] = [b"a\nb\n", b"c\nd\ne\nf\n", b"g\n", b"h"];
        let (values, lines, done) = run(Numberer::local(0, 3), &blocks, &[2]);
        assert!(values.windows(2).all(|w| w[0] < w[1]), "{values:?}");
        assert_eq!(values[..2], [1, 2]);
        assert_eq!(values[2..], [5, 6, 7, 8, 10, 11]);
        assert_eq!(lines, [1, 2, 3, 4, 5, 6, 8, 9]);
        assert_eq!(done.lines, 9);
        // k = 38: two blocks only.
        let mut n = Numberer::local(0, 1 << 37);
        assert!(n.holds(2) && !n.holds(3));
        assert_eq!(n.block(b"x\n", 1), 1);
        assert_eq!(n.block(b"y\n", 1), (1 << 38) | 1);
        assert_eq!(n.block(b"z\n", 1), (2 << 38) + 1);
        let done = n.finish(
            (0..3)
                .map(|s| {
                    (
                        s,
                        BlockLines {
                            lines: 1,
                            ..BlockLines::default()
                        },
                    )
                })
                .collect(),
        );
        assert_eq!(done.map.line(1), 1);
        assert_eq!(done.map.line((1 << 38) | 1), 2);
        assert_eq!(done.map.line((2 << 38) + 1), 3);
        // The values fit the line of a ref.
        let r = crate::aggregate::Ref::new(5, 3, (2 << 38) + 1);
        assert_eq!((r.file(), r.line()), (3, (2 << 38) + 1));
    }

    /// Block sizes too large for any local block count from the start.
    #[test]
    fn huge_blocks_count_from_the_start() {
        let mut n = Numberer::local(7, u64::MAX);
        assert!(!n.holds(1));
        assert_eq!(n.block(b"a\nb\n", u64::MAX), 8);
        assert_eq!(n.block(b"c\n", u64::MAX), 10);
        let done = n.finish(vec![
            (
                1,
                BlockLines {
                    lines: 1,
                    ..BlockLines::default()
                },
            ),
            (
                0,
                BlockLines {
                    lines: 2,
                    ..BlockLines::default()
                },
            ),
        ]);
        assert!(done.map.is_identity());
        assert_eq!(done.lines, 3);
    }
}
