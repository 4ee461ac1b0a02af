//! Reading the commands' inputs as `rg` and `jq` do: files in turn, `-` (or
//! none) for standard input, one line at a time with its line ending taken
//! off (it is framing, not content), bytes kept as they are.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The files to read: `files`, or standard input when there are none.
pub fn files_or_stdin(files: &[PathBuf]) -> Vec<PathBuf> {
    if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files.to_vec()
    }
}

/// An open input and the name errors give it (`stdin` for `-`).
pub fn open(path: &Path) -> Result<(Box<dyn BufRead>, String)> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(std::io::stdin().lock()), "stdin".into()));
    }
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok((
        Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
        path.display().to_string(),
    ))
}

/// Calls `f(line, number, bytes read)` for every line of `reader` (number
/// 1-based, `line` without `\n` or `\r\n`); the number of lines.
pub fn for_each_line(
    reader: &mut dyn BufRead,
    name: &str,
    mut f: impl FnMut(&[u8], u64, usize) -> Result<()>,
) -> Result<u64> {
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("reading {name}"))?;
        if read == 0 {
            return Ok(n);
        }
        n += 1;
        let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        f(line, n, read)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_are_framing_and_the_last_line_needs_none() {
        let mut seen = Vec::new();
        let mut r: &[u8] = b"a\r\n\nb \xff\nlast";
        let n = for_each_line(&mut r, "t", |l, n, _| {
            seen.push((n, l.to_vec()));
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 4);
        assert_eq!(
            seen,
            [
                (1, b"a".to_vec()),
                (2, b"".to_vec()),
                (3, b"b \xff".to_vec()),
                (4, b"last".to_vec())
            ]
        );
    }
}
