//! The syslog-ng export against a real syslog-ng (Debian's syslog-ng-core,
//! which scripts/test.sh installs): the checked-in database is current and
//! passes `pdbtool test`, the example configuration loads, and syslog-ng
//! with it names the corpus lines as the plugin does.

use std::path::Path;
use std::process::Command;

use logref::syslog_ng_cmd;

fn root() -> std::path::PathBuf {
    logref::repo_root()
}

fn require(tool: &str) {
    assert!(
        Command::new(tool).arg("--version").output().is_ok(),
        "{tool} is not installed (Debian: apt-get install syslog-ng-core; scripts/test.sh does)"
    );
}

#[test]
fn the_checked_in_export_is_current() {
    require("pdbtool");
    let (ex, _) = syslog_ng_cmd::generate(
        None,
        "examples/syslog-ng",
        "examples/device-logs.log",
        "/tmp/logref-syslog-ng.jsonl",
    )
    .unwrap();
    let dir = root().join("examples/syslog-ng");
    for (file, fresh) in [
        (logref_syslog_ng::PDB_FILE, &ex.pdb),
        (logref_syslog_ng::CONF_FILE, &ex.conf),
    ] {
        let old = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(
            &old == fresh,
            "examples/syslog-ng/{file} is stale: run `logref export patterndb`"
        );
    }
}

#[test]
fn pdbtool_test_passes_on_the_checked_in_database() {
    require("pdbtool");
    let out = Command::new("pdbtool")
        .arg("test")
        .arg(root().join("examples/syslog-ng/logref.pdb"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // It did test the messages: one line per test message.
    assert!(text.matches("Testing message").count() > 700, "{text}");
}

#[test]
fn the_example_configuration_loads_in_syslog_ng() {
    require("syslog-ng");
    let out = Command::new("syslog-ng")
        .current_dir(root())
        .args(["--syntax-only", "-f", "examples/syslog-ng/syslog-ng.conf"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn syslog_ng_names_the_generated_corpus_as_the_plugin_does() {
    require("syslog-ng");
    let corpus = root().join("fixtures/generated/corpus.jsonl");
    // Every corpus line but those syslog-ng cannot take as one message
    // (empty, or holding a newline).
    let lines = std::fs::read_to_string(&corpus)
        .unwrap()
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let line = v["line"].as_str().unwrap_or("");
            !line.trim().is_empty() && !line.contains('\n')
        })
        .count();
    let cmp = syslog_ng_cmd::compare(&[corpus], None).unwrap();
    let t = &cmp.total;
    assert_eq!(t.lines, lines);
    // The differences the README's syslog-ng section counts by cause: a
    // bare line that syslog-ng reads as a PRI, the ruleset order (a
    // program's catch-all template before a template without a program),
    // and two templates one radix tree cannot tell apart.
    assert!(t.share() > 0.985, "{t:?}");
    for (group, ours, theirs, line) in &cmp.differences {
        eprintln!("{group}: {ours:?} / {theirs:?}: {line}");
    }
}

#[test]
fn a_user_catalog_exports_and_passes_pdbtool() {
    require("pdbtool");
    // examples/catalogs/postfix.yaml with the built-in catalog, compiled
    // to a file as `logref compile --catalog` does.
    let path = root().join("examples/catalogs/postfix.yaml");
    let mut catalog = logref_catalog::load_default().unwrap();
    let (source, entries) = logref_catalog::user::read(&path).unwrap();
    logref_catalog::user::merge(
        &mut catalog,
        vec![(path.display().to_string(), source, entries)],
    )
    .unwrap();
    let (bytes, _) = logref_catalog::compile::compile(&catalog).unwrap();
    let dir = std::env::temp_dir().join(format!("logref-pdb-user-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let artifact = dir.join("user.artifact");
    std::fs::write(&artifact, bytes).unwrap();
    let (ex, _) =
        syslog_ng_cmd::generate(Some(Path::new(&artifact)), "out", "in.log", "out.jsonl").unwrap();
    assert!(ex.pdb.contains("<pattern>postfix/smtpd</pattern>"));
    assert_eq!(syslog_ng_cmd::pdbtool_failures(&ex).unwrap(), Some(vec![]));
    let _ = std::fs::remove_dir_all(&dir);
}
