//! What the approved command must change, and the command itself: the certificate settings whose
//! effective value differs from what runs today, in the command's fixed order, the other keys that
//! change, and the one `helm upgrade` that carries out the checked change, proven against what the
//! Helm version given will really hold ([`crate::helm::upgrade`]) before anyone may print it.

use crate::helm::HelmVersion;
use crate::helm::approved::{Change as CommandChange, ChangeValue, UpgradeCommand};
use crate::helm::argv::parse_command;
use crate::helm::coalesce::{merge_into, present, same_value};
use crate::helm::render::rendered;
use crate::helm::upgrade::reuse_values;
use crate::model::unit::{COMMAND_ORDER, EMPTY_IS_UNSET, Unit};
use crate::source::value::{Mapping, Node, Origin, Value};

/// The new value of one certificate setting, as the command will carry it.
#[derive(Debug, Clone, PartialEq)]
pub enum NewValue {
    /// `--set KEY=null`: the key is removed.
    Remove,
    /// The string Helm will render (numbers and booleans are passed as the string they render to).
    Text(String),
    /// Key material held in a values file, passed with `-f FILE` and never spelled out.
    InValuesFile(String),
    /// Material from a PEM file (`--key`, `--cert`, `--cacert`), passed by reference:
    /// `KEY="$(base64 -w0 < FILE)"`.
    FromFile(String),
    /// A private key given on the command line: it cannot be repeated in the command.
    SecretOnCommandLine,
    /// A list or map: `--set` cannot carry it exactly (the label checks reject these anyway).
    Unrepresentable,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: &'static str,
    pub new: NewValue,
    /// Where the new value was set (None when it was removed by omission).
    pub origin: Option<Origin>,
}

/// The certificate settings whose value this change alters, in command order: with the running
/// values known, those whose effective value differs; without them, those the overrides name.
fn changed_settings(unit: &Unit) -> impl Iterator<Item = &'static str> + '_ {
    COMMAND_ORDER.into_iter().filter(|path| match &unit.running {
        Some(running) => !same_value(running.lookup(path), unit.effective.lookup(path)),
        None => unit.proposed.lookup(path).is_some(),
    })
}

/// Whether any certificate setting changes: [`certificate_changes`] without forming the values.
pub fn changes_certificates(unit: &Unit) -> bool {
    changed_settings(unit).next().is_some()
}

/// The certificate settings this change sets, in command order.
///
/// With the running values known, a setting is changed when its effective value differs. Without
/// them (no `--previous`), every certificate setting the proposed overrides name is taken as a
/// change: `--reuse-values` keeps everything else as it is.
pub fn certificate_changes(unit: &Unit) -> Vec<Change> {
    let mut changes = Vec::new();
    for path in changed_settings(unit) {
        let now = unit.effective.lookup(path);
        let node = now.filter(|n| !n.is_null());
        let pem_file = node.and_then(|n| match &n.origin {
            Origin::File { source, .. } => unit
                .pem_files
                .iter()
                .find(|(id, _)| id == source)
                .map(|(_, p)| p.clone()),
            _ => None,
        });
        let new = match node {
            None => NewValue::Remove,
            Some(_) if pem_file.is_some() => NewValue::FromFile(pem_file.unwrap_or_default()),
            // tls.key is a private key unless it is, with tls.type=secret, the name of the key in
            // the Secret: anything else is passed by reference (its values file) or not at all,
            // whatever it looks like (a key cut short or mis-padded is still a key).
            Some(n) if path == "tls.key" && !is_key_name(unit, n) => match values_file_of(unit, n) {
                Some(file) => NewValue::InValuesFile(file),
                None => NewValue::SecretOnCommandLine,
            },
            Some(n) => match &n.value {
                Value::Scalar(_) => rendered(n, unit.helm).map_or(NewValue::Remove, NewValue::Text),
                _ => NewValue::Unrepresentable,
            },
        };
        changes.push(Change {
            path,
            new,
            origin: now.map(|n| n.origin.clone()),
        });
    }
    changes
}

