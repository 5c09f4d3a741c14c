//! Certificate material: the PEM files standing for `tls.key`, `tls.cert` and `tls.cacert`, the
//! base64 values of `tls.type=provided`, the Secret manifest of `tls.type=secret`, and the CA
//! clients trust today, gathered as text with where it is held ([`Raw`]) for
//! [`crate::model::material::analyse`]; what no renderer may quote; and whether the private key
//! sits in a values file git tracks.

use std::path::Path;

use base64::Engine as _;

use super::reader::{Reader, display_path};
use super::redact::redactions;
use super::values::Proposed;
use super::{Context, UnitSpec};
use crate::helm::coalesce::{merge_into, present};
use crate::helm::strvals::HelmVersion;
use crate::model::material::{self, Flaw, Holder, KeyInValues, Material, Raw, Role, analyse};
use crate::model::unit::{Given, TlsType, ValuesFile};
use crate::source::pem::decode_value_base64;
use crate::source::value::{Mapping, Node, Origin, Scalar, Value};
use crate::source::{InputRole, Location, ProblemKind, SourceId, SourceMap, Span};

/// A PEM file read for a role: its source, its name, and the role.
pub(super) type PemFile = (SourceId, String, Role);

/// Read the PEM files standing for tls.key/tls.cert/tls.cacert: their base64 goes into the
/// proposed values (as the approved command's "$(base64 -w0 < FILE)" will put it), located at the
/// file.
pub(super) fn read_pem_files(r: &mut Reader, spec: &UnitSpec, proposed: &mut Proposed) -> Vec<PemFile> {
    let mut pem_files = Vec::new();
    for (role, given) in [
        (Role::Key, &spec.key),
        (Role::Cert, &spec.cert),
        (Role::CaCert, &spec.cacert),
    ] {
        let Some(given) = given else { continue };
        proposed.any = true;
        let Some(id) = r.read_pem(input_role(role), given) else {
            continue;
        };
        let src = r.sources.get(id);
        let encoded = base64::engine::general_purpose::STANDARD.encode(src.text.as_bytes());
        let origin = Origin::file(id, Span::point(0));
        // Merged like a --set-file: over the files and flags, keeping the rest of `tls`.
        let mut tls = Mapping::new();
        let key = role.value_path().trim_start_matches("tls.").to_string();
        tls.insert(key, origin.clone(), Node::scalar(Scalar::Str(encoded), origin.clone()));
        let mut overlay = Mapping::new();
        overlay.insert("tls".into(), origin.clone(), Node::new(Value::Map(tls), origin.clone()));
        merge_into(&mut proposed.root, &Node::new(Value::Map(overlay), origin));
        pem_files.push((id, src.name.clone(), role));
    }
    pem_files
}

/// The values paths a PEM file was named for, read or not.
pub(super) fn pem_given(spec: &UnitSpec) -> Vec<&'static str> {
    [
        (Role::Key, &spec.key),
        (Role::Cert, &spec.cert),
        (Role::CaCert, &spec.cacert),
    ]
    .iter()
    .filter(|(_, g)| g.is_some())
    .map(|(role, _)| role.value_path())
    .collect()
}

/// The values a unit's material is read from.
pub(super) struct Values<'a> {
    pub effective: &'a Node,
    pub running: Option<&'a Node>,
    pub previous: Option<&'a Node>,
    pub files: &'a [ValuesFile],
    /// The values files as given, in the order of `files`.
    pub given: &'a [Given<String>],
}

/// What the loader finds of a unit's material.
pub(super) struct Found {
    pub material: Material,
    /// Spans that hold private key material ([`redactions`]).
    pub redacted: Vec<(SourceId, Span)>,
    pub key_in_values: Option<KeyInValues>,
}

/// Read the Secret manifest, gather the material by certificate type, analyse it at the run's
/// time, and find what no renderer may quote.
pub(super) fn find(
    r: &mut Reader,
    ctx: &Context,
    spec: &UnitSpec,
    values: &Values,
    pem_files: &[PemFile],
    previous_ca_file: Option<SourceId>,
    served_ca: Option<Raw>,
) -> Found {
    let secret = spec.secret.as_ref().and_then(|given| {
        let id = r.read_text(InputRole::Secret, given, ProblemKind::Unreadable)?;
        r.parse_values(id, InputRole::Secret, false)
    });
    let (raws, problems) = gather_material(
        &r.sources,
        values.effective,
        values.running,
        pem_files,
        previous_ca_file,
        secret.as_ref(),
    );
    let mut raws = raws;
    // What the wire serves stands for the CA clients trust today only when nothing else does.
    if !raws.iter().any(|r| r.role == Role::PreviousCa) {
        raws.extend(served_ca);
    }
    let redacted = redactions(
        &r.sources,
        &raws,
        [values.previous, secret.as_ref()]
            .into_iter()
            .flatten()
            .chain(values.files.iter().filter_map(|f| f.root.as_ref())),
        secret.as_ref(),
    );
    let material = analyse(raws, problems, ctx.now);
    let key_in_values = key_in_values(values.effective, values.given, values.files, &r.sources, |given| {
        crate::source::git::batch_path(&spec.base_dir, given)
            .and_then(|path| ctx.batches.with(&spec.base_dir, |b| b.in_index(&path)))
            .unwrap_or_else(|| crate::source::git::tracked(Path::new(&display_path(&spec.base_dir, given))))
    });
    Found {
        material,
        redacted,
        key_in_values,
    }
}

