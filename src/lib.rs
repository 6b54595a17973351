//! authsweep: find inactive and at-risk accounts from authentication logs.
//!
//! The layers depend only downward: [`input`] finds and opens files and cuts
//! them into blocks; [`parse`] turns lines into [`event::Parsed`] events;
//! [`aggregate`] folds events into a mergeable [`aggregate::Aggregate`];
//! [`detect`] runs the detectors on the merged aggregate; [`report`] renders
//! the result. [`app`] wires them together for each command.

pub mod account;
pub mod aggregate;
pub mod app;
pub mod cli;
pub mod config;
pub mod detect;
pub mod event;
pub mod formats;
pub mod geo;
pub mod input;
pub mod memory;
pub mod net;
pub mod parse;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod roster;
pub mod settings;
pub mod state;
pub mod timing;
