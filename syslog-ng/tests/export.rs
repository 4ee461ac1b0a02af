//! The export on the default catalog and on a user's catalog: every entry
//! becomes a rule, programs become rulesets, key rules their own rulesets,
//! and the values carry the entry.

use logref_engine::Matcher;
use logref_syslog_ng::{export, Options};

fn default_export() -> logref_syslog_ng::Export {
    let m = logref_default_artifact::matcher().unwrap();
    export(m.tables(), &Options::default())
}

#[test]
fn every_entry_of_the_default_catalog_is_a_rule_but_exact_duplicates() {
    let ex = default_export();
    let m = logref_default_artifact::matcher().unwrap();
    // Two entries whose templates another entry has word for word: one
    // radix tree names one of them (catalog/lint.txt lists the pairs).
    assert_eq!(ex.stats.entries_without_rule, 2, "{:?}", ex.stats);
    for e in m.entries() {
        let named = ex.pdb.contains(&format!(
            "<value name=\"logref.key\">{}</value>",
            logref_syslog_ng::xml(&e.key)
        ));
        if !named {
            continue;
        }
        assert!(ex
            .pdb
            .contains(&format!("id=\"{}@", logref_syslog_ng::xml(&e.key))));
    }
    assert!(ex.stats.rules > m.entries().len());
}

#[test]
fn programs_key_rules_and_the_relaxed_copies_have_rulesets() {
    let ex = default_export();
    for program in [
        "<pattern>pppd</pattern>",
        "<pattern>l2tpd</pattern>",
        "<pattern>logref-key-0-id</pattern>",
        "<pattern>logref-key-1-tag</pattern>",
        "<pattern>logref-key-1-tag-text</pattern>",
        "<pattern>logref-relaxed-no-program</pattern>",
    ] {
        assert!(ex.pdb.contains(program), "no ruleset {program}");
    }
    // Clavister ids: as the numeric key and as the document writes them.
    assert!(ex.pdb.contains("<pattern>2800001</pattern>"));
    assert!(ex.pdb.contains("<pattern>02800001</pattern>"));
    // A Junos tag with the text its template describes, and alone.
    assert!(ex.pdb.contains("<pattern>DYNAMIC_VPN_AUTH_FAIL: Username/password and token are @ANYSTRING:logref.params.username@</pattern>")
        || ex.pdb.contains("<pattern>DYNAMIC_VPN_AUTH_FAIL: Username/password and token are @STRING:logref.params.username:"));
    assert!(ex.pdb.contains("<pattern>DYNAMIC_VPN_AUTH_FAIL</pattern>"));
}

#[test]
fn the_configuration_chains_the_lookups_in_the_engines_order() {
    let ex = default_export();
    let order = [
        "parser(p_logref_key_0)",
        "parser(p_logref_key_1_text)",
        "parser(p_logref_key_1)",
        "parser(p_logref_key_1_msgid)",
        "parser(p_logref_program)",
        "parser(p_logref_no_program)",
        "parser(p_logref_as_written)",
        "parser(p_logref_relaxed)",
    ];
    let log = &ex.conf[ex.conf.find("\nlog {").unwrap()..];
    let at: Vec<usize> = order.iter().map(|p| log.find(p).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
}

#[test]
fn a_user_catalog_exports_with_its_programs_and_types() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = root.join("examples/catalogs/postfix.yaml");
    let (source, entries) = logref_catalog::user::read(&path).unwrap();
    let mut catalog = logref_catalog::Catalog {
        version: logref_catalog::CATALOG_VERSION,
        sources: Vec::new(),
        entries: Vec::new(),
    };
    logref_catalog::user::merge(
        &mut catalog,
        vec![(path.display().to_string(), source, entries)],
    )
    .unwrap();
    let (bytes, _) = logref_catalog::compile::compile(&catalog).unwrap();
    let m = Matcher::from_bytes(&bytes).unwrap();
    let ex = export(m.tables(), &Options::default());
    assert!(ex.pdb.contains("<pattern>postfix/smtpd</pattern>"));
    assert!(ex.pdb.contains(
        "<pattern>connect from @ESTRING:logref.params.client:[@@STRING:logref.params.ip:.:@]</pattern>"
    ));
    assert!(ex
        .pdb
        .contains("<value name=\"logref.key\">postfix:smtpd-connect</value>"));
    assert_eq!(ex.stats.entries_without_rule, 0);
    // No key rule: no kv-parser in the configuration.
    assert!(!ex.conf.contains("kv-parser"));
}
