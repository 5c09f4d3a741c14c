//! What the approved command must change: the certificate settings whose effective value differs
//! from what runs today, in the command's fixed order (SPEC §3), and the other keys that change.

use super::effective::{present, same_value};
use super::render::rendered;
use super::unit::{COMMAND_ORDER, Unit};
use super::value::{Node, Origin, Value};

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

/// Leaf paths outside the certificate labels and `tls` whose effective value this change alters,
/// with the node that sets them (or removes them).
pub fn unrelated_changes(unit: &Unit) -> Vec<(String, Node)> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, &Node)> = vec![(String::new(), &unit.proposed)];
    while let Some((path, node)) = stack.pop() {
        match &node.value {
            Value::Map(m) if !m.is_empty() => {
                for e in m.iter().rev() {
                    let p = if path.is_empty() {
                        e.key.clone()
                    } else {
                        format!("{path}.{}", e.key)
                    };
                    if is_certificate_path(&p) {
                        continue;
                    }
                    stack.push((p, &e.node));
                }
            }
            _ if path.is_empty() => {}
            _ => {
                let before = unit.running.as_ref().and_then(|r| r.lookup(&path));
                let after = unit.effective.lookup(&path);
                let changed = match &unit.running {
                    Some(_) => !same_value(before, after),
                    None => true,
                };
                if changed {
                    out.push((path, node.clone()));
                }
            }
        }
    }
    out
}

/// The certificate labels, other certificate keys under `global.security` (whose misuse CG106 and
/// CG212 report), and everything under `tls` belong to a rotation; nothing else does.
pub fn is_certificate_path(path: &str) -> bool {
    path == "tls"
        || path.starts_with("tls.")
        || path
            .strip_prefix("global.security.")
            .is_some_and(|k| !k.contains('.') && k.to_lowercase().contains("cert"))
}

/// Whether anything in `tls` changes between what runs today and what Helm will hold.
pub fn tls_changes(unit: &Unit) -> bool {
    match &unit.running {
        Some(running) => !same_value(running.lookup("tls"), unit.effective.lookup("tls")),
        None => present(&unit.proposed, "tls").is_some(),
    }
}
