//! The approved `helm upgrade` command (SPEC §3), the one certgate builds: written byte for byte.
//!
//! This file owns:
//! - POSIX shell quoting of one word ([`shell_quote`]);
//! - the choice of `--set-string` for a value `--set` would type ([`needs_set_string`]);
//! - the command's fixed form ([`UpgradeCommand::render`]): `helm upgrade --reuse-values`, `-f FILE`s,
//!   one `--set`/`--set-string` per change in the caller's order (key and value escaped by
//!   [`strvals::push_key`] and [`strvals::push_value`], the inverse of Helm's parser), release,
//!   chart, `--namespace NS` (Helm 3, when known), `--tls` (Helm 2).
//!
//! Key material read from a PEM file is never spelled out: it is passed by reference as
//! `tls.key="$(base64 -w0 < PATH)"`, which [`super::argv::parse_command`] records as a file
//! reference when the command is read back to prove it (`model::plan`). A command a person wrote is
//! judged in [`super::proposed`].

use super::HelmVersion;
use super::strvals;
use crate::source::value::SetFlag;

/// A value or word that the command cannot carry exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A NUL character cannot be passed in a command-line argument.
    #[error("{what} contains a NUL character, which no command-line argument can carry")]
    Nul { what: String },
    /// `a..b`, `.a` or `a.`: Helm's parser cannot set an empty key.
    #[error("key path {key:?} has an empty segment, which Helm's --set cannot address")]
    EmptyKeySegment { key: String },
    /// A PEM path passed by reference must survive `"$(base64 -w0 < PATH)"` and its parsing back.
    #[error("path {path:?} contains a double quote or a backslash and cannot be passed by reference")]
    FileRefPath { path: String },
    /// The release or chart is empty or would be read as a flag.
    #[error("{what} {word:?} is empty or starts with '-', so helm would not read it as the {what}")]
    BadPositional { what: &'static str, word: String },
}

/// A value escaped for Helm's parser ([`strvals::push_value`]), appended to `out`.
///
/// Typing (`true`, `1234`, `null`) is not an escaping matter: Helm types the unescaped text, so such
/// values go with `--set-string` ([`needs_set_string`]).
fn push_set_value(out: &mut String, s: &str) -> Result<(), BuildError> {
    if s.contains('\0') {
        return Err(BuildError::Nul { what: "value".into() });
    }
    strvals::push_value(out, s);
    Ok(())
}

/// A dotted key path (`tls.key`) escaped for Helm's parser ([`strvals::push_key`]), appended to `out`.
fn push_set_key(out: &mut String, path: &str) -> Result<(), BuildError> {
    if path.contains('\0') {
        return Err(BuildError::Nul {
            what: format!("key {path:?}"),
        });
    }
    strvals::push_key(out, path).map_err(|strvals::EmptySegment| BuildError::EmptyKeySegment { key: path.to_string() })
}

/// Whether `--set` would type this string (bool, null, integer), so it must go with `--set-string`.
pub fn needs_set_string(s: &str) -> bool {
    strvals::typed(s).is_some()
}

/// The bytes a shell word may hold unquoted: `[A-Za-z0-9_./:=@%+,-]` (ASCII only, so no byte of a
/// multi-byte character is among them).
fn is_shell_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b':' | b'=' | b'@' | b'%' | b'+' | b',' | b'-')
}

/// Quote one word for a POSIX shell: as is when every character is in `[A-Za-z0-9_./:=@%+,-]`,
/// otherwise in single quotes (an embedded `'` becomes `'\''`); the empty word is `''`.
pub fn shell_quote(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    push_shell_quoted(&mut out, word);
    out
}

/// [`shell_quote`], appended to `out`.
fn push_shell_quoted(out: &mut String, word: &str) {
    if is_shell_word(word) {
        out.push_str(word);
        return;
    }
    out.push('\'');
    for (i, piece) in word.split('\'').enumerate() {
        if i > 0 {
            out.push_str(r"'\''");
        }
        out.push_str(piece);
    }
    out.push('\'');
}

fn is_shell_word(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(is_shell_safe)
}

/// The new value of one key in the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeValue {
    /// A string, exactly (`--set`, or `--set-string` when `--set` would type it).
    Str(String),
    /// Removal: `--set KEY=null` (Helm deletes a null key when it coalesces).
    Null,
    /// Key material from a PEM file, passed by reference: `KEY="$(base64 -w0 < PATH)"`.
    FileRef { path: String },
}

/// One `--set` of the command: a dotted key path and its new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub key: String,
    pub value: ChangeValue,
}

impl Change {
    pub fn new(key: impl Into<String>, value: ChangeValue) -> Self {
        Change { key: key.into(), value }
    }

