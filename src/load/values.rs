//! The values a unit proposes and holds today: the arguments `--command` adds to the unit's own,
//! values files (`-f`, `--previous`), `--set`, `--set-string` and `--set-file` as Helm parses them,
//! `--new-label`, the release ConfigMap, and the suppression comments in the files a user edits.

use std::path::PathBuf;

use super::reader::Reader;
use super::{NewLabel, UnitSpec};
use crate::helm::coalesce::{coalesce, merge_into};
use crate::helm::proposed::lint_command;
use crate::helm::strvals::{self, HelmVersion};
use crate::model::unit::{CommandInput, EXTERNAL_LABEL, Given, History, ReleaseConfigMap, ValuesFile};
use crate::source::files::{read_limited, sha256_hex, utf8_text};
use crate::source::value::{Mapping, Node, Origin, SetFlag, Value};
use crate::source::{Input, InputRole, Location, ProblemKind};

/// What names the unit's values, release and chart: the unit's own flags, with the words of the
/// proposed command under review (`--command`) filling in what they leave out.
#[derive(Debug, Default)]
pub(super) struct Arguments {
    pub release: Option<Given<String>>,
    pub namespace: Option<String>,
    /// `--chart`: the archive read for the chart's defaults.
    pub chart: Option<Given<String>>,
    /// The command's chart: it names the archive in the approved command; only `--chart` is read.
    pub command_chart: Option<String>,
    pub values: Vec<Given<String>>,
    /// In the order Helm applies them: `--set`, then `--set-string`, then `--set-file`, whatever
    /// their order on the line.
    pub sets: Vec<(SetFlag, Given<String>)>,
}

impl Arguments {
    /// The proposed command under review (`--command`), linted, and the unit's arguments with its
    /// words: they name values, the release and the chart too.
    pub fn of(spec: &UnitSpec, helm: HelmVersion) -> (Option<CommandInput>, Self) {
        let command = spec.command.as_ref().map(|text| CommandInput {
            text: text.clone(),
            lint: lint_command(text, helm),
        });
        let args = Self::with_command(spec, command.as_ref());
        (command, args)
    }

    fn with_command(spec: &UnitSpec, command: Option<&CommandInput>) -> Self {
        let mut args = Arguments {
            release: spec.release.clone(),
            namespace: spec.namespace.clone(),
            chart: spec.chart.clone(),
            command_chart: None,
            values: spec.values.clone(),
            sets: Vec::new(),
        };
        if let Some(parsed) = command.and_then(|c| c.lint.parsed.as_ref()) {
            let at = |what: &str| Location::Arg {
                origin: format!("--command {what}"),
            };
            if args.release.is_none() {
                args.release = parsed.release().map(|value| Given {
                    value: value.to_string(),
                    location: at("release"),
                });
            }
            if args.chart.is_none() {
                args.command_chart = parsed.chart().map(str::to_string);
            }
            if args.namespace.is_none() {
                args.namespace = parsed.namespace().map(str::to_string);
            }
            args.values.extend(parsed.values_files.iter().map(|v| Given {
                value: v.text.clone(),
                location: at("-f"),
            }));
            args.sets.extend(parsed.sets.iter().map(|set| {
                let value = set.word.text.clone();
                (
                    set.flag,
                    Given {
                        value,
                        location: at(set.flag.as_flag()),
                    },
                )
            }));
        }
        args.sets.extend(spec.set.iter().map(|g| (SetFlag::Set, g.clone())));
        args.sets
            .extend(spec.set_string.iter().map(|g| (SetFlag::SetString, g.clone())));
        args.sets
            .extend(spec.set_file.iter().map(|g| (SetFlag::SetFile, g.clone())));
        args.sets.sort_by_key(|(flag, _)| *flag);
        args
    }
}

/// The overrides of this change as they are read.
#[derive(Debug)]
pub(super) struct Proposed {
    pub files: Vec<ValuesFile>,
    /// The files merged in order, then the flags.
    pub root: Node,
    /// Whether anything at all was proposed (files, flags or PEM files), read or not.
    pub any: bool,
}

/// Read the proposed values files and merge them in order, later wins.
pub(super) fn read_proposed(r: &mut Reader, values: &[Given<String>]) -> Proposed {
    let mut files = Vec::new();
    let mut root = Node::empty_map(Origin::Synthetic);
    for given in values {
        let display = r.display(&given.value);
        let file = r
            .read_text(InputRole::Values, given, ProblemKind::Unreadable)
            .and_then(|id| r.parse_values(id, InputRole::Values, false));
        if let Some(file) = &file {
            merge_into(&mut root, file);
        }
        files.push(ValuesFile {
            path: display,
            root: file,
        });
    }
    Proposed {
        files,
        root,
        any: !values.is_empty(),
    }
}

