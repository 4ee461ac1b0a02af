//! `logref compile`, `logref explain`, `logref lint`.

use std::path::PathBuf;
use std::process::ExitCode;

/// What `logref compile` was asked for.
pub struct CompileArgs {
    pub dir: PathBuf,
    pub out: PathBuf,
    pub fraction: Option<f64>,
    /// User catalogs to merge in.
    pub catalogs: Vec<PathBuf>,
    pub no_builtin: bool,
    pub shards: logref::shards::Shards,
}

pub fn compile(args: CompileArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let CompileArgs {
        dir,
        out,
        fraction,
        catalogs,
        no_builtin,
        shards,
    } = args;
    let mut catalog = if no_builtin {
        logref_catalog::Catalog {
            version: logref_catalog::CATALOG_VERSION,
            sources: Vec::new(),
            entries: Vec::new(),
        }
    } else {
        logref_catalog::load(&dir.join("catalog.json"))?
    };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in &catalogs {
        match logref_catalog::user::read(path) {
            Ok((source, entries)) => files.push((path.display().to_string(), source, entries)),
            Err(e) => errors.extend(e.0),
        }
    }
    if errors.is_empty() {
        if let Err(e) = logref_catalog::user::merge(&mut catalog, files) {
            errors.extend(e.0);
        }
    }
    if !errors.is_empty() {
        return Err(logref_catalog::user::UserErrors(errors).into());
    }
    if let Some(f) = fraction {
        let n = ((catalog.entries.len() as f64) * f).round() as usize;
        // Every k-th entry, so each source is represented.
        let total = catalog.entries.len();
        let keep: Vec<_> = (0..n).map(|i| i * total / n.max(1)).collect();
        catalog.entries = keep
            .into_iter()
            .map(|i| catalog.entries[i].clone())
            .collect();
    }
    eprintln!(
        "compiling {} entries from {} ...",
        catalog.entries.len(),
        dir.join("catalog.json").display()
    );
    let (bytes, report) = logref::shards::compile(&catalog, shards)?;
    let states = logref_catalog::lint::state_count(&bytes)?;
    std::fs::write(&out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("patterns       {}", report.patterns);
    println!(
        "shards         {} ({} automata, {} token indexes)",
        report.shards,
        report.shards - report.index_shards,
        report.index_shards
    );
    let tables = logref_engine::Matcher::from_bytes(&bytes)?;
    for (i, sh) in tables.tables().shards.iter().enumerate() {
        let engine = match &sh.engine {
            logref_engine::artifact::ShardEngine::Dfa(_, len) => {
                format!("automaton {:.2} MiB", f64::from(*len) / (1 << 20) as f64)
            }
            logref_engine::artifact::ShardEngine::Index(keys) => format!(
                "token index, {} of them without a key",
                keys.iter().filter(|k| k.is_none()).count()
            ),
        };
        println!(
            "  shard {i:<3}   {:?}, {} programs, {} templates: {engine}",
            sh.kind,
            sh.programs.len(),
            sh.patterns.len()
        );
    }
    println!("DFA states     {states}");
    println!(
        "DFA size       {:.2} MiB",
        report.dfa_bytes as f64 / (1 << 20) as f64
    );
    println!(
        "artifact size  {:.2} MiB ({} bytes)",
        report.artifact_bytes as f64 / (1 << 20) as f64,
        report.artifact_bytes
    );
    println!("build time     {:.2?}", report.build_time);
    println!("catalog sum    {:016x}", report.catalog_checksum);
    println!("wrote          {}", out.display());
    Ok(ExitCode::SUCCESS)
}

pub fn explain(
    line: &str,
    artifact: Option<PathBuf>,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let m = logref::load_matcher(artifact.as_deref())?;
    let h = logref_engine::syslog::parse(line);
    println!("line       {line:?}");
    // Only the fields the line has, as a person reads them.
    let mut header = vec![h.format.as_str().to_string()];
    if let Some(pri) = h.pri {
        header.push(format!(
            "PRI {pri} (facility {}, severity {} {})",
            pri >> 3,
            pri & 7,
            logref_engine::severity_name(pri & 7)
        ));
    }
    for (name, v) in [
        ("time", h.timestamp),
        ("host", h.host),
        ("program", h.program),
        ("pid", h.pid),
        ("msgid", h.msgid),
    ] {
        if let Some(v) = v {
            header.push(format!("{name} {v}"));
        }
    }
    println!("header     {}", header.join(", "));
    if let Some(sd) = h.structured_data {
        println!("sd         {sd}");
    }
    println!("message    {:?}", line.get(h.msg_start..).unwrap_or(""));
    let result = m.match_line(line);
    match &result {
        None => println!("result     no documented message matches"),
        Some(r) => {
            let e = &m.entries()[r.entry];
            let relaxed: Vec<&str> = r.relaxed.names().collect();
            if relaxed.is_empty() {
                println!("result     {} ({} match)", e.key, r.kind.as_str());
            } else {
                println!(
                    "result     {} ({} match, relaxed: {})",
                    e.key,
                    r.kind.as_str(),
                    relaxed.join(", ")
                );
            }
            println!(
                "           {} {} / {} / severity {} ({})",
                e.vendor,
                e.product,
                e.category,
                e.severity,
                logref_engine::severity_name(e.severity)
            );
            if let Some(id) = &e.vendor_id {
                println!(
                    "id         {id}{}",
                    e.name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                );
            }
            println!("template   {}", e.template);
            if let Some(x) = &e.explanation {
                println!("explains   {x}");
            }
            if let Some(a) = &e.action {
                println!("action     {a}");
            }
            if !r.params.is_empty() {
                println!("params     (byte offsets in the line)");
            }
            for p in &r.params {
                println!(
                    "  param    {:<20} = {:?}{}",
                    p.name,
                    p.value,
                    p.span
                        .map(|(a, b)| format!("  [{a}..{b}]"))
                        .unwrap_or_default()
                );
            }
            if !r.ambiguous.is_empty() {
                let keys: Vec<&str> = r
                    .ambiguous
                    .iter()
                    .map(|&i| m.entries()[i].key.as_str())
                    .collect();
                println!("ambiguous  equally good: {}", keys.join(", "));
            }
        }
    }
    if result
        .as_ref()
        .is_none_or(|r| r.kind != logref_engine::MatchKind::Key)
    {
        let cands = m.line_candidates(line);
        if !cands.is_empty() {
            println!("candidates (best first; where each ends, as a byte offset in the line)");
            for c in cands.iter().take(8) {
                let relaxed: Vec<&str> = c.relaxed.names().collect();
                println!(
                    "  {:<48} {:<6} weight {:<4} ends at {:<5} {}{}",
                    m.entries()[c.entry].key,
                    c.kind.as_str(),
                    c.weight,
                    c.end,
                    if relaxed.is_empty() {
                        String::new()
                    } else {
                        format!("relaxed: {} ", relaxed.join(", "))
                    },
                    c.note.unwrap_or("")
                );
            }
        }
    }
    Ok(if result.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn lint(
    write: bool,
    check: bool,
    artifact: Option<PathBuf>,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    let bytes = match &artifact {
        Some(p) => std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?,
        None => logref_default_artifact::bytes().to_vec(),
    };
    eprintln!("walking the reachable states of one automaton of all the artifact's patterns ...");
    let overlaps = match logref_catalog::lint::overlaps(&bytes) {
        Ok(o) => o,
        // A user's large catalog: lint it scope by scope.
        Err(e) if artifact.is_some() => return lint_in_parts(&bytes, &e.to_string(), started),
        Err(e) => return Err(e.into()),
    };
    let report = logref_catalog::lint::report(&overlaps);
    let path = logref_catalog::default_dir().join("lint.txt");
    let ambiguous = overlaps.iter().filter(|o| o.ambiguous).count();
    eprintln!(
        "{} overlapping pairs, {} true ambiguities ({:.2?})",
        overlaps.len(),
        ambiguous,
        started.elapsed()
    );
    if check {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != report {
            eprintln!(
                "{} is out of date: run `logref lint --write` and review the diff",
                path.display()
            );
            return Ok(ExitCode::from(1));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if write {
        std::fs::write(&path, &report).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    } else {
        print!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `logref lint --artifact` for a catalog too large for one automaton: the
/// report of [`logref_catalog::lint::overlaps_in_parts`], then the scopes
/// it could not decide (exit 1 if there are any).
fn lint_in_parts(
    bytes: &[u8],
    why: &str,
    started: std::time::Instant,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    eprintln!("{why}");
    eprintln!("linting scope by scope: each program's templates with those that name none, and the lines without a known program ...");
    let (overlaps, undecided) = logref_catalog::lint::overlaps_in_parts(bytes)?;
    print!("{}", logref_catalog::lint::report(&overlaps));
    for u in &undecided {
        println!(
            "\n# NOT DECIDED: {} ({} templates): {}",
            u.scope, u.templates, u.reason
        );
    }
    eprintln!(
        "{} overlapping pairs, {} scopes not decided ({:.2?})",
        overlaps.len(),
        undecided.len(),
        started.elapsed()
    );
    Ok(if undecided.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
