//! The `authsweep` command: parse arguments, run, map errors to exit codes.

use authsweep::app::{self, exit};
use authsweep::config::UsageError;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = authsweep::cli::Args::parse();
    match app::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A closed pipe (`authsweep events | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::from(exit::OK);
            }
            eprintln!("authsweep: {e:#}");
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(exit::USAGE)
            } else {
                ExitCode::from(exit::INPUT)
            }
        }
    }
}