/// Read the previous values file (`--previous`): what `helm get values` printed. With `--base`
/// the previous values are the files at the revision instead ([`super::base`]).
pub(super) fn read_previous(r: &mut Reader, spec: &UnitSpec) -> Option<Node> {
    let given = spec.previous.as_ref().filter(|_| spec.base.is_none())?;
    let id = r.read_text(InputRole::Previous, given, ProblemKind::Unreadable)?;
    r.parse_values(id, InputRole::Previous, false)
}

/// Apply the `--set` family over the files, each as Helm parses it.
pub(super) fn apply_sets(r: &mut Reader, proposed: &mut Proposed, sets: &[(SetFlag, Given<String>)]) {
    let helm = r.helm;
    if let Value::Map(map) = &mut proposed.root.value {
        for (flag, given) in sets {
            proposed.any = true;
            apply_set(r, map, *flag, given, helm);
        }
    }
}

/// The label `--new-label` proposes: the one given, or for `auto` the next free one of the day.
/// `previous` is the running values, for `auto` only.
pub(super) fn label_value(label: &NewLabel, today: &str, history: &History, previous: Option<&Node>) -> String {
    match label {
        NewLabel::Value(v) => v.clone(),
        NewLabel::Auto => auto_label(today, history, previous),
    }
}

/// Propose `label` as the external certificate label, as `--set-string` would, escaped so that
/// Helm reads it back as the same text ([`strvals::escape_value`]).
pub(super) fn set_new_label(proposed: &mut Proposed, label: &str, helm: HelmVersion) {
    if let Value::Map(map) = &mut proposed.root.value {
        proposed.any = true;
        let _ = strvals::parse_into(
            &format!("{EXTERNAL_LABEL}={}", strvals::escape_value(label)),
            SetFlag::SetString,
            helm,
            map,
        );
    }
}

/// The external label `--new-label` proposed, as the proposed values hold it.
pub(super) fn proposed_label(spec: &UnitSpec, proposed: &Node) -> Option<String> {
    spec.new_label.as_ref()?;
    proposed
        .lookup(EXTERNAL_LABEL)
        .and_then(Node::as_str)
        .map(str::to_string)
}

/// Read the release ConfigMap manifest (`--configmap`).
pub(super) fn read_configmap(r: &mut Reader, given: Option<&Given<String>>) -> Option<ReleaseConfigMap> {
    let given = given?;
    let id = r.read_text(InputRole::Configmap, given, ProblemKind::Unreadable)?;
    let root = r.parse_values(id, InputRole::Configmap, false)?;
    Some(configmap_labels(&root))
}

/// Nothing proposed and no command: nothing to check.
pub(super) fn nothing_proposed(r: &mut Reader) {
    r.problem(
        ProblemKind::NothingChecked,
        Location::Run,
        "no proposed values to check: give values files (-f), --set flags, --command, or a certgate.yaml naming release units".into(),
    );
}

/// The running and the effective values, as Helm resolves them (SPEC §1): the chart's defaults ⊕
/// the previous values, and ⊕ the proposed ones. Each state starts from its own copy of the
/// defaults (the preloaded chart's tree is shared). With `--base` both states are complete files:
/// the new one does not sit on top of the old.
pub(super) fn resolve(defaults: &Node, previous: Option<&Node>, proposed: &Node, base: bool) -> (Option<Node>, Node) {
    let running = previous.map(|p| coalesce(defaults.clone(), [p]));
    let layers: Vec<&Node> = if base {
        vec![proposed]
    } else {
        previous.into_iter().chain([proposed]).collect()
    };
    (running, coalesce(defaults.clone(), layers))
}

/// Suppression comments in the files a user edits (proposed and previous values), not in the
/// chart's own values.
pub(super) fn suppressions(r: &Reader) -> Vec<crate::source::suppress::Suppression> {
    r.sources
        .iter()
        .filter(|(_, src)| {
            r.inputs
                .iter()
                .any(|i| matches!(i.role, InputRole::Values | InputRole::Previous) && i.path == src.name)
        })
        .map(|(id, _)| id)
        .collect::<Vec<_>>()
        .into_iter()
        .flat_map(|id| crate::source::suppress::scan(&r.sources, id))
        .collect()
}

