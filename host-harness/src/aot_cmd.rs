//! `logref aot`: the plugin compiled ahead of time for Fluent Bit, and a
//! check that the compiled file behaves exactly as the `.wasm`.
//!
//! Fluent Bit runs a `.wasm` in WAMR's interpreter; the same filter
//! compiled by `flb-wamrc` (WAMR's AOT compiler as Fluent Bit ships it,
//! built with `-DFLB_WAMRC=On`) runs several times faster. The AOT file is
//! tied to the WAMR release inside the Fluent Bit that built `flb-wamrc`
//! and to the target architecture, so it is built on the user's machine
//! from their Fluent Bit, not shipped. Why a command rather than a line in
//! the README: the check. With `--check-with FLUENT_BIT`, the fixture
//! corpus goes through that Fluent Bit twice (tail -> wasm filter -> file),
//! once with the `.wasm` and once with the `.aot`, and the two outputs must
//! be byte for byte the same.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// What `logref aot` does (its command-line arguments).
#[derive(clap::Args)]
pub struct AotArgs {
    /// The plugin module (default: wasm32-wasip1/release/logref_plugin.wasm in $CARGO_TARGET_DIR, else in the checkout's target/).
    #[arg(long)]
    pub wasm: Option<PathBuf>,
    /// flb-wamrc: a path, or a name looked up in PATH.
    #[arg(long, default_value = "flb-wamrc")]
    pub wamrc: PathBuf,
    /// Where to write the AOT file (default: the .wasm's path with .aot).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// flb-wamrc's --target (the architecture Fluent Bit runs on).
    #[arg(long, default_value = "x86_64")]
    pub target: String,
    /// flb-wamrc's --cpu: x86-64 runs on every x86-64 CPU; `native` is faster on the one that built it.
    #[arg(long, default_value = "x86-64")]
    pub cpu: String,
    /// A fluent-bit binary: run the corpus through the .wasm and the .aot in it and compare.
    #[arg(long, value_name = "FLUENT_BIT")]
    pub check_with: Option<PathBuf>,
}

/// The AOT file's default path: the `.wasm`'s, with `.aot`.
pub fn default_out(wasm: &Path) -> PathBuf {
    wasm.with_extension("aot")
}

/// `flb-wamrc`'s arguments: the target and CPU given, so that the file
/// does not depend on the CPU of the machine that compiled it.
pub fn wamrc_args(target: &str, cpu: &str, out: &Path, wasm: &Path) -> Vec<String> {
    vec![
        format!("--target={target}"),
        format!("--cpu={cpu}"),
        "-o".into(),
        out.display().to_string(),
        wasm.display().to_string(),
    ]
}

pub fn run(args: &AotArgs) -> Result<()> {
    let wasm = crate::enrich_cmd::wasm_path_or_hint(args.wasm.clone())?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&wasm));
    let t0 = Instant::now();
    let status = Command::new(&args.wamrc)
        .args(wamrc_args(&args.target, &args.cpu, &out, &wasm))
        .status()
        .with_context(|| {
            format!(
                "running {} (flb-wamrc comes with a Fluent Bit built with -DFLB_WAMRC=On; pass its path with --wamrc)",
                args.wamrc.display()
            )
        })?;
    if !status.success() {
        bail!("{} failed ({status})", args.wamrc.display());
    }
    let size = std::fs::metadata(&out)
        .with_context(|| format!("{} did not write {}", args.wamrc.display(), out.display()))?
        .len();
    eprintln!(
        "wrote {} ({:.1} MiB) in {:.1?}; point the wasm filter's wasm_path at it",
        out.display(),
        size as f64 / (1 << 20) as f64,
        t0.elapsed()
    );
    if let Some(fluent_bit) = &args.check_with {
        check_in_fluent_bit(fluent_bit, &wasm, &out)?;
    }
    Ok(())
}

