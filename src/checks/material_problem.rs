//! `material_problem`: reports what was found wrong with certificate material while reading it (not
//! PEM, not X.509, an unusable key, a key missing from the Secret, a disordered bundle), one rule
//! per kind of problem. The loader records each [`Flaw`] with where it is; which rule reports it
//! (`kind_of`) and the message are decided here.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::crypto::{Validity, validity_at};
use crate::model::material::{Decoded, Flaw, Holder, Material, Problem, Role};
use crate::model::unit::Unit;
use crate::source::pem::PemProblemKind;

pub const KIND: Kind = Kind {
    name: "material_problem",
    summary: "Certificate material reads as what it must be.",
    params: "problem: one of not-pem, cert-unparseable, key-unusable, secret-key-missing, bundle-disorder",
    build: super::build::<MaterialProblem>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialProblem {
    problem: MaterialProblemKind,
}

/// The kinds of problem, one rule each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaterialProblemKind {
    /// CG208: not PEM of the expected kind (base64 of DER, wrong block type, no block at all).
    NotPem,
    /// CG301: a certificate block that is not valid X.509 DER (or a broken PEM block).
    CertUnparseable,
    /// CG302: the private key cannot be parsed, is encrypted, or is of an unsupported kind.
    KeyUnusable,
    /// CG213: the Secret lacks a key the values name.
    SecretKeyMissing,
    /// CG314: duplicates, unrelated blocks, or chain blocks out of order.
    BundleDisorder,
}

impl Check for MaterialProblem {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let material = &unit.material;
        let problems = material.problems.iter().filter(|p| this_change_s(p, material));
        for p in problems.filter(|p| kind_of(&p.flaw) == Some(self.problem)) {
            let Some(message) = message(p, material) else { continue };
            emit.hit(Hit {
                location: p.location.clone(),
                path: p.path.clone(),
                block: p.block,
                message,
            });
        }
    }
}

/// Whether a problem is this change's to fix. What is wrong with the CA clients trust today is the
/// running release's, unless nothing in a file given for it (`--previous-cacert`) can be used:
/// CG404 would then ask for the very file the user gave.
fn this_change_s(p: &Problem, material: &Material) -> bool {
    if p.role != Some(Role::PreviousCa) {
        return true;
    }
    material
        .item(Role::PreviousCa)
        .is_some_and(|i| i.certs.is_empty() && matches!(i.holder, Holder::File { .. }))
}

/// The rule that reports a flaw, if any does.
fn kind_of(flaw: &Flaw) -> Option<MaterialProblemKind> {
    Some(match flaw {
        Flaw::NotASecret { .. } | Flaw::SecretKeyMissing { .. } => MaterialProblemKind::SecretKeyMissing,
        Flaw::SecretDataNotBase64 { .. }
        | Flaw::ValueNotPem { .. }
        | Flaw::NoPemBlock { .. }
        | Flaw::KeyInCertificates { .. } => MaterialProblemKind::NotPem,
        // Text around no block at all is not disorder: the NoPemBlock found with it says what it is.
        Flaw::Pem {
            problem: PemProblemKind::Garbage | PemProblemKind::MissingNewline,
            blockless: true,
            ..
        } => return None,
        Flaw::Pem {
            problem: PemProblemKind::Garbage | PemProblemKind::MissingNewline,
            ..
        } => MaterialProblemKind::BundleDisorder,
        Flaw::Pem { role: Role::Key, .. } | Flaw::KeyInvalid { .. } => MaterialProblemKind::KeyUnusable,
        Flaw::Pem { .. } | Flaw::CertInvalid { .. } => MaterialProblemKind::CertUnparseable,
        // A block of the wrong type after a usable one is padding; in its place, the wrong file.
        Flaw::UnexpectedBlock { after_usable: true, .. } => MaterialProblemKind::BundleDisorder,
        Flaw::UnexpectedBlock { .. } => MaterialProblemKind::NotPem,
        Flaw::SecondKey { .. } | Flaw::Duplicate { .. } | Flaw::NotInChain { .. } | Flaw::OutOfOrder => {
            MaterialProblemKind::BundleDisorder
        }
    })
}

/// What a role's material must be, in a message.
fn expected(role: Role) -> &'static str {
    if role == Role::Key {
        "a private key"
    } else {
        "a certificate"
    }
}

