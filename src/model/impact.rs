//! Who must update their clients: the documentation's section "Updating clients after certificate
//! change", decided from the running and new certificate type, the labels, how the release was
//! installed (`history`), and (once certificates are compared) the CA.

use crate::crypto::ChainOutcome;
use crate::helm::coalesce::same_value;
use crate::model::plan::tls_changes;
use crate::model::unit::{EXTERNAL_LABEL, TlsType, Unit};
use crate::source::chart::compare_versions;

/// The first Event Streams version with certificate labels (chart 1.4.0).
const LABELS_SINCE: &str = "2019.4.1";

/// Decide the client impact of the change `unit` describes.
pub fn assess(unit: &Unit) -> ClientImpact {
    // A change read in part is not known: what the unread file proposes may change anything.
    if let Some(file) = unit.values_files.iter().find(|f| f.root.is_none()) {
        return verdict(
            Verdict::Unknown,
            Scenario::PreviousUnknown,
            &format!(
                "the values file {} could not be read, so the change is not known",
                file.path
            ),
        );
    }
    let label_changes = match &unit.running {
        Some(r) => !same_value(r.lookup(EXTERNAL_LABEL), unit.effective.lookup(EXTERNAL_LABEL)),
        None => unit.proposed.lookup(EXTERNAL_LABEL).is_some(),
    };
    if !label_changes && !tls_changes(unit) {
        return verdict(
            Verdict::None,
            Scenario::NoExternalChange,
            "the external certificates are not changed (neither the external label nor tls changes), so clients keep working",
        );
    }
    if unit.running.is_none() {
        return verdict(
            Verdict::Unknown,
            Scenario::PreviousUnknown,
            "the running release's values are not known: give --previous (helm get values RELEASE -o yaml) or --base REV to decide",
        );
    }
    let (Some(before), Some(after)) = (unit.running_type(), unit.new_type()) else {
        let which = if unit.running_type().is_none() {
            "running release's"
        } else {
            "change's"
        };
        return verdict(
            Verdict::Unknown,
            Scenario::PreviousUnknown,
            &format!(
                "the {which} tls.type is not known or not valid: give --chart (its defaults hold tls.type) or set tls.type to decide"
            ),
        );
    };
    if before.is_own() != after.is_own() {
        return verdict(
            Verdict::ClientsMustUpdate,
            Scenario::TypeChanged,
            &format!(
                "tls.type changes from {} to {}: \"If you change the certificate type, for example, from self-generated to provided, you will need to update your clients.\"",
                before.as_str(),
                after.as_str()
            ),
        );
    }
    if after == TlsType::Selfsigned {
        return selfsigned_change(unit);
    }
    own_change(unit)
}

/// Your own certificates, before and after: "the clients will continue to work as long as the
/// changed certificates are signed by the same Certificate Authority". Same CA means the new chain
/// verifies against the previous CA's key, not that the names match.
fn own_change(unit: &Unit) -> ClientImpact {
    let m = &unit.material;
    let Some(leaf) = m.leaf() else {
        let give = if unit.new_type() == Some(TlsType::Secret) {
            "--secret (the Secret manifest)"
        } else {
            "the new certificate (tls.cert or --cert)"
        };
        return verdict(
            Verdict::Unknown,
            Scenario::PreviousUnknown,
            &format!(
                "your own certificates change, and clients keep working only if the new certificate is signed by the same CA; the new certificate is not known: give {give} to decide"
            ),
        );
    };
    let (Some(previous), Some(continuity)) = (m.previous_ca(), &m.continuity) else {
        return verdict(
            Verdict::Unknown,
            Scenario::PreviousUnknown,
            "your own certificates change, and clients keep working only if the new certificate is signed by the same CA; the CA clients trust today is not known: give --previous-cacert (or previous values holding tls.cacert) to decide",
        );
    };
    match &continuity.outcome {
        ChainOutcome::Verified => verdict(
            Verdict::None,
            Scenario::SameCa,
            &format!(
                "the new certificate ({}) verifies against the key of the CA clients trust today ({}): clients keep working",
                leaf.cert.subject, previous.cert.subject
            ),
        ),
        ChainOutcome::Unverifiable => verdict(
            Verdict::Unknown,
            Scenario::PreviousUnknown,
            &format!(
                "the new certificate's chain up to the CA clients trust today ({}) uses an algorithm or key certgate cannot verify",
                previous.cert.subject
            ),
        ),
        ChainOutcome::Broken { .. } => verdict(
            Verdict::ClientsMustUpdate,
            Scenario::CaChanged,
            &format!(
                "the new certificate ({}) is not signed by the CA clients trust today ({}): every client must be given the new CA",
                leaf.cert.subject, previous.cert.subject
            ),
        ),
    }
}

fn selfsigned_change(unit: &Unit) -> ClientImpact {
    let Some(from) = unit.history.installed_from.as_deref() else {
        return verdict(
            Verdict::Unknown,
            Scenario::PreviousUnknown,
            "self-generated certificates change; whether clients must update depends on how the release was installed: set history.installed_from (and external_changed_since_upgrade) in certgate.yaml to decide",
        );
    };
    if compare_versions(from, LABELS_SINCE).is_some_and(|o| o.is_ge()) {
        return verdict(
            Verdict::None,
            Scenario::SelfsignedNewInstall,
            &format!(
                "installed as {from}, a new deployment with self-generated certificates: \"your clients will continue to work if you change the certificates and continue to use self-signed certificates\""
            ),
        );
    }
    match unit.history.external_changed_since_upgrade {
        Some(false) => verdict(
            Verdict::ClientsMustUpdate,
            Scenario::SelfsignedFirstChangeAfterUpgrade,
            &format!(
                "upgraded from {from} and this is the first external certificate change since: \"you need to provide the new certificates to your clients when you first change them\""
            ),
        ),
        Some(true) => verdict(
            Verdict::None,
            Scenario::SelfsignedLaterChangeAfterUpgrade,
            &format!(
                "upgraded from {from} and external certificates were changed since: \"Any subsequent self-generated certificate change will not affect the clients\""
            ),
        ),
        None => verdict(
            Verdict::Unknown,
            Scenario::PreviousUnknown,
            &format!(
                "upgraded from {from}; whether this is the first external certificate change since is not known: set history.external_changed_since_upgrade in certgate.yaml to decide"
            ),
        ),
    }
}

fn verdict(verdict: Verdict, scenario: Scenario, reason: &str) -> ClientImpact {
    ClientImpact {
        verdict,
        scenario,
        reason: reason.to_string(),
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

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClientImpact {
    pub verdict: Verdict,
    pub scenario: Scenario,
    pub reason: String,
}