    /// Append the flag and the `KEY=VALUE` word (quoted for the shell) to the command line.
    /// `word` is scratch space: the word is built there, then quoted into the line.
    fn write(&self, line: &mut Line, word: &mut String) -> Result<(), BuildError> {
        word.clear();
        push_set_key(word, &self.key)?;
        word.push('=');
        // The flag, and the PEM file a value is read from by the shell.
        let (flag, file) = match &self.value {
            ChangeValue::Null => {
                word.push_str("null");
                (SetFlag::Set, None)
            }
            ChangeValue::Str(s) => {
                push_set_value(word, s)?;
                let flag = if needs_set_string(s) {
                    SetFlag::SetString
                } else {
                    SetFlag::Set
                };
                (flag, None)
            }
            ChangeValue::FileRef { path } => {
                if path.is_empty() || path.contains(['"', '\\', '\0']) {
                    return Err(BuildError::FileRefPath { path: path.clone() });
                }
                (SetFlag::Set, Some(path))
            }
        };
        line.word(flag.as_flag());
        line.quoted(word);
        if let Some(path) = file {
            // Inside "$( … )" the shell starts a new quoting context, so the single-quoted
            // path works within the double quotes.
            line.0.push_str("\"$(base64 -w0 < ");
            push_shell_quoted(&mut line.0, path);
            line.0.push_str(")\"");
        }
        Ok(())
    }
}

/// A command line being written: words separated by one space, in one string.
struct Line(String);

impl Line {
    /// The space before the next word, unless it is the first.
    fn separate(&mut self) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
    }

    fn word(&mut self, word: &str) {
        self.separate();
        self.0.push_str(word);
    }

    /// A word quoted for the shell ([`shell_quote`]).
    fn quoted(&mut self, word: &str) {
        self.separate();
        push_shell_quoted(&mut self.0, word);
    }
}

/// Everything the approved command is made of (SPEC §3). The caller orders `changes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeCommand {
    pub release: String,
    /// The chart path as the user gave it.
    pub chart: String,
    /// Added as `--namespace NS` with Helm 3 only.
    pub namespace: Option<String>,
    pub helm: HelmVersion,
    /// `-f FILE` for values files that hold key material.
    pub values_files: Vec<String>,
    pub changes: Vec<Change>,
}

impl UpgradeCommand {
    /// The command line, words separated by one space. It is written straight into one string
    /// (one per unit of a run: 10,000 units made ~20 small strings each when it was joined from words).
    pub fn render(&self) -> Result<String, BuildError> {
        let mut line = Line(String::with_capacity(512));
        line.word("helm upgrade --reuse-values");
        for f in &self.values_files {
            no_nul("values file", f)?;
            line.word("-f");
            line.quoted(f);
        }
        let mut word = String::new();
        for c in &self.changes {
            c.write(&mut line, &mut word)?;
        }
        for (what, word) in [("release", &self.release), ("chart", &self.chart)] {
            no_nul(what, word)?;
            if word.is_empty() || word.starts_with('-') {
                return Err(BuildError::BadPositional {
                    what,
                    word: word.clone(),
                });
            }
            line.quoted(word);
        }
        match self.helm {
            HelmVersion::V3 | HelmVersion::V4 => {
                if let Some(ns) = &self.namespace {
                    no_nul("namespace", ns)?;
                    line.word("--namespace");
                    line.quoted(ns);
                }
            }
            HelmVersion::V2 => line.word("--tls"),
        }
        Ok(line.0)
    }
}