/// The message of a problem; `None` for an intermediate the material does not hold.
fn message(p: &Problem, material: &Material) -> Option<String> {
    Some(match &p.flaw {
        Flaw::NotASecret { manifest } => format!(
            "{manifest} is not a Secret manifest (kind: Secret), as `kubectl get secret NAME -o yaml` prints one"
        ),
        Flaw::SecretKeyMissing {
            manifest,
            key,
            role,
            by_default,
        } => format!(
            "{manifest} has no key {key:?} ({} names it{}): the chart's certificate job cannot read the {}",
            role.value_path(),
            if *by_default { ", by default" } else { "" },
            match role {
                Role::Key => "private key",
                Role::Cert => "certificate",
                _ => "CA certificate",
            },
        ),
        Flaw::SecretDataNotBase64 { name, error } => {
            format!("{name} is not base64 as Kubernetes stores Secret data: {error}")
        }
        Flaw::ValueNotPem { name, decoded } => match decoded {
            Decoded::Der => format!(
                "{name} is the base64 of DER, not of PEM: encode the PEM file (openssl x509 -outform PEM, then base64 -w0)"
            ),
            Decoded::Base64 => format!("{name} is base64 twice over: it decodes to base64 text, not to PEM"),
            Decoded::Bytes(len) => format!("{name} decodes to {len} bytes that are not PEM text"),
            Decoded::NotText => format!("{name} decodes to bytes that are not text"),
        },
        Flaw::Pem { name, problem, .. } => format!("{name}: {problem}"),
        Flaw::NoPemBlock {
            name,
            looks_binary: true,
            ..
        } => format!(
            "{name} is binary (DER?), not PEM: convert it with openssl x509 -inform DER -outform PEM (or openssl pkey for a key)"
        ),
        Flaw::NoPemBlock { name, role, .. } => format!("{name} holds no PEM block: expected {}", expected(*role)),
        Flaw::CertInvalid { name, block, error } => {
            format!("{name}: block {block} is not a valid X.509 certificate: {error}")
        }
        Flaw::KeyInvalid { name, error } => format!("{name}: {error}"),
        Flaw::SecondKey { name, block } => format!("{name}: block {block} is a second private key; the chart uses one"),
        // A certificate bundle is handed to every client (tls.cacert) or served to them
        // (tls.cert): a private key in it is never disorder, wherever it sits.
        Flaw::KeyInCertificates { name, block } => format!(
            "{name}: block {block} is a private key: a certificate file must never hold one (the approved command would hand it to every client)"
        ),
        // Never say more of a misplaced private key than that it is one.
        Flaw::UnexpectedBlock {
            name,
            block,
            label,
            role,
            ..
        } => format!("{name}: block {block} is {label:?}, not {}", expected(*role)),
        Flaw::Duplicate { block, subject } => {
            format!("block {block} repeats a certificate already in the chain ({subject})")
        }
        Flaw::NotInChain { intermediate } => not_in_chain(material, *intermediate)?,
        Flaw::OutOfOrder => "the intermediates are not in chain order (leaf first, then each one's issuer)".to_string(),
    })
}

