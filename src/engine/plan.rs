//! The rollout plan of a checked change (`certgate plan`, issue 19): for each unit, the ordered
//! steps its client impact verdict calls for, or why there is none. The verdict is the checks'
//! (`checks::client_impact`), the approval the engine's ([`super::check`]); this module only
//! orders what they decided into steps, and builds the client trust bundle
//! ([`crate::crypto::bundle::build`]) a CA rotation distributes first.
//!
//! Why the phases: the documentation ("Updating clients after certificate change") says that when
//! the new certificate is not signed by the same Certificate Authority, or the certificate type
//! changes between self-generated and provided, clients "need to update". Updated after the server
//! switched, every client drops until its owner acts; given a trust store holding both CAs first,
//! clients trust the server before and after the switch, and the old CA can go once nothing
//! presents a chain from it.

mod steps;

use serde::Serialize;

use super::{Approval, UnitReport};
use crate::crypto::bundle::{self, BundleInput, Chain, ClientBundle, Side};
use crate::crypto::{Certificate, parse_certificate};
use crate::helm::coalesce::present;
use crate::model::impact::{Basis, Scenario, Verdict};
use crate::model::material::{Holder, Role, decode_value};
use crate::model::unit::{TlsType, Unit};
use crate::rules::Severity;
use crate::source::pem::{self, PemLabel};

pub use steps::{helm_flags, rollback_command};

/// The file names of the client trust bundle, as `--output-dir` writes them.
pub const PEM_FILE: &str = "client-truststore.pem";
pub const P12_FILE: &str = "client-truststore.p12";

/// How long clients keep the old CA after the upgrade, unless `--keep-old-ca-days` says otherwise.
///
/// The old CA must stay trusted while the old certificate may come back: `helm rollback` to the
/// revision before the upgrade presents the old chain again, and a client that dropped the old CA
/// would then be cut off. 30 days cover a monthly release cycle of the client teams (the slowest
/// usually sets the pace) and the time a rotation problem takes to show; past it, a rollback of a
/// certificate rotation is unlikely to be the remedy.
pub const DEFAULT_KEEP_OLD_CA_DAYS: u32 = 30;

/// What a plan is asked for besides the run's inputs.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// The PKCS#12 trust store's password (`--truststore-password-file`), or none.
    pub password: Option<String>,
    /// Days between the upgrade and dropping the old CA ([`DEFAULT_KEEP_OLD_CA_DAYS`]).
    pub keep_old_ca_days: u32,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            password: None,
            keep_old_ca_days: DEFAULT_KEEP_OLD_CA_DAYS,
        }
    }
}

/// Whether the unit has a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The steps below carry out the change.
    Ready,
    /// Nothing certificate-related changes: no step.
    NothingToChange,
    /// Findings or a missing input block the change: no step, the reasons.
    Blocked,
}

/// What a step does in the rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    DistributeBundle,
    VerifyClients,
    Upgrade,
    DropOldCa,
}

/// Who runs a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Actor {
    /// The team that runs `helm` against the cluster.
    PlatformTeam,
    /// The owners of the Kafka clients (producers, consumers, connectors).
    ClientOwners,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::PlatformTeam => "platform team",
            Actor::ClientOwners => "client owners",
        }
    }
}

/// One step of the rollout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// 1-based, in the order the steps must run.
    pub number: usize,
    pub phase: Phase,
    pub title: String,
    /// What the step changes, and where.
    pub changes: String,
    pub who: Actor,
    /// Not before this time (RFC 3339), when the step must wait.
    pub not_before: Option<String>,
    /// What to run (shell commands, or settings to make), in order.
    pub commands: Vec<String>,
    /// How to check that it worked.
    pub verify: Vec<String>,
    /// How to undo it.
    pub rollback: Vec<String>,
}

/// Why a unit has no plan: a finding (with its code and place) or a missing input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocker {
    pub code: Option<String>,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub origin: Option<String>,
}

impl Blocker {
    fn reason(code: Option<&str>, message: String) -> Self {
        Blocker {
            code: code.map(str::to_string),
            message,
            file: None,
            line: None,
            column: None,
            origin: None,
        }
    }
}

/// One CA of the client trust bundle, in bundle order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleCa {
    /// `old`, `new`, or `both` (the same CA on both sides, written once).
    pub side: &'static str,
    /// Its alias in the PKCS#12 store.
    pub alias: String,
    pub subject: String,
    pub sha256: String,
    pub not_after: String,
}

/// A file of the bundle: its name, where it was written (`--output-dir`), its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleFile {
    pub name: &'static str,
    /// The path written, when `--output-dir` was given (the command line fills it in).
    pub path: Option<String>,
    pub sha256: String,
}

