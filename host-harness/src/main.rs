//! `logref`: the command line of the project.
//!
//! One binary for every user-facing job, so the README can say "run
//! `logref ...`": building and browsing the catalog, compiling it into
//! the artifact the plugin embeds, explaining how a line matches, and
//! (through the plugin's `.wasm` under wasmtime) enriching and checking
//! logs exactly as Fluent Bit would.

mod catalog_cmd;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Catalog(c) => catalog_cmd::run(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("logref: error: {e}");
            ExitCode::from(2)
        }
    }
}