fn no_nul(what: &str, s: &str) -> Result<(), BuildError> {
    if s.contains('\0') {
        return Err(BuildError::Nul {
            what: format!("{what} {s:?}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::argv::parse_command;
    use proptest::prelude::*;
    use serde_json::{Value as J, json};

    fn doc_change() -> UpgradeCommand {
        UpgradeCommand {
            release: "eventstreams1".into(),
            chart: "ibm-eventstreams-prod-1.4.0.tgz".into(),
            namespace: None,
            helm: HelmVersion::V2,
            values_files: vec![],
            changes: vec![Change::new(
                "global.security.externalCertificateLabel",
                ChangeValue::Str("upgradedlabel1".into()),
            )],
        }
    }

    #[test]
    fn the_documentation_command_byte_for_byte() {
        let mut c = doc_change();
        assert_eq!(
            c.render().unwrap(),
            "helm upgrade --reuse-values --set global.security.externalCertificateLabel=upgradedlabel1 eventstreams1 ibm-eventstreams-prod-1.4.0.tgz --tls"
        );
        c.helm = HelmVersion::V3;
        assert_eq!(
            c.render().unwrap(),
            "helm upgrade --reuse-values --set global.security.externalCertificateLabel=upgradedlabel1 eventstreams1 ibm-eventstreams-prod-1.4.0.tgz"
        );
        c.namespace = Some("es".into());
        assert_eq!(
            c.render().unwrap(),
            "helm upgrade --reuse-values --set global.security.externalCertificateLabel=upgradedlabel1 eventstreams1 ibm-eventstreams-prod-1.4.0.tgz --namespace es"
        );
        c.helm = HelmVersion::V2;
        assert!(c.render().unwrap().ends_with(" ibm-eventstreams-prod-1.4.0.tgz --tls"));
    }

    #[test]
    fn full_form() {
        let c = UpgradeCommand {
            release: "es1".into(),
            chart: "charts/ibm-eventstreams-prod-1.4.0.tgz".into(),
            namespace: Some("es".into()),
            helm: HelmVersion::V2,
            values_files: vec!["deploy/es/values.yaml".into()],
            changes: vec![
                Change::new(
                    "global.security.externalCertificateLabel",
                    ChangeValue::Str("1234".into()),
                ),
                Change::new("tls.type", ChangeValue::Str("provided".into())),
                Change::new("tls.secretName", ChangeValue::Null),
                Change::new(
                    "tls.key",
                    ChangeValue::FileRef {
                        path: "path/to/tls.key".into(),
                    },
                ),
                Change::new(
                    "tls.cert",
                    ChangeValue::FileRef {
                        path: "my certs/tls.crt".into(),
                    },
                ),
                Change::new("tls.cacert", ChangeValue::Str("a,b c\\'".into())),
            ],
        };
        assert_eq!(
            c.render().unwrap(),
            concat!(
                "helm upgrade --reuse-values -f deploy/es/values.yaml",
                " --set-string global.security.externalCertificateLabel=1234",
                " --set tls.type=provided --set tls.secretName=null",
                " --set tls.key=\"$(base64 -w0 < path/to/tls.key)\"",
                " --set tls.cert=\"$(base64 -w0 < 'my certs/tls.crt')\"",
                " --set 'tls.cacert=a\\,b c\\\\'\\'''",
                " es1 charts/ibm-eventstreams-prod-1.4.0.tgz --tls"
            )
        );
        let p = parse_command(&c.render().unwrap(), HelmVersion::V2).unwrap();
        assert_eq!(
            strvals::to_json(&p.values),
            json!({"global": {"security": {"externalCertificateLabel": "1234"}},
                   "tls": {"type": "provided", "secretName": null, "cacert": "a,b c\\'"}})
        );
        let refs: Vec<(&str, &str)> = p.file_refs.iter().map(|f| (f.key.as_str(), f.path.as_str())).collect();
        assert_eq!(
            refs,
            vec![("tls.key", "path/to/tls.key"), ("tls.cert", "my certs/tls.crt")]
        );
        assert_eq!(
            p.values_files.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(),
            vec!["deploy/es/values.yaml"]
        );
        assert!(p.reuse_values);
        assert!(p.tls.is_some());
        assert_eq!(p.release(), Some("es1"));
        assert_eq!(p.chart(), Some("charts/ibm-eventstreams-prod-1.4.0.tgz"));
    }

    #[test]
    fn what_a_change_cannot_carry() {
        let with = |key: &str, value: &str| {
            let mut c = doc_change();
            c.changes = vec![Change::new(key, ChangeValue::Str(value.into()))];
            c.render()
        };
        assert_eq!(
            with("a.b=c,d[0]", "{x},y\\").unwrap(),
            "helm upgrade --reuse-values --set 'a.b\\=c\\,d\\[0]=\\{x}\\,y\\\\' eventstreams1 ibm-eventstreams-prod-1.4.0.tgz --tls"
        );
        assert!(matches!(with("k", "a\0"), Err(BuildError::Nul { .. })));
        assert!(matches!(with("k\0", "a"), Err(BuildError::Nul { .. })));
        for key in ["a..b", "", ".a", "a."] {
            assert!(
                matches!(with(key, "a"), Err(BuildError::EmptyKeySegment { .. })),
                "{key:?}"
            );
        }
    }

    #[test]
    fn set_string_for_what_set_would_type() {
        assert!(needs_set_string("True"));
        assert!(needs_set_string("NULL"));
        assert!(needs_set_string("0"));
        assert!(needs_set_string("-12"));
        assert!(!needs_set_string("007"));
        assert!(!needs_set_string("1e3"));
        assert!(!needs_set_string(""));
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a-b_c.d/e:f=g@h%i+j,k"), "a-b_c.d/e:f=g@h%i+j,k");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("#x"), "'#x'");
        assert_eq!(shell_quote("~"), "'~'");
        assert_eq!(shell_quote("é"), "'é'");
    }

    #[test]
    fn unusable_words() {
        let mut c = doc_change();
        c.release = "-x".into();
        assert!(c.render().is_err());
        let mut c = doc_change();
        c.chart = String::new();
        assert!(c.render().is_err());
        let mut c = doc_change();
        c.changes = vec![Change::new("tls.key", ChangeValue::FileRef { path: "a\"b".into() })];
        assert!(c.render().is_err());
    }

    const KEYS: [&str; 7] = [
        "global.security.externalCertificateLabel",
        "global.security.internalCertificateLabel",
        "tls.type",
        "tls.secretName",
        "tls.key",
        "tls.cert",
        "tls.cacert",
    ];

    fn value_strategy() -> impl Strategy<Value = ChangeValue> {
        let strings = prop_oneof![
            "[a-z0-9]([-a-z0-9_.]{0,20}[a-z0-9])?",
            "[A-Za-z0-9._-]{0,63}",
            "[ -~]{0,30}",
            "[,\\\\'\"={}\\[\\]. a-z$`#~*?!;&|<>()\t\n-]{0,15}",
            "\\PC{0,12}",
            prop::sample::select(vec![
                "true", "false", "null", "NULL", "True", "1234", "0", "007", "-5", "+5", "1e3", "", "{a,b}", "{",
                "a,b", "\\", "a\\", "'", "\"", "=", ",", "-", "--tls",
            ])
            .prop_map(String::from),
        ];
        prop_oneof![
            6 => strings.prop_map(ChangeValue::Str),
            1 => Just(ChangeValue::Null),
            1 => "[A-Za-z0-9_./ '()$#`~-]{1,20}".prop_map(|path| ChangeValue::FileRef { path }),
        ]
    }

    fn command_strategy() -> impl Strategy<Value = UpgradeCommand> {
        (
            prop::collection::vec(prop::option::of(value_strategy()), 7),
            "[a-z][a-z0-9-]{0,10}",
            "[A-Za-z0-9_.][A-Za-z0-9_./ '-]{0,19}",
            prop::option::of("[a-z0-9-]{1,10}"),
            prop::bool::ANY,
            prop::collection::vec("[A-Za-z0-9_./ '-]{1,15}", 0..3),
        )
            .prop_map(|(vals, release, chart, namespace, v3, values_files)| {
                let changes = KEYS
                    .iter()
                    .zip(vals)
                    .filter_map(|(k, v)| v.map(|v| Change::new(*k, v)))
                    .collect();
                UpgradeCommand {
                    release,
                    chart,
                    namespace,
                    helm: if v3 { HelmVersion::V3 } else { HelmVersion::V2 },
                    values_files,
                    changes,
                }
            })
    }

    fn insert_path(root: &mut J, path: &str, v: J) {
        let mut here = root;
        let parts: Vec<&str> = path.split('.').collect();
        for (n, part) in parts.iter().enumerate() {
            let obj = here.as_object_mut().expect("object");
            if n + 1 == parts.len() {
                obj.insert(part.to_string(), v);
                return;
            }
            here = obj.entry(part.to_string()).or_insert_with(|| json!({}));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn build_then_parse_gives_the_same_values(cmd in command_strategy()) {
            let text = cmd.render().expect("renders");
            let p = parse_command(&text, cmd.helm).expect("parses");
            prop_assert!(p.set_errors.is_empty(), "{:?}", p.set_errors);
            prop_assert!(p.missing_values.is_empty());
            prop_assert!(p.other_flags.is_empty(), "{:?}", p.other_flags);
            let mut want = json!({});
            let mut refs = Vec::new();
            for c in &cmd.changes {
                match &c.value {
                    ChangeValue::Str(s) => insert_path(&mut want, &c.key, J::String(s.clone())),
                    ChangeValue::Null => insert_path(&mut want, &c.key, J::Null),
                    ChangeValue::FileRef { path } => refs.push((c.key.clone(), path.clone())),
                }
            }
            prop_assert_eq!(strvals::to_json(&p.values), want);
            let got_refs: Vec<(String, String)> =
                p.file_refs.iter().map(|f| (f.key.clone(), f.path.clone())).collect();
            prop_assert_eq!(got_refs, refs);
            prop_assert_eq!(p.release(), Some(cmd.release.as_str()));
            prop_assert_eq!(p.chart(), Some(cmd.chart.as_str()));
            prop_assert_eq!(p.positionals.len(), 2);
            let files: Vec<String> = p.values_files.iter().map(|w| w.text.clone()).collect();
            prop_assert_eq!(files, cmd.values_files.clone());
            prop_assert!(p.reuse_values);
            prop_assert_eq!(p.tls.is_some(), cmd.helm == HelmVersion::V2);
            let ns = if cmd.helm == HelmVersion::V3 { cmd.namespace.as_deref() } else { None };
            prop_assert_eq!(p.namespace(), ns);
        }

        #[test]
        fn quoting_round_trips_through_shlex(word in "\\PC{0,20}|[ -~\t\n]{0,20}") {
            let words = shlex::split(&shell_quote(&word)).expect("splits");
            prop_assert_eq!(words, vec![word]);
        }
    }
}