/// An intermediate off the chain. Clients never use it, so what is wrong with it breaks nothing;
/// it is said all the same, as the reason to drop the block.
fn not_in_chain(material: &Material, intermediate: usize) -> Option<String> {
    let c = material.intermediates().get(intermediate)?;
    let mut flaws = Vec::new();
    match validity_at(&c.cert, material.now) {
        Validity::Expired => flaws.push(format!("it expired on {}", c.cert.not_after_rfc3339)),
        Validity::NotYetValid => flaws.push(format!("it is not valid before {}", c.cert.not_before_rfc3339)),
        Validity::Valid => {}
    }
    if c.cert.public_key.is_weak() {
        flaws.push("its key is weak".to_string());
    }
    if c.cert.signature.is_weak() && !c.cert.is_self_issued {
        flaws.push(format!("it is signed with {}", c.cert.signature.name));
    }
    let flaws = if flaws.is_empty() {
        String::new()
    } else {
        format!("; {}", flaws.join("; "))
    };
    Some(format!(
        "block {} ({}) is not part of the chain from the leaf to tls.cacert{flaws}",
        c.block, c.cert.subject
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca, ca_params};

    fn problem(problem: MaterialProblemKind) -> MaterialProblem {
        MaterialProblem { problem }
    }

    #[test]
    fn the_problems_of_its_kind_are_reported_where_they_were_found() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let unit = Unit::builder()
            .provided(
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "not a certificate\n",
                &root.cert_pem(),
            )
            .build();
        assert_eq!(
            hits(&problem(MaterialProblemKind::NotPem), &unit),
            ["cert.pem:1:1 tls.cert: cert.pem holds no PEM block: expected a certificate"]
        );
        assert_eq!(
            hits(&problem(MaterialProblemKind::KeyUnusable), &unit),
            ["key.pem:1:1#1 tls.key: key.pem: invalid private key: not a PKCS#8 structure"]
        );
        // A Secret without the key the values name.
        let secret = Unit::builder()
            .set("tls.type=secret")
            .set("tls.secretName=es-tls")
            .secret("kind: Secret\ndata:\n  key: AAAA\n")
            .build();
        assert_eq!(
            hits(&problem(MaterialProblemKind::SecretKeyMissing), &secret),
            [
                "secret.yaml:3:3 tls.cert: secret.yaml has no key \"cert\" (tls.cert names it, by default): the chart's certificate job cannot read the certificate",
                "secret.yaml:3:3 tls.cacert: secret.yaml has no key \"cacert\" (tls.cacert names it, by default): the chart's certificate job cannot read the CA certificate",
            ]
        );
    }

    #[test]
    fn usable_material_or_other_kinds_of_problem_are_not_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        for kind in [
            MaterialProblemKind::NotPem,
            MaterialProblemKind::CertUnparseable,
            MaterialProblemKind::KeyUnusable,
            MaterialProblemKind::SecretKeyMissing,
            MaterialProblemKind::BundleDisorder,
        ] {
            assert_eq!(hits(&problem(kind), &unit), Vec::<String>::new(), "{kind:?}");
        }
    }

    const KINDS: [MaterialProblemKind; 5] = [
        MaterialProblemKind::NotPem,
        MaterialProblemKind::CertUnparseable,
        MaterialProblemKind::KeyUnusable,
        MaterialProblemKind::SecretKeyMissing,
        MaterialProblemKind::BundleDisorder,
    ];

    /// Every kind's hits on `unit`, each led by the kind that reports it: which rule reports a
    /// problem is this kind's decision, so the tests see all of them.
    fn reported(unit: &Unit) -> Vec<String> {
        KINDS
            .iter()
            .flat_map(|k| hits(&problem(*k), unit).into_iter().map(move |h| format!("{k:?} {h}")))
            .collect()
    }

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn a_manifest_that_is_not_a_secret_or_whose_data_is_not_base64() {
        let not_secret = Unit::builder()
            .set("tls.type=secret")
            .secret("kind: ConfigMap\ndata:\n  key: AAAA\n")
            .build();
        let bad_data = Unit::builder()
            .set("tls.type=secret")
            .set("tls.cert=crt")
            .secret("kind: Secret\ndata:\n  key: 'AA AA'\n  cacert: AAA\nstringData:\n  crt: not pem\n")
            .build();
        assert_eq!(
            reported(&not_secret),
            [
                "SecretKeyMissing secret.yaml:1:7 -: secret.yaml is not a Secret manifest (kind: Secret), as `kubectl get secret NAME -o yaml` prints one",
            ]
        );
        assert_eq!(
            reported(&bad_data),
            [
                "NotPem secret.yaml:3:8 data.key: secret.yaml:data.key is not base64 as Kubernetes stores Secret data: ' ' at byte 2 is not a standard base64 character",
                "NotPem secret.yaml:4:11 data.cacert: secret.yaml:data.cacert is not base64 as Kubernetes stores Secret data: the base64 is 3 characters long: not a whole number of 4-character groups with '=' padding",
                "NotPem secret.yaml:6:8 tls.cert: secret.yaml:stringData.crt holds no PEM block: expected a certificate",
            ]
        );
    }

    #[test]
    fn values_that_decode_to_something_else_than_pem() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let twice = b64(b64(root.cert_pem().as_bytes()).as_bytes());
        let unit = Unit::builder()
            .values(&format!(
                "tls:\n  type: provided\n  cert: {twice}\n  cacert: {}\n  key: {}\n",
                b64(b"hello, world"),
                b64(&root.der)
            ))
            .build();
        assert_eq!(
            reported(&unit),
            [
                "NotPem values.yaml:5:8 tls.key: tls.key is the base64 of DER, not of PEM: encode the PEM file (openssl x509 -outform PEM, then base64 -w0)",
                "NotPem values.yaml:3:9 tls.cert: tls.cert is base64 twice over: it decodes to base64 text, not to PEM",
                "NotPem values.yaml:4:11 tls.cacert: tls.cacert decodes to 12 bytes that are not PEM text",
            ]
        );
    }

    #[test]
    fn files_of_the_wrong_blocks() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let other = root.leaf(Alg::EcP256, "other", &["other.example.com"]);
        let public = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        let unit = Unit::builder()
            .provided(
                &format!("{}{}", leaf.key_pem(), other.key_pem()),
                &format!("{}{}", leaf.cert_pem(), leaf.key_pem()),
                &format!("{public}{}{public}", root.cert_pem()),
            )
            .build();
        assert_eq!(
            reported(&unit),
            [
                "NotPem cert.pem:11:1#2 tls.cert: cert.pem: block 2 is a private key: a certificate file must never hold one (the approved command would hand it to every client)",
                "NotPem ca.pem:1:1#1 tls.cacert: ca.pem: block 1 is \"PUBLIC KEY\", not a certificate",
                "BundleDisorder key.pem:6:1#2 tls.key: key.pem: block 2 is a second private key; the chart uses one",
                "BundleDisorder ca.pem:14:1#3 tls.cacert: ca.pem: block 3 is \"PUBLIC KEY\", not a certificate",
            ]
        );
        let der = Unit::builder()
            .set("tls.type=provided")
            .key(&format!(
                "garbage\n{}",
                leaf.key_pem()
                    .replace("PRIVATE KEY-----\n", "PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n")
            ))
            .cert(&String::from_utf8_lossy(&leaf.der))
            .cacert("only text, no block\n")
            .build();
        assert_eq!(
            reported(&der),
            [
                "NotPem cert.pem:1:1 tls.cert: cert.pem is binary (DER?), not PEM: convert it with openssl x509 -inform DER -outform PEM (or openssl pkey for a key)",
                "NotPem ca.pem:1:1 tls.cacert: ca.pem holds no PEM block: expected a certificate",
                "KeyUnusable key.pem:3:1#1 tls.key: key.pem: the block is encrypted (Proc-Type: 4,ENCRYPTED)",
                "BundleDisorder key.pem:1:1 tls.key: key.pem: text outside any PEM block",
                "BundleDisorder key.pem:9:1 tls.key: key.pem: text outside any PEM block",
            ]
        );
    }

    #[test]
    fn intermediates_off_the_chain_repeated_or_out_of_order() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let inter = root.intermediate(Alg::EcP256, "Intermediate CA");
        let leaf = inter.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let stray = Ca::new(Alg::EcP256, "Stray CA");
        let unit = Unit::builder()
            .provided(
                &leaf.key_pem(),
                &format!(
                    "{}{}{}{}",
                    leaf.cert_pem(),
                    stray.cert_pem(),
                    inter.cert_pem(),
                    inter.cert_pem()
                ),
                &root.cert_pem(),
            )
            .build();
        assert_eq!(
            reported(&unit),
            [
                "BundleDisorder cert.pem:31:1#4 tls.cert: block 4 repeats a certificate already in the chain (CN=Intermediate CA)",
                "BundleDisorder cert.pem:11:1#2 tls.cert: block 2 (CN=Stray CA) is not part of the chain from the leaf to tls.cacert",
            ]
        );
        let expired = Unit::builder()
            .provided(
                &leaf.key_pem(),
                &format!("{}{}{}", leaf.cert_pem(), stray.cert_pem(), inter.cert_pem()),
                &root.cert_pem(),
            )
            .now("2040-01-01T00:00:00Z")
            .build();
        assert_eq!(
            reported(&expired),
            [
                "BundleDisorder cert.pem:11:1#2 tls.cert: block 2 (CN=Stray CA) is not part of the chain from the leaf to tls.cacert; it expired on 2034-01-01T00:00:00Z",
            ]
        );
        let second = inter.issue_ca(Alg::EcP256, ca_params("Second CA"), 2);
        let leaf = second.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let disordered = Unit::builder()
            .provided(
                &leaf.key_pem(),
                &format!("{}{}{}", leaf.cert_pem(), inter.cert_pem(), second.cert_pem()),
                &root.cert_pem(),
            )
            .build();
        assert_eq!(
            reported(&disordered),
            [
                "BundleDisorder cert.pem:11:1#2 tls.cert: the intermediates are not in chain order (leaf first, then each one's issuer)",
            ]
        );
    }

    #[test]
    fn the_previous_ca_s_problems_are_reported_only_when_nothing_in_its_file_can_be_used() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let with = |previous: &str| {
            let unit = Unit::builder()
                .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
                .previous_cacert(previous)
                .build();
            reported(&unit)
        };
        assert_eq!(
            with("nothing here\n"),
            ["NotPem previous-ca.pem:1:1 tls.cacert: previous-ca.pem holds no PEM block: expected a certificate"]
        );
        // A usable CA with text around it: the running release's old disorder, not this change's.
        assert_eq!(with(&format!("{}trailing\n", root.cert_pem())), Vec::<String>::new());
        // A previous value that does not decode to PEM is the running release's too.
        let unit = Unit::builder()
            .previous(&format!("tls:\n  type: provided\n  cacert: {}\n", b64(&root.der)))
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        assert_eq!(reported(&unit), Vec::<String>::new());
        assert_eq!(
            unit.material.problems.len(),
            1,
            "found, and left to the running release"
        );
    }
}