/// The proposed values file the effective private key (`tls.key`) is written in, and whether git
/// tracks it. `tracked` is asked with the file's path as given (relative to the unit's base
/// directory), and only about a file that holds a key: it may start a git process.
fn key_in_values(
    effective: &Node,
    given: &[Given<String>],
    files: &[ValuesFile],
    sources: &SourceMap,
    tracked: impl FnOnce(&str) -> bool,
) -> Option<KeyInValues> {
    let node = present(effective, "tls.key")?;
    let Origin::File { source, .. } = &node.origin else {
        return None;
    };
    let name = &sources.get(*source).name;
    let at = files.iter().position(|f| &f.path == name)?;
    material::holds_private_key(node.as_str()?).then_some(())?;
    Some(KeyInValues {
        location: Location::of(&node.origin),
        file: files[at].path.clone(),
        tracked: tracked(&given.get(at)?.value),
    })
}

/// The input a piece of material is read from.
fn input_role(role: Role) -> InputRole {
    match role {
        Role::Key => InputRole::Key,
        Role::Cert => InputRole::Cert,
        Role::CaCert => InputRole::Cacert,
        Role::PreviousCa => InputRole::PreviousCacert,
    }
}

/// The certificate material the change hands over, by certificate type (SPEC §1): PEM files or the
/// base64 values for `provided`, the Secret manifest for `secret`; and the CA clients trust today.
fn gather_material(
    sources: &SourceMap,
    effective: &Node,
    running: Option<&Node>,
    pem_files: &[PemFile],
    previous_ca_file: Option<SourceId>,
    secret: Option<&Node>,
) -> (Vec<Raw>, Vec<material::Problem>) {
    let mut raws = Vec::new();
    let mut problems = Vec::new();
    let new_type = present(effective, "tls.type")
        .and_then(Node::as_str)
        .and_then(TlsType::parse);
    match new_type {
        Some(TlsType::Provided) => provided_material(sources, effective, pem_files, &mut raws, &mut problems),
        Some(TlsType::Secret) => {
            if let Some(secret) = secret {
                secret_material(sources, effective, secret, &mut raws, &mut problems);
            }
        }
        _ => {}
    }
    match previous_ca_file {
        Some(id) => raws.push(file_raw(sources, id, Role::PreviousCa)),
        None => raws.extend(previous_ca_value(sources, running, &mut problems)),
    }
    (raws, problems)
}

/// A PEM file's text as material for `role`.
fn file_raw(sources: &SourceMap, id: SourceId, role: Role) -> Raw {
    let src = sources.get(id);
    Raw {
        role,
        holder: Holder::File {
            source: id,
            path: src.name.clone(),
        },
        text: src.text.clone(),
        source: src.name.clone(),
    }
}

/// `tls.type=provided`: each of tls.key, tls.cert and tls.cacert from the PEM file given for it,
/// or decoded from its base64 value.
fn provided_material(
    sources: &SourceMap,
    effective: &Node,
    pem_files: &[PemFile],
    raws: &mut Vec<Raw>,
    problems: &mut Vec<material::Problem>,
) {
    for role in [Role::Key, Role::Cert, Role::CaCert] {
        let Some(node) = present(effective, role.value_path()) else {
            continue;
        };
        let from_file = match &node.origin {
            Origin::File { source, .. } => pem_files.iter().find(|(id, _, _)| id == source),
            _ => None,
        };
        match from_file {
            Some((id, _, _)) => raws.push(file_raw(sources, *id, role)),
            None => {
                let shown = format!("{}:{}", origin_name(sources, &node.origin), role.value_path());
                raws.extend(material::decode_value(role, node, role.value_path(), &shown, problems));
            }
        }
    }
}

