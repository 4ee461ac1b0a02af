//! `logref`: the command line of the project.
//!
//! One binary for every user-facing job, so the README can say "run
//! `logref ...`": building and browsing the catalog, compiling it into
//! the artifact the plugin embeds, explaining how a line matches, and
//! (through the plugin's `.wasm` under wasmtime) enriching and checking
//! logs exactly as Fluent Bit would.

mod catalog_cmd;
mod compile_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "logref",
    version,
    about = "Turn vendor log references into in-line log enrichment",
    long_about = "logref reads vendor log references (catalog/sources/) into one catalog, \
compiles every documented message template into one DFA, and enriches log records with \
the vendor's id, severity, explanation, recommended action and parameters."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build, list and show the catalog of documented messages.
    #[command(subcommand)]
    Catalog(catalog_cmd::CatalogCommand),
    /// Compile catalog.json into the artifact (one DFA plus tables) and print its size.
    Compile {
        /// The catalog directory (holds catalog.json and overrides.toml).
        #[arg(long, default_value_os_t = logref_catalog::default_dir())]
        dir: std::path::PathBuf,
        /// Where to write the artifact.
        #[arg(long, short, default_value = "logref.artifact")]
        out: std::path::PathBuf,
        /// Compile only this fraction of the entries (0-1), to see how the DFA grows.
        #[arg(long)]
        fraction: Option<f64>,
    },
    /// List every pair of templates that can match the same message, with a witness (exact, from the DFA).
    Lint {
        /// Write the report to catalog/lint.txt.
        #[arg(long)]
        write: bool,
        /// Exit 1 if catalog/lint.txt differs from a fresh report.
        #[arg(long)]
        check: bool,
    },
    /// Show which documented message a line is, why, its parameters and the runners-up.
    Explain {
        /// The log line (quote it).
        line: String,
        /// Use this artifact instead of the embedded default.
        #[arg(long)]
        artifact: Option<std::path::PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Catalog(c) => catalog_cmd::run(c),
        Command::Compile { dir, out, fraction } => compile_cmd::compile(dir, out, fraction),
        Command::Explain { line, artifact } => compile_cmd::explain(&line, artifact),
        Command::Lint { write, check } => compile_cmd::lint(write, check),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("logref: error: {e}");
            ExitCode::from(2)
        }
    }
}
