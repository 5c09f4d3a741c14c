//! `command_lint`: the proposed `helm upgrade` command (`--command`) and `--set` arguments, read the
//! way Helm reads them (the facts: [`crate::helm::proposed`]), and judged here (CG505):
//! - not a `helm upgrade` command at all;
//! - a bare `key=value` word that is not preceded by `--set` (the Event Streams documentation has
//!   one: Helm takes it as an extra positional argument and refuses the command);
//! - more (or fewer) than the two positionals, release and chart, that `helm upgrade` takes;
//! - `--tls` missing under Helm 2 (Tiller on ICP requires it) or present under Helm 3 (no such flag);
//! - a `--set` that Helm reads differently than a person would: an unescaped comma that starts
//!   another key, a value in braces (a list), `=null` (deletes the key), a value `--set` types;
//! - an argument Helm's parser rejects, a flag without its value, no `--reuse-values`, no
//!   `--namespace` under Helm 3.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::helm::argv::{ParsedCommand, WordRef};
use crate::helm::proposed::{self, Lint, SetArgument};
use crate::helm::strvals::HelmVersion;
use crate::model::unit::Unit;
use crate::source::Location;
use crate::source::ProblemKind;
use crate::source::value::{Scalar, SetFlag};

pub const KIND: Kind = Kind {
    name: "command_lint",
    summary: "The proposed helm command and --set arguments mean what they say.",
    params: "(none)",
    build: super::build::<CommandLint>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandLint {}

impl Check for CommandLint {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        if let Some(cmd) = &unit.command {
            // A Helm 3 command without --namespace is CG508's, from the unit's namespace.
            let reported = |i: &&LintIssue| i.level == IssueLevel::Problem && i.kind != IssueKind::NamespaceMissing;
            for issue in issues(&cmd.lint).iter().filter(reported) {
                let origin = match &issue.word {
                    Some(w) => format!("--command word {}: {}", w.index + 1, w.text),
                    None => "--command".to_string(),
                };
                emit.at(Location::Arg { origin }, None, issue.message.clone());
            }
        }
        for p in unit.problems.iter().filter(|p| p.kind == ProblemKind::SetInvalid) {
            emit.hit(Hit {
                location: p.location.clone(),
                path: p.path.clone(),
                block: None,
                message: p.message.clone(),
            });
        }
    }
}

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

/// Issues of one kind about the items of one `--set` argument given one by one; the rest are counted.
pub const ITEM_ISSUES: usize = 10;

fn issue(kind: IssueKind, level: IssueLevel, message: String, word: Option<WordRef>) -> LintIssue {
    LintIssue {
        kind,
        level,
        message,
        word,
    }
}

use IssueKind as K;
use IssueLevel::{Note, Problem};

