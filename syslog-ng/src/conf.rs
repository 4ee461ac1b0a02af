//! The example `syslog-ng.conf`: a file source, the pattern database
//! looked up the way the engine tries a line, and a file destination
//! writing each message as JSON with the `logref.*` values.
//!
//! One `db-parser` lookup is not the engine's order, so the configuration
//! chains several over the same database, each only while no rule named
//! the message (its class is not `logref`):
//!
//! 1. each key rule, on the key's value (`kv-parser` finds an id field;
//!    a tag is the message's first word, or the RFC 5424 MSGID);
//! 2. the message's own program's ruleset (syslog-ng's usual lookup);
//! 3. the ruleset of templates without a program, on the message after any
//!    tag (the engine lets a template without a program match a line of
//!    any program);
//! 4. the same, on the message as it was written: syslog-ng takes the
//!    first word of a line without a tag for a program (`L2TP client ...`
//!    arrives as program `L2TP`), and `${LEGACY_MSGHDR}${MESSAGE}` gives
//!    the text back;
//! 5. the relaxed copies of templates that name a program, on the message
//!    as written, for a line whose program no template names: they match
//!    only a line without a tag, as in the engine (a line with another
//!    daemon's tag starts with that tag, and a line from a program the
//!    catalog knows only matches that program's templates).
//!
//! Step 2 skips a line whose pid is not a number, as the engine does.

use std::fmt::Write as _;

use logref_engine::artifact::{KeyRule, Tables};

use crate::{
    key_ruleset_program, tag_text_ruleset_program, Options, PDB_FILE, RELAXED_RULESET_PROGRAM,
};

/// The prefix `kv-parser` writes the pairs under.
const KV_PREFIX: &str = ".logref.kv.";
/// The message, and the message as written (its tag included), with each
/// run of blanks one space: a template's blank is any run of blanks and
/// tabs for the engine, and one space in a pattern.
const TEXT: &str = ".logref.text";
const WRITTEN: &str = ".logref.written";

