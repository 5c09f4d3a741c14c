//! `hostname_coverage`: every external hostname clients use (config `hostnames:`, and the values'
//! `proxy.externalEndpoint`) is in the server certificate's subjectAltName, as DNS name (a `*.`
//! wildcard covers one label) or IP address. The common name is not looked at, as TLS clients no
//! longer do.

use std::net::IpAddr;

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::helm::coalesce::present;
use crate::model::unit::Unit;
use crate::source::endpoint::host_of;

pub const KIND: Kind = Kind {
    name: "hostname_coverage",
    summary: "The server certificate covers every configured external hostname.",
    params: "endpoints: values paths holding external endpoints (proxy.externalEndpoint)",
    build: super::build::<HostnameCoverage>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostnameCoverage {
    #[serde(default)]
    endpoints: Vec<String>,
}

impl Check for HostnameCoverage {
    fn paths(&self) -> Vec<String> {
        self.endpoints.clone()
    }

    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let Some(leaf) = unit.material.leaf() else { return };
        let mut hosts: Vec<String> = unit.hostnames.clone();
        for path in &self.endpoints {
            if let Some(h) = present(&unit.effective, path)
                .and_then(|n| n.as_str())
                .map(host_of)
                .filter(|h| !h.is_empty())
            {
                hosts.push(h.to_string());
            }
        }
        hosts.sort();
        hosts.dedup();
        let names = Names::new(&leaf.cert.dns_names);
        let listed = san_list(&leaf.cert.dns_names, &leaf.cert.ip_addresses);
        for host in hosts {
            if !names.covers(&leaf.cert.ip_addresses, &host) {
                let why = match names.refused_wildcard(&host) {
                    Some(w) => format!("; clients take no wildcard over a single label ({w})"),
                    None => String::new(),
                };
                emit.hit(Hit {
                    location: leaf.location.clone(),
                    path: Some("tls.cert".into()),
                    block: Some(leaf.block),
                    message: format!(
                        "the hostname {host} is not in the server certificate's subjectAltName ({listed}): clients connecting to it reject the certificate{why}"
                    ),
                });
            }
        }
    }
}

/// SANs a message lists: a certificate may carry thousands, and every uncovered host is a finding
/// of its own; the rest are counted.
pub const LISTED_SANS: usize = 10;

/// The certificate's SANs for a message: DNS names, then IP addresses, the first
/// [`LISTED_SANS`] of them and how many more there are.
fn san_list(dns: &[String], ips: &[IpAddr]) -> String {
    let total = dns.len() + ips.len();
    if total == 0 {
        return "it has none".to_string();
    }
    let listed: Vec<String> = dns
        .iter()
        .cloned()
        .chain(ips.iter().map(IpAddr::to_string))
        .take(LISTED_SANS)
        .collect();
    let mut out = listed.join(", ");
    if total > LISTED_SANS {
        out.push_str(&format!(" and {} more", total - LISTED_SANS));
    }
    out
}

/// A certificate's DNS names, normalised once for every host they are matched against.
struct Names {
    exact: std::collections::HashSet<String>,
    /// What a `*.` wildcard stands over (`example.com` for `*.example.com`).
    wildcards: std::collections::HashSet<String>,
    /// Wildcards no client honours (`*.com`), kept to say why a host they seem to cover is not.
    refused: Vec<String>,
}

impl Names {
    fn new(dns: &[String]) -> Self {
        let (mut exact, mut wildcards) = (std::collections::HashSet::new(), std::collections::HashSet::new());
        let mut refused = Vec::new();
        for name in dns {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            match name.strip_prefix("*.") {
                // OpenSSL (crypto/x509/v3_utl.c, valid_star) takes a wildcard only over two or
                // more labels: `*.com` matches nothing.
                Some(suffix) if suffix.contains('.') => wildcards.insert(suffix.to_string()),
                Some(_) => {
                    refused.push(name);
                    false
                }
                None => exact.insert(name),
            };
        }
        Names {
            exact,
            wildcards,
            refused,
        }
    }