/// Whether `tls.key` names the key in the Secret (`tls.type=secret`, a valid key name that is not
/// itself key material), rather than holding a key.
fn is_key_name(unit: &Unit, node: &Node) -> bool {
    unit.new_type() == Some(crate::model::unit::TlsType::Secret)
        && node.as_str().is_some_and(|s| {
            !s.is_empty()
                && s.len() <= 253
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
                && !crate::source::secret::holds_key_material(s)
        })
}

/// The values file (by path) a node was read from, if it came from one of the proposed files.
pub fn values_file_of(unit: &Unit, node: &Node) -> Option<String> {
    let Origin::File { source, .. } = &node.origin else {
        return None;
    };
    let name = &unit.sources.get(*source).name;
    unit.values_files
        .iter()
        .find(|f| &f.path == name)
        .map(|f| f.path.clone())
}

/// A key path as Helm's `--set` spells it: segments joined with `.`, a dot inside a key escaped
/// (`q\.r`), so that a key with a dot in its name is one key, not two.
pub fn display_path(segments: &[String]) -> String {
    let mut out = String::new();
    for (i, seg) in segments.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        for c in seg.chars() {
            if c == '.' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// The node at a path of key segments (each segment one key, dots and all).
fn at<'a>(root: &'a Node, segments: &[String]) -> Option<&'a Node> {
    segments.iter().try_fold(root, |node, seg| node.as_map()?.get(seg))
}

/// Leaf paths (key segments) of `node` outside the certificate settings, with their nodes: a map's
/// entries are walked, anything else (scalar, list, empty map) is a leaf. Bounded by the input's
/// own depth limit.
fn unrelated_leaves<'a>(node: &'a Node, out: &mut Vec<(Vec<String>, &'a Node)>) {
    let mut stack: Vec<(Vec<String>, &Node)> = vec![(Vec::new(), node)];
    while let Some((path, node)) = stack.pop() {
        match &node.value {
            Value::Map(m) if !m.is_empty() => {
                for e in m.iter().rev() {
                    let mut p = path.clone();
                    p.push(e.key.clone());
                    if is_certificate_segments(&p) {
                        continue;
                    }
                    stack.push((p, &e.node));
                }
            }
            _ if path.is_empty() => {}
            _ => out.push((path, node)),
        }
    }
}

/// Leaf paths outside the certificate labels and `tls` whose effective value this change alters,
/// with the node that sets them (or removes them), as `--set` spells the path.
pub fn unrelated_changes(unit: &Unit) -> Vec<(String, Node)> {
    let mut leaves = Vec::new();
    unrelated_leaves(&unit.proposed, &mut leaves);
    leaves
        .into_iter()
        .filter(|(path, _)| match &unit.running {
            Some(running) => !same_value(at(running, path), at(&unit.effective, path)),
            None => true,
        })
        .map(|(path, node)| (display_path(&path), node.clone()))
        .collect()
}

/// The certificate labels, other certificate keys under `global.security` (whose misuse CG106 and
/// CG212 report), and everything under `tls` belong to a rotation; nothing else does.
fn is_certificate_segments(path: &[String]) -> bool {
    match path {
        [first, ..] if first == "tls" => true,
        [global, security, key] if global == "global" && security == "security" => key.to_lowercase().contains("cert"),
        _ => false,
    }
}

/// Whether anything in `tls` changes between what runs today and what Helm will hold.
pub fn tls_changes(unit: &Unit) -> bool {
    match &unit.running {
        Some(running) => !same_value(running.lookup("tls"), unit.effective.lookup("tls")),
        None => present(&unit.proposed, "tls").is_some(),
    }
}

/// Why no command can be written for a change that would be approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoCommand {
    /// The release name or the chart archive is not given: nothing to name (CG510).
    Missing(&'static str),
    /// The command cannot carry the change safely (CG509): a key given on the command line, a
    /// value the shell or Helm cannot be given, key material in the command, or a change the Helm
    /// version given would not make in one upgrade.
    Unsafe(String),
}

impl std::fmt::Display for NoCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoCommand::Missing(why) => f.write_str(why),
            NoCommand::Unsafe(why) => f.write_str(why),
        }
    }
}

/// The approved command, formed and proven, and what else it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The command line, byte for byte.
    pub command: String,
    /// Keys outside the certificate settings that the command changes as well: a values file
    /// passed with `-f` for the key material it holds brings everything else it sets.
    pub carried: Vec<Carried>,
}

