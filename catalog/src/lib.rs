//! Build-time half of logref: reads the vendor log references under
//! `catalog/sources/` into one normalised [`Catalog`] (written as
//! `catalog/catalog.json`), applying the reviewed hand corrections of
//! `catalog/overrides.toml`.
//!
//! Nothing here runs inside the plugin: the documents are parsed and the
//! templates compiled once, when the catalog or the artifact is built.

pub mod compile;
pub mod error;
pub mod lint;
pub mod model;
pub mod overrides;
pub mod parse;
pub mod template;
pub mod user;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use error::Error;
pub use model::{
    Catalog, Entry, Infix, KeyRule, Param, ParamType, Severity, Source, CATALOG_VERSION,
};
pub use overrides::Overrides;

/// The `catalog/` directory of this checkout (sources, overrides, catalog.json).
///
/// Every default path of logref names a file of its checkout: the one in
/// `$LOGREF_ROOT` when that is set (an installed binary pointed at a
/// checkout), else the one the binary was built from.
pub fn default_dir() -> PathBuf {
    match std::env::var_os("LOGREF_ROOT") {
        Some(root) if !root.is_empty() => PathBuf::from(root).join("catalog"),
        _ => built_in_dir(),
    }
}

/// The `catalog/` directory this crate was built from: what the default
/// artifact is compiled from (a build script must not follow the
/// environment, or cargo would not know when to rebuild).
pub fn built_in_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Per-document outcome of a build, for the CLI's report.
#[derive(Debug, Clone)]
pub struct SourceReport {
    pub file: String,
    pub vendor: String,
    pub product: String,
    pub entries: usize,
}

/// Reads every document of [`parse::SOURCES`] from `dir/sources/`, with
/// the corrections of `dir/overrides.toml`.
pub fn build(dir: &Path) -> Result<(Catalog, Vec<SourceReport>), Error> {
    let overrides_path = dir.join(overrides::FILE_NAME);
    let overrides_text =
        std::fs::read_to_string(&overrides_path).map_err(|e| Error::io(&overrides_path, e))?;
    let overrides = Overrides::from_toml(&overrides_text)?;
    let mut texts = Vec::new();
    for info in parse::SOURCES {
        let path = dir.join("sources").join(info.file);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        texts.push(text);
    }
    build_from_texts(&texts, &overrides)
}

/// [`build`] on texts already in memory, in [`parse::SOURCES`] order.
pub fn build_from_texts(
    texts: &[String],
    overrides: &Overrides,
) -> Result<(Catalog, Vec<SourceReport>), Error> {
    let mut entries = Vec::new();
    let mut reports = Vec::new();
    for (info, text) in parse::SOURCES.iter().zip(texts) {
        let doc = parse::Doc::new(info.file, text);
        let parsed = (info.parse)(&doc, info, overrides)?;
        reports.push(SourceReport {
            file: info.file.to_string(),
            vendor: info.vendor.to_string(),
            product: info.product.to_string(),
            entries: parsed.len(),
        });
        entries.extend(parsed);
    }
    let mut keys = BTreeSet::new();
    for e in &entries {
        if !keys.insert(e.key.as_str()) {
            return Err(Error::parse(
                &e.source,
                e.source_line,
                "an entry whose key is unique (same template and explanation twice?)",
                &e.key,
            ));
        }
    }
    for fix in &overrides.entry {
        if !keys.contains(fix.key.as_str()) {
            return Err(Error::Override {
                file: overrides::FILE_NAME.into(),
                message: format!("[[entry]] key {:?} is not in the catalog", fix.key),
            });
        }
    }
    let sources = parse::SOURCES
        .iter()
        .map(|info| source_of(info, overrides))
        .collect();
    for name in overrides
        .infix
        .iter()
        .map(|i| &i.source)
        .chain(overrides.variant.iter().map(|v| &v.source))
        .chain(overrides.source.keys())
    {
        if !parse::SOURCES.iter().any(|s| s.file == name.as_str()) {
            return Err(Error::Override {
                file: overrides::FILE_NAME.into(),
                message: format!("source {name:?} is not a known document"),
            });
        }
    }
    Ok((
        Catalog {
            version: CATALOG_VERSION,
            sources,
            entries,
        },
        reports,
    ))
}

/// A document's [`Source`]: who wrote it, and its reviewed matching rules.
fn source_of(info: &parse::SourceInfo, overrides: &Overrides) -> Source {
    let rules = overrides.source.get(info.file).cloned().unwrap_or_default();
    Source {
        name: info.file.to_string(),
        vendor: info.vendor.to_string(),
        product: info.product.to_string(),
        programs: rules.programs,
        key_rules: rules.key_rules,
        key_only: rules.key_only,
        infixes: of_source(&overrides.infix, info.file, |i| (&i.source, &i.infix)),
        aliases: rules.aliases,
        variants: of_source(&overrides.variant, info.file, |v| (&v.source, &v.variant)),
        why: (!rules.why.is_empty()).then_some(rules.why),
    }
}

/// The items of `list` that belong to `source`, as `part` splits each into
/// (its source, the item the catalog keeps).
fn of_source<T, U: Clone>(list: &[T], source: &str, part: impl Fn(&T) -> (&String, &U)) -> Vec<U> {
    list.iter()
        .map(part)
        .filter(|(s, _)| s.as_str() == source)
        .map(|(_, x)| x.clone())
        .collect()
}

/// The exact bytes of `catalog.json` for a catalog: pretty JSON, fields in
/// schema order, `extra` sorted, a final newline. Deterministic.
pub fn to_json(catalog: &Catalog) -> String {
    let mut s = serde_json::to_string_pretty(catalog).expect("catalog serialises");
    s.push('\n');
    s
}

/// Reads a `catalog.json`: the one input of [`compile::compile`].
pub fn load(path: &Path) -> Result<Catalog, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    from_json(&text).map_err(|e| match e {
        Error::Json { source, .. } => Error::Json {
            path: path.to_path_buf(),
            source,
        },
        other => other,
    })
}

/// Parses `catalog.json` text, checking its schema version.
pub fn from_json(text: &str) -> Result<Catalog, Error> {
    #[derive(serde::Deserialize)]
    struct Version {
        version: u32,
    }
    let json_err = |source| Error::Json {
        path: PathBuf::from("catalog.json"),
        source,
    };
    let v: Version = serde_json::from_str(text).map_err(json_err)?;
    if v.version != CATALOG_VERSION {
        return Err(Error::Schema(format!(
            "catalog.json has schema version {}, this logref reads version {CATALOG_VERSION}: rebuild it with `logref catalog build`",
            v.version
        )));
    }
    serde_json::from_str(text).map_err(json_err)
}

/// The checked-in default catalog (`catalog/catalog.json` of this checkout).
pub fn load_default() -> Result<Catalog, Error> {
    load(&default_dir().join("catalog.json"))
}
