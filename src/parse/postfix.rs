//! Placeholder: filled in by the family's parser.

use super::{Header, Verdict};
use crate::event::Parsed;

/// Read one message of this family.
pub fn parse<'a>(_h: &Header<'a>, _msg: &'a [u8], _out: &mut Vec<Parsed<'a>>) -> Verdict {
    Verdict::Ignored
}
