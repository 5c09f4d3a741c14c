//! What a proposed `helm upgrade` command does, one a person wrote: the facts the command lint
//! (`checks::command_lint`, CG505 and its neighbours) judges.
//!
//! This file reads the command a person proposes, as opposed to the one certgate builds
//! ([`super::approved`]); both are read by [`super::argv`]. Each fact keeps the shell word it
//! concerns, so a finding can point at it: the program and subcommand, the positionals (and which
//! of them read as a `key=value` assignment), and each `--set` argument cut into its items the way
//! Helm's parser cuts them (`strvals::syntax`), with the type `--set` gives each value and the
//! error Helm's parser gives the argument.
//!
//! Placeholders (`<release_name>`) are read as ordinary words: they may be flagged, never crash.

use super::argv::{CommandParseError, ParsedCommand, SetArg, WordRef, parse_command};
use super::strvals::syntax::{self, unescape};
use super::strvals::{self, HelmVersion, StrvalsError};
use crate::source::value::Scalar;

/// A proposed command line as the lint reads it: what it parsed to, or why it is not valid shell.
#[derive(Debug, Clone, PartialEq)]
pub struct Lint {
    pub helm: HelmVersion,
    /// None when the command is not valid shell ([`Lint::unreadable`] says why).
    pub parsed: Option<ParsedCommand>,
    pub unreadable: Option<CommandParseError>,
}

/// Read a proposed command line for the given Helm major version.
pub fn lint_command(cmd: &str, helm: HelmVersion) -> Lint {
    match parse_command(cmd, helm) {
        Ok(parsed) => Lint {
            helm,
            parsed: Some(parsed),
            unreadable: None,
        },
        Err(e) => Lint {
            helm,
            parsed: None,
            unreadable: Some(e),
        },
    }
}

/// The command is `helm upgrade`: a program named `helm…` (any directory) and the subcommand
/// `upgrade`.
pub fn is_upgrade(parsed: &ParsedCommand) -> bool {
    let program = parsed.program();
    let program_name = program.rsplit('/').next().unwrap_or(program);
    program_name.starts_with("helm") && parsed.subcommand.as_ref().is_some_and(|w| w.text == "upgrade")
}

/// A positional word that reads as a values assignment: `key=value`, where the key has no path
/// separator (so `charts/a=b.tgz` stays a chart path).
pub fn looks_like_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((key, _)) => !key.is_empty() && !key.contains('/') && !key.starts_with('-'),
        None => false,
    }
}

/// The word at `index`, for a fact that knows only where a flag was (`--tls`).
pub fn word_at(parsed: &ParsedCommand, index: usize) -> WordRef {
    WordRef {
        index,
        text: parsed.words.get(index).cloned().unwrap_or_default(),
    }
}

/// One `--set`, `--set-string` or `--set-file` argument and its items, as Helm's parser cuts it.
#[derive(Debug, Clone)]
pub struct SetArgument<'a> {
    pub arg: &'a SetArg,
    pub items: Vec<SetItem<'a>>,
    /// The error Helm's parser gives the argument (it applies the others).
    pub rejected: Option<&'a StrvalsError>,
}

/// One item (`key=value`) of a `--set` argument: spans of the argument, escapes kept, so a message
/// quotes it as written.
#[derive(Debug, Clone, PartialEq)]
pub struct SetItem<'a> {
    pub key: &'a str,
    /// None when the key has no `=`.
    pub value: Option<&'a str>,
    /// The value starts with an unescaped `{`: Helm reads a list.
    pub list: bool,
}

impl SetItem<'_> {
    /// The type `--set` gives the value (Helm's `typedVal`), escapes removed.
    pub fn typed(&self) -> Option<Scalar> {
        self.value.map(|raw| strvals::typed_value(&unescape(raw)))
    }
}

/// The command's `--set` arguments in command-line order, each cut into its items.
pub fn set_arguments(parsed: &ParsedCommand) -> Vec<SetArgument<'_>> {
    parsed
        .sets
        .iter()
        .map(|arg| {
            let text = arg.word.text.as_str();
            let items = syntax::items(text)
                .into_iter()
                .map(|item| SetItem {
                    key: &text[item.key],
                    value: item.value.map(|v| &text[v]),
                    list: item.list,
                })
                .collect();
            let rejected = parsed.set_errors.iter().find(|e| e.word == arg.word).map(|e| &e.error);
            SetArgument { arg, items, rejected }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_argument_is_cut_into_items_as_written() {
        let lint = lint_command(
            "helm upgrade r c --set 'a=x\\,y,b={1,2},c' --set 'd.=x'",
            HelmVersion::V3,
        );
        let parsed = lint.parsed.as_ref().expect("parsed");
        assert!(is_upgrade(parsed));
        let sets = set_arguments(parsed);
        let item = |key, value, list| SetItem { key, value, list };
        assert_eq!(
            sets[0].items,
            [
                item("a", Some("x\\,y"), false),
                item("b", Some("{1,2}"), true),
                item("c", None, false)
            ]
        );
        assert!(sets[0].rejected.is_some(), "c has no value");
        assert_eq!(sets[1].items[0].key, "d.");
        assert!(sets[1].rejected.is_some());
    }

    #[test]
    fn set_values_are_typed_as_helm_types_them() {
        let typed = |value| {
            SetItem {
                key: "k",
                value: Some(value),
                list: false,
            }
            .typed()
        };
        assert_eq!(typed("null"), Some(Scalar::Null));
        assert_eq!(typed("TRUE"), Some(Scalar::Bool(true)));
        assert_eq!(typed("1234"), Some(Scalar::Int(1234)));
        assert_eq!(typed("0123"), Some(Scalar::Str("0123".into())));
    }

    #[test]
    fn facts_of_the_words() {
        assert!(looks_like_assignment("tls.secretName=es-tls"));
        assert!(!looks_like_assignment("charts/a=b.tgz"));
        assert!(!looks_like_assignment("--set=a=b"));
        assert!(lint_command("helm upgrade 'r", HelmVersion::V2).unreadable.is_some());
        let kubectl = lint_command("/usr/bin/helm3 upgrade r c", HelmVersion::V3);
        assert!(is_upgrade(kubectl.parsed.as_ref().unwrap()));
        let install = lint_command("helm install r c", HelmVersion::V3);
        assert!(!is_upgrade(install.parsed.as_ref().unwrap()));
    }
}
