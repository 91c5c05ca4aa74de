//! `prune`: removes build cache, as buildx 0.13 does (confirmation,
//! filters, `--keep-storage`, the removed records as they come).

use std::io::BufRead;
use std::time::SystemTime;

use crate::client::PruneOptions;
use crate::go::tabwriter::TabWriter;
use crate::go::units::human_size;

use crate::builder::Builder;
use crate::cli::args::PruneArgs;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::print;
use crate::cli::records::{prune_filters, table_row, verbose, TABLE_HEADER};

/// buildx's prune confirmation texts.
const NORMAL_WARNING: &str =
    "WARNING! This will remove all dangling build cache. Are you sure you want to continue?";
const ALL_WARNING: &str =
    "WARNING! This will remove all build cache. Are you sure you want to continue?";

/// Runs `prune`.
pub async fn run(args: &PruneArgs, builder: &Builder) -> CliResult {
    let (filter, keep_duration) = prune_filters(&args.filter)?;
    let keep_bytes = match args.keep_storage.as_deref() {
        Some(s) => crate::solve::dockerfile::parse_ram_bytes(s).map_err(|_| {
            CliError::new(format!(
                "invalid argument {s:?} for \"--keep-storage\" flag"
            ))
            .hint("a size such as 10GB or 512mb")
        })?,
        None => 0,
    };
    if !args.force {
        let warning = if args.all {
            ALL_WARNING
        } else {
            NORMAL_WARNING
        };
        if !confirm(warning)? {
            return Ok(());
        }
    }
    let client = builder.connect().await?;
    let mut pruned = client
        .prune(&PruneOptions {
            filter,
            all: args.all,
            keep_duration,
            keep_bytes: keep_bytes as i64,
        })
        .await?;
    let now = SystemTime::now();
    let mut total: i64 = 0;
    let mut first = true;
    let mut t = TabWriter::go_du();
    while let Some(r) = pruned.next().await? {
        total += r.size;
        if args.verbose {
            print(&verbose(std::slice::from_ref(&r), now))?;
        } else {
            if first {
                t.line(TABLE_HEADER);
                first = false;
            }
            t.line(&table_row(&r, now));
        }
    }
    let mut out = t.render();
    let mut s = TabWriter::go_du();
    s.line(&format!("Total:\t{}", human_size(total as f64)));
    out.push_str(&s.render());
    print(&out)
}

/// docker's `PromptForConfirmation`: `MESSAGE [y/N] `, yes only on y/Y.
fn confirm(message: &str) -> CliResult<bool> {
    print(&format!("{message} [y/N] "))?;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return Ok(false);
    }
    Ok(matches!(line.trim(), "y" | "Y"))
}