pub fn conf(tables: &Tables, options: &Options) -> String {
    let pdb = format!("{}/{PDB_FILE}", options.dir.trim_end_matches('/'));
    let mut parsers = String::new();
    let mut steps = Vec::new();
    let db = |program: &str, template: &str| {
        format!(
            "db-parser(file(\"{pdb}\") program-template(\"{program}\") template(\"{template}\"))"
        )
    };
    if tables
        .key_rules
        .iter()
        .any(|r| matches!(r, KeyRule::Field { .. }))
    {
        let _ = writeln!(
            parsers,
            "# The message's key=value pairs, for the id fields below.\n\
             parser p_logref_kv {{ kv-parser(prefix(\"{KV_PREFIX}\")); }};"
        );
    }
    for (n, rule) in tables.key_rules.iter().enumerate() {
        let program = key_ruleset_program(n, rule);
        match rule {
            KeyRule::Field {
                field,
                with_any_of,
                programs,
                ..
            } => {
                let value = format!("${{{KV_PREFIX}{field}}}");
                let _ = writeln!(
                    parsers,
                    "# Key rule {n}: the id is the value of the field `{field}`.\n\
                     parser p_logref_key_{n} {{ {}; }};",
                    db(&program, &value)
                );
                // The field alone is too common to name an entry: one of
                // `with_any_of` must be there too, or the line come from
                // one of `programs`.
                let mut also: Vec<String> = with_any_of
                    .iter()
                    .map(|f| format!("\"${{{KV_PREFIX}{f}}}\" ne \"\""))
                    .collect();
                also.extend(
                    programs
                        .iter()
                        .map(|p| format!("program(\"{p}\" type(string))")),
                );
                let cond = if also.is_empty() {
                    format!("\"{value}\" ne \"\"")
                } else {
                    format!("\"{value}\" ne \"\" and ({})", also.join(" or "))
                };
                steps.push((
                    format!("key rule {n}: field {field}"),
                    format!("parser(p_logref_kv); if ({cond}) {{ parser(p_logref_key_{n}); }};"),
                ));
            }
            KeyRule::Pattern(rule) => {
                // syslog-ng's regexp-parser (PCRE) finds the id; the same
                // pattern for ids, which are plain text. The template's
                // parameters after the id are not extracted here.
                let [a, b, c] = &rule.split;
                let named = format!("{a}(?<logref_id>{b}){c}");
                let _ = writeln!(
                    parsers,
                    "# Key rule {n}: the id is the capture of `{}` anywhere in the message.\n\
                     parser p_logref_key_{n}_find {{ regexp-parser(patterns(\"{}\") prefix(\"{KV_PREFIX}\")); }};\n\
                     parser p_logref_key_{n} {{ {}; }};",
                    rule.pattern,
                    named.replace('\\', "\\\\").replace('"', "\\\""),
                    db(&program, &format!("${{{KV_PREFIX}logref_id}}"))
                );
                steps.push((
                    format!("key rule {n}: id pattern"),
                    format!("if (parser(p_logref_key_{n}_find)) {{ parser(p_logref_key_{n}); }};"),
                ));
            }
            KeyRule::Tag => {
                let text_program = tag_text_ruleset_program(n);
                let text = format!("${{{TEXT}}}");
                let _ = writeln!(
                    parsers,
                    "# Key rule {n}: the id is a tag word starting the message (with the text after it\n\
                     # as its template describes it, or any text), or the RFC 5424 MSGID.\n\
                     parser p_logref_key_{n}_text {{ {}; }};\n\
                     parser p_logref_key_{n} {{ {}; }};\n\
                     parser p_logref_key_{n}_msgid {{ {}; }};",
                    db(&text_program, &text),
                    db(&program, &text),
                    db(&program, "${MSGID}")
                );
                steps.push((
                    format!("key rule {n}: tag and text"),
                    format!("parser(p_logref_key_{n}_text);"),
                ));
                steps.push((
                    format!("key rule {n}: tag"),
                    format!("parser(p_logref_key_{n});"),
                ));
                steps.push((
                    format!("key rule {n}: MSGID"),
                    format!("if (\"${{MSGID}}\" ne \"\") {{ parser(p_logref_key_{n}_msgid); }};"),
                ));
            }
        }
    }
    let _ = writeln!(
        parsers,
        "# The templates: the message's program picks the ruleset.\n\
         parser p_logref_program {{ db-parser(file(\"{pdb}\") template(\"${{{TEXT}}}\")); }};\n\
         # Templates without a program, on the message after any tag ...\n\
         parser p_logref_no_program {{ {}; }};\n\
         # ... and on the message as written (a first word syslog-ng took for a program).\n\
         parser p_logref_as_written {{ {}; }};",
        db("", &format!("${{{TEXT}}}")),
        db("", &format!("${{{WRITTEN}}}"))
    );
    let _ = writeln!(
        parsers,
        "# Templates that name a program, on a message without one (relaxed).\n\
         parser p_logref_relaxed {{ {}; }};",
        db(RELAXED_RULESET_PROGRAM, &format!("${{{WRITTEN}}}"))
    );
    // A tag whose pid is not a number is not that daemon's (as the engine
    // reads it).
    steps.push((
        "the program's templates".into(),
        "if (\"${PID}\" eq \"\" or match(\"^[0-9]+$\" value(\"PID\"))) { parser(p_logref_program); };"
            .into(),
    ));
    steps.push((
        "templates without a program".into(),
        "parser(p_logref_no_program);".into(),
    ));
    steps.push((
        "the message as written".into(),
        "parser(p_logref_as_written);".into(),
    ));
    // As in the engine, a line from a program some template names (or an
    // alias of one) never matches another program's templates: the relaxed
    // copies only run for other lines (RFC 5424 lines carry the program
    // outside the message, so the message alone does not show it).
    steps.push((
        "templates that name a program, relaxed".into(),
        format!(
            "if (not ({})) {{ parser(p_logref_relaxed); }};",
            known_programs_filter(tables)
        ),
    ));

    // Every rule has class `logref`; until one matched, the class is
    // unset or `unknown`.
    let mut log = "    if (message(\"^<[0-9]{1,3}>1 \")) {\n\
                   \x20       parser { syslog-parser(flags(syslog-protocol)); };\n\
                   \x20   } else {\n\
                   \x20       parser { syslog-parser(); };\n\
                   \x20   };\n\
                   \x20   rewrite(r_logref_text);\n"
        .to_string();
    for (what, step) in &steps {
        let _ = writeln!(
            log,
            "    # {what}\n    if (\"${{.classifier.class}}\" ne \"logref\") {{ {step} }};"
        );
    }
    format!(
        "@version: 3.38\n\
         @include \"scl.conf\"\n\
         \n\
         # Generated by `logref export patterndb`. Lines of {log_file} go out to\n\
         # {out_file} as JSON, with the documented message's key, id, name,\n\
         # severity, explanation, action and parameters under `logref`.\n\
         \n\
         # Raw lines: the log path picks the RFC 5424 or the RFC 3164 parser\n\
         # by the line's shape (a file source alone parses RFC 3164 only).\n\
         source s_logref {{ file(\"{log_file}\" follow-freq(1) flags(no-parse)); }};\n\
         \n\
         rewrite r_logref_text {{\n\
         \x20   set(\"${{MESSAGE}}\" value(\"{TEXT}\"));\n\
         \x20   subst(\"[ \\t]+\" \" \" value(\"{TEXT}\") flags(global));\n\
         \x20   subst(\"^ \" \"\" value(\"{TEXT}\"));\n\
         \x20   set(\"${{LEGACY_MSGHDR}}${{MESSAGE}}\" value(\"{WRITTEN}\"));\n\
         \x20   subst(\"[ \\t]+\" \" \" value(\"{WRITTEN}\") flags(global));\n\
         }};\n\
         \n\
         {parsers}\n\
         destination d_logref {{\n\
         \x20   file(\"{out_file}\" template(\"$(format-json --scope rfc5424 --key logref.* --exclude DATE --exclude LEGACY_MSGHDR)\\n\"));\n\
         }};\n\
         \n\
         log {{\n\
         \x20   source(s_logref);\n\
         {log}\
         \x20   destination(d_logref);\n\
         }};\n",
        log_file = options.log_file,
        out_file = options.out_file,
    )
}

/// A filter true for a line from a program some template names, or from
/// one of the catalog's aliases (`*` aliases as globs).
fn known_programs_filter(tables: &Tables) -> String {
    let mut names: Vec<(&str, &str)> = tables
        .known_programs()
        .into_iter()
        .map(|p| (p, "string"))
        .collect();
    for (alias, _) in &tables.aliases {
        let kind = if alias.contains('*') {
            "glob"
        } else {
            "string"
        };
        names.push((alias.as_str(), kind));
    }
    if names.is_empty() {
        return "\"\" ne \"\"".into();
    }
    names
        .iter()
        .map(|(p, kind)| format!("program(\"{p}\" type({kind}))"))
        .collect::<Vec<_>>()
        .join(" or ")
}
