//! Reading a `helm` command line as the shell and Helm read it: shell words (shlex), Helm's flags
//! as pflag reads them, the positionals, and the values its `--set` arguments give, in Helm's
//! precedence. Both commands certgate deals with are read here: the approved one
//! ([`super::approved`]), read back to prove it does what was checked (`model::plan`), and a proposed
//! one, which [`super::proposed`] lints.

use super::strvals::syntax::{Lexer, Place};
use super::strvals::{self, HelmVersion, StrvalsError};
use crate::source::value::{Mapping, SetFlag};

/// A command line that cannot be read as shell words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandParseError {
    #[error("the command is not valid shell: an unterminated quote or a trailing backslash")]
    Shell,
    #[error("the command is empty")]
    Empty,
}

/// One shell word of the command and its 0-based index among the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordRef {
    pub index: usize,
    pub text: String,
}

/// A `--set`, `--set-string` or `--set-file` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetArg {
    pub flag: SetFlag,
    /// The index of the flag word (`--set`); equal to `word.index` for `--set=…`.
    pub flag_index: usize,
    /// The argument (`key=value,…`), as the shell passes it to Helm.
    pub word: WordRef,
}

/// A `--set KEY="$(base64 -w0 < PATH)"` argument: a value read from a file by the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRefArg {
    pub flag: SetFlag,
    /// The key as written (escapes kept).
    pub key: String,
    pub path: String,
    pub word: WordRef,
}

/// A `--set` argument Helm would reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetError {
    pub flag: SetFlag,
    pub word: WordRef,
    pub error: StrvalsError,
}

/// What a command line says, read the way Helm reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCommand {
    pub helm: HelmVersion,
    /// The shell words.
    pub words: Vec<String>,
    /// The first non-flag word after the program (`upgrade`).
    pub subcommand: Option<WordRef>,
    pub reuse_values: bool,
    /// `-f` / `--values` files, in order.
    pub values_files: Vec<WordRef>,
    /// `--set`, `--set-string`, `--set-file` arguments in command-line order, file references
    /// excluded.
    pub sets: Vec<SetArg>,
    pub file_refs: Vec<FileRefArg>,
    /// `--namespace` / `-n` (the last one wins, as in Helm).
    pub namespace: Option<WordRef>,
    /// The index of a `--tls` word (true).
    pub tls: Option<usize>,
    /// Non-flag words after the subcommand: Helm takes the first as the release, the second as the
    /// chart, and rejects any more.
    pub positionals: Vec<WordRef>,
    /// Other flags (with their value when they take one), for information.
    pub other_flags: Vec<WordRef>,
    /// Flags that need a value but came last.
    pub missing_values: Vec<WordRef>,
    /// The `--set` then `--set-string` arguments applied in Helm's precedence (`--set-file` needs
    /// the files: [`ParsedCommand::apply_set_files`]).
    pub values: Mapping,
    /// Arguments Helm would reject (the others are still applied).
    pub set_errors: Vec<SetError>,
}

impl ParsedCommand {
    pub fn program(&self) -> &str {
        self.words.first().map_or("", String::as_str)
    }

    /// The release name, as Helm reads it (the first positional).
    pub fn release(&self) -> Option<&str> {
        self.positionals.first().map(|w| w.text.as_str())
    }

    /// The chart, as Helm reads it (the second positional).
    pub fn chart(&self) -> Option<&str> {
        self.positionals.get(1).map(|w| w.text.as_str())
    }

    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_ref().map(|w| w.text.as_str())
    }

    /// [`ParsedCommand::values`] with the `--set-file` arguments applied last, as Helm does.
    pub fn apply_set_files(&self, read: impl Fn(&str) -> Result<String, String>) -> Result<Mapping, StrvalsError> {
        let mut m = self.values.clone();
        for s in self.sets.iter().filter(|s| s.flag == SetFlag::SetFile) {
            strvals::set_file(&s.word.text, self.helm, &read, &mut m)?;
        }
        Ok(m)
    }
}

