//! `served_chain`: what an endpoint of the running release serves today (`--endpoint`,
//! `endpoints:` in certgate.yaml) against what certgate was told runs: the chain could not be read
//! (`unreachable`), the server certificate is not the previous values' (`differs`), or the chain
//! does not verify against the CA clients trust today (`untrusted`). Each finding points at the
//! endpoint as given: the `--endpoint` argument or its line in certgate.yaml.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::material::CertAt;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "served_chain",
    summary: "What an endpoint serves today is readable, is the previous values' certificate, and verifies against the CA clients trust.",
    params: "problem: unreachable (no chain was read), differs (the served certificate is not the previous values' tls.cert), untrusted (the served chain does not verify against the CA clients trust today)",
    build: super::build::<ServedChain>,
};

/// Which fact of the served chain the rule reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Problem {
    Unreachable,
    Differs,
    Untrusted,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServedChain {
    problem: Problem,
}

impl Check for ServedChain {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for served in &unit.served {
            let endpoint = &served.endpoint.value;
            let message = match (&served.outcome, self.problem) {
                (Err(why), Problem::Unreachable) => Some(format!(
                    "cannot read the chain served at {endpoint}: {why}; what runs today is not known, so the change is not checked against it"
                )),
                (Ok(chain), Problem::Unreachable) if chain.certs.is_empty() => Some(format!(
                    "{endpoint} presented no certificate certgate can read; what runs today is not known, so the change is not checked against it"
                )),
                (Ok(chain), Problem::Differs) => chain.differs_from_previous().map(|(served, previous)| {
                    format!(
                        "{endpoint} serves {}, not the server certificate of the previous values ({}: {}): the cluster was changed outside Git, or the previous values are not the running release's",
                        describe(served),
                        previous.source,
                        describe(previous)
                    )
                }),
                (Ok(chain), Problem::Untrusted) => chain.untrusted().zip(chain.leaf()).map(|(ca, leaf)| {
                    format!(
                        "the chain {endpoint} serves ({}) does not verify against the CA clients trust today ({ca}): clients that trust only that CA cannot connect to it now",
                        describe(leaf)
                    )
                }),
                _ => None,
            };
            if let Some(message) = message {
                emit.at(served.endpoint.location.clone(), None, message);
            }
        }
    }
}

/// `CN=kafka.example.com, sha256 1a2b3c4d…, issued by CN=Root CA`.
fn describe(c: &CertAt) -> String {
    let short: String = c.cert.sha256.chars().take(16).collect();
    format!("{}, sha256 {short}…, issued by {}", c.cert.subject, c.cert.issuer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::parse_certificate;
    use crate::crypto::test_support::{Alg, Ca};
    use crate::model::served::{Served, ServedChain as Chain};
    use crate::model::unit::Given;
    use crate::source::Location;

    fn check(problem: Problem) -> ServedChain {
        ServedChain { problem }
    }

    fn served(outcome: Result<Chain, String>) -> Unit {
        let mut unit = Unit::builder().set("tls.type=secret").build();
        unit.served = vec![Served {
            endpoint: Given {
                value: "127.0.0.1:9093".into(),
                location: Location::Arg {
                    origin: "--endpoint 127.0.0.1:9093".into(),
                },
            },
            server_name: "kafka.example.com".into(),
            outcome,
        }];
        unit
    }

    #[test]
    fn an_endpoint_that_cannot_be_read_is_reported_and_a_read_one_is_not() {
        let unit = served(Err("connection refused by 127.0.0.1:9093".into()));
        assert_eq!(
            hits(&check(Problem::Unreachable), &unit),
            [
                "--endpoint 127.0.0.1:9093 -: cannot read the chain served at 127.0.0.1:9093: connection refused by 127.0.0.1:9093; what runs today is not known, so the change is not checked against it"
            ]
        );
        assert!(hits(&check(Problem::Differs), &unit).is_empty());
        assert!(hits(&check(Problem::Untrusted), &unit).is_empty());
    }

    #[test]
    fn a_served_certificate_is_compared_with_the_previous_one() {
        let ca = Ca::new(Alg::EcP256, "Root CA");
        let leaf = |cn: &str| parse_certificate(&ca.leaf(Alg::EcP256, cn, &[cn]).der).expect("a certificate");
        let (served_leaf, other_leaf) = (leaf("kafka.example.com"), leaf("old.example.com"));
        let at = |cert: &crate::crypto::Certificate, source: &str| CertAt {
            cert: cert.clone(),
            location: Location::Run,
            block: 0,
            source: source.into(),
        };
        let mut read = Chain {
            certs: vec![at(&served_leaf, "served by 127.0.0.1:9093")],
            unreadable: 0,
            previous_leaf: Some(at(&served_leaf, "prev.yaml:tls.cert")),
            against_previous_ca: None,
        };
        let same = served(Ok(read.clone()));
        assert!(hits(&check(Problem::Differs), &same).is_empty());
        assert!(hits(&check(Problem::Unreachable), &same).is_empty());
        read.previous_leaf = Some(at(&other_leaf, "prev.yaml:tls.cert"));
        let found = hits(&check(Problem::Differs), &served(Ok(read)));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("--endpoint 127.0.0.1:9093 -: 127.0.0.1:9093 serves CN=kafka.example.com, sha256 "),
            "{found:?}"
        );
        assert!(
            found[0].contains("(prev.yaml:tls.cert: CN=old.example.com, sha256 ")
                && found[0].contains("the cluster was changed outside Git"),
            "{found:?}"
        );
    }
}
