//! Who must update their clients: the facts the documentation's section "Updating clients after
//! certificate change" decides from (the running and new certificate type, the labels, how the
//! release was installed (`history`), and the CA clients trust today against the one that signs
//! the new certificate), and the documentation's scenario they make. The verdict and its words
//! are `checks::client_impact`'s.

use crate::crypto::ChainOutcome;
use crate::helm::coalesce::same_value;
use crate::model::plan::tls_changes;
use crate::model::unit::{EXTERNAL_LABEL, TlsType, Unit};
use crate::source::chart::compare_versions;

/// The first Event Streams version with certificate labels (chart 1.4.0).
const LABELS_SINCE: &str = "2019.4.1";

/// What the client impact of a change rests on: the fact that decided it, or the fact that is
/// missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// A values file could not be read: what it proposes may change anything.
    ValuesFileUnread { path: String },
    /// Neither the external label nor tls changes.
    NoExternalChange,
    /// The running release's values are not known.
    RunningUnknown,
    /// The running release's (`running`) or the change's tls.type is not known or not valid.
    TypeUnknown { running: bool },
    /// Self-generated to your own certificates, or back.
    TypeChanged { before: TlsType, after: TlsType },
    /// Your own certificates change, and the new certificate is not known; `secret` when it comes
    /// from a Secret (`tls.type: secret`).
    NewCertificateUnknown { secret: bool },
    /// Your own certificates change, and the CA clients trust today is not known.
    TrustedCaUnknown,
    /// The new certificate (`leaf`, its subject) verifies against the key of the CA clients trust
    /// today (`ca`).
    SameCa { leaf: String, ca: String },
    /// The new certificate's chain up to the CA clients trust today cannot be verified.
    ChainUnverifiable { ca: String },
    /// The new certificate is not signed by the CA clients trust today.
    CaChanged { leaf: String, ca: String },
    /// Self-generated certificates change, and how the release was installed is not known.
    InstalledFromUnknown,
    /// Installed as `from`, a version with certificate labels: a new deployment.
    SelfsignedNewInstall { from: String },
    /// Upgraded from `from`; the first external certificate change since.
    FirstChangeAfterUpgrade { from: String },
    /// Upgraded from `from`; external certificates were changed since.
    LaterChangeAfterUpgrade { from: String },
    /// Upgraded from `from`; whether external certificates were changed since is not known.
    ChangedSinceUnknown { from: String },
}

impl Basis {
    /// The documentation scenario these facts make (SPEC §4 lists the names).
    pub fn scenario(&self) -> Scenario {
        match self {
            Basis::NoExternalChange => Scenario::NoExternalChange,
            Basis::TypeChanged { .. } => Scenario::TypeChanged,
            Basis::SameCa { .. } => Scenario::SameCa,
            Basis::CaChanged { .. } => Scenario::CaChanged,
            Basis::SelfsignedNewInstall { .. } => Scenario::SelfsignedNewInstall,
            Basis::FirstChangeAfterUpgrade { .. } => Scenario::SelfsignedFirstChangeAfterUpgrade,
            Basis::LaterChangeAfterUpgrade { .. } => Scenario::SelfsignedLaterChangeAfterUpgrade,
            Basis::ValuesFileUnread { .. }
            | Basis::RunningUnknown
            | Basis::TypeUnknown { .. }
            | Basis::NewCertificateUnknown { .. }
            | Basis::TrustedCaUnknown
            | Basis::ChainUnverifiable { .. }
            | Basis::InstalledFromUnknown
            | Basis::ChangedSinceUnknown { .. } => Scenario::PreviousUnknown,
        }
    }
}

