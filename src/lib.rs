//! authsweep: find inactive and at-risk accounts from authentication logs.

pub mod event;
pub mod parse;
