//! Everything authsweep writes: events, and the report in each format.
//! Nothing here reads input: every format renders [`model::Report`]; the
//! HTML format also draws charts from the aggregate the report was built
//! from.

pub mod csv;
pub mod events;
pub mod html;
pub mod json;
pub mod markdown;
pub mod model;
pub mod review;
pub mod table;
pub mod text;
pub mod tickets;

use std::io::Write;

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// For a person at a terminal.
    #[default]
    Table,
    /// One row per account.
    Csv,
    /// The whole report as one JSON document.
    Json,
    /// Accounts, then findings, one JSON object per line.
    Ndjson,
    /// Markdown, for a wiki or a ticket.
    Markdown,
    /// One self-contained HTML file with charts, for the people who decide.
    Html,
}

/// Write the report in `format`. `agg` and `settings` are those the
/// report was built from: only the HTML format reads them (for its charts
/// and the accounts' addresses), so only it pays for that.
pub fn write(
    report: &model::Report,
    format: Format,
    agg: &crate::aggregate::Aggregate,
    settings: &model::ReportSettings,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Table => table::write(report, w),
        Format::Csv => csv::write(report, w),
        Format::Json => json::write(report, w),
        Format::Ndjson => json::write_ndjson(report, w),
        Format::Markdown => markdown::write(report, w),
        Format::Html => html::write(report, &html::gather(agg, report, settings), w),
    }
}