fn apply_set(r: &mut Reader, map: &mut Mapping, flag: SetFlag, given: &Given<String>, helm: HelmVersion) {
    let result = match flag {
        SetFlag::SetFile => {
            let base = r.base_dir.to_path_buf();
            let limit = r.limits.max_file_bytes;
            let read_inputs = std::cell::RefCell::new(Vec::new());
            let res = strvals::set_file(
                &given.value,
                helm,
                |path| {
                    if matches!(given.location, Location::Span { .. })
                        && let Some(why) = crate::source::confine::escapes(&base, path)
                    {
                        return Err(format!(
                            "{path:?} {why}: a config names files inside its own repository only; not read"
                        ));
                    }
                    let full = if base.as_os_str().is_empty() {
                        PathBuf::from(path)
                    } else {
                        base.join(path)
                    };
                    let bytes = read_limited(&full, limit).map_err(|e| format!("{} {e}", full.display()))?;
                    read_inputs.borrow_mut().push(Input {
                        role: InputRole::SetFile,
                        path: full.to_string_lossy().into_owned(),
                        sha256: sha256_hex(&bytes),
                    });
                    utf8_text(bytes).map_err(|_| format!("{} is not UTF-8 text", full.display()))
                },
                map,
            );
            r.inputs.extend(read_inputs.into_inner());
            res
        }
        _ => strvals::parse_into(&given.value, flag, helm, map),
    };
    if let Err(e) = result {
        let key = given.value.split('=').next().unwrap_or_default();
        let location = match &given.location {
            Location::Span { .. } => given.location.clone(),
            _ => Location::Arg {
                origin: format!("{} {key}=…", flag.as_flag()),
            },
        };
        r.problem(
            ProblemKind::SetInvalid,
            location,
            format!("Helm cannot parse {} {key}=…: {}", flag.as_flag(), e.message),
        );
    }
}

/// `ext-<YYYYMMDD>-<n>` with the smallest n ≥ 1 not in the known history (SPEC §1).
fn auto_label(today: &str, history: &History, previous: Option<&Node>) -> String {
    let mut known: Vec<String> = history.labels.clone();
    if let Some(l) = previous.and_then(|p| p.lookup(EXTERNAL_LABEL)).and_then(Node::as_str) {
        known.push(l.to_string());
    }
    (1..)
        .map(|n| format!("ext-{today}-{n}"))
        .find(|l| !known.contains(l))
        .unwrap_or_default()
}

