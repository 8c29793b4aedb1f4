//! `userpool-server import-users` (SPEC §19): an operator's offline import of a CSV file in
//! Cognito's user-import layout, plus a `password_hash` column, straight into the database.
//!
//! The columns are those GetCSVHeader lists (`name`, `given_name`, ..., `email`,
//! `email_verified`, ..., `custom:*`, `cognito:mfa_enabled`, `cognito:username`), in any order,
//! plus `password_hash` (required: the hash the old system kept, in a form
//! `userpool_core::hash::import` accepts). An empty cell leaves the attribute unset. Each row
//! is one user, imported all-or-nothing through [`userpool::UserPools::admin_import_users`]
//! in batches; a refused row is reported with its line and error, the others are imported.
//! On a terminal a progress bar follows the file; a summary is printed at the end.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use userpool::{Caller, ImportUser, UserPools};
use userpool_store::store::Store;

use crate::Config;

/// `userpool-server import-users`: the server's own options (database, key file, hashing),
/// then the import's.
#[derive(Debug, Parser)]
#[command(
    name = "userpool-server import-users",
    about = "Import users with their password hashes from a CSV file in Cognito's user-import layout plus a password_hash column (SPEC §19)."
)]
pub struct ImportUsersCommand {
    /// The server's options: which database and key file to write to.
    #[command(flatten)]
    pub server: Config,
    /// The pool to import into.
    #[arg(long)]
    pub pool_id: String,
    /// The CSV file.
    #[arg(long)]
    pub csv: PathBuf,
    /// Users per AdminImportUsers call (1 to `userpool::MAX_IMPORT_BATCH`, 1000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub batch_size: u16,
}