/// The classic-format Fluent Bit configuration that tails `lines` through
/// the module at `module` into `out_dir/out_file` (one JSON record a line).
pub fn fluent_bit_config(lines: &Path, module: &Path, out_dir: &Path, out_file: &str) -> String {
    format!(
        "[SERVICE]\n    flush 1\n    log_level error\n\n\
         [INPUT]\n    name tail\n    path {lines}\n    read_from_head true\n    exit_on_eof true\n    tag lines\n\n\
         [FILTER]\n    name wasm\n    match lines\n    wasm_path {module}\n    function_name logref_filter\n    \
         event_format json\n    accessible_paths {dir}\n    wasm_heap_size 8M\n    wasm_stack_size 256K\n\n\
         [OUTPUT]\n    name file\n    match *\n    path {dir}\n    file {out_file}\n    format plain\n",
        lines = lines.display(),
        module = module.display(),
        dir = out_dir.display(),
    )
}

/// Runs the fixture corpus through `fluent_bit` with the `.wasm` and with
/// the `.aot`: the outputs must be identical (and not empty).
fn check_in_fluent_bit(fluent_bit: &Path, wasm: &Path, aot: &Path) -> Result<()> {
    let dir = tempfile::Builder::new().prefix("logref-aot-").tempdir()?;
    let lines = dir.path().join("corpus.log");
    let corpus: Vec<String> =
        crate::check::load_cases(&crate::repo_root().join("fixtures/generated/corpus.jsonl"))?
            .into_iter()
            .map(|c| c.line)
            .filter(|l| !l.is_empty() && !l.contains('\n'))
            .collect();
    std::fs::write(&lines, corpus.join("\n") + "\n")?;
    let mut outputs = Vec::new();
    for (name, module) in [("wasm", wasm), ("aot", aot)] {
        let module = std::fs::canonicalize(module)?;
        let out_file = format!("{name}.out");
        let conf = dir.path().join(format!("{name}.conf"));
        std::fs::write(
            &conf,
            fluent_bit_config(&lines, &module, dir.path(), &out_file),
        )?;
        let t0 = Instant::now();
        // Its banner goes to stdout: only its errors are of interest.
        let status = Command::new(fluent_bit)
            .arg("-c")
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .status()
            .with_context(|| format!("running {}", fluent_bit.display()))?;
        if !status.success() {
            bail!(
                "{} -c {} failed ({status})",
                fluent_bit.display(),
                conf.display()
            );
        }
        let out = std::fs::read(dir.path().join(&out_file))
            .with_context(|| format!("Fluent Bit wrote no {out_file}"))?;
        eprintln!(
            "{name}: {} records out in {:.1?}",
            out.iter().filter(|&&b| b == b'\n').count(),
            t0.elapsed()
        );
        outputs.push(out);
    }
    let records = outputs[0].iter().filter(|&&b| b == b'\n').count();
    if records < corpus.len() {
        bail!(
            "Fluent Bit passed {records} of {} lines: the comparison would not cover the corpus",
            corpus.len()
        );
    }
    if outputs[0] != outputs[1] {
        let first = outputs[0]
            .split(|&b| b == b'\n')
            .zip(outputs[1].split(|&b| b == b'\n'))
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        bail!(
            "the .aot and the .wasm differ, first at output record {}",
            first + 1
        );
    }
    eprintln!("the .aot and the .wasm gave byte-identical output on {records} records");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_aot_file_goes_next_to_the_wasm() {
        assert_eq!(
            default_out(Path::new("target/wasm32-wasip1/release/logref_plugin.wasm")),
            Path::new("target/wasm32-wasip1/release/logref_plugin.aot")
        );
    }

    #[test]
    fn flb_wamrc_gets_a_target_with_the_cpu() {
        // `flb-wamrc --cpu=x86-64` alone stops with "target isn't
        // specified for cpu x86-64".
        assert_eq!(
            wamrc_args("x86_64", "x86-64", Path::new("p.aot"), Path::new("p.wasm")),
            ["--target=x86_64", "--cpu=x86-64", "-o", "p.aot", "p.wasm"]
        );
    }

    #[test]
    fn the_check_configuration_tails_filters_and_writes_json_lines() {
        let c = fluent_bit_config(
            Path::new("/t/corpus.log"),
            Path::new("/t/p.aot"),
            Path::new("/t"),
            "aot.out",
        );
        for want in [
            "name tail",
            "path /t/corpus.log",
            "exit_on_eof true",
            "wasm_path /t/p.aot",
            "function_name logref_filter",
            "event_format json",
            "name file",
            "file aot.out",
            "format plain",
        ] {
            assert!(c.contains(want), "{want} missing from\n{c}");
        }
    }
}
