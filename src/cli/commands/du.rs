//! `du`: the builder's disk usage, as buildx 0.13 prints it (also `docker
//! builder du` when rkbuild is the docker CLI's builder alias).

use std::time::SystemTime;

use crate::go::tabwriter::TabWriter;

use crate::builder::Builder;
use crate::cli::args::DuArgs;
use crate::cli::error::CliResult;
use crate::cli::output::print;
use crate::cli::records::{prune_filters, summary, table_row, verbose, TABLE_HEADER};

/// Runs `du`.
pub async fn run(args: &DuArgs, builder: &Builder) -> CliResult {
    let (filter, _) = prune_filters(&args.filter)?;
    let client = builder.connect().await?;
    let records = client.disk_usage(&filter).await?;
    let now = SystemTime::now();
    let mut out = String::new();
    if args.verbose {
        out.push_str(&verbose(&records, now));
    } else {
        let mut t = TabWriter::go_du();
        // buildx prints the header with the first record only.
        if !records.is_empty() {
            t.line(TABLE_HEADER);
        }
        for r in &records {
            t.line(&table_row(r, now));
        }
        out.push_str(&t.render());
    }
    if args.filter.is_empty() {
        out.push_str(&summary(&records));
    }
    print(&out)
}