/// The facts the client impact of the change `unit` describes rests on.
pub fn assess(unit: &Unit) -> Basis {
    // A change read in part is not known: what the unread file proposes may change anything.
    if let Some(file) = unit.values_files.iter().find(|f| f.root.is_none()) {
        return Basis::ValuesFileUnread {
            path: file.path.clone(),
        };
    }
    let label_changes = match &unit.running {
        Some(r) => !same_value(r.lookup(EXTERNAL_LABEL), unit.effective.lookup(EXTERNAL_LABEL)),
        None => unit.proposed.lookup(EXTERNAL_LABEL).is_some(),
    };
    if !label_changes && !tls_changes(unit) {
        return Basis::NoExternalChange;
    }
    if unit.running.is_none() {
        return Basis::RunningUnknown;
    }
    let (Some(before), Some(after)) = (unit.running_type(), unit.new_type()) else {
        return Basis::TypeUnknown {
            running: unit.running_type().is_none(),
        };
    };
    if before.is_own() != after.is_own() {
        return Basis::TypeChanged { before, after };
    }
    if after == TlsType::Selfsigned {
        return selfsigned_change(unit);
    }
    own_change(unit)
}

/// Your own certificates, before and after: "the clients will continue to work as long as the
/// changed certificates are signed by the same Certificate Authority". Same CA means the new chain
/// verifies against the previous CA's key, not that the names match.
fn own_change(unit: &Unit) -> Basis {
    let m = &unit.material;
    let Some(leaf) = m.leaf() else {
        return Basis::NewCertificateUnknown {
            secret: unit.new_type() == Some(TlsType::Secret),
        };
    };
    let (Some(previous), Some(continuity)) = (m.previous_ca(), &m.continuity) else {
        return Basis::TrustedCaUnknown;
    };
    let (leaf, ca) = (leaf.cert.subject.clone(), previous.cert.subject.clone());
    match &continuity.outcome {
        ChainOutcome::Verified => Basis::SameCa { leaf, ca },
        ChainOutcome::Unverifiable => Basis::ChainUnverifiable { ca },
        ChainOutcome::Broken { .. } => Basis::CaChanged { leaf, ca },
    }
}

/// Self-generated certificates, before and after: the documentation tells a new deployment of a
/// version with certificate labels from one upgraded from an earlier version.
fn selfsigned_change(unit: &Unit) -> Basis {
    let Some(from) = unit.history.installed_from.clone() else {
        return Basis::InstalledFromUnknown;
    };
    if compare_versions(&from, LABELS_SINCE).is_some_and(|o| o.is_ge()) {
        return Basis::SelfsignedNewInstall { from };
    }
    match unit.history.external_changed_since_upgrade {
        Some(false) => Basis::FirstChangeAfterUpgrade { from },
        Some(true) => Basis::LaterChangeAfterUpgrade { from },
        None => Basis::ChangedSinceUnknown { from },
    }
}

/// The client impact verdict (SPEC §2, CG4xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    None,
    ClientsMustUpdate,
    Unknown,
}

/// The documentation scenario that decided the verdict (SPEC §4 lists the names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    NoExternalChange,
    SelfsignedNewInstall,
    SelfsignedFirstChangeAfterUpgrade,
    SelfsignedLaterChangeAfterUpgrade,
    SameCa,
    CaChanged,
    TypeChanged,
    PreviousUnknown,
}

impl Verdict {
    /// The verdict's word in every format (`clients-must-update`): its serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::None => "none",
            Verdict::ClientsMustUpdate => "clients-must-update",
            Verdict::Unknown => "unknown",
        }
    }
}

impl Scenario {
    /// The scenario's word in every format (`ca-changed`): its serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::NoExternalChange => "no-external-change",
            Scenario::SelfsignedNewInstall => "selfsigned-new-install",
            Scenario::SelfsignedFirstChangeAfterUpgrade => "selfsigned-first-change-after-upgrade",
            Scenario::SelfsignedLaterChangeAfterUpgrade => "selfsigned-later-change-after-upgrade",
            Scenario::SameCa => "same-ca",
            Scenario::CaChanged => "ca-changed",
            Scenario::TypeChanged => "type-changed",
            Scenario::PreviousUnknown => "previous-unknown",
        }
    }
}

/// The client impact as the report gives it: the verdict, the scenario and why, judged and worded
/// from the [`Basis`] by `checks::client_impact::judge`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClientImpact {
    pub verdict: Verdict,
    pub scenario: Scenario,
    pub reason: String,
}
