//! Linting a proposed `helm upgrade` command line, one a person wrote (CG505 and its neighbours).
//!
//! This file owns the judgement of that command, as opposed to the one certgate builds
//! ([`super::approved`]); both are read by [`super::argv`]. Each issue names the shell word it
//! concerns, so a finding can point at it.
//! What it looks for:
//! - not a `helm upgrade` command at all;
//! - a bare `key=value` word that is not preceded by `--set` (the Event Streams documentation has
//!   one: Helm takes it as an extra positional argument and refuses the command);
//! - more (or fewer) than the two positionals, release and chart, that `helm upgrade` takes;
//! - `--tls` missing under Helm 2 (Tiller on ICP requires it) or present under Helm 3 (no such flag);
//! - a `--set` that Helm reads differently than a person would: an unescaped comma that starts
//!   another key, a value in braces (a list), `=null` (deletes the key), a value `--set` types;
//! - an argument Helm's parser rejects, a flag without its value, no `--reuse-values`, no
//!   `--namespace` under Helm 3.
//!
//! Placeholders (`<release_name>`) are read as ordinary words: they may be flagged, never crash.

use super::argv::{ParsedCommand, SetError, WordRef, parse_command};
use super::strvals::syntax::{self, unescape};
use super::strvals::{self, HelmVersion};
use crate::source::value::{Scalar, SetFlag};

/// How much an issue matters: a `Problem` makes the command wrong (CG505); a `Note` is worth
/// saying but may be intended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IssueLevel {
    Problem,
    Note,
}

/// What kind of issue, for the rule that reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IssueKind {
    /// The command is not valid shell (unterminated quote) or empty.
    ShellSyntax,
    /// Not `helm upgrade`.
    NotHelmUpgrade,
    /// `key=value` not preceded by `--set`.
    BareAssignment,
    /// More than two positionals (release, chart).
    TooManyPositionals,
    /// Fewer than two positionals.
    MissingPositionals,
    /// Helm 2 without `--tls`.
    TlsMissing,
    /// Helm 3 with `--tls`.
    TlsUnexpected,
    /// An unescaped comma in a `--set` value starts another key, which has no value.
    SetCommaSplits,
    /// One `--set` argument sets several keys (`a=1,b=2`): fine if meant, a split value if not.
    SetSeveralKeys,
    /// `--set KEY=null`: Helm deletes the key.
    SetNull,
    /// `--set` types the value (`true`, `1234`): it is not a string.
    SetTypedValue,
    /// A value in braces is a list.
    SetListBraces,
    /// Helm's parser rejects the argument.
    SetUnparseable,
    /// A flag that takes a value came last.
    FlagMissingValue,
    /// Values are set without `--reuse-values`: the release's other values are reset.
    ReuseValuesMissing,
    /// Helm 3 without `--namespace` (CG508): the kube context's namespace is used.
    NamespaceMissing,
}

/// One issue with the command, and the word it concerns (none for the command as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintIssue {
    pub kind: IssueKind,
    pub level: IssueLevel,
    pub message: String,
    pub word: Option<WordRef>,
}

/// The lint of one command line: what it parsed to (None when it is not valid shell) and its issues.
#[derive(Debug, Clone, PartialEq)]
pub struct Lint {
    pub parsed: Option<ParsedCommand>,
    pub issues: Vec<LintIssue>,
}

impl Lint {
    pub fn problems(&self) -> impl Iterator<Item = &LintIssue> {
        self.issues.iter().filter(|i| i.level == IssueLevel::Problem)
    }

    pub fn has(&self, kind: IssueKind) -> bool {
        self.issues.iter().any(|i| i.kind == kind)
    }
}

/// Issues of one kind about the items of one `--set` argument given one by one; the rest are counted.
pub const ITEM_ISSUES: usize = 10;

/// A positional word that reads as a values assignment: `key=value`, where the key has no path
/// separator (so `charts/a=b.tgz` stays a chart path).
fn looks_like_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((key, _)) => !key.is_empty() && !key.contains('/') && !key.starts_with('-'),
        None => false,
    }
}