/// A key outside the certificate settings that the command changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Carried {
    /// The path as `--set` spells it.
    pub path: String,
    /// The value the release holds today (rendered), or None when it holds none.
    pub before: Option<String>,
    /// The value it will hold, or None when the command removes it.
    pub after: Option<String>,
    /// The node in the values file that sets it (for the finding's location).
    pub node: Node,
    /// The values file that carries it.
    pub file: String,
}

/// The one command that carries out exactly the checked change; `Ok(None)` when nothing changes;
/// `Err` with the reason when no such command can be written.
///
/// The command is proven before it is returned: read back as the shell and Helm read it
/// ([`parse_command`]), applied with `--reuse-values` as the Helm version given applies it
/// ([`reuse_values`]), it must leave every certificate setting as checked; what else it changes is
/// returned in [`Planned::carried`] for the rules to judge.
pub fn command(unit: &Unit) -> Result<Option<Planned>, NoCommand> {
    let changes = certificate_changes(unit);
    if changes.is_empty() {
        return Ok(None);
    }
    let release = unit
        .release
        .as_ref()
        .map(|r| r.value.clone())
        .ok_or(NoCommand::Missing("no release name (--release)"))?;
    let chart = unit
        .chart_path
        .clone()
        .ok_or(NoCommand::Missing("no chart archive (--chart)"))?;
    let mut values_files = Vec::new();
    let mut sets = Vec::new();
    for change in changes {
        let value = match change.new {
            NewValue::Remove => removal(unit, change.path)?,
            NewValue::Text(s) => ChangeValue::Str(s),
            NewValue::InValuesFile(path) => {
                if !values_files.contains(&path) {
                    values_files.push(path);
                }
                continue;
            }
            NewValue::FromFile(path) => ChangeValue::FileRef { path },
            NewValue::SecretOnCommandLine => {
                return Err(NoCommand::Unsafe(
                    "the private key was given on the command line; give it as a file (--key FILE) so the command can refer to it".into(),
                ));
            }
            NewValue::Unrepresentable => {
                return Err(NoCommand::Unsafe(format!(
                    "{} cannot be passed with --set",
                    change.path
                )));
            }
        };
        sets.push(CommandChange::new(change.path, value));
    }
    let command = UpgradeCommand {
        release,
        chart,
        namespace: unit.namespace.clone(),
        helm: unit.helm,
        values_files,
        changes: sets,
    };
    let command = command.render().map_err(|e| NoCommand::Unsafe(e.to_string()))?;
    // The last word on it: a command that would carry key material is never approved, whatever
    // path it took into the command.
    if crate::source::secret::holds_key_material(&command) {
        return Err(NoCommand::Unsafe(
            "the command would carry what is, or may be, private key material; give the key as a file (--key FILE)"
                .into(),
        ));
    }
    let carried = prove(unit, &command)?;
    Ok(Some(Planned { command, carried }))
}

/// How the command removes a certificate setting, for the Helm version given.
///
/// `--set K=null` removes `K` in Helm 2, and in Helm 3 and 4 only when the release does not store
/// `K`: otherwise the release keeps its old `K` for this upgrade (helm/helm#30765). For the settings
/// the chart reads as unset when empty (`tls.secretName`, `tls.key`, `tls.cert`, `tls.cacert`:
/// `default "key"` and `if` in its templates), an empty value does in one upgrade what the removal
/// means. Any other stored setting cannot be removed in one Helm 3 upgrade.
fn removal(unit: &Unit, path: &'static str) -> Result<ChangeValue, NoCommand> {
    let stored = unit.previous.as_ref().and_then(|p| present(p, path)).is_some();
    if unit.helm == HelmVersion::V2 || !stored {
        return Ok(ChangeValue::Null);
    }
    if EMPTY_IS_UNSET.contains(&path) {
        return Ok(ChangeValue::Str(String::new()));
    }
    Err(NoCommand::Unsafe(format!(
        "{path} is to be removed, but {} keeps a value the release already holds when --reuse-values is given {path}=null (helm/helm#30765): set it to a value instead",
        unit.helm
    )))
}