/// The labels the chart keeps in its release ConfigMap, and the installed chart version from its
/// `chart` label (`ibm-eventstreams-prod-1.4.0`) when present.
fn configmap_labels(root: &Node) -> ReleaseConfigMap {
    let data = |k: &str| root.lookup(&format!("data.{k}")).cloned();
    let chart_version = ["metadata.labels.chart", "metadata.labels.helm.sh/chart"]
        .iter()
        .find_map(|p| {
            let (labels, key) = p
                .rsplit_once('.')
                .map(|(a, _)| (a, p.trim_start_matches("metadata.labels.")))?;
            root.lookup(labels)?.as_map()?.get(key)?.as_str().map(str::to_string)
        })
        .and_then(|chart| chart.rsplit_once('-').map(|(_, v)| v.to_string()))
        .filter(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit()));
    ReleaseConfigMap {
        external: data("externalCertificateLabel"),
        previous_external: data("previousExternalCertificateLabel"),
        internal: data("internalCertificateLabel"),
        previous_internal: data("previousInternalCertificateLabel"),
        chart_version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::reader::Limits;
    use crate::load::testing::{arg, dir, place, problems};
    use crate::source::SourceMap;

    fn flag(flag: &str, value: &str) -> Given<String> {
        arg(flag, value)
    }

    #[test]
    fn the_command_fills_in_what_the_flags_leave_out_and_sets_go_in_helm_s_order() {
        let spec = UnitSpec {
            release: Some(flag("--release", "es1")),
            set_file: vec![flag("--set-file", "tls.cert=cert.pem")],
            set: vec![flag("--set", "a=1")],
            command: Some("helm upgrade es2 ./chart.tgz -n kafka -f new.yaml --set-string b=2 --set c=3".to_string()),
            ..UnitSpec::default()
        };
        let (command, args) = Arguments::of(&spec, HelmVersion::V3);
        assert!(command.is_some_and(|c| c.lint.parsed.is_some()));
        // The flag's release wins; the command names the namespace, the chart and a values file.
        assert_eq!(args.release, Some(flag("--release", "es1")));
        assert_eq!(args.namespace.as_deref(), Some("kafka"));
        assert_eq!(args.chart, None);
        assert_eq!(args.command_chart.as_deref(), Some("./chart.tgz"));
        assert_eq!(
            args.values,
            [Given {
                value: "new.yaml".to_string(),
                location: Location::Arg {
                    origin: "--command -f".to_string()
                }
            }]
        );
        let sets: Vec<String> = args
            .sets
            .iter()
            .map(|(f, g)| format!("{} {} @ {:?}", f.as_flag(), g.value, g.location))
            .collect();
        assert_eq!(
            sets,
            [
                "--set c=3 @ Arg { origin: \"--command --set\" }",
                "--set a=1 @ Arg { origin: \"--set a=1\" }",
                "--set-string b=2 @ Arg { origin: \"--command --set-string\" }",
                "--set-file tls.cert=cert.pem @ Arg { origin: \"--set-file tls.cert=cert.pem\" }",
            ]
        );
    }

    #[test]
    fn sets_apply_over_the_files_and_a_bad_one_is_located_by_its_key() {
        let d = dir(&[
            ("values.yaml", b"tls:\n  type: selfsigned\n  keep: yes\n"),
            ("cert.pem", b"PEM\n"),
        ]);
        let limits = Limits::default();
        let mut r = Reader::new(&limits, d.path(), SourceMap::new(), Some(HelmVersion::V3));
        let mut proposed = read_proposed(&mut r, &[flag("-f", "values.yaml")]);
        let sets = [
            (SetFlag::Set, flag("--set", "tls.type=provided")),
            (SetFlag::Set, flag("--set", "a[x]=1")),
            (SetFlag::SetFile, flag("--set-file", "tls.cert=cert.pem")),
        ];
        apply_sets(&mut r, &mut proposed, &sets);
        let at = |path: &str| {
            let node = proposed.root.lookup(path).expect(path);
            (
                node.as_str().map(str::to_string),
                place(&r.sources, &Location::of(&node.origin)),
            )
        };
        assert_eq!(at("tls.type"), (Some("provided".into()), "--set tls.type=…".into()));
        assert_eq!(at("tls.cert"), (Some("PEM\n".into()), "--set-file tls.cert=…".into()));
        assert_eq!(at("tls.keep").1, "values.yaml:3:9");
        assert_eq!(problems(&r.sources, &r.problems).len(), 1);
        assert!(
            problems(&r.sources, &r.problems)[0].starts_with("--set a[x]=…: Helm cannot parse --set a[x]=…: "),
            "{:?}",
            r.problems
        );
        assert_eq!(
            r.inputs.iter().map(|i| i.role.as_str()).collect::<Vec<_>>(),
            ["values", "set-file"]
        );
    }

    #[test]
    fn auto_takes_the_first_label_of_the_day_not_used_before() {
        let history = History {
            labels: vec!["ext-20261127-1".to_string()],
            ..History::default()
        };
        let mut sources = SourceMap::new();
        let id = sources.add(crate::source::Source::new(
            "previous.yaml",
            "global:\n  security:\n    externalCertificateLabel: ext-20261127-2\n",
        ));
        let previous = crate::source::yaml::load(&sources.get(id).text, id, &Default::default()).root;
        assert_eq!(auto_label("20261127", &history, previous.as_ref()), "ext-20261127-3");
        assert_eq!(auto_label("20261128", &history, previous.as_ref()), "ext-20261128-1");
        assert_eq!(
            label_value(&NewLabel::Value("{a,b}".into()), "20261127", &history, None),
            "{a,b}"
        );
    }

    #[test]
    fn the_configmap_names_the_installed_chart_version() {
        let mut sources = SourceMap::new();
        let text =
            "data:\n  externalCertificateLabel: ext-1\nmetadata:\n  labels:\n    chart: ibm-eventstreams-prod-1.4.0\n";
        let id = sources.add(crate::source::Source::new("configmap.yaml", text));
        let root = crate::source::yaml::load(text, id, &Default::default())
            .root
            .expect("yaml");
        let cm = configmap_labels(&root);
        assert_eq!(cm.chart_version.as_deref(), Some("1.4.0"));
        let external = cm.external.expect("external label");
        assert_eq!(external.as_str(), Some("ext-1"));
        assert_eq!(place(&sources, &Location::of(&external.origin)), "configmap.yaml:2:29");
        assert!(cm.internal.is_none());
    }
}