/// The CA clients trust today from the running values, when they are `provided` ones.
fn previous_ca_value(
    sources: &SourceMap,
    running: Option<&Node>,
    problems: &mut Vec<material::Problem>,
) -> Option<Raw> {
    let running_type = running
        .and_then(|r| present(r, "tls.type"))
        .and_then(Node::as_str)
        .and_then(TlsType::parse);
    let (Some(TlsType::Provided), Some(node)) = (running_type, running.and_then(|r| present(r, "tls.cacert"))) else {
        return None;
    };
    let shown = format!("{}:tls.cacert", origin_name(sources, &node.origin));
    material::decode_value(Role::PreviousCa, node, "the previous tls.cacert", &shown, problems)
}

fn origin_name(sources: &SourceMap, origin: &Origin) -> String {
    match origin {
        Origin::File { source, .. } => sources.get(*source).name.clone(),
        Origin::Flag { flag, key } => format!("{} {key}", flag.as_flag()),
        Origin::Synthetic => "values".into(),
    }
}

/// The key, certificate and CA of a Secret manifest, under the key names the values give
/// (`tls.key`, `tls.cert`, `tls.cacert`, defaulting to `key`, `cert`, `cacert` as the chart does).
fn secret_material(
    sources: &SourceMap,
    effective: &Node,
    secret: &Node,
    raws: &mut Vec<Raw>,
    problems: &mut Vec<material::Problem>,
) {
    let manifest = origin_name(sources, &secret.origin);
    let at_root = Location::of(&secret.origin);
    if secret.lookup("kind").and_then(Node::as_str) != Some("Secret") {
        problems.push(material::Problem {
            role: None,
            location: secret.lookup("kind").map_or(at_root, |n| Location::of(&n.origin)),
            block: None,
            path: None,
            flaw: Flaw::NotASecret { manifest },
        });
        return;
    }
    for (role, default) in [(Role::Key, "key"), (Role::Cert, "cert"), (Role::CaCert, "cacert")] {
        let key = present(effective, role.value_path())
            .and_then(|n| crate::helm::render::rendered(n, HelmVersion::V3))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| default.to_string());
        let entry = |field: &str| secret.lookup(field).and_then(Node::as_map).and_then(|m| m.entry(&key));
        match (entry("stringData"), entry("data")) {
            (Some(e), _) => {
                let Some(text) = e.node.as_str() else { continue };
                let shown = format!("{manifest}:stringData.{key}");
                raws.push(Raw {
                    role,
                    holder: Holder::Value {
                        origin: e.node.origin.clone(),
                        name: shown.clone(),
                    },
                    text: text.to_string(),
                    source: shown,
                });
            }
            (None, Some(e)) => {
                let shown = format!("{manifest}:data.{key}");
                let encoded = e.node.as_str().map(decode_value_base64);
                if let Some(Err(error)) = encoded {
                    problems.push(material::Problem {
                        role: Some(role),
                        location: Location::of(&e.node.origin),
                        block: None,
                        path: Some(format!("data.{key}")),
                        flaw: Flaw::SecretDataNotBase64 { name: shown, error },
                    });
                    continue;
                }
                raws.extend(material::decode_value(role, &e.node, &shown, &shown, problems));
            }
            (None, None) => {
                let at = secret.lookup("data").or_else(|| secret.lookup("stringData"));
                problems.push(material::Problem {
                    role: Some(role),
                    location: at.map_or(at_root.clone(), |n| Location::of(&n.origin)),
                    block: None,
                    path: Some(role.value_path().to_string()),
                    flaw: Flaw::SecretKeyMissing {
                        manifest: manifest.clone(),
                        by_default: key == default,
                        key,
                        role,
                    },
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::testing::place;
    use crate::source::Source;
    use crate::source::yaml;

    fn yaml(sources: &mut SourceMap, name: &str, text: &str) -> Node {
        let id = sources.add(Source::new(name, text));
        yaml::load(text, id, &yaml::Limits::default()).root.expect("yaml")
    }

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    const CERT: &str = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

    #[test]
    fn a_secret_is_read_under_the_key_names_the_values_give() {
        let mut sources = SourceMap::new();
        let values = yaml(&mut sources, "values.yaml", "tls:\n  type: secret\n  cert: crt\n");
        let secret = yaml(
            &mut sources,
            "secret.yaml",
            &format!("kind: Secret\ndata:\n  crt: {}\nstringData:\n  key: k\n", b64(CERT)),
        );
        let (raws, problems) = gather_material(&sources, &values, None, &[], None, Some(&secret));
        let read: Vec<(Role, String, String)> = raws
            .iter()
            .map(|r| {
                let Holder::Value { origin, .. } = &r.holder else {
                    panic!("{r:?}")
                };
                (r.role, r.source.clone(), place(&sources, &Location::of(origin)))
            })
            .collect();
        assert_eq!(
            read,
            [
                (Role::Key, "secret.yaml:stringData.key".into(), "secret.yaml:5:8".into()),
                (Role::Cert, "secret.yaml:data.crt".into(), "secret.yaml:3:8".into()),
            ]
        );
        assert_eq!(raws[1].text, CERT);
        // The CA under the chart's default name is missing: a fact with its place; the words are CG213's.
        assert_eq!(problems.len(), 1);
        assert_eq!(place(&sources, &problems[0].location), "secret.yaml:3:3");
        assert_eq!(
            problems[0].flaw,
            Flaw::SecretKeyMissing {
                manifest: "secret.yaml".into(),
                key: "cacert".into(),
                role: Role::CaCert,
                by_default: true,
            }
        );
    }

    #[test]
    fn provided_material_comes_from_the_pem_file_or_the_value_and_the_previous_ca_from_the_running_values() {
        let d = crate::load::testing::dir(&[("cert.pem", CERT.as_bytes())]);
        let limits = crate::load::Limits::default();
        let mut r = Reader::new(&limits, d.path(), SourceMap::new(), None);
        let values = format!("tls:\n  type: provided\n  cert: old\n  cacert: {}\n", b64(CERT));
        let mut proposed = Proposed {
            files: Vec::new(),
            root: yaml(&mut r.sources, "values.yaml", &values),
            any: false,
        };
        let spec = UnitSpec {
            cert: Some(crate::load::testing::arg("--cert", "cert.pem")),
            ..UnitSpec::default()
        };
        let files = read_pem_files(&mut r, &spec, &mut proposed);
        assert!(proposed.any);
        // The file's base64 stands for tls.cert, located at the file.
        let cert = proposed.root.lookup("tls.cert").expect("tls.cert");
        assert_eq!(cert.as_str(), Some(b64(CERT).as_str()));
        assert_eq!(place(&r.sources, &Location::of(&cert.origin)), "cert.pem:1:1");
        let running = format!("tls:\n  type: provided\n  cacert: {}\n", b64(CERT));
        let running = yaml(&mut r.sources, "previous.yaml", &running);
        let (raws, problems) = gather_material(&r.sources, &proposed.root, Some(&running), &files, None, None);
        assert!(problems.is_empty(), "{problems:?}");
        let read: Vec<(Role, String)> = raws
            .iter()
            .map(|r| (r.role, crate::model::testing::shown(&r.source)))
            .collect();
        assert_eq!(
            read,
            [
                (Role::Cert, "cert.pem".into()),
                (Role::CaCert, "values.yaml:tls.cacert".into()),
                (Role::PreviousCa, "previous.yaml:tls.cacert".into()),
            ]
        );
        assert!(matches!(raws[0].holder, Holder::File { source, .. } if source == files[0].0));
    }

    #[test]
    fn a_private_key_in_a_values_file_is_found_and_git_asked_about_that_file_only() {
        let key = b64("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        let mut sources = SourceMap::new();
        let a = yaml(&mut sources, "a.yaml", "tls:\n  type: provided\n");
        let b = yaml(&mut sources, "b.yaml", &format!("tls:\n  key: {key}\n"));
        let mut effective = a.clone();
        merge_into(&mut effective, &b);
        let files = [
            ValuesFile {
                path: "a.yaml".into(),
                root: Some(a),
            },
            ValuesFile {
                path: "b.yaml".into(),
                root: Some(b),
            },
        ];
        let given = [
            crate::load::testing::arg("-f", "dir/a.yaml"),
            crate::load::testing::arg("-f", "dir/b.yaml"),
        ];
        let mut asked = Vec::new();
        let found = key_in_values(&effective, &given, &files, &sources, |path| {
            asked.push(path.to_string());
            true
        })
        .expect("the key in b.yaml");
        assert_eq!(asked, ["dir/b.yaml"]);
        assert_eq!((found.file.as_str(), found.tracked), ("b.yaml", true));
        assert_eq!(place(&sources, &found.location), "b.yaml:2:8");
        // A Secret's key name in tls.key is no key: git is not asked.
        let named = yaml(&mut sources, "c.yaml", "tls:\n  key: key\n");
        let files = [ValuesFile {
            path: "c.yaml".into(),
            root: Some(named.clone()),
        }];
        let none = key_in_values(&named, &given[..1], &files, &sources, |_| panic!("git asked"));
        assert_eq!(none, None);
    }
}
