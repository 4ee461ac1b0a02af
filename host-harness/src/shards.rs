//! `--shards`: how a compiled artifact's shards find their templates, and
//! a compilation with a progress bar (a large catalog's automata take
//! seconds to build).

use logref_catalog::compile::{self, CompileReport, ShardEngines};

/// How the compiled shards find their templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shards {
    /// Automata for groups of up to 512 templates within a 16 MiB budget, token indexes for the rest.
    Auto,
    /// Automata only (a group too large for one is split).
    Dfa,
    /// Token indexes only: no automaton.
    Index,
}

impl Shards {
    pub fn engines(self) -> ShardEngines {
        let name = match self {
            Shards::Auto => "auto",
            Shards::Dfa => "dfa",
            Shards::Index => "index",
        };
        ShardEngines::from_name(name).expect("a name ShardEngines knows")
    }
}

/// Compiles `catalog`, drawing a progress bar on a terminal.
pub fn compile(
    catalog: &logref_catalog::Catalog,
    shards: Shards,
) -> Result<(Vec<u8>, CompileReport), logref_catalog::Error> {
    let bar = indicatif::ProgressBar::new(catalog.entries.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "compiling {bar:40} {pos}/{len} templates {elapsed}",
        )
        .expect("a valid template"),
    );
    let out = compile::compile_with_progress(catalog, shards.engines(), &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    out
}