/// Flags of `helm upgrade` (and Helm's global flags, Helm 2 and 3) that take a value.
const VALUE_FLAGS: &[&str] = &[
    "set",
    "set-string",
    "set-file",
    "set-json",
    "set-literal",
    "values",
    "namespace",
    "version",
    "timeout",
    "description",
    "post-renderer",
    "post-renderer-args",
    "repo",
    "username",
    "password",
    "ca-file",
    "cert-file",
    "key-file",
    "keyring",
    "history-max",
    "max-history",
    "output",
    "name",
    "name-template",
    "labels",
    "kube-context",
    "kubeconfig",
    "kube-apiserver",
    "kube-as-user",
    "kube-as-group",
    "kube-ca-file",
    "kube-token",
    "kube-tls-server-name",
    "registry-config",
    "repository-cache",
    "repository-config",
    "burst-limit",
    "qps",
    "home",
    "host",
    "tiller-namespace",
    "tiller-connection-timeout",
    "tls-ca-cert",
    "tls-cert",
    "tls-key",
    "tls-hostname",
];

/// Short flags that take a value: `-f` (values), `-n` (namespace), `-o` (output).
fn short_long(c: char) -> Option<&'static str> {
    match c {
        'f' => Some("values"),
        'n' => Some("namespace"),
        'o' => Some("output"),
        _ => None,
    }
}

/// Go's `strconv.ParseBool`, as pflag reads `--flag=VALUE` for a boolean flag.
fn go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Recognise `KEY=$(base64 -w0 < PATH)` (the shell word after quote removal), giving the key as
/// written and the path.
pub fn file_ref(word: &str) -> Option<(String, String)> {
    let mut lex = Lexer::new(word);
    let key = lex.run(Place::ItemKey);
    if key.stop != Some('=') || key.span.is_empty() {
        return None;
    }
    let rest = &word[lex.pos()..];
    let inner = rest.strip_prefix("$(base64 -w0 <")?.strip_suffix(')')?;
    let mut words = shlex::split(inner.trim())?;
    if words.len() != 1 {
        return None;
    }
    let path = words.pop()?;
    Some((lex.raw(&key).to_string(), path))
}

/// Read a command line the way the shell and Helm would: shell words, flags, positionals, and the
/// values its `--set`/`--set-string` arguments give (all `--set` first, then all `--set-string`,
/// whatever their order on the line; `--set-file` last, see [`ParsedCommand::apply_set_files`]).
///
/// A `--set` word of the exact form `KEY=$(base64 -w0 < PATH)` is a file reference, recorded in
/// `file_refs` rather than taken as a value. Only a command that is not valid shell, or has no word
/// at all, is an error: everything else is reported in the result for the lint to judge.
pub fn parse_command(cmd: &str, helm: HelmVersion) -> Result<ParsedCommand, CommandParseError> {
    let words = shlex::split(cmd).ok_or(CommandParseError::Shell)?;
    if words.is_empty() {
        return Err(CommandParseError::Empty);
    }
    let mut p = ParsedCommand {
        helm,
        words,
        subcommand: None,
        reuse_values: false,
        values_files: Vec::new(),
        sets: Vec::new(),
        file_refs: Vec::new(),
        namespace: None,
        tls: None,
        positionals: Vec::new(),
        other_flags: Vec::new(),
        missing_values: Vec::new(),
        values: Mapping::new(),
        set_errors: Vec::new(),
    };
    let mut only_positionals = false;
    let mut i = 1;
    while i < p.words.len() {
        // A copy: the word is read while the command it belongs to is filled in.
        let w = p.words[i].clone();
        let w = w.as_str();
        if only_positionals || !w.starts_with('-') || w == "-" {
            let word = p.word(i);
            match p.subcommand {
                None => p.subcommand = Some(word),
                Some(_) => p.positionals.push(word),
            }
        } else if w == "--" {
            only_positionals = true;
        } else {
            match flag_name(w) {
                Some((name, inline)) if VALUE_FLAGS.contains(&name) => i = p.value_flag(name, inline, i),
                Some((name, inline)) => p.bool_flag(name, inline, i),
                None => p.other_flags.push(p.word(i)),
            }
        }
        i += 1;
    }
    p.apply_sets();
    Ok(p)
}

/// The (long name, inline value) of a flag word; short flags are mapped to their long name. None
/// for a short flag that takes no value (`-h`): it is one of the other flags.
fn flag_name(w: &str) -> Option<(&str, Option<String>)> {
    if let Some(long) = w.strip_prefix("--") {
        let (name, inline) = match long.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (long, None),
        };
        return Some((name, inline));
    }
    let mut cs = w[1..].chars();
    let long = short_long(cs.next().unwrap_or('-'))?;
    let rest = cs.as_str();
    let rest = rest.strip_prefix('=').unwrap_or(rest);
    Some((long, (!rest.is_empty()).then(|| rest.to_string())))
}