/// The issues of a proposed command, in the order of the command's parts: what it is, its
/// positionals, `--tls`, each `--set`, flags without values, `--reuse-values`, `--namespace`.
pub fn issues(lint: &Lint) -> Vec<LintIssue> {
    let Some(parsed) = &lint.parsed else {
        let why = lint.unreadable.as_ref().map(ToString::to_string).unwrap_or_default();
        return vec![issue(K::ShellSyntax, Problem, why, None)];
    };
    let mut issues = Vec::new();
    let is_upgrade = proposed::is_upgrade(parsed);
    if is_upgrade {
        positionals(parsed, &mut issues);
    } else {
        issues.push(not_upgrade(parsed));
    }
    tls(parsed, lint.helm, &mut issues);
    for set in proposed::set_arguments(parsed) {
        if set.arg.flag != SetFlag::SetFile {
            set_argument(&set, &mut issues);
        }
    }
    for w in &parsed.missing_values {
        let message = format!("`{}` needs a value", w.text);
        issues.push(issue(K::FlagMissingValue, Problem, message, Some(w.clone())));
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
    if lint.helm != HelmVersion::V2 && parsed.namespace.is_none() {
        let message = format!(
            "no --namespace: {} uses the current kube context's namespace",
            lint.helm
        );
        issues.push(issue(K::NamespaceMissing, Note, message, None));
    }
    issues
}

fn not_upgrade(parsed: &ParsedCommand) -> LintIssue {
    let program = parsed.program();
    let what = match &parsed.subcommand {
        Some(s) => format!("`{program} {}`", s.text),
        None => format!("`{program}`"),
    };
    let word = parsed
        .subcommand
        .clone()
        .unwrap_or_else(|| proposed::word_at(parsed, 0));
    issue(
        K::NotHelmUpgrade,
        Problem,
        format!("{what} is not a `helm upgrade` command"),
        Some(word),
    )
}

/// Bare assignments, then the count of positionals Helm accepts.
fn positionals(parsed: &ParsedCommand, issues: &mut Vec<LintIssue>) {
    let mut others = 0;
    for w in &parsed.positionals {
        if proposed::looks_like_assignment(&w.text) {
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
            others += 1;
        }
    }
    if parsed.positionals.len() > 2 {
        issues.push(issue(
            K::TooManyPositionals,
            Problem,
            format!(
                "`helm upgrade` takes exactly two arguments, the release and the chart; this command \
                 has {}",
                parsed.positionals.len()
            ),
            parsed.positionals.get(2).cloned(),
        ));
    } else if others < 2 {
        issues.push(issue(
            K::MissingPositionals,
            Problem,
            "`helm upgrade` needs the release name and the chart".into(),
            None,
        ));
    }
}

/// `--tls`, by Helm version.
fn tls(parsed: &ParsedCommand, helm: HelmVersion, issues: &mut Vec<LintIssue>) {
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
            Some(proposed::word_at(parsed, index)),
        )),
        _ => {}
    }
}

/// One `--set` or `--set-string` argument: how Helm splits it, then each item's value.
fn set_argument(set: &SetArgument, issues: &mut Vec<LintIssue>) {
    let flag = set.arg.flag.as_flag();
    let word = &set.arg.word;
    let items = &set.items;
    let split_without_value = items.len() > 1 && items.iter().skip(1).any(|i| i.value.is_none());
    if split_without_value {
        let first = items.first().map(|i| i.key).unwrap_or_default();
        issues.push(issue(
            K::SetCommaSplits,
            Problem,
            format!(
                "`{flag} {}`: an unescaped comma ends the value of `{first}` and starts another key \
                 with no value; write `\\,` for a literal comma",
                word.text
            ),
            Some(word.clone()),
        ));
    } else if let Some(e) = set.rejected {
        let message = format!("`{flag} {}`: Helm rejects it: {e}", word.text);
        issues.push(issue(K::SetUnparseable, Problem, message, Some(word.clone())));
    } else if items.len() > 1 {
        let keys: Vec<&str> = items.iter().map(|i| i.key).collect();
        issues.push(issue(
            K::SetSeveralKeys,
            Note,
            format!(
                "`{flag} {}` sets {} keys ({}): if a comma belongs to a value, escape it as `\\,`",
                word.text,
                keys.len(),
                keys.join(", ")
            ),
            Some(word.clone()),
        ));
    }
    set_items(set, issues);
}