/// Why a CSV cannot be imported at all (a row's own problems are [`RowFailure`]s).
#[derive(Debug, thiserror::Error)]
pub enum ImportUsersError {
    /// The file could not be read.
    #[error("cannot read the CSV file: {0}")]
    Read(#[from] csv::Error),
    /// The header names an unknown column or lacks a required one.
    #[error("{0}")]
    Header(String),
    /// The call as a whole failed (unknown pool, storage).
    #[error("{code}: {message}")]
    Service {
        /// The Cognito exception name.
        code: &'static str,
        /// Its message.
        message: String,
    },
}

impl From<userpool_core::Error> for ImportUsersError {
    fn from(e: userpool_core::Error) -> Self {
        ImportUsersError::Service {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFailure {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    /// `cognito:username` as given.
    pub username: String,
    /// The Cognito exception name.
    pub code: &'static str,
    /// The message.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// Rows read.
    pub rows: u64,
    /// Users written.
    pub imported: u64,
    /// Rows refused, in file order.
    pub failed: Vec<RowFailure>,
    /// Time taken.
    pub elapsed: Duration,
}

struct Columns {
    username: usize,
    hash: usize,
    mfa: Option<usize>,
    attributes: Vec<(usize, String)>,
}

fn columns(header: &csv::StringRecord) -> Result<Columns, ImportUsersError> {
    let mut username = None;
    let mut hash = None;
    let mut mfa = None;
    let mut attributes = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        let slot = match name {
            "cognito:username" => &mut username,
            "password_hash" => &mut hash,
            "cognito:mfa_enabled" => &mut mfa,
            _ if userpool_core::schema::csv_standard_columns().any(|c| c == name)
                || name.strip_prefix("custom:").is_some_and(|n| !n.is_empty())
                || name.strip_prefix("dev:").is_some_and(|n| !n.is_empty()) =>
            {
                if attributes.iter().any(|(_, n)| n == name) {
                    return Err(ImportUsersError::Header(format!(
                        "The CSV header names column {name} twice"
                    )));
                }
                attributes.push((i, name.to_owned()));
                continue;
            }
            _ => {
                return Err(ImportUsersError::Header(format!(
                    "The CSV header has an unknown column: {}",
                    name.chars().take(64).collect::<String>()
                )));
            }
        };
        if slot.replace(i).is_some() {
            return Err(ImportUsersError::Header(format!(
                "The CSV header names column {name} twice"
            )));
        }
    }
    let missing =
        |what: &str| ImportUsersError::Header(format!("The CSV header has no {what} column"));
    Ok(Columns {
        username: username.ok_or_else(|| missing("cognito:username"))?,
        hash: hash.ok_or_else(|| missing("password_hash"))?,
        mfa,
        attributes,
    })
}

struct Row {
    line: u64,
    record: csv::StringRecord,
}

/// Imports every row of `input` into `pool_id`, `batch_size` users per call, as `caller`.
/// `progress` is advanced by the bytes read (hidden when not drawing to a terminal).
///
/// # Errors
/// [`ImportUsersError`] when the file cannot be read, its header is wrong, or a call fails
/// as a whole (unknown pool, storage failure; users of earlier batches stay imported).
pub fn import_csv<S: Store + ?Sized>(
    pools: &UserPools<S>,
    caller: &Caller,
    pool_id: &str,
    input: impl Read,
    batch_size: usize,
    progress: &ProgressBar,
) -> Result<ImportSummary, ImportUsersError> {
    let started = Instant::now();
    // An unknown pool fails the whole import at once, even for a file of no rows.
    pools.describe_user_pool(caller, pool_id)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let columns = columns(reader.headers()?)?;
    let width = reader.headers()?.len();
    let mut summary = ImportSummary::default();
    let mut batch: Vec<Row> = Vec::with_capacity(batch_size);
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record)?;
        if more {
            summary.rows += 1;
            let line = record.position().map_or(0, csv::Position::line);
            if record.len() == width {
                batch.push(Row {
                    line,
                    record: record.clone(),
                });
            } else {
                summary.failed.push(RowFailure {
                    line,
                    username: record.get(columns.username).unwrap_or_default().to_owned(),
                    code: "InvalidParameterException",
                    message: format!(
                        "The row has {} fields; the header has {width}",
                        record.len()
                    ),
                });
            }
            progress.set_position(reader.position().byte());
        }
        if batch.len() == batch_size || (!more && !batch.is_empty()) {
            import_batch(pools, caller, pool_id, &columns, &batch, &mut summary)?;
            batch.clear();
        }
        if !more {
            break;
        }
    }
    summary.failed.sort_by_key(|f| f.line);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn import_batch<S: Store + ?Sized>(
    pools: &UserPools<S>,
    caller: &Caller,
    pool_id: &str,
    columns: &Columns,
    rows: &[Row],
    summary: &mut ImportSummary,
) -> Result<(), ImportUsersError> {
    fn field(row: &Row, i: usize) -> &str {
        row.record.get(i).unwrap_or_default()
    }
    let mut accepted = Vec::with_capacity(rows.len());
    for row in rows {
        match columns
            .mfa
            .map(|i| field(row, i).trim().to_ascii_lowercase())
        {
            Some(value) if value == "true" => summary.failed.push(RowFailure {
                line: row.line,
                username: field(row, columns.username).to_owned(),
                code: "InvalidParameterException",
                message: "cognito:mfa_enabled true is not supported by import-users".into(),
            }),
            _ => accepted.push(row),
        }
    }
    if accepted.is_empty() {
        return Ok(());
    }
    let attributes: Vec<Vec<(&str, &str)>> = accepted
        .iter()
        .map(|row| {
            columns
                .attributes
                .iter()
                .filter(|(i, _)| !field(row, *i).is_empty())
                .map(|(i, name)| (name.as_str(), field(row, *i)))
                .collect()
        })
        .collect();
    let users: Vec<ImportUser<'_>> = accepted
        .iter()
        .zip(&attributes)
        .map(|(row, attributes)| ImportUser {
            username: field(row, columns.username),
            attributes,
            password_hash: field(row, columns.hash),
            enabled: None,
        })
        .collect();
    let report = pools.admin_import_users(caller, pool_id, &users)?;
    summary.imported += u64::try_from(report.imported).unwrap_or(u64::MAX);
    // Failures come back in request order, each naming its user; match them to their rows
    // in that order (a username may repeat in a file).
    let mut rows = accepted.iter();
    for failure in report.failed {
        let line = rows
            .by_ref()
            .find(|row| field(row, columns.username) == failure.username)
            .map_or(0, |row| row.line);
        summary.failed.push(RowFailure {
            line,
            username: failure.username,
            code: failure.code,
            message: failure.message,
        });
    }
    Ok(())
}

/// Writes the summary: the count, then each refused row.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_summary(
    out: &mut impl Write,
    pool_id: &str,
    summary: &ImportSummary,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Imported {} of {} users into {pool_id} in {:.1} s; {} failed.",
        summary.imported,
        summary.rows,
        summary.elapsed.as_secs_f64(),
        summary.failed.len()
    )?;
    for f in &summary.failed {
        writeln!(
            out,
            "  line {}: {}: {}: {}",
            f.line, f.username, f.code, f.message
        )?;
    }
    Ok(())
}

/// Runs the subcommand: opens the store as the server would (database, key file, hashing
/// options; rate limits off, the operator's own database), imports, prints the summary.
/// Exit status 0 when every row was imported, 1 when some were refused, 2 when the import
/// could not run.
#[must_use]
pub fn run(command: &ImportUsersCommand) -> std::process::ExitCode {
    let mut server = command.server.clone();
    server.no_rate_limits = true;
    let app = match crate::serve::app(&server, server.listen) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("userpool-server import-users: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let file = match std::fs::File::open(&command.csv) {
        Ok(file) => file,
        Err(e) => {
            eprintln!(
                "userpool-server import-users: cannot open {}: {e}",
                command.csv.display()
            );
            return std::process::ExitCode::from(2);
        }
    };
    let length = file.metadata().map_or(0, |m| m.len());
    // indicatif draws on stderr and only on a terminal.
    let progress = ProgressBar::new(length);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {elapsed} (eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let caller = Caller::new("userpool-server import-users");
    let result = import_csv(
        &app.pools,
        &caller,
        &command.pool_id,
        std::io::BufReader::new(file),
        usize::from(command.batch_size),
        &progress,
    );
    progress.finish_and_clear();
    match result {
        Ok(summary) => {
            let _ = write_summary(&mut std::io::stdout().lock(), &command.pool_id, &summary);
            if summary.failed.is_empty() {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("userpool-server import-users: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