impl ParsedCommand {
    fn word(&self, index: usize) -> WordRef {
        WordRef {
            index,
            text: self.words[index].clone(),
        }
    }

    /// A flag that takes a value, at word `i`: its value inline or the next word. Returns the index
    /// of the last word it took.
    fn value_flag(&mut self, name: &str, inline: Option<String>, i: usize) -> usize {
        let flag_index = i;
        let value = match inline {
            Some(v) => WordRef { index: i, text: v },
            None if i + 1 < self.words.len() => self.word(i + 1),
            None => {
                self.missing_values.push(self.word(i));
                return i;
            }
        };
        let last = value.index;
        let set_flag = match name {
            "set" => Some(SetFlag::Set),
            "set-string" => Some(SetFlag::SetString),
            "set-file" => Some(SetFlag::SetFile),
            _ => None,
        };
        match (name, set_flag) {
            (_, Some(flag)) => match file_ref(&value.text) {
                Some((key, path)) if flag != SetFlag::SetFile => self.file_refs.push(FileRefArg {
                    flag,
                    key,
                    path,
                    word: value,
                }),
                _ => self.sets.push(SetArg {
                    flag,
                    flag_index,
                    word: value,
                }),
            },
            ("values", _) => self.values_files.push(value),
            ("namespace", _) => self.namespace = Some(value),
            _ => {
                self.other_flags.push(self.word(flag_index));
                if value.index != flag_index {
                    self.other_flags.push(value);
                }
            }
        }
        last
    }

    /// A flag that takes no value, at word `i` (`--tls`, `--reuse-values=false`).
    fn bool_flag(&mut self, name: &str, inline: Option<String>, i: usize) {
        let on = inline.as_deref().map_or(Some(true), go_bool);
        match name {
            "reuse-values" => self.reuse_values = on.unwrap_or(false),
            "tls" => {
                if on == Some(true) {
                    self.tls = Some(i);
                }
            }
            _ => self.other_flags.push(self.word(i)),
        }
    }

    /// Helm's precedence: every --set, then every --set-string (then --set-file).
    fn apply_sets(&mut self) {
        for flag in [SetFlag::Set, SetFlag::SetString] {
            for s in self.sets.iter().filter(|s| s.flag == flag) {
                if let Err(error) = strvals::parse_into(&s.word.text, flag, self.helm, &mut self.values) {
                    self.set_errors.push(SetError {
                        flag,
                        word: s.word.clone(),
                        error,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_flags() {
        let p = parse_command(
            "helm upgrade --reuse-values=false -fvals.yaml --values=b.yaml -n ns --set a=1 \
             --set-string b=2 --set=c=3 --set-file d=path --wait --timeout 5m0s rel chart.tgz --tls",
            HelmVersion::V2,
        )
        .unwrap();
        assert!(!p.reuse_values);
        assert_eq!(p.namespace(), Some("ns"));
        assert_eq!(
            p.values_files.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(),
            vec!["vals.yaml", "b.yaml"]
        );
        assert_eq!(strvals::to_json(&p.values), json!({"a": 1, "b": "2", "c": 3}));
        assert_eq!(p.sets.len(), 4);
        assert_eq!(p.release(), Some("rel"));
        assert_eq!(p.chart(), Some("chart.tgz"));
        assert_eq!(p.subcommand.as_ref().map(|w| w.text.as_str()), Some("upgrade"));
        let files = p
            .apply_set_files(|path| {
                if path == "path" {
                    Ok("content".into())
                } else {
                    Err("no".into())
                }
            })
            .unwrap();
        assert_eq!(strvals::to_json(&files)["d"], json!("content"));
    }

    #[test]
    fn precedence_is_helms_not_the_line_order() {
        let p = parse_command("helm upgrade --set-string a=x --set a=1 r c", HelmVersion::V3).unwrap();
        assert_eq!(strvals::to_json(&p.values), json!({"a": "x"}));
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            parse_command("helm upgrade 'x", HelmVersion::V3),
            Err(CommandParseError::Shell)
        );
        assert_eq!(parse_command("   ", HelmVersion::V3), Err(CommandParseError::Empty));
        let p = parse_command("helm upgrade --set a,b r c --set", HelmVersion::V3).unwrap();
        assert_eq!(p.set_errors.len(), 1);
        assert_eq!(p.missing_values.len(), 1);
    }
}
