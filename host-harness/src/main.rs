//! `logref`: the command line of the project.
//!
//! One binary for every user-facing job, so the README can say "run
//! `logref ...`": building and browsing the catalog, compiling it into
//! the artifact the plugin embeds, explaining how a line matches, and
//! (through the plugin's `.wasm` under wasmtime) enriching and checking
//! logs exactly as Fluent Bit would.

mod catalog_cmd;
mod compile_cmd;

#[cfg(feature = "full")]
use logref::bench;
use logref::{check, enrich_cmd, fixtures};

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "logref",
    version,
    about = "Turn vendor log references into in-line log enrichment",
    long_about = "logref reads vendor log references (catalog/sources/) into one catalog, \
compiles every documented message template into one DFA, and enriches log records with \
the vendor's id, severity, explanation, recommended action and parameters: in Fluent Bit \
through the plugin's .wasm, in Vector through the configuration `logref export vector` writes."
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
    /// Compile catalog.json into the artifact (automata or token indexes, plus tables) and print its size.
    Compile {
        /// The catalog directory (holds catalog.json).
        #[arg(long = "catalog-dir", alias = "dir", value_name = "DIR", default_value_os_t = logref_catalog::default_dir())]
        dir: std::path::PathBuf,
        /// Where to write the artifact.
        #[arg(long, short, default_value = "logref.artifact")]
        out: std::path::PathBuf,
        /// Compile only this fraction of the entries (0-1), to see how the DFA grows.
        #[arg(long, value_parser = logref::unit_interval)]
        fraction: Option<f64>,
        /// A user catalog (.yaml, .yml or .csv; see catalog/SCHEMA.md) to merge in; repeatable.
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<std::path::PathBuf>,
        /// Leave the built-in catalog out: compile only the --catalog files.
        #[arg(long, requires = "catalogs")]
        no_builtin: bool,
        /// How shards find their templates: automata for groups of up to 512 templates within a 16 MiB budget, token indexes for the rest (auto); automata only (dfa); token indexes only (index: a small artifact, slower per line).
        #[arg(long, value_enum, default_value_t = logref::shards::Shards::Auto)]
        shards: logref::shards::Shards,
    },
    /// List every pair of templates that can match the same message, with a witness (exact, from the DFA).
    Lint {
        /// Write the report to catalog/lint.txt.
        #[arg(long, conflicts_with = "check")]
        write: bool,
        /// Exit 1 if catalog/lint.txt differs from a fresh report.
        #[arg(long)]
        check: bool,
        /// Lint this artifact (your `logref compile` output) instead of the default one; prints the report.
        #[arg(long, conflicts_with_all = ["write", "check"])]
        artifact: Option<std::path::PathBuf>,
    },
    /// Enrich log lines (or NDJSON records) from files or stdin, one JSON record per line on stdout.
    Enrich {
        /// Which engine runs the filter.
        #[arg(long, value_enum, default_value_t = enrich_cmd::DEFAULT_ENGINE)]
        engine: enrich_cmd::Engine,
        /// The plugin module (default: wasm32-wasip1/release/logref_plugin.wasm in $CARGO_TARGET_DIR, else in the checkout's target/).
        #[arg(long)]
        wasm: Option<std::path::PathBuf>,
        /// What is added: one `catalog` object (the plugin's logref_filter), ECS objects (logref_filter_ecs) or OpenTelemetry fields (logref_filter_otel); the same values as `export vector --style`.
        #[arg(long, value_enum, default_value_t = StyleArg::Catalog)]
        style: StyleArg,
        /// How stdin is framed.
        #[arg(long, value_enum, default_value_t = enrich_cmd::InputFormat::Lines)]
        input: enrich_cmd::InputFormat,
        /// A directory holding logref.conf (as Fluent Bit's accessible_paths gives it to the module); every engine reads it.
        #[arg(long = "config-dir", alias = "dir", value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
        /// Use this artifact (`logref compile --out`) instead of the embedded one, in every engine.
        #[arg(long, conflicts_with = "dir")]
        artifact: Option<std::path::PathBuf>,
        /// The record tag passed to the filter.
        #[arg(long, default_value = "logs")]
        tag: String,
        /// Files to read in turn (`-` or none: standard input).
        #[arg(value_name = "FILE")]
        files: Vec<std::path::PathBuf>,
    },
    /// Generate the fixture corpus from the catalog.
    #[command(subcommand)]
    Fixtures(FixturesCommand),
    /// Export the catalog for another shipper.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Run the fixture corpus through the native and the wasm engine and compare with the expected output.
    Check {
        /// The fixtures directory.
        #[arg(default_value_os_t = logref::repo_root().join("fixtures"))]
        dir: std::path::PathBuf,
        /// The plugin module (default: wasm32-wasip1/release/logref_plugin.wasm in $CARGO_TARGET_DIR, else in the checkout's target/).
        #[arg(long)]
        wasm: Option<std::path::PathBuf>,
        /// Rewrite the expected outputs from the current native results (review the diff!).
        #[arg(long)]
        bless: bool,
        /// Skip the wasm engine (native only).
        #[arg(long)]
        native_only: bool,
    },
    /// Measure records/s of logref (native, .wasm under wasmtime and under an interpreter) and of its peers, in one run.
    #[cfg(feature = "full")]
    Bench {
        /// Corpus size (the generated fixture lines, repeated).
        #[arg(long, default_value_t = 200_000, value_parser = at_least_one)]
        lines: usize,
        /// Print {"results": [{"name", "records_per_sec", "mb_per_sec", ...}]} for scripts.
        #[arg(long, conflicts_with = "cost")]
        json: bool,
        /// The plugin module (default: wasm32-wasip1/release/logref_plugin.wasm in $CARGO_TARGET_DIR, else in the checkout's target/).
        #[arg(long)]
        wasm: Option<std::path::PathBuf>,
        /// Stop each peer after this many seconds (slow peers then run on fewer lines).
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Instead: guest instructions (wasmtime fuel) per record, .wasm size, first-call time.
        #[arg(long)]
        cost: bool,
        /// With --cost: the fuel of each NDJSON record in this file.
        #[arg(long = "records-file", value_name = "FILE", requires = "cost")]
        records: Option<std::path::PathBuf>,
    },
    /// Compile the plugin ahead of time for Fluent Bit with flb-wamrc, and check the result in a real Fluent Bit.
    #[command(
        long_about = "Compile the plugin's .wasm ahead of time with flb-wamrc (WAMR's AOT \
compiler, shipped by a Fluent Bit built with -DFLB_WAMRC=On) and write the .aot next to it; point \
the wasm filter's wasm_path at that file. The file only runs in the Fluent Bit release whose \
flb-wamrc built it, on the target architecture: rebuild it when you upgrade Fluent Bit. With \
--check-with, the fixture corpus goes through that Fluent Bit once with the .wasm and once with \
the .aot, and the two outputs must be byte for byte the same."
    )]
    Aot(logref::aot_cmd::AotArgs),
    /// Run many records through the .wasm and show that its memory stays flat (exit 1 if it grows).
    #[cfg(feature = "full")]
    Soak {
        /// How many records (the corpus, with large and malformed records mixed in).
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1_000..))]
        records: u64,
        /// The plugin module (default: wasm32-wasip1/release/logref_plugin.wasm in $CARGO_TARGET_DIR, else in the checkout's target/).
        #[arg(long)]
        wasm: Option<std::path::PathBuf>,
    },
    /// Compare the plugin's answers with a real syslog-ng running the exported pattern database, line by line.
    #[command(
        long_about = "Run every line of the given JSON Lines files (default: the generated corpus \
and fixtures/real/) through the engine the plugin runs and through a real syslog-ng (from \
PATH; Debian: syslog-ng-core) with the database and configuration `logref export patterndb` \
writes, and print, per file and form or class, how many lines both name as the same entry, \
neither names, only one names, or they name differently."
    )]
    Agreement {
        /// Files or directories of JSON Lines with a `line` field.
        #[arg(default_values_os_t = [
            logref::repo_root().join("fixtures").join("generated").join("corpus.jsonl"),
            logref::repo_root().join("fixtures").join("real"),
        ])]
        paths: Vec<std::path::PathBuf>,
        /// Use this artifact instead of the embedded default.
        #[arg(long)]
        artifact: Option<std::path::PathBuf>,
        /// Print the first N lines where the answers differ.
        #[arg(long, default_value_t = 0)]
        show: usize,
    },
    /// Score the catalog on lines that real devices and daemons wrote (fixtures/real/).
    #[command(
        long_about = "Run every line of fixtures/real/*.jsonl (lines collected from public \
bug reports, documentation and other projects' test data, each with its source, the entry it \
must be identified as or NONE, and how it deviates from the document) through the engine, and \
print per class, per group (with the README's targets) and per file how many were identified \
correctly, missed, sent to the wrong entry, and how many near misses were wrongly matched. \
fixtures/real/SCORE.txt holds the report the tests pin."
    )]
    Score {
        /// Files or directories of JSON Lines.
        #[arg(default_values_os_t = [logref::repo_root().join("fixtures").join("real")])]
        paths: Vec<std::path::PathBuf>,
        /// Use this artifact instead of the embedded default.
        #[arg(long)]
        artifact: Option<std::path::PathBuf>,
        /// Also list every line handled wrongly (file:line, class, expected, got).
        #[arg(long)]
        failures: bool,
        /// Write the report to fixtures/real/SCORE.txt (review the diff!).
        #[arg(long, conflicts_with = "check")]
        write: bool,
        /// Exit 1 if fixtures/real/SCORE.txt differs from a fresh report.
        #[arg(long)]
        check: bool,
    },
    /// How much of a log the catalog identifies, and the shapes of the rest (drafts catalog entries with --suggest).
    #[command(
        long_about = "Run log lines (plain, or NDJSON records as Fluent Bit and Vector write \
them) through the engine the plugin runs and print how many are identified, by file, product \
and program and by how they matched; then group the lines not identified into shapes, online \
and in one pass, in the manner of Drain: numbers, addresses, MACs, hex, paths, times and \
quoted strings are masked by type, and lines of one program that share most tokens are one \
shape, with its count, first and last line and an example. --json and --html write the same \
report for scripts and for a browser. --suggest writes the largest shapes as draft entries of a \
user catalog (typed placeholders where the mask knows the type, <*> where lines differ), \
which `logref compile --catalog` accepts as written: review them, fill in explanation and \
action, compile, and run coverage again with --artifact."
    )]
    Coverage(logref::coverage::CoverageArgs),
    /// Measure how `coverage` groups lines the catalog does not know, against drain3 and pdbtool patternize (Loghub's grouping accuracy).
    #[command(
        long_about = "For each source of the built-in catalog in turn, compile the catalog \
without it, take the source's labelled lines (generated corpus, device fixtures, real lines) that \
the reduced artifact leaves unidentified, and group them with logref coverage's miner, with \
drain3 (scripts/drain3_group.py; pip install drain3) and with syslog-ng's pdbtool patternize \
(Debian syslog-ng-core), all on the same lines in the same run. Prints the grouping accuracy as \
the Loghub benchmark defines it (the share of lines whose group holds exactly the lines of \
their entry) and the number of groups."
    )]
    Grouping(logref::coverage::grouping::GroupingArgs),
    /// Show which documented message a line is, why, its parameters and the runners-up.
    Explain {
        /// The log line (quote it).
        line: String,
        /// Use this artifact instead of the embedded default.
        #[arg(long)]
        artifact: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    #[cfg(feature = "full")]
    /// Write a Vector enrichment table (logref.csv), a VRL remap program
    /// (logref.vrl) and an example vector.yaml that enrich like the plugin.
    #[command(
        long_about = "Write a Vector enrichment table (logref.csv), a VRL program for a remap \
transform (logref.vrl) and an example vector.yaml into DIR. The program is generated from the \
same artifact the plugin embeds and is compiled with VRL (Vector's own compiler) before \
anything is written. Run the example with `vector --config DIR/vector.yaml`."
    )]
    Vector {
        /// The directory to write into (created if missing); vector.yaml refers to the files by this path.
        #[arg(long, short, default_value_os_t = logref::vector_cmd::default_out())]
        out: std::path::PathBuf,
        /// Generate from this artifact instead of the embedded default.
        #[arg(long)]
        artifact: Option<std::path::PathBuf>,
        /// The log file the example vector.yaml reads.
        #[arg(long, default_value = "examples/device-logs.log")]
        log_file: String,
        /// What the program adds: one `catalog` object (as logref_filter), ECS objects (as logref_filter_ecs) or OpenTelemetry fields (as logref_filter_otel).
        #[arg(long, value_enum, default_value_t = StyleArg::Catalog)]
        style: StyleArg,
        /// Every parameter value a string (the plugin's `typed_values = false`); by default an `int` parameter's integer is a JSON number.
        #[arg(long)]
        all_strings: bool,
        /// For events from Vector's `syslog` source, which takes a tagless line's first word for `appname`: such an appname is also tried read back into the line (costs about a quarter more start time; a `socket` or `file` source with raw lines needs none).
        #[arg(long)]
        syslog_source: bool,
    },
    /// Write a syslog-ng pattern database (logref.pdb) and an example syslog-ng.conf whose db-parser names lines like the plugin.
    #[command(
        long_about = "Write a syslog-ng pattern database (logref.pdb, patterndb v4 XML for \
db-parser) and an example syslog-ng.conf into DIR. Each template is a rule in the ruleset of \
its program (or of messages without one) with syslog-ng's typed parsers for its values; each \
key rule (an id field, a tag word) is a ruleset the configuration looks the key up in. Every \
rule sets logref.key, logref.id, logref.name, logref.severity, logref.explanation, \
logref.action and logref.params.*, and carries a test message from the fixture corpus: check \
the file with `pdbtool test DIR/logref.pdb`, run it with `syslog-ng -F -f DIR/syslog-ng.conf`. \
The README's syslog-ng section says what patterndb cannot express."
    )]
    Patterndb {
        /// The directory to write into (created if missing); syslog-ng.conf refers to the database by this path.
        #[arg(long, short, default_value_os_t = logref::syslog_ng_cmd::default_out())]
        out: std::path::PathBuf,
        /// Generate from this artifact (a user's catalog compiled) instead of the embedded default.
        #[arg(long)]
        artifact: Option<std::path::PathBuf>,
        /// The log file the example syslog-ng.conf reads.
        #[arg(long, default_value = "examples/device-logs.log")]
        log_file: String,
        /// The file the example syslog-ng.conf writes JSON to.
        #[arg(long, default_value = "/tmp/logref-syslog-ng.jsonl")]
        out_file: String,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
enum StyleArg {
    /// One object under `catalog` (or what logref.conf says).
    Catalog,
    /// Elastic Common Schema objects.
    Ecs,
    /// OpenTelemetry's log data model.
    Otel,
}

#[derive(Subcommand)]
enum FixturesCommand {
    /// Write fixtures/generated/corpus.jsonl: every entry in every wire form, plus negatives.
    Generate {
        /// Seed of the values drawn for the placeholders (the same seed, the same corpus).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the corpus.
        #[arg(long, default_value_os_t = logref::repo_root().join("fixtures").join("generated").join("corpus.jsonl"))]
        out: std::path::PathBuf,
    },
    /// A synthetic catalog of N templates shaped like the shipped ones, and its lines: compiles it with the built-in catalog and reports size, build and load time, exactness and throughput.
    Large(logref::large::LargeArgs),
}

/// A count of at least one.
#[cfg(feature = "full")]
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

fn main() -> ExitCode {
    // Die quietly of SIGPIPE when a reader such as `head` goes away, as
    // Unix tools do (Rust ignores the signal, which turns every later
    // write into an error or a panic).
    #[cfg(unix)]
    // SAFETY: resetting a signal to its default disposition, before any
    // thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Catalog(c) => catalog_cmd::run(c),
        Command::Compile {
            dir,
            out,
            fraction,
            catalogs,
            no_builtin,
            shards,
        } => compile_cmd::compile(compile_cmd::CompileArgs {
            dir,
            out,
            fraction,
            catalogs,
            no_builtin,
            shards,
        }),
        Command::Explain { line, artifact } => compile_cmd::explain(&line, artifact),
        Command::Lint {
            write,
            check,
            artifact,
        } => compile_cmd::lint(write, check, artifact),
        Command::Fixtures(FixturesCommand::Generate { seed, out }) => fixtures_generate(seed, out),
        Command::Fixtures(FixturesCommand::Large(args)) => logref::large::run(&args)
            .map(|_| ExitCode::SUCCESS)
            .map_err(|e| format!("{e:#}").into()),
        #[cfg(feature = "full")]
        Command::Export(ExportCommand::Vector {
            out,
            artifact,
            log_file,
            style,
            all_strings,
            syslog_source,
        }) => {
            let style = match style {
                StyleArg::Catalog => logref_vector::OutputStyle::Catalog,
                StyleArg::Ecs => logref_vector::OutputStyle::Ecs,
                StyleArg::Otel => logref_vector::OutputStyle::Otel,
            };
            logref::vector_cmd::export(
                &out,
                artifact.as_deref(),
                &log_file,
                style,
                !all_strings,
                syslog_source,
            )
            .map(|_| ExitCode::SUCCESS)
            .map_err(|e| format!("{e:#}").into())
        }
        Command::Export(ExportCommand::Patterndb {
            out,
            artifact,
            log_file,
            out_file,
        }) => logref::syslog_ng_cmd::export(&out, artifact.as_deref(), &log_file, &out_file)
            .map(|_| ExitCode::SUCCESS)
            .map_err(|e| format!("{e:#}").into()),
        Command::Agreement {
            paths,
            artifact,
            show,
        } => logref::syslog_ng_cmd::agreement(&paths, artifact.as_deref(), show)
            .map(|_| ExitCode::SUCCESS)
            .map_err(|e| format!("{e:#}").into()),
        Command::Check {
            dir,
            wasm,
            bless,
            native_only,
        } => check::run(&dir, wasm, bless, native_only).map_err(|e| format!("{e:#}").into()),
        #[cfg(feature = "full")]
        Command::Bench {
            lines,
            json,
            wasm,
            seconds,
            cost,
            records,
        } => {
            let r = match (cost, records) {
                (true, Some(file)) => bench::cost_per_record(wasm, &file),
                (true, None) => bench::cost(wasm),
                (false, _) => bench::run(lines, json, wasm, seconds).map(|_| ()),
            };
            r.map(|_| ExitCode::SUCCESS)
                .map_err(|e| format!("{e:#}").into())
        }
        Command::Score {
            paths,
            artifact,
            failures,
            write,
            check,
        } => score(&paths, artifact.as_deref(), failures, write, check)
            .map_err(|e| format!("{e:#}").into()),
        Command::Grouping(args) => logref::coverage::grouping::run(&args)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| format!("{e:#}").into()),
        Command::Coverage(args) => logref::coverage::run(&args)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| format!("{e:#}").into()),
        Command::Aot(args) => logref::aot_cmd::run(&args)
            .map(|_| ExitCode::SUCCESS)
            .map_err(|e| format!("{e:#}").into()),
        #[cfg(feature = "full")]
        Command::Soak { records, wasm } => bench::soak(records, wasm)
            .map(|flat| {
                if flat {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            })
            .map_err(|e| format!("{e:#}").into()),
        Command::Enrich {
            engine,
            wasm,
            style,
            input,
            dir,
            artifact,
            tag,
            files,
        } => enrich_cmd::run(enrich_cmd::EnrichArgs {
            engine,
            wasm,
            style: match style {
                StyleArg::Catalog => None,
                StyleArg::Ecs => Some(logref_plugin::config::Style::Ecs),
                StyleArg::Otel => Some(logref_plugin::config::Style::Otel),
            },
            input,
            dir,
            artifact,
            tag,
            files,
        })
        .map_err(|e| format!("{e:#}").into()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("logref: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn score(
    paths: &[std::path::PathBuf],
    artifact: Option<&std::path::Path>,
    failures: bool,
    write: bool,
    check: bool,
) -> anyhow::Result<ExitCode> {
    let m = logref::load_matcher(artifact)?;
    let (report, failed) = logref::score::run(&m, paths)?;
    print!("{report}");
    if failures {
        print!("\nhandled wrongly\n{failed}");
    }
    let pinned = logref::score::score_file(&logref::repo_root().join("fixtures").join("real"));
    if write {
        std::fs::write(&pinned, &report)
            .map_err(|e| anyhow::anyhow!("{}: {e}", pinned.display()))?;
        eprintln!("wrote {}", pinned.display());
    }
    if check && std::fs::read_to_string(&pinned).ok().as_deref() != Some(report.as_str()) {
        eprintln!("{} differs from this report", pinned.display());
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn fixtures_generate(
    seed: u64,
    out: std::path::PathBuf,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let (_, cases) = fixtures::generate_from_checkout(seed)?;
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&out, fixtures::to_jsonl(&cases))
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let negatives = cases.iter().filter(|c| c.key.is_none()).count();
    eprintln!(
        "wrote {} ({} lines: {} positive, {} negative; seed {seed})",
        out.display(),
        cases.len(),
        cases.len() - negatives,
        negatives
    );
    Ok(ExitCode::SUCCESS)
}
