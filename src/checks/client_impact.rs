//! `client_impact`: reports the client impact verdict when it is one of the given scenarios or
//! verdicts (CG401–CG404: the CA changes, the type changes, the first change after an upgrade, or
//! impact that cannot be decided). The verdict and its reason, quoting the documentation's section
//! "Updating clients after certificate change", are decided here from the facts of
//! [`crate::model::impact`]; the report gives the same ([`judge`]).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::impact::{Basis, Scenario, Verdict};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "client_impact",
    summary: "The change's client impact is not one of the given scenarios or verdicts.",
    params: "scenarios: scenario names that fire (ca-changed, type-changed, ...); verdicts: verdicts that fire (unknown)",
    build: super::build::<ClientImpact>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientImpact {
    #[serde(default)]
    scenarios: Vec<Scenario>,
    #[serde(default)]
    verdicts: Vec<Verdict>,
}

impl Check for ClientImpact {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let basis = unit.impact();
        let scenario = basis.scenario();
        if self.scenarios.contains(&scenario) || self.verdicts.contains(&verdict(scenario)) {
            emit.run(reason(basis));
        }
    }
}

/// The client impact the report gives: the verdict, the scenario and the reason.
pub fn judge(basis: &Basis) -> crate::model::impact::ClientImpact {
    let scenario = basis.scenario();
    crate::model::impact::ClientImpact {
        verdict: verdict(scenario),
        scenario,
        reason: reason(basis),
    }
}

/// What the documentation says of each scenario: clients must be given the new certificates when
/// the type or the CA changes, or at the first self-generated change after an upgrade to labels.
pub fn verdict(scenario: Scenario) -> Verdict {
    match scenario {
        Scenario::NoExternalChange
        | Scenario::SelfsignedNewInstall
        | Scenario::SelfsignedLaterChangeAfterUpgrade
        | Scenario::SameCa => Verdict::None,
        Scenario::TypeChanged | Scenario::CaChanged | Scenario::SelfsignedFirstChangeAfterUpgrade => {
            Verdict::ClientsMustUpdate
        }
        Scenario::PreviousUnknown => Verdict::Unknown,
    }
}

/// Why: the facts, the documentation's sentence, or what to give to decide.
pub fn reason(basis: &Basis) -> String {
    const OWN: &str =
        "your own certificates change, and clients keep working only if the new certificate is signed by the same CA";
    match basis {
        Basis::ValuesFileUnread { path } => {
            format!("the values file {path} could not be read, so the change is not known")
        }
        Basis::NoExternalChange => "the external certificates are not changed (neither the external label nor tls changes), so clients keep working".into(),
        Basis::RunningUnknown => "the running release's values are not known: give --previous (helm get values RELEASE -o yaml) or --base REV to decide".into(),
        Basis::TypeUnknown { running } => {
            let which = if *running { "running release's" } else { "change's" };
            format!(
                "the {which} tls.type is not known or not valid: give --chart (its defaults hold tls.type) or set tls.type to decide"
            )
        }
        Basis::TypeChanged { before, after } => format!(
            "tls.type changes from {} to {}: \"If you change the certificate type, for example, from self-generated to provided, you will need to update your clients.\"",
            before.as_str(),
            after.as_str()
        ),
        Basis::NewCertificateUnknown { secret } => {
            let give = if *secret {
                "--secret (the Secret manifest)"
            } else {
                "the new certificate (tls.cert or --cert)"
            };
            format!("{OWN}; the new certificate is not known: give {give} to decide")
        }
        Basis::TrustedCaUnknown => format!(
            "{OWN}; the CA clients trust today is not known: give --previous-cacert (or previous values holding tls.cacert) to decide"
        ),
        Basis::SameCa { leaf, ca } => format!(
            "the new certificate ({leaf}) verifies against the key of the CA clients trust today ({ca}): clients keep working"
        ),
        Basis::ChainUnverifiable { ca } => format!(
            "the new certificate's chain up to the CA clients trust today ({ca}) uses an algorithm or key certgate cannot verify"
        ),
        Basis::CaChanged { leaf, ca } => format!(
            "the new certificate ({leaf}) is not signed by the CA clients trust today ({ca}): every client must be given the new CA"
        ),
        Basis::InstalledFromUnknown => "self-generated certificates change; whether clients must update depends on how the release was installed: set history.installed_from (and external_changed_since_upgrade) in certgate.yaml to decide".into(),
        Basis::SelfsignedNewInstall { from } => format!(
            "installed as {from}, a new deployment with self-generated certificates: \"your clients will continue to work if you change the certificates and continue to use self-signed certificates\""
        ),
        Basis::FirstChangeAfterUpgrade { from } => format!(
            "upgraded from {from} and this is the first external certificate change since: \"you need to provide the new certificates to your clients when you first change them\""
        ),
        Basis::LaterChangeAfterUpgrade { from } => format!(
            "upgraded from {from} and external certificates were changed since: \"Any subsequent self-generated certificate change will not affect the clients\""
        ),
        Basis::ChangedSinceUnknown { from } => format!(
            "upgraded from {from}; whether this is the first external certificate change since is not known: set history.external_changed_since_upgrade in certgate.yaml to decide"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    fn scenarios(s: &[Scenario]) -> ClientImpact {
        ClientImpact {
            scenarios: s.to_vec(),
            verdicts: Vec::new(),
        }
    }

    fn type_change() -> Unit {
        Unit::builder()
            .previous("global:\n  security:\n    externalCertificateLabel: ext-1\ntls:\n  type: selfsigned\n")
            .values("global:\n  security:\n    externalCertificateLabel: ext-2\ntls:\n  type: secret\n  secretName: es-tls\n")
            .build()
    }

    #[test]
    fn the_impact_is_reported_when_its_scenario_or_verdict_is_named() {
        assert_eq!(
            hits(&scenarios(&[Scenario::TypeChanged]), &type_change()),
            [
                "run -: tls.type changes from selfsigned to secret: \"If you change the certificate type, for example, from self-generated to provided, you will need to update your clients.\""
            ]
        );
        let unknown = ClientImpact {
            scenarios: Vec::new(),
            verdicts: vec![Verdict::Unknown],
        };
        let no_previous = Unit::builder().set("tls.type=secret").build();
        assert_eq!(
            hits(&unknown, &no_previous),
            [
                "run -: the running release's values are not known: give --previous (helm get values RELEASE -o yaml) or --base REV to decide"
            ]
        );
    }

    #[test]
    fn another_scenario_is_not_reported() {
        assert_eq!(
            hits(&scenarios(&[Scenario::CaChanged]), &type_change()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_report_gets_the_verdict_of_the_scenario_and_the_reason() {
        let ca_changed = Basis::CaChanged {
            leaf: "CN=es".into(),
            ca: "CN=old-ca".into(),
        };
        let judged = judge(&ca_changed);
        assert_eq!(
            (judged.verdict, judged.scenario, judged.reason.as_str()),
            (
                Verdict::ClientsMustUpdate,
                Scenario::CaChanged,
                "the new certificate (CN=es) is not signed by the CA clients trust today (CN=old-ca): every client must be given the new CA"
            )
        );
        let unknown = judge(&Basis::ChangedSinceUnknown {
            from: "2019.2.1".into(),
        });
        assert_eq!(
            (unknown.verdict, unknown.scenario),
            (Verdict::Unknown, Scenario::PreviousUnknown)
        );
        let later = judge(&Basis::LaterChangeAfterUpgrade {
            from: "2019.2.1".into(),
        });
        assert_eq!(later.verdict, Verdict::None);
    }
}