fn issue(kind: IssueKind, level: IssueLevel, message: String, word: Option<WordRef>) -> LintIssue {
    LintIssue {
        kind,
        level,
        message,
        word,
    }
}

/// Lint a proposed command line for the given Helm major version.
pub fn lint_command(cmd: &str, helm: HelmVersion) -> Lint {
    use IssueKind as K;
    use IssueLevel::{Note, Problem};

    let parsed = match parse_command(cmd, helm) {
        Ok(p) => p,
        Err(e) => {
            return Lint {
                parsed: None,
                issues: vec![issue(K::ShellSyntax, Problem, e.to_string(), None)],
            };
        }
    };
    let mut issues = Vec::new();

    let program = parsed.program();
    let program_name = program.rsplit('/').next().unwrap_or(program);
    let sub = parsed.subcommand.as_ref().map(|w| w.text.as_str());
    let is_upgrade = program_name.starts_with("helm") && sub == Some("upgrade");
    if !is_upgrade {
        let what = match sub {
            Some(s) => format!("`{program} {s}`"),
            None => format!("`{program}`"),
        };
        issues.push(issue(
            K::NotHelmUpgrade,
            Problem,
            format!("{what} is not a `helm upgrade` command"),
            parsed.subcommand.clone().or_else(|| {
                Some(WordRef {
                    index: 0,
                    text: program.to_string(),
                })
            }),
        ));
    }

    // Positionals: bare assignments, then the count Helm accepts.
    if is_upgrade {
        let mut others = Vec::new();
        for w in &parsed.positionals {
            if looks_like_assignment(&w.text) {
                issues.push(issue(
                    K::BareAssignment,
                    Problem,
                    format!(
                        "`{}` looks like a values assignment but is not preceded by --set: Helm takes it as another \
                         positional argument and refuses the command; put `--set` before it",
                        w.text
                    ),
                    Some(w.clone()),
                ));
            } else {
                others.push(w);
            }
        }
        if parsed.positionals.len() > 2 {
            let extra = parsed.positionals.get(2).cloned();
            issues.push(issue(
                K::TooManyPositionals,
                Problem,
                format!(
                    "`helm upgrade` takes exactly two arguments, the release and the chart; this command \
                     has {}",
                    parsed.positionals.len()
                ),
                extra,
            ));
        } else if others.len() < 2 {
            issues.push(issue(
                K::MissingPositionals,
                Problem,
                "`helm upgrade` needs the release name and the chart".into(),
                None,
            ));
        }
    }

    // --tls, by Helm version.
    match (helm, parsed.tls) {
        (HelmVersion::V2, None) => issues.push(issue(
            K::TlsMissing,
            Problem,
            "no --tls: Helm 2 talks to Tiller over TLS on IBM Cloud Private and fails without it".into(),
            None,
        )),
        (HelmVersion::V3 | HelmVersion::V4, Some(index)) => issues.push(issue(
            K::TlsUnexpected,
            Problem,
            format!("--tls is a Helm 2 flag (for Tiller); {helm} has no such flag and rejects it"),
            Some(WordRef {
                index,
                text: parsed.words.get(index).cloned().unwrap_or_default(),
            }),
        )),
        _ => {}
    }

    // Each --set argument.
    let rejected_words: std::collections::HashMap<usize, &SetError> =
        parsed.set_errors.iter().map(|e| (e.word.index, e)).collect();
    for s in &parsed.sets {
        let rejected = rejected_words.get(&s.word.index).filter(|e| e.word == s.word);
        if s.flag == SetFlag::SetFile {
            continue;
        }
        let flag = s.flag.as_flag();
        // Keys and values are quoted as written: spans of the argument, escapes kept.
        let arg = s.word.text.as_str();
        let items = syntax::items(arg);
        let key = |item: &syntax::Item| &arg[item.key.clone()];
        let split_without_value = items.len() > 1 && items.iter().skip(1).any(|i| i.value.is_none());
        if split_without_value {
            let first = items.first().map(key).unwrap_or_default();
            issues.push(issue(
                K::SetCommaSplits,
                Problem,
                format!(
                    "`{flag} {}`: an unescaped comma ends the value of `{first}` and starts another key \
                     with no value; write `\\,` for a literal comma",
                    s.word.text
                ),
                Some(s.word.clone()),
            ));
        } else if let Some(e) = rejected {
            issues.push(issue(
                K::SetUnparseable,
                Problem,
                format!("`{flag} {}`: Helm rejects it: {}", s.word.text, e.error),
                Some(s.word.clone()),
            ));
        } else if items.len() > 1 {
            let keys: Vec<&str> = items.iter().map(key).collect();
            issues.push(issue(
                K::SetSeveralKeys,
                Note,
                format!(
                    "`{flag} {}` sets {} keys ({}): if a comma belongs to a value, escape it as `\\,`",
                    s.word.text,
                    keys.len(),
                    keys.join(", ")
                ),
                Some(s.word.clone()),
            ));
        }
        // An argument of thousands of items would give as many issues, each naming the whole
        // argument: past ITEM_ISSUES of a kind, the rest are counted in one.
        let mut per_kind: std::collections::BTreeMap<IssueKind, (IssueLevel, usize)> = Default::default();
        for item in &items {
            let Some(raw) = item.value.clone().map(|v| &arg[v]) else {
                continue;
            };
            let kind = if item.list {
                K::SetListBraces
            } else if s.flag != SetFlag::Set {
                continue;
            } else {
                match strvals::typed_value(&unescape(raw)) {
                    Scalar::Null => K::SetNull,
                    Scalar::Bool(_) | Scalar::Int(_) => K::SetTypedValue,
                    _ => continue,
                }
            };
            let level = if kind == K::SetListBraces { Problem } else { Note };
            let seen = per_kind.entry(kind).or_insert((level, 0));
            seen.1 += 1;
            if seen.1 > ITEM_ISSUES {
                continue;
            }
            if item.list {
                issues.push(issue(
                    K::SetListBraces,
                    Problem,
                    format!(
                        "`{flag} {}={raw}`: a value in braces is a list to Helm, not a string; write \
                         `\\{{` for a literal brace",
                        key(item)
                    ),
                    Some(s.word.clone()),
                ));
            } else if s.flag == SetFlag::Set {
                match strvals::typed_value(&unescape(raw)) {
                    Scalar::Null => issues.push(issue(
                        K::SetNull,
                        Note,
                        format!(
                            "`--set {}={raw}` removes `{}` (Helm deletes null keys); use --set-string for \
                             the text \"{raw}\"",
                            key(item),
                            key(item)
                        ),
                        Some(s.word.clone()),
                    )),
                    Scalar::Bool(_) | Scalar::Int(_) => issues.push(issue(
                        K::SetTypedValue,
                        Note,
                        format!(
                            "`--set {}={raw}` gives a {}, not a string; use --set-string for the text",
                            key(item),
                            if matches!(strvals::typed_value(&unescape(raw)), Scalar::Bool(_)) {
                                "boolean"
                            } else {
                                "number"
                            }
                        ),
                        Some(s.word.clone()),
                    )),
                    _ => {}
                }
            }
        }
        for (kind, (level, count)) in per_kind {
            if count > ITEM_ISSUES {
                let more = count - ITEM_ISSUES;
                issues.push(issue(
                    kind,
                    level,
                    format!("`{flag} …`: {more} more items of this argument like the {ITEM_ISSUES} above"),
                    Some(s.word.clone()),
                ));
            }
        }
    }

    for w in &parsed.missing_values {
        issues.push(issue(
            K::FlagMissingValue,
            Problem,
            format!("`{}` needs a value", w.text),
            Some(w.clone()),
        ));
    }

    let sets_values = !parsed.sets.is_empty() || !parsed.file_refs.is_empty() || !parsed.values_files.is_empty();
    if is_upgrade && sets_values && !parsed.reuse_values {
        issues.push(issue(
            K::ReuseValuesMissing,
            Note,
            "values are set without --reuse-values: the release's other values are reset to the \
             chart's defaults"
                .into(),
            None,
        ));
    }
    if helm != HelmVersion::V2 && parsed.namespace.is_none() {
        issues.push(issue(
            K::NamespaceMissing,
            Note,
            format!("no --namespace: {helm} uses the current kube context's namespace"),
            None,
        ));
    }

    Lint {
        parsed: Some(parsed),
        issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value as J;

    fn doc_commands() -> Vec<J> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/reference/vectors/eventstreams_doc_commands.json"
        );
        let text = std::fs::read_to_string(path).expect("vector file");
        match serde_json::from_str(&text).expect("vector json") {
            J::Array(a) => a,
            _ => panic!("not a list"),
        }
    }

    fn notes(case: &J) -> Vec<String> {
        case.get("notes")
            .and_then(J::as_array)
            .map(|a| a.iter().filter_map(|n| n.as_str().map(String::from)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn every_documentation_command() {
        let cases = doc_commands();
        assert!(cases.len() >= 20);
        let mut doc_bugs = 0;
        for case in &cases {
            let cmd = case["command"].as_str().expect("command");
            let notes = notes(case);
            for helm in [HelmVersion::V2, HelmVersion::V3, HelmVersion::V4] {
                let lint = lint_command(cmd, helm);
                assert!(lint.parsed.is_some(), "{cmd}");
                if notes.iter().any(|n| n.contains("DOC BUG")) {
                    let bare: Vec<&LintIssue> = lint
                        .issues
                        .iter()
                        .filter(|i| i.kind == IssueKind::BareAssignment)
                        .collect();
                    assert!(!bare.is_empty(), "{cmd}: {:?}", lint.issues);
                    let w = bare[0].word.as_ref().expect("word");
                    assert!(w.text.contains('='), "{w:?}");
                    assert_eq!(lint.parsed.as_ref().unwrap().words[w.index], w.text);
                    assert_eq!(bare[0].level, IssueLevel::Problem);
                    if helm == HelmVersion::V2 {
                        doc_bugs += 1;
                    }
                }
                let tls_missing = lint.has(IssueKind::TlsMissing);
                if notes.iter().any(|n| n.contains("no --tls flag")) {
                    if helm == HelmVersion::V2 {
                        assert!(tls_missing, "{cmd}");
                    }
                    assert!(!lint.has(IssueKind::TlsUnexpected), "{cmd}");
                }
                if cmd.contains("--tls") {
                    assert!(!tls_missing, "{cmd}");
                    assert_eq!(lint.has(IssueKind::TlsUnexpected), helm != HelmVersion::V2);
                }
                if cmd.starts_with("helm install") {
                    assert!(lint.has(IssueKind::NotHelmUpgrade));
                }
            }
        }
        assert_eq!(doc_bugs, 1);
    }

    #[test]
    fn a_correct_command_has_no_problem() {
        let cmd = "helm upgrade --reuse-values --set global.security.externalCertificateLabel=upgradedlabel1 eventstreams1 ibm-eventstreams-prod-1.4.0.tgz --tls";
        let lint = lint_command(cmd, HelmVersion::V2);
        assert!(lint.issues.is_empty(), "{:?}", lint.issues);
        let lint = lint_command(
            "helm upgrade --reuse-values --set a=b r c --namespace es",
            HelmVersion::V3,
        );
        assert!(lint.issues.is_empty(), "{:?}", lint.issues);
    }

    #[test]
    fn set_values_read_differently() {
        let lint = lint_command(
            "helm upgrade --reuse-values --set global.security.externalCertificateLabel=a,b r c --tls",
            HelmVersion::V2,
        );
        assert!(lint.has(IssueKind::SetCommaSplits), "{:?}", lint.issues);
        let i = lint
            .issues
            .iter()
            .find(|i| i.kind == IssueKind::SetCommaSplits)
            .unwrap();
        assert_eq!(i.word.as_ref().unwrap().index, 4);

        let lint = lint_command(
            "helm upgrade --reuse-values --set tls.key=null --set tls.cert={a,b} --set x=1234,y=true r c --tls",
            HelmVersion::V2,
        );
        assert!(lint.has(IssueKind::SetNull));
        assert!(lint.has(IssueKind::SetListBraces));
        assert!(lint.has(IssueKind::SetTypedValue));
        assert!(lint.has(IssueKind::SetSeveralKeys));
        assert!(!lint.has(IssueKind::SetCommaSplits));
        assert_eq!(
            lint.issues.iter().find(|i| i.kind == IssueKind::SetNull).unwrap().level,
            IssueLevel::Note
        );

        // Escaped, or with --set-string, nothing is read differently.
        let lint = lint_command(
            "helm upgrade --reuse-values --set 'a=x\\,y' --set-string b=null --set 'c=\\{x}' r c --tls",
            HelmVersion::V2,
        );
        assert!(lint.issues.is_empty(), "{:?}", lint.issues);
    }

    #[test]
    fn thousands_of_items_in_one_argument_give_ten_issues_of_a_kind_and_a_count() {
        let braces = vec!["a={1}"; 5000].join(",");
        let typed = vec!["b=1"; 5000].join(",");
        let cmd = format!("helm upgrade es chart --reuse-values --tls --set {braces} --set {typed}");
        let lint = lint_command(&cmd, HelmVersion::V2);
        for kind in [IssueKind::SetListBraces, IssueKind::SetTypedValue] {
            let of_kind: Vec<&LintIssue> = lint.issues.iter().filter(|i| i.kind == kind).collect();
            assert_eq!(of_kind.len(), ITEM_ISSUES + 1, "{kind:?}");
            let last = of_kind[ITEM_ISSUES].message.as_str();
            assert!(last.contains("4990 more items of this argument"), "{last}");
        }
        // The count is at the argument it is about.
        let braces_word = lint.issues.iter().find(|i| i.kind == IssueKind::SetListBraces).unwrap();
        assert_eq!(braces_word.word.as_ref().map(|w| w.index), Some(7));
        assert_eq!(lint.problems().count(), ITEM_ISSUES + 1);
    }

    #[test]
    fn other_problems() {
        let lint = lint_command("helm upgrade 'r", HelmVersion::V2);
        assert!(lint.parsed.is_none());
        assert!(lint.has(IssueKind::ShellSyntax));
        let lint = lint_command("helm upgrade r", HelmVersion::V2);
        assert!(lint.has(IssueKind::MissingPositionals));
        let lint = lint_command("helm upgrade r c --set", HelmVersion::V3);
        assert!(lint.has(IssueKind::FlagMissingValue));
        assert!(lint.has(IssueKind::NamespaceMissing));
        let lint = lint_command("helm upgrade --set a=b r c --tls", HelmVersion::V2);
        assert!(lint.has(IssueKind::ReuseValuesMissing));
        let lint = lint_command("kubectl get pods", HelmVersion::V2);
        assert!(lint.has(IssueKind::NotHelmUpgrade));
        let lint = lint_command("helm upgrade --reuse-values --set 'a.=x' r c --tls", HelmVersion::V2);
        assert!(lint.has(IssueKind::SetUnparseable), "{:?}", lint.issues);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(cmd in "(helm|upgrade|--set|--tls|-f|-n|--|a=b,c|\\{x|'|\"|\\$\\(base64 -w0 < p\\)|[a-z=.,\\[\\]-]{1,6}| ){0,12}") {
            for helm in [HelmVersion::V2, HelmVersion::V3, HelmVersion::V4] {
                let _ = lint_command(&cmd, helm);
            }
        }
    }

    #[test]
    fn an_unclosed_list_is_quoted_as_written() {
        let lint = lint_command("helm upgrade --reuse-values --set 'a={x,y' r c --tls", HelmVersion::V2);
        assert!(lint.has(IssueKind::SetUnparseable), "{:?}", lint.issues);
        let braces = lint
            .issues
            .iter()
            .find(|i| i.kind == IssueKind::SetListBraces)
            .expect("a list");
        assert!(braces.message.starts_with("`--set a={x,y`: "), "{}", braces.message);
    }
}