/// Read `command` back, apply it as the Helm version given would, and check that every certificate
/// setting ends as checked; return the other keys it changes.
fn prove(unit: &Unit, command: &str) -> Result<Vec<Carried>, NoCommand> {
    let unproven = |why: String| NoCommand::Unsafe(format!("the command was not proven: {why}"));
    let parsed = parse_command(command, unit.helm).map_err(|e| unproven(e.to_string()))?;
    if let Some(e) = parsed.set_errors.first() {
        return Err(unproven(format!("Helm would reject {}: {}", e.word.text, e.error)));
    }
    let mut overrides = Node::empty_map(Origin::Synthetic);
    for file in &parsed.values_files {
        let root = unit
            .values_files
            .iter()
            .find(|f| f.path == file.text)
            .and_then(|f| f.root.as_ref())
            .ok_or_else(|| unproven(format!("{} was not read", file.text)))?;
        merge_into(&mut overrides, root);
    }
    merge_into(
        &mut overrides,
        &Node::new(Value::Map(parsed.values.clone()), Origin::Synthetic),
    );
    // A file reference gives the value certgate read from that file for the key.
    for r in &parsed.file_refs {
        let value = unit
            .effective
            .lookup(&r.key)
            .cloned()
            .ok_or_else(|| unproven(format!("{} has no value", r.key)))?;
        let mut one = Mapping::new();
        set_at(&mut one, &r.key, value);
        merge_into(&mut overrides, &Node::new(Value::Map(one), Origin::Synthetic));
    }
    let stored = unit.previous.clone().unwrap_or_else(crate::helm::upgrade::empty);
    let after = reuse_values(unit.helm, &unit.defaults, &stored, &overrides);
    for path in COMMAND_ORDER {
        let helm_holds = setting(&after, path, unit.helm);
        let checked = setting(&unit.effective, path, unit.helm);
        if helm_holds != checked {
            return Err(unproven(format!(
                "{} would hold {path} = {} where {} was checked",
                unit.helm,
                shown(&helm_holds),
                shown(&checked)
            )));
        }
    }
    let today = reuse_values(unit.helm, &unit.defaults, &stored, &crate::helm::upgrade::empty());
    let mut leaves = Vec::new();
    unrelated_leaves(&after, &mut leaves);
    let mut carried = Vec::new();
    for (path, now) in leaves {
        let before = at(&today, &path);
        if same_value(before, Some(now)) {
            continue;
        }
        // Only a values file brings keys the --set words do not name.
        let Some((file, node)) = parsed.values_files.iter().rev().find_map(|f| {
            let root = unit.values_files.iter().find(|v| v.path == f.text)?.root.as_ref()?;
            at(root, &path).map(|n| (f.text.clone(), n.clone()))
        }) else {
            continue;
        };
        carried.push(Carried {
            path: display_path(&path),
            before: before.filter(|n| !n.is_null()).map(|n| shown_node(n, unit.helm)),
            after: Some(now).filter(|n| !n.is_null()).map(|n| shown_node(n, unit.helm)),
            node,
            file,
        });
    }
    Ok(carried)
}

/// A certificate setting as the chart reads it: the rendered string, None when unset (absent,
/// null, or empty where the chart reads empty as unset).
fn setting(values: &Node, path: &str, helm: HelmVersion) -> Option<String> {
    let s = present(values, path).and_then(|n| rendered(n, helm))?;
    (!(s.is_empty() && EMPTY_IS_UNSET.contains(&path))).then_some(s)
}

fn shown(s: &Option<String>) -> String {
    match s {
        None => "no value".into(),
        Some(s) if crate::source::secret::holds_key_material(s) => "[key material]".into(),
        Some(s) => format!("{s:?}"),
    }
}

fn shown_node(n: &Node, helm: HelmVersion) -> String {
    rendered(n, helm).unwrap_or_default()
}

/// Put `value` at a dotted path in `m` (the path as the command's `--set` word spells it).
fn set_at(m: &mut Mapping, path: &str, value: Node) {
    let mut parts = path.split('.');
    let Some(first) = parts.next() else { return };
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        m.insert(first.to_string(), Origin::Synthetic, value);
        return;
    }
    let mut inner = Mapping::new();
    set_at(&mut inner, &rest.join("."), value);
    m.insert(
        first.to_string(),
        Origin::Synthetic,
        Node::new(Value::Map(inner), Origin::Synthetic),
    );
}