/// The client trust bundle of a CA rotation, verified ([`bundle::build`]).
#[derive(Debug, Clone, Serialize)]
pub struct TrustBundle {
    pub cas: Vec<BundleCa>,
    pub files: Vec<BundleFile>,
    /// Whether the PKCS#12 store has a password.
    pub password: bool,
    /// Where the running chain the bundle was verified against came from; `None` when it is not
    /// known (then only the new chain was verified, and the old CA is taken as given).
    pub running_chain: Option<String>,
    #[serde(skip)]
    pub built: ClientBundle,
}

/// The plan of one unit.
#[derive(Debug, Clone, Serialize)]
pub struct UnitPlan {
    pub release: Option<String>,
    pub verdict: Verdict,
    pub scenario: Scenario,
    pub status: Status,
    pub steps: Vec<Step>,
    pub blocked: Vec<Blocker>,
    pub bundle: Option<TrustBundle>,
    /// What the plan could not settle, for the people who run it.
    pub notes: Vec<String>,
}

/// The plan of a checked unit: the approval decides whether there is one, the client impact basis
/// which one.
pub fn decide(unit: &Unit, report: &UnitReport, options: &PlanOptions) -> UnitPlan {
    let mut plan = UnitPlan {
        release: report.release.clone(),
        verdict: report.client_impact.verdict,
        scenario: report.client_impact.scenario,
        status: Status::Blocked,
        steps: Vec::new(),
        blocked: Vec::new(),
        bundle: None,
        notes: Vec::new(),
    };
    let command = match &report.approval {
        Approval::Approved(command) => command,
        Approval::Blocked { fail_on, .. } => {
            plan.blocked = blocking_findings(report, *fail_on);
            return plan;
        }
        Approval::NothingToChange => {
            plan.status = Status::NothingToChange;
            return plan;
        }
        Approval::NotFormed(why) => {
            plan.blocked
                .push(Blocker::reason(None, format!("the command cannot be formed: {why}")));
            return plan;
        }
    };
    let ctx = steps::Context::new(unit, report, command, options);
    match unit.impact() {
        Basis::CaChanged { .. } => rotation(unit, &ctx, options, &mut plan),
        Basis::TypeChanged { before, after } => type_change(unit, &ctx, options, (*before, *after), &mut plan),
        _ => {
            plan.steps = vec![steps::upgrade(&ctx, 1, steps::Trust::Unchanged)];
            plan.status = Status::Ready;
            if plan.verdict != Verdict::None {
                plan.notes.push(format!(
                    "client impact is {} ({}): {}",
                    plan.verdict.as_str(),
                    plan.scenario.as_str(),
                    report.client_impact.reason
                ));
            }
        }
    }
    plan
}

/// The findings at or above the failure threshold, placed, in the report's order.
fn blocking_findings(report: &UnitReport, fail_on: Severity) -> Vec<Blocker> {
    report
        .findings
        .iter()
        .filter(|f| f.severity >= fail_on)
        .map(|f| {
            let p = report.place(&f.location);
            Blocker {
                code: Some(f.code.to_string()),
                message: f.message.clone(),
                file: p.file,
                line: p.line,
                column: p.column,
                origin: p.origin,
            }
        })
        .collect()
}

/// `type-changed`: from self-generated to your own certificates, the CA clients trust today is the
/// self-generated one, which the values do not hold (`--previous-cacert` gives it); from your own
/// to self-generated, the new CA is generated by the chart during the upgrade.
fn type_change(
    unit: &Unit,
    ctx: &steps::Context<'_>,
    options: &PlanOptions,
    (before, after): (TlsType, TlsType),
    plan: &mut UnitPlan,
) {
    if after == TlsType::Selfsigned {
        plan.blocked.push(Blocker::reason(
            Some("CG402"),
            format!(
                "tls.type moves from {} to selfsigned: the new CA is generated by the chart during the upgrade, \
                 so no trust bundle can give clients both CAs before the server switches, and every client drops \
                 until it is given the new CA. Move to certificates of your own (tls.type=secret) signed by a CA \
                 clients can be given first, or agree an outage window with the client owners",
                before.as_str()
            ),
        ));
        return;
    }
    if unit.material.previous_ca().is_none() {
        plan.blocked.push(Blocker::reason(
            Some("CG402"),
            "tls.type moves from selfsigned to your own certificates: the self-generated CA clients trust today \
             is not in the previous values; give it with --previous-cacert FILE (the CA certificate in a client's \
             trust store, or `openssl s_client -connect HOST:PORT -showcerts` against the running cluster)"
                .to_string(),
        ));
        return;
    }
    rotation(unit, ctx, options, plan);
}

/// `ca-changed` (and `type-changed` with the old CA known): distribute the bundle, check every
/// client trusts it, upgrade, drop the old CA later.
fn rotation(unit: &Unit, ctx: &steps::Context<'_>, options: &PlanOptions, plan: &mut UnitPlan) {
    match trust_bundle(unit, options) {
        Ok(bundle) => {
            if bundle.running_chain.is_none() {
                plan.notes.push(
                    "the chain the servers present today is not known (the previous values do not hold it): the \
                     bundle was verified against the new chain, and holds the old CA as given; step 2's \
                     s_client test against the running cluster checks the running chain"
                        .to_string(),
                );
            }
            plan.steps = steps::rotation(ctx, &bundle, options.keep_old_ca_days);
            plan.bundle = Some(bundle);
            plan.status = Status::Ready;
        }
        Err(why) => plan.blocked.push(Blocker::reason(None, why)),
    }
}

