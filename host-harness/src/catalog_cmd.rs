//! `logref catalog build|list|show`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use logref_catalog::{Catalog, Entry};

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Parse catalog/sources/* with catalog/overrides.toml and write catalog/catalog.json.
    Build {
        /// The catalog directory (holds sources/, overrides.toml, catalog.json).
        #[arg(long = "catalog-dir", alias = "dir", value_name = "DIR", default_value_os_t = logref_catalog::default_dir())]
        dir: PathBuf,
        /// Do not write; exit 1 if catalog.json differs from a fresh build.
        #[arg(long)]
        check: bool,
    },
    /// List entries: key, severity and template, one per line.
    List {
        /// Only entries of this source (file name, or a prefix of it such as `003`, or a vendor or product name).
        #[arg(long)]
        source: Option<String>,
        /// Only entries whose key, name, id or template contains TEXT (case-insensitive).
        #[arg(long)]
        grep: Option<String>,
        /// The built catalog (`logref catalog build` writes it).
        #[arg(long = "catalog-json", alias = "catalog", value_name = "FILE", default_value_os_t = logref_catalog::default_dir().join("catalog.json"))]
        catalog: PathBuf,
    },
    /// Show one entry in full, readable form.
    Show {
        /// The entry key (see `logref catalog list`).
        key: String,
        /// Print the entry as JSON instead.
        #[arg(long)]
        json: bool,
        /// The built catalog (`logref catalog build` writes it).
        #[arg(long = "catalog-json", alias = "catalog", value_name = "FILE", default_value_os_t = logref_catalog::default_dir().join("catalog.json"))]
        catalog: PathBuf,
    },
}

pub fn run(cmd: CatalogCommand) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cmd {
        CatalogCommand::Build { dir, check } => build(dir, check),
        CatalogCommand::List {
            source,
            grep,
            catalog,
        } => {
            let catalog = logref_catalog::load(&catalog)?;
            list(&catalog, source.as_deref(), grep.as_deref());
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Show { key, json, catalog } => {
            let catalog = logref_catalog::load(&catalog)?;
            let Some(entry) = catalog.entries.iter().find(|e| e.key == key) else {
                let close: Vec<&str> = catalog
                    .entries
                    .iter()
                    .filter(|e| e.key.contains(&key) || key.contains(e.key.as_str()))
                    .map(|e| e.key.as_str())
                    .take(5)
                    .collect();
                eprintln!("logref: no entry with key {key:?}");
                if !close.is_empty() {
                    eprintln!("did you mean: {}", close.join(", "));
                }
                return Ok(ExitCode::from(1));
            };
            if json {
                println!("{}", serde_json::to_string_pretty(entry)?);
            } else {
                print!("{}", render(entry));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn build(dir: PathBuf, check: bool) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    let (catalog, reports) = logref_catalog::build(&dir)?;
    let json = logref_catalog::to_json(&catalog);
    let out = dir.join("catalog.json");
    for r in &reports {
        eprintln!(
            "{:<28} {:<18} {:<14} {:>4} entries",
            r.file, r.vendor, r.product, r.entries
        );
    }
    eprintln!(
        "{:<62} {:>4} entries in {:.2?}",
        "total",
        catalog.entries.len(),
        started.elapsed()
    );
    if check {
        let current = std::fs::read_to_string(&out).unwrap_or_default();
        if current != json {
            eprintln!(
                "{} is out of date: run `logref catalog build`",
                out.display()
            );
            return Ok(ExitCode::from(1));
        }
        eprintln!("{} is up to date", out.display());
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::write(&out, json).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn matches_source(e: &Entry, s: &str) -> bool {
    let s = s.to_lowercase();
    e.source.starts_with(&s)
        || e.vendor.to_lowercase().contains(&s)
        || e.product.to_lowercase().contains(&s)
}

fn list(catalog: &Catalog, source: Option<&str>, grep: Option<&str>) {
    let grep = grep.map(str::to_lowercase);
    for e in &catalog.entries {
        if source.is_some_and(|s| !matches_source(e, s)) {
            continue;
        }
        if let Some(g) = &grep {
            let hay = format!(
                "{} {} {} {}",
                e.key,
                e.name.as_deref().unwrap_or(""),
                e.vendor_id.as_deref().unwrap_or(""),
                e.template
            )
            .to_lowercase();
            if !hay.contains(g.as_str()) {
                continue;
            }
        }
        println!("{:<48} {:<9} {}", e.key, e.severity.as_str(), e.template);
    }
}

/// A readable, labelled rendering of one entry.
pub fn render(e: &Entry) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "key          {}", e.key);
    let _ = writeln!(s, "source       {}:{}", e.source, e.source_line);
    let _ = writeln!(s, "vendor       {} {}", e.vendor, e.product);
    let _ = writeln!(s, "category     {}", e.category);
    if let Some(id) = &e.vendor_id {
        let _ = writeln!(s, "id           {id}");
    }
    if let Some(name) = &e.name {
        let _ = writeln!(s, "name         {name}");
    }
    let _ = writeln!(
        s,
        "severity     {} ({}; documented as {:?})",
        e.severity.as_str(),
        e.severity.code(),
        e.severity_raw
    );
    let _ = writeln!(
        s,
        "template     {}{}",
        e.template,
        if e.truncated {
            "  [truncated by the document]"
        } else {
            ""
        }
    );
    if !e.params.is_empty() {
        let _ = writeln!(s, "params");
        for p in &e.params {
            let _ = writeln!(s, "  {:<22} {}", p.name, p.ty.as_str());
        }
    }
    if let Some(x) = &e.explanation {
        let _ = writeln!(s, "explanation  {x}");
    }
    if let Some(a) = &e.action {
        let _ = writeln!(s, "action       {a}");
    }
    let _ = writeln!(s, "lang         {}", e.lang);
    for (k, v) in &e.extra {
        let v = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let _ = writeln!(s, "extra.{k:<7}{}{v}", if k.len() < 7 { "" } else { " " });
    }
    s
}
