//! Typed errors of the build-time side. Every error that comes from a
//! document names the file, the 1-based line and what the parser expected,
//! so a reviewer can open the document at that spot.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    /// A document did not have the shape its parser expects.
    Parse {
        file: String,
        line: usize,
        expected: String,
        found: String,
    },
    /// `overrides.toml` is malformed or does not fit the documents.
    Override { file: String, message: String },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// The catalog cannot be compiled (a template, a type or a size limit).
    Compile { key: String, message: String },
    /// A catalog that does not hold together (schema version, an entry
    /// naming an undeclared source, a key rule that cannot work).
    Schema(String),
}

impl Error {
    pub fn parse(file: &str, line: usize, expected: impl Into<String>, found: &str) -> Error {
        let mut found: String = found.chars().take(80).collect();
        if found.is_empty() {
            found = "(empty line)".to_string();
        }
        Error::Parse {
            file: file.to_string(),
            line,
            expected: expected.into(),
            found,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse {
                file,
                line,
                expected,
                found,
            } => write!(f, "{file}:{line}: expected {expected}, found {found:?}"),
            Error::Override { file, message } => write!(f, "{file}: {message}"),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Json { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Compile { key, message } => write!(f, "entry {key}: {message}"),
            Error::Schema(message) => write!(f, "catalog: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Json { source, .. } => Some(source),
            _ => None,
        }
    }
}