/// The bundle of the CA clients trust today and the new CA(s), verified against the running chain
/// (when known) and the new one. Every failure is a sentence for a [`Blocker`].
fn trust_bundle(unit: &Unit, options: &PlanOptions) -> Result<TrustBundle, String> {
    // keytool refuses a store password under 6 characters ("Password is too short - must be at
    // least 6 characters"): a store Java clients cannot be checked with is no bundle to hand out.
    if options
        .password
        .as_ref()
        .is_some_and(|p| !p.is_empty() && p.chars().count() < 6)
    {
        return Err("the trust store password is shorter than 6 characters, which keytool refuses".to_string());
    }
    let m = &unit.material;
    let old: Vec<Certificate> = m.previous_ca().map(|c| c.cert.clone()).into_iter().collect();
    let new: Vec<Certificate> = m.roots().iter().map(|c| c.cert.clone()).collect();
    let Some(leaf) = m.leaf() else {
        return Err(
            "the new server certificate is not known (tls.cert, --cert or the Secret): the bundle \
                    cannot be verified against it"
                .to_string(),
        );
    };
    let intermediates: Vec<Certificate> = m.intermediates().iter().map(|c| c.cert.clone()).collect();
    let running = running_chain(unit);
    // Without the running chain, the old CA stands for it: a root verifies against itself, so the
    // bundle is only asked to hold it (said in the plan's notes).
    let (running_leaf, running_rest, running_from) = match &running {
        Some((certs, from)) if !certs.is_empty() => (&certs[0], &certs[1..], Some(from.clone())),
        _ => match old.first() {
            Some(ca) => (ca, &[][..], None),
            None => return Err(bundle::BundleError::NoOldCa.to_string()),
        },
    };
    let built = bundle::build(&BundleInput {
        old_cas: &old,
        new_cas: &new,
        running: Chain {
            leaf: running_leaf,
            intermediates: running_rest,
        },
        new: Chain {
            leaf: &leaf.cert,
            intermediates: &intermediates,
        },
        password: options.password.as_deref(),
        at: m.now,
    })
    .map_err(|e| format!("the client trust bundle cannot be built: {e}"))?;
    Ok(TrustBundle {
        cas: built.entries.iter().map(bundle_ca).collect(),
        files: vec![
            BundleFile {
                name: PEM_FILE,
                path: None,
                sha256: crate::source::files::sha256_hex(built.pem.as_bytes()),
            },
            BundleFile {
                name: P12_FILE,
                path: None,
                sha256: crate::source::files::sha256_hex(&built.p12),
            },
        ],
        password: options.password.is_some(),
        running_chain: running_from,
        built,
    })
}

fn bundle_ca(e: &bundle::BundleEntry) -> BundleCa {
    BundleCa {
        side: match e.side {
            Side::Old => "old",
            Side::New => "new",
            Side::Both => "both",
        },
        alias: e.alias.clone(),
        subject: e.subject.clone(),
        sha256: e.sha256.clone(),
        not_after: e.not_after.clone(),
    }
}

/// The chain the servers present today, from the previous values' `tls.cert` when they are
/// `provided` ones (the only type whose values hold it), with where it came from.
fn running_chain(unit: &Unit) -> Option<(Vec<Certificate>, String)> {
    if unit.running_type() != Some(TlsType::Provided) {
        return None;
    }
    let node = present(unit.running.as_ref()?, "tls.cert")?;
    let mut problems = Vec::new();
    let raw = decode_value(Role::Cert, node, "the previous tls.cert", "previous", &mut problems)?;
    let certs: Vec<Certificate> = pem::scan(&raw.text)
        .blocks
        .iter()
        .filter(|b| b.label == PemLabel::Certificate)
        .filter_map(|b| parse_certificate(b.der.as_ref()?).ok())
        .collect();
    (!certs.is_empty()).then(|| (certs, "the previous values' tls.cert".to_string()))
}

/// Where the new chain is as a PEM file, when it was given as one (`--cert`).
fn new_chain_file(unit: &Unit) -> Option<String> {
    match &unit.material.item(Role::Cert)?.holder {
        Holder::File { path, .. } => Some(path.clone()),
        Holder::Value { .. } => None,
    }
}

/// Where the new CA is as a PEM file, when it was given as one (`--cacert`) holding one CA: a file
/// of several may hold the old CA too, and is then no "new CA alone".
fn new_ca_file(unit: &Unit) -> Option<String> {
    if unit.material.roots().len() != 1 {
        return None;
    }
    match &unit.material.item(Role::CaCert)?.holder {
        Holder::File { path, .. } => Some(path.clone()),
        Holder::Value { .. } => None,
    }
}