/// The values of one argument's items that Helm reads otherwise than written. An argument of
/// thousands of items would give as many issues, each naming the whole argument: past
/// ITEM_ISSUES of a kind, the rest are counted in one.
fn set_items(set: &SetArgument, issues: &mut Vec<LintIssue>) {
    let flag = set.arg.flag.as_flag();
    let word = Some(set.arg.word.clone());
    let mut per_kind: BTreeMap<IssueKind, (IssueLevel, usize)> = BTreeMap::new();
    for item in &set.items {
        let Some(raw) = item.value else {
            continue;
        };
        let key = item.key;
        let (kind, level, message) = if item.list {
            let message = format!(
                "`{flag} {key}={raw}`: a value in braces is a list to Helm, not a string; write `\\{{` \
                 for a literal brace"
            );
            (K::SetListBraces, Problem, message)
        } else if set.arg.flag != SetFlag::Set {
            continue;
        } else {
            let typed = |what| {
                let message =
                    format!("`--set {key}={raw}` gives a {what}, not a string; use --set-string for the text");
                (K::SetTypedValue, Note, message)
            };
            match item.typed() {
                Some(Scalar::Null) => {
                    let message = format!(
                        "`--set {key}={raw}` removes `{key}` (Helm deletes null keys); use --set-string for \
                         the text \"{raw}\""
                    );
                    (K::SetNull, Note, message)
                }
                Some(Scalar::Bool(_)) => typed("boolean"),
                Some(Scalar::Int(_)) => typed("number"),
                _ => continue,
            }
        };
        let seen = per_kind.entry(kind).or_insert((level, 0));
        seen.1 += 1;
        if seen.1 <= ITEM_ISSUES {
            issues.push(issue(kind, level, message, word.clone()));
        }
    }
    for (kind, (level, count)) in per_kind {
        if count > ITEM_ISSUES {
            let more = count - ITEM_ISSUES;
            let message = format!("`{flag} …`: {more} more items of this argument like the {ITEM_ISSUES} above");
            issues.push(issue(kind, level, message, word.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use serde_json::Value as J;

    #[test]
    fn words_helm_reads_otherwise_than_written_are_reported() {
        let unit = Unit::builder()
            .command("helm upgrade es1 chart.tgz --tls --reuse-values --set tls.type=secret tls.secretName=es-tls")
            .build();
        assert_eq!(
            hits(&CommandLint {}, &unit),
            [
                "--command word 9: tls.secretName=es-tls -: `tls.secretName=es-tls` looks like a values assignment but is not preceded by --set: Helm takes it as another positional argument and refuses the command; put `--set` before it",
                "--command word 9: tls.secretName=es-tls -: `helm upgrade` takes exactly two arguments, the release and the chart; this command has 3",
            ]
        );
        let helm2_without_tls = Unit::builder()
            .command("helm upgrade es1 chart.tgz --reuse-values --set tls.type=secret")
            .build();
        assert_eq!(
            hits(&CommandLint {}, &helm2_without_tls),
            ["--command -: no --tls: Helm 2 talks to Tiller over TLS on IBM Cloud Private and fails without it"]
        );
        let set = Unit::builder().set("tls.type").build();
        assert_eq!(
            hits(&CommandLint {}, &set),
            ["--set tls.type=… -: Helm cannot parse --set tls.type=…: key map \"tls\" has no value"]
        );
    }

    #[test]
    fn a_well_formed_command_is_not_reported() {
        let unit = Unit::builder()
            .command(
                "helm upgrade es1 chart.tgz --tls --reuse-values --set tls.type=secret --set tls.secretName=es-tls",
            )
            .build();
        assert_eq!(hits(&CommandLint {}, &unit), Vec::<String>::new());
        // A Helm 3 command without --namespace is CG508's.
        let helm3 = Unit::builder()
            .helm(HelmVersion::V3)
            .command("helm upgrade es1 chart.tgz --reuse-values --set tls.type=secret")
            .build();
        assert_eq!(hits(&CommandLint {}, &helm3), Vec::<String>::new());
    }

    /// A command's facts and the issues judged from them, as the lint's tests read them.
    struct Linted {
        parsed: Option<ParsedCommand>,
        issues: Vec<LintIssue>,
    }

    impl Linted {
        fn problems(&self) -> impl Iterator<Item = &LintIssue> {
            self.issues.iter().filter(|i| i.level == IssueLevel::Problem)
        }

        fn has(&self, kind: IssueKind) -> bool {
            self.issues.iter().any(|i| i.kind == kind)
        }
    }

    fn lint_command(cmd: &str, helm: HelmVersion) -> Linted {
        let lint = proposed::lint_command(cmd, helm);
        Linted {
            issues: issues(&lint),
            parsed: lint.parsed,
        }
    }

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
