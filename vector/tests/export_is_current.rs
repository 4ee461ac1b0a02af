//! `examples/vector/` holds what `logref export vector` writes for the
//! embedded catalog; it must not go stale.

use std::path::Path;

#[test]
fn checked_in_vector_files_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let m = logref_default_artifact::matcher().expect("default artifact");
    let ex = logref_vector::export(
        m.tables(),
        m.catalog_checksum(),
        "examples/vector",
        "examples/device-logs.log",
    );
    for (file, want) in [
        (logref_vector::TABLE_FILE, &ex.table_csv),
        (logref_vector::MATCH_FILE, &ex.match_csv),
        (logref_vector::PROGRAM_FILE, &ex.program),
        (logref_vector::CONFIG_FILE, &ex.config_yaml),
    ] {
        let path = root.join("examples/vector").join(file);
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == *want,
            "{} is stale: regenerate with `cargo run --release --bin logref -- export vector`",
            path.display()
        );
    }
}
