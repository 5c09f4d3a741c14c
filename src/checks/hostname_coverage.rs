//! `hostname_coverage`: every external hostname clients use (config `hostnames:`, and the values'
//! `proxy.externalEndpoint`) is in the server certificate's subjectAltName, as DNS name (a `*.`
//! wildcard covers one label) or IP address. The common name is not looked at, as TLS clients no
//! longer do.

use std::net::IpAddr;

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::model::effective::present;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "hostname_coverage",
    summary: "The server certificate covers every configured external hostname.",
    params: "endpoints: values paths holding external endpoints (proxy.externalEndpoint)",
    build: super::build::<Params>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    endpoints: Vec<String>,
}

impl Check for Params {
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
        for host in hosts {
            if !covers(&leaf.cert.dns_names, &leaf.cert.ip_addresses, &host) {
                emit.hit(Hit {
                    location: leaf.location.clone(),
                    path: Some("tls.cert".into()),
                    block: Some(leaf.block),
                    message: format!(
                        "{host} is not in the server certificate's subjectAltName ({}): clients connecting to it reject the certificate",
                        if leaf.cert.dns_names.is_empty() && leaf.cert.ip_addresses.is_empty() { "it has none".to_string() } else { leaf.cert.dns_names.join(", ") }
                    ),
                });
            }
        }
    }
}

/// The host of an endpoint written as `host`, `host:port` or `https://host:port/path`.
fn host_of(endpoint: &str) -> &str {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest);
    if let Some(v6) = host.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    host.rsplit_once(':')
        .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
}

/// Whether the SANs cover `host` (RFC 6125: a wildcard matches exactly one leftmost label).
pub fn covers(dns: &[String], ips: &[IpAddr], host: &str) -> bool {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return ips.contains(&ip);
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    dns.iter().any(|name| {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        match name.strip_prefix("*.") {
            Some(suffix) => host
                .split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
            None => name == host,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        let dns = vec!["*.example.com".to_string(), "kafka.internal".to_string()];
        assert!(covers(&dns, &[], "es.example.com"));
        assert!(covers(&dns, &[], "KAFKA.internal."));
        assert!(!covers(&dns, &[], "a.b.example.com"));
        assert!(!covers(&dns, &[], "example.com"));
        assert!(covers(&[], &["10.0.0.1".parse().unwrap()], "10.0.0.1"));
        assert!(!covers(&dns, &[], "10.0.0.1"));
    }

    #[test]
    fn endpoints_lose_scheme_port_and_path() {
        assert_eq!(host_of("my-loadbalancer1.com"), "my-loadbalancer1.com");
        assert_eq!(host_of("https://es.example.com:9443/path"), "es.example.com");
        assert_eq!(host_of("[::1]:443"), "::1");
    }
}
