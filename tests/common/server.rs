//! Real TLS servers on loopback for the tests: `openssl s_server` started on a free port with
//! certificates from tests/certs/mkcert.sh, killed and reaped when its guard ([`Server`]) drops,
//! passing or failing. Used by tests/endpoint.rs and by the command-line cases that hold a
//! `server` file (tests/cases.rs).

use std::io::BufRead;
use std::io::BufReader;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// An `openssl s_server` child, killed and reaped on drop.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on at the time of asking (the kernel's choice, released at once).
pub fn free_port(ip: IpAddr) -> u16 {
    TcpListener::bind(SocketAddr::new(ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `openssl s_server` serving `NAME.pem` with `NAME.key`, and `chain` as the rest of the chain
/// (`-cert_chain`, sent after the leaf: `openssl-s_server(1)`), on `ip`. `-www` answers HTTP
/// requests only and never reads standard input. Ready once it prints `ACCEPT`.
pub fn s_server(dir: &Path, name: &str, chain: &str, ip: IpAddr) -> Server {
    s_server_with(dir, name, chain, ip, &[])
}

/// [`s_server`] with `extra` arguments.
pub fn s_server_with(dir: &Path, name: &str, chain: &str, ip: IpAddr, extra: &[&str]) -> Server {
    let port = free_port(ip);
    let accept = SocketAddr::new(ip, port).to_string();
    let mut child = Command::new("openssl")
        .args(["s_server", "-www", "-accept", &accept])
        .args(["-cert", &format!("{name}.pem"), "-key", &format!("{name}.key")])
        .args(["-cert_chain", chain])
        .args(extra)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("openssl runs (.ci/run installs it)");
    let stdout = child.stdout.take().unwrap();
    let server = Server { child, port };
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    while reader.read_line(&mut line).unwrap() > 0 && !line.contains("ACCEPT") {
        line.clear();
    }
    assert!(line.contains("ACCEPT"), "s_server did not start");
    // Keep draining its output so that it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    server
}

/// The server a command-line case asks for with a `server` file (`LEAF CHAIN`: the certificate
/// and key named LEAF, the rest of the chain in the file CHAIN, made by its setup.sh in `dir`),
/// serving on a free IPv4 loopback port that its `args` name as `{PORT}` ([`with_port`]).
pub fn for_case(case: &Path, dir: &Path) -> Result<Option<Server>, String> {
    let Ok(line) = std::fs::read_to_string(case.join("server")) else {
        return Ok(None);
    };
    let Some((leaf, chain)) = line.trim().split_once(' ') else {
        return Err(format!("server: `{}` is not LEAF CHAIN", line.trim()));
    };
    Ok(Some(s_server(dir, leaf, chain, std::net::Ipv4Addr::LOCALHOST.into())))
}

/// A case's arguments with `{PORT}` replaced by its server's port.
pub fn with_port(args: &str, server: Option<&Server>) -> String {
    match server {
        Some(s) => args.replace("{PORT}", &s.port.to_string()),
        None => args.to_string(),
    }
}
