//! User catalogs (YAML and CSV): they compile, merge with the built-in
//! catalog and match; every error names the file, the line and the field.

use logref_catalog::user::{self, UserErrors};
use logref_catalog::{compile, Catalog};
use logref_engine::{Matcher, Relaxed};

fn examples() -> std::path::PathBuf {
    logref_catalog::default_dir().join("../examples/catalogs")
}

fn errors_of(
    r: Result<(logref_catalog::Source, Vec<logref_catalog::Entry>), UserErrors>,
) -> Vec<String> {
    r.expect_err("must be refused")
        .0
        .iter()
        .map(|e| e.to_string())
        .collect()
}

fn matcher_with_files(builtin: bool, files: &[&str]) -> Matcher {
    let mut catalog = if builtin {
        logref_catalog::load_default().unwrap()
    } else {
        Catalog {
            version: logref_catalog::CATALOG_VERSION,
            sources: Vec::new(),
            entries: Vec::new(),
        }
    };
    let read = files
        .iter()
        .map(|f| {
            let p = examples().join(f);
            let (s, e) = user::read(&p).unwrap_or_else(|e| panic!("{e}"));
            (f.to_string(), s, e)
        })
        .collect();
    user::merge(&mut catalog, read).unwrap();
    let (bytes, _) = compile::compile(&catalog).unwrap();
    Matcher::from_bytes(&bytes).unwrap()
}

fn key_of(m: &Matcher, line: &str) -> Option<String> {
    m.match_line(line).map(|r| m.entries()[r.entry].key.clone())
}

#[test]
fn a_yaml_catalog_compiles_with_the_builtin_one_and_matches() {
    let m = matcher_with_files(true, &["postfix.yaml"]);
    let line = "Nov 22 10:15:02 mx1 postfix/smtpd[4711]: connect from mail.example.net[192.0.2.7]";
    let r = m.match_line(line).unwrap();
    assert_eq!(m.entries()[r.entry].key, "postfix:smtpd-connect");
    assert!(r.relaxed.is_empty());
    let params: Vec<(&str, &str)> = r
        .params
        .iter()
        .map(|p| (p.name, p.value.as_ref()))
        .collect();
    assert_eq!(
        params,
        [
            ("pid", "4711"),
            ("client", "mail.example.net"),
            ("ip", "192.0.2.7")
        ]
    );
    // `<ip>` is typed by the file's table: not an address, no match.
    assert_eq!(
        key_of(&m, "postfix/smtpd[1]: connect from a[not-an-ip]"),
        None
    );
    // Another program's line: no match; no program: relaxed.
    assert_eq!(key_of(&m, "sendmail[1]: connect from a[192.0.2.7]"), None);
    let r = m
        .match_line("lost connection after AUTH from unknown[198.51.100.3]")
        .unwrap();
    assert_eq!(r.relaxed, Relaxed::NO_PROGRAM);
    // An entry that names its program keeps its template's first word as
    // text: `warning:` is no tag there.
    let line =
        "postfix/smtpd[1]: warning: hostname h.example does not resolve to address 192.0.2.9";
    let r = m.match_line(line).unwrap();
    assert_eq!(
        m.entries()[r.entry].key,
        "postfix:smtpd-hostname-does-not-resolve"
    );
    assert!(r.relaxed.is_empty());
    assert_eq!(
        key_of(&m, "hostname h does not resolve to address 192.0.2.9"),
        None
    );
    // The built-in catalog still works beside it.
    assert!(key_of(&m, "Nov 22 10:15:02 nxr1 pppd[812]: Exit.").is_some());
}

#[test]
fn a_csv_catalog_with_inline_types_compiles_alone() {
    let m = matcher_with_files(false, &["postfix.csv"]);
    assert_eq!(m.entries().len(), 2);
    let line = "postfix/smtpd[9]: lost connection after DATA from x[192.0.2.1]";
    assert_eq!(
        key_of(&m, line).as_deref(),
        Some("postfix-csv:smtpd-lost-connection")
    );
    // `<ip:ipv4>` became `<ip>` with the type ipv4, severity 5 = notice.
    let e = &m.entries()[1];
    assert_eq!(
        e.template,
        "lost connection after <command> from <client>[<ip>]"
    );
    assert_eq!(e.severity, 5);
    assert_eq!(key_of(&m, "postfix/smtpd[9]: connect from x[300.1]"), None);
}