    /// The single-label wildcard that would cover `host` if clients honoured it.
    fn refused_wildcard(&self, host: &str) -> Option<&str> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let (label, rest) = host.split_once('.')?;
        (!label.is_empty() && !rest.contains('.'))
            .then(|| self.refused.iter().find(|w| w[2..] == *rest))
            .flatten()
            .map(String::as_str)
    }

    /// Whether the SANs cover `host` (RFC 6125: a wildcard matches exactly one leftmost label).
    fn covers(&self, ips: &[IpAddr], host: &str) -> bool {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return ips.contains(&ip);
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.exact.contains(&host)
            || host
                .split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && self.wildcards.contains(rest))
    }
}

/// Whether the SANs cover `host` (RFC 6125: a wildcard matches exactly one leftmost label).
pub fn covers(dns: &[String], ips: &[IpAddr], host: &str) -> bool {
    Names::new(dns).covers(ips, host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca};
    use crate::model::testing::UnitBuilder;

    #[test]
    fn wildcards_cover_one_label() {
        let dns = vec!["*.example.com".to_string(), "kafka.internal".to_string()];
        assert!(covers(&dns, &[], "es.example.com"));
        assert!(covers(&dns, &[], "KAFKA.internal."));
        assert!(!covers(&dns, &[], "a.b.example.com"));
        assert!(!covers(&dns, &[], "example.com"));
        // A wildcard over one label (a public suffix) covers nothing, as OpenSSL decides.
        assert!(!covers(&["*.com".to_string()], &[], "example.com"));
        let names = Names::new(&["*.com".to_string(), "*.example.org".to_string()]);
        assert_eq!(names.refused_wildcard("example.com"), Some("*.com"));
        assert_eq!(names.refused_wildcard("example.net"), None);
        assert_eq!(names.refused_wildcard("a.example.com"), None);
        assert!(covers(&[], &["10.0.0.1".parse().unwrap()], "10.0.0.1"));
        assert!(!covers(&dns, &[], "10.0.0.1"));
    }

    #[test]
    fn messages_list_ten_sans_and_count_the_rest() {
        let dns: Vec<String> = (0..2500).map(|i| format!("h{i}.example.com")).collect();
        let ip: Vec<IpAddr> = vec!["10.0.0.1".parse().unwrap()];
        let listed = san_list(&dns, &ip);
        assert_eq!(
            listed,
            "h0.example.com, h1.example.com, h2.example.com, h3.example.com, h4.example.com, \
             h5.example.com, h6.example.com, h7.example.com, h8.example.com, h9.example.com and 2491 more"
        );
        assert_eq!(san_list(&dns[..2], &ip), "h0.example.com, h1.example.com, 10.0.0.1");
        assert_eq!(san_list(&[], &ip), "10.0.0.1");
        assert_eq!(san_list(&[], &[]), "it has none");
    }

    fn cg315() -> HostnameCoverage {
        HostnameCoverage {
            endpoints: vec!["proxy.externalEndpoint".into()],
        }
    }

    fn certificate_for(sans: &[&str]) -> UnitBuilder {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", sans);
        Unit::builder().provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
    }

    #[test]
    fn a_hostname_or_endpoint_outside_the_sans_is_reported_at_the_certificate() {
        let unit = certificate_for(&["es.example.com", "*.apps.example.com"])
            .hostnames(&["kafka.example.com", "es.example.com"])
            .set("proxy.externalEndpoint=https://a.b.apps.example.com:443/")
            .build();
        assert_eq!(
            hits(&cg315(), &unit),
            [
                "cert.pem:1:1#1 tls.cert: the hostname a.b.apps.example.com is not in the server certificate's subjectAltName (es.example.com, *.apps.example.com): clients connecting to it reject the certificate",
                "cert.pem:1:1#1 tls.cert: the hostname kafka.example.com is not in the server certificate's subjectAltName (es.example.com, *.apps.example.com): clients connecting to it reject the certificate",
            ]
        );
    }

    #[test]
    fn hostnames_the_sans_cover_are_not_reported() {
        let unit = certificate_for(&["es.example.com", "*.apps.example.com"])
            .hostnames(&["ES.example.com."])
            .set("proxy.externalEndpoint=kafka.apps.example.com:443")
            .build();
        assert_eq!(hits(&cg315(), &unit), Vec::<String>::new());
    }
}
