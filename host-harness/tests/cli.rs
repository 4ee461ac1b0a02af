//! The `logref` binary as a user runs it: every input line is a record and
//! keeps its bytes, the plugin's counters close `enrich`, and a reader that
//! goes away (`| head -1`) ends the command quietly.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn logref() -> Command {
    Command::new(env!("CARGO_BIN_EXE_logref"))
}

/// `logref ARGS` with stdin, stdout and stderr piped to the test.
fn spawn_piped(args: &[&str]) -> std::process::Child {
    logref()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn enrich_keeps_every_line_and_its_bytes_and_reports_the_counters() {
    let mut child = spawn_piped(&["enrich", "--engine", "native"]);
    let input: &[u8] = b"Nov 22 10:15:02 r1 pppd[1]: Exit.\n\npppd[1]: Exit. \xff\xfe\r\nlast line without newline";
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<&[u8]> = out.stdout.split(|&b| b == b'\n').collect();
    // Four records and the final newline.
    assert_eq!(lines.len(), 5, "{:?}", String::from_utf8_lossy(&out.stdout));
    let first: serde_json::Value = serde_json::from_slice(lines[0]).unwrap();
    assert_eq!(first["catalog"]["key"], "nxr:pppd-pid-exit-44b98e");
    assert_eq!(lines[1], b"{\"log\":\"\"}");
    // Not UTF-8: passed through with its bytes, not replaced by U+FFFD.
    assert_eq!(lines[2], b"{\"log\":\"pppd[1]: Exit. \xff\xfe\"}");
    assert!(lines[3].starts_with(b"{\"log\":\"last line without newline\""));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("logref: 4 lines;"), "{err}");
    assert!(err.contains("\"records\":4"), "{err}");
    assert!(err.contains("\"not_utf8\":1"), "{err}");
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    for args in [
        &["catalog", "list"][..],
        &["enrich", "--engine", "native"][..],
    ] {
        let mut child = spawn_piped(args);
        let mut stdin = child.stdin.take().unwrap();
        let feeder = std::thread::spawn(move || {
            // Enough lines to fill the pipe after the reader has gone.
            for _ in 0..20_000 {
                if stdin.write_all(b"pppd[1]: Exit.\n").is_err() {
                    break;
                }
            }
        });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        // The reader closes its end here (`head -1`).
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

#[test]
fn bad_values_are_refused_with_a_reason() {
    for (args, why) in [
        (&["compile", "--fraction", "2"][..], "between 0 and 1"),
        (&["bench", "--lines", "0"][..], "at least 1"),
        (&["bench", "--cost", "--json"][..], "cannot be used with"),
        (&["lint", "--write", "--check"][..], "cannot be used with"),
        (&["soak", "--records", "10"][..], "10 is not in 1000.."),
    ] {
        let out = logref().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(why), "{args:?}: {err}");
    }
}

#[test]
fn soak_gives_a_verdict() {
    let out = logref()
        .args(["soak", "--records", "5000"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("memory flat after the first pass over the corpus"),
        "{text}"
    );
    // Not a terminal: no progress bar in the output.
    assert!(!String::from_utf8_lossy(&out.stderr).contains('#'));
}

fn enrich(args: &[&str], input: &str) -> (Vec<serde_json::Value>, String) {
    let mut child = spawn_piped(&[&["enrich"][..], args].concat());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {err}");
    let records = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    (records, err)
}

#[test]
fn every_engine_honours_artifact_and_style() {
    let root = logref::repo_root();
    let dir = std::env::temp_dir().join(format!("logref-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let artifact = dir.join("postfix.artifact");
    let out = logref()
        .args(["compile", "--catalog"])
        .arg(root.join("examples/catalogs/postfix.yaml"))
        .arg("--out")
        .arg(&artifact)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line =
        "Nov 22 10:15:02 mx1 postfix/smtpd[4711]: connect from mail.example.net[192.0.2.7]\n";
    let a = artifact.to_str().unwrap();
    for engine in ["native", "wasm", "wasm-interp", "vrl"] {
        // The embedded catalog does not know Postfix; the artifact does.
        let (plain, _) = enrich(&["--engine", engine], line);
        assert!(plain[0].get("catalog").is_none(), "{engine}: {}", plain[0]);
        let (with, _) = enrich(&["--engine", engine, "--artifact", a], line);
        assert_eq!(
            with[0]["catalog"]["key"], "postfix:smtpd-connect",
            "{engine}"
        );
        let (ecs, _) = enrich(
            &["--engine", engine, "--artifact", a, "--style", "ecs"],
            line,
        );
        // ECS objects, the same in every engine.
        assert_eq!(
            ecs[0]["catalog"]["key"], "postfix:smtpd-connect",
            "{engine}: {}",
            ecs[0]
        );
        assert_eq!(
            ecs[0]["observer"]["vendor"], "Postfix",
            "{engine}: {}",
            ecs[0]
        );
        let (otel, _) = enrich(
            &["--engine", engine, "--artifact", a, "--style", "otel"],
            line,
        );
        assert_eq!(
            otel[0]["attributes"]["event.name"], "postfix:smtpd-connect",
            "{engine}: {}",
            otel[0]
        );
        assert_eq!(otel[0]["severity_number"], 9, "{engine}: {}", otel[0]);
    }
    // `--artifact` copies the artifact into a scratch directory for the
    // module to read; it is gone when enrich is done.
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut child = logref()
        .args(["enrich", "--engine", "wasm", "--artifact", a])
        .env("TMPDIR", &tmp)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(line.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "scratch left");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn native_and_wasm_read_the_same_logref_conf() {
    let dir = std::env::temp_dir().join(format!("logref-cli-conf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("logref.conf"), "target = \"doc\"\n").unwrap();
    let d = dir.to_str().unwrap();
    let line = "pppd[1]: Exit.\n";
    let (native, _) = enrich(&["--engine", "native", "--config-dir", d], line);
    let (wasm, _) = enrich(&["--engine", "wasm", "--config-dir", d], line);
    assert_eq!(native, wasm);
    assert_eq!(native[0]["doc"]["key"], "nxr:pppd-pid-exit-44b98e");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_logref_conf_is_reported_and_the_defaults_kept_by_every_engine() {
    let dir = std::env::temp_dir().join(format!("logref-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("logref.conf"),
        "target = \"doc\"\nno_such_key = 1\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let line = "pppd[1]: Exit.\n";
    let (native, native_err) = enrich(&["--engine", "native", "--config-dir", d], line);
    let (wasm, wasm_err) = enrich(&["--engine", "wasm", "--config-dir", d], line);
    assert_eq!(native, wasm);
    // The defaults: the `catalog` target, not the file's `doc`.
    assert_eq!(native[0]["catalog"]["key"], "nxr:pppd-pid-exit-44b98e");
    for err in [native_err, wasm_err] {
        assert!(err.contains("logref.conf:2"), "{err}");
        assert!(err.contains("using the embedded defaults"), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn enrich_reads_files_and_dash_for_stdin() {
    let file = logref::repo_root().join("examples/device-logs.log");
    let f = file.to_str().unwrap();
    let lines = std::fs::read_to_string(&file).unwrap().lines().count();
    let (records, err) = enrich(&["--engine", "native", f, "-", f], "pppd[1]: Exit.\n");
    assert_eq!(records.len(), 2 * lines + 1, "{err}");
    assert_eq!(records[lines]["log"], "pppd[1]: Exit.");
    let out = logref()
        .args(["enrich", "--engine", "native", "/no/such/file"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("opening /no/such/file"));
}

#[test]
fn explain_reads_as_text_with_the_vendors_words() {
    let out = logref()
        .args([
            "explain",
            "<30>Nov 22 10:15:05 nxr1 pluto[2231]: \"tunnel1\" #3: ISAKMP SA established",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("Some("), "{text}");
    assert!(
        text.contains("PRI 30 (facility 3, severity 6 info)"),
        "{text}"
    );
    assert!(text.contains("severity 4 (warning)"), "{text}");
    assert!(text.contains("explains   tunnelNUM1でISAKMP SA"), "{text}");
    // One offset base: the line's. The template's text ends the line.
    let len = "<30>Nov 22 10:15:05 nxr1 pluto[2231]: \"tunnel1\" #3: ISAKMP SA established".len();
    assert!(text.contains(&format!("ends at {len}")), "{text}");
}

#[test]
fn a_large_synthetic_catalog_is_generated_compiled_and_measured() {
    let dir = std::env::temp_dir().join(format!("logref-large-{}", std::process::id()));
    let out = logref()
        .args([
            "fixtures",
            "large",
            "--templates",
            "60",
            "--seconds",
            "0.05",
            "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every line is the template it was written from, filled in.
    assert!(
        text.contains("lines          60: 60 their own entry"),
        "{text}"
    );
    // Each line with one literal word changed: nothing fits it.
    assert!(text.contains("near misses    60: 60 unmatched"), "{text}");
    assert!(text.contains("shards"), "{text}");
    let yaml = std::fs::read_to_string(dir.join("large-60.yaml")).unwrap();
    assert_eq!(yaml.matches("  - key: ").count(), 60);
    let wild = yaml
        .lines()
        .filter(|l| l.contains("template:") && l.contains("<*>"))
        .count();
    // Every fourth gets one; a shape may have its own.
    assert!(wild >= 15, "{wild} templates with a wildcard");
    assert!(text.contains("throughput"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn default_paths_follow_logref_root_and_help_shows_them() {
    let out = logref()
        .args(["check", "--help"])
        .env("LOGREF_ROOT", "/srv/logref")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("[default: /srv/logref/fixtures]"), "{help}");
    let out = logref()
        .args(["catalog", "build", "--help"])
        .env("LOGREF_ROOT", "/srv/logref")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("--catalog-dir <DIR>"), "{help}");
    assert!(help.contains("[default: /srv/logref/catalog]"), "{help}");
}