#[test]
fn yaml_errors_name_file_line_and_field() {
    // A field serde cannot read stops the file at its line.
    let e = errors_of(user::from_yaml(
        "a.yaml",
        "a",
        "vendor: V\nproduct: P\nentries:\n  - key: a\n    template: x\n    colour: red\n",
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("a.yaml:6: ") && e[0].contains("colour"),
        "{e:?}"
    );
    // The checks after it report every entry's problems, each at its line.
    let text = "vendor: V\nproduct: P\ntypes: {n: numeric}\nentries:\n  - key: a\n    template: x <n>\n  - key: a\n    template: y\n  - key: b\n    severity: loud\n    template: z\n  - key: c\n  - key: d\n    template: \"<v:float>\"\n  - key: e\n    template: \"a <*> b\"\n";
    let e = errors_of(user::from_yaml("a.yaml", "a", text));
    let want = [
        "a.yaml: types.n: unknown type \"numeric\"",
        "a.yaml:7: key: \"a\" is used twice (first on line 5)",
        "a.yaml:9: severity: ",
        "a.yaml:12: template: required",
        "a.yaml:13: template <v:float>: unknown type \"float\"",
    ];
    assert_eq!(e.len(), want.len(), "{e:#?}");
    for (got, want) in e.iter().zip(want) {
        assert!(got.starts_with(want), "{got:?} should start with {want:?}");
    }
}

#[test]
fn csv_errors_name_file_line_and_field() {
    let e = errors_of(user::from_csv(
        "c.csv",
        "c",
        "key,vendor,product,colour\na,V,P,red\n",
    ));
    assert_eq!(e, ["c.csv:1: colour: unknown column; expected some of key, template, severity, id, name, category, explanation, action, program, vendor, product, source"]);
    let e = errors_of(user::from_csv(
        "c.csv",
        "c",
        "key,vendor,product,template,severity\na,V,P,x,info\nb,W,P,y,info\nc,V,P,,9\n",
    ));
    assert_eq!(e.len(), 3, "{e:#?}");
    assert!(
        e[0].starts_with("c.csv:3: vendor: \"W\" differs from \"V\" on line 2"),
        "{e:?}"
    );
    assert!(e[1].starts_with("c.csv:4: severity: "), "{e:?}");
    assert!(e[2].starts_with("c.csv:4: template: required"), "{e:?}");
}

#[test]
fn a_key_used_twice_across_catalogs_names_both_places() {
    let mut catalog = logref_catalog::load_default().unwrap();
    let (s, e) = user::from_csv(
        "mine.csv",
        "mine",
        "key,vendor,product,template\nnxr:pppd-pid-exit-44b98e,V,P,Exit now\nmine:x,V,P,x y z\n",
    )
    .unwrap();
    let err = user::merge(&mut catalog, vec![("mine.csv".into(), s, e)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "mine.csv:2: key: \"nxr:pppd-pid-exit-44b98e\" is already defined in the built-in catalog (003_36d23bcc90e79fc9.txt)"
    );
}

#[test]
fn a_user_key_rule_identifies_by_id() {
    let text = "vendor: Fortinet\nproduct: FortiGate\nkey_rules:\n  - {kind: field, field: logid, numeric: true}\nentries:\n  - key: fgt:0100032001\n    id: \"0100032001\"\n    name: admin-login\n";
    let (source, entries) = user::from_yaml("f.yaml", "f", text).unwrap();
    let mut catalog = Catalog {
        version: logref_catalog::CATALOG_VERSION,
        sources: Vec::new(),
        entries: Vec::new(),
    };
    user::merge(&mut catalog, vec![("f.yaml".into(), source, entries)]).unwrap();
    let (bytes, _) = compile::compile(&catalog).unwrap();
    let m = Matcher::from_bytes(&bytes).unwrap();
    let line = "date=2019-05-10 time=11:37:47 logid=\"0100032001\" type=\"event\" user=\"admin\"";
    assert_eq!(key_of(&m, line).as_deref(), Some("fgt:0100032001"));
    assert_eq!(key_of(&m, "date=2019-05-10 logid=\"0100032002\""), None);
}
