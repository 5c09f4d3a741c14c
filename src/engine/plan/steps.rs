//! The words and commands of each step. Every `helm` command here takes the release and the
//! Helm-version flags from the approved command itself (read back through `helm::argv`), so the
//! rollback acts on the release the upgrade acts on, as the same Helm: `--tls` for Helm 2 (Tiller),
//! `--namespace NS` for Helm 3 and 4.

use super::{
    Actor, P12_FILE, PEM_FILE, Phase, PlanOptions, Step, TrustBundle, UnitReport, new_ca_file, new_chain_file,
};
use crate::helm::approved::shell_quote;
use crate::helm::argv::parse_command;
use crate::model::unit::Unit;

/// What the upgrade step's checks test the server with.
pub enum Trust {
    /// Clients keep the trust store they have (no client impact).
    Unchanged,
    /// Clients were given the bundle.
    Bundle,
}

/// The placeholder for the revision to roll back to: certgate reads files, not the cluster, so it
/// cannot know it; the upgrade step notes it first (`helm history`).
pub const REVISION: &str = "PREVIOUS_REVISION";

/// What every step is written from.
pub struct Context<'a> {
    pub command: &'a str,
    /// The release, shell-quoted as in the command.
    release: String,
    /// `--tls`, or `--namespace NS`, as the approved command carries them.
    flags: String,
    /// `HOST:PORT` for `openssl s_client`.
    address: String,
    /// `-servername HOST` when the host is known.
    servername: String,
    /// The new chain as a PEM file (leaf first), or the name to save it as.
    new_chain: String,
    new_chain_given: bool,
    /// The new CA as a PEM file (`--cacert`), when it was given as one.
    new_ca_file: Option<String>,
    now: &'a str,
    password: bool,
}

impl<'a> Context<'a> {
    pub fn new(unit: &Unit, report: &'a UnitReport, command: &'a str, options: &PlanOptions) -> Self {
        let parsed = parse_command(command, unit.helm).ok();
        let release = parsed
            .as_ref()
            .and_then(|p| p.release())
            .map_or_else(|| "RELEASE".to_string(), shell_quote);
        let flags = parsed.as_ref().map(helm_flags).unwrap_or_default();
        // The external hostname configured for the unit is the one clients connect to; without it,
        // a placeholder (the bootstrap address is in the clients' `bootstrap.servers`).
        let host = unit.hostnames.first().map(|h| shell_quote(h));
        let chain_file = new_chain_file(unit);
        Context {
            command,
            release,
            flags,
            address: format!("{}:PORT", host.clone().unwrap_or_else(|| "BOOTSTRAP_HOST".into())),
            servername: host.map(|h| format!(" -servername {h}")).unwrap_or_default(),
            new_chain_given: chain_file.is_some(),
            new_chain: chain_file.map_or_else(|| "new-chain.pem".to_string(), |f| shell_quote(&f)),
            new_ca_file: new_ca_file(unit).map(|f| shell_quote(&f)),
            now: &report.now,
            password: options.password.is_some(),
        }
    }

    fn helm(&self, words: &str) -> String {
        format!("helm {words} {}{}", self.release, self.flags)
    }

    fn s_client(&self, ca_file: &str) -> String {
        format!(
            "openssl s_client -connect {}{} -CAfile {ca_file} -verify_return_error </dev/null",
            self.address, self.servername
        )
    }
}

/// The Helm-version flags of a command, each with a leading space: ` --namespace NS`, ` --tls`.
pub fn helm_flags(parsed: &crate::helm::argv::ParsedCommand) -> String {
    let mut out = String::new();
    if let Some(ns) = parsed.namespace() {
        out.push_str(&format!(" --namespace {}", shell_quote(ns)));
    }
    if parsed.tls.is_some() {
        out.push_str(" --tls");
    }
    out
}

/// `helm rollback RELEASE PREVIOUS_REVISION` with the approved command's flags.
pub fn rollback_command(release: &str, flags: &str) -> String {
    format!("helm rollback {release} {REVISION}{flags}")
}

/// The upgrade: note the revision to come back to, run the approved command, check the server.
pub fn upgrade(ctx: &Context<'_>, number: usize, trust: Trust) -> Step {
    let (ca_file, after) = match trust {
        Trust::Unchanged => (
            "clients-ca.pem",
            "clients keep their trust store; clients-ca.pem stands for the CA file they use today",
        ),
        Trust::Bundle => (PEM_FILE, "clients trust the new chain through the bundle of step 1"),
    };
    Step {
        number,
        phase: super::Phase::Upgrade,
        title: "Run the approved command".into(),
        changes: format!(
            "the release's certificate settings and label: the chart regenerates the external certificates and the \
             servers present the new chain; {after}"
        ),
        who: Actor::PlatformTeam,
        not_before: None,
        commands: vec![ctx.helm("history --max=1"), ctx.command.to_string()],
        verify: vec![
            format!(
                "{}   # must end with `Verify return code: 0 (ok)`",
                ctx.s_client(ca_file)
            ),
            "the clients' logs show no TLS handshake failure (`PKIX path building failed`, `certificate verify \
             failed`)"
                .into(),
        ],
        rollback: vec![
            rollback_command(&ctx.release, &ctx.flags),
            format!(
                "{REVISION} is the REVISION the `helm history` above printed before the upgrade (certgate does not \
                 know it; `{}` lists every revision)",
                ctx.helm("history")
            ),
        ],
    }
}

/// The four steps of a CA rotation.
pub fn rotation(ctx: &Context<'_>, bundle: &TrustBundle, keep_days: u32) -> Vec<Step> {
    vec![
        distribute(ctx, bundle),
        verify_clients(ctx),
        upgrade(ctx, 3, Trust::Bundle),
        drop_old_ca(ctx, bundle, keep_days),
    ]
}

fn distribute(ctx: &Context<'_>, bundle: &TrustBundle) -> Step {
    let password = if ctx.password {
        "ssl.truststore.password=<the password of --truststore-password-file>"
    } else {
        "(no ssl.truststore.password: the store has none)"
    };
    let sums: Vec<String> = bundle
        .files
        .iter()
        .map(|f| format!("{}  {}", f.sha256, f.name))
        .collect();
    Step {
        number: 1,
        phase: Phase::DistributeBundle,
        title: "Give every client the trust bundle of the old and the new CA".into(),
        changes: format!(
            "each client's trust store, and nothing on the servers: {PEM_FILE} (OpenSSL clients, librdkafka) or \
             {P12_FILE} (Java clients, PKCS#12) holds the CA clients trust today and the new one ({} CAs), so \
             clients trust the servers before and after the upgrade",
            bundle.cas.len()
        ),
        who: Actor::ClientOwners,
        not_before: None,
        commands: vec![
            format!("Java clients: ssl.truststore.location=/path/to/{P12_FILE}"),
            "Java clients: ssl.truststore.type=PKCS12".into(),
            format!("Java clients: {password}"),
            format!("librdkafka clients: ssl.ca.location=/path/to/{PEM_FILE}"),
            "restart or reload each client so that it reads the new trust store".into(),
        ],
        verify: vec![format!(
            "sha256sum {PEM_FILE} {P12_FILE}   # must print: {}",
            sums.join(", ")
        )],
        rollback: vec![
            "give clients back the trust store they had: it holds the old CA, which the servers still present".into(),
        ],
    }
}

fn verify_clients(ctx: &Context<'_>) -> Step {
    let chain_note = if ctx.new_chain_given {
        String::new()
    } else {
        format!(
            " ({} is the new server certificate followed by its intermediates)",
            ctx.new_chain
        )
    };
    Step {
        number: 2,
        phase: Phase::VerifyClients,
        title: "Check that every client trusts the bundle".into(),
        changes: "nothing: each client owner confirms before the servers switch".into(),
        who: Actor::ClientOwners,
        not_before: None,
        commands: vec![
            format!(
                "openssl verify -CAfile {PEM_FILE} -untrusted {0} {0}{chain_note}",
                ctx.new_chain
            ),
            format!("keytool -list -keystore {P12_FILE} -storetype PKCS12"),
            ctx.s_client(PEM_FILE),
        ],
        verify: vec![
            format!("openssl verify prints `{}: OK` (the new chain verifies)", ctx.new_chain),
            "keytool lists one `trustedCertEntry` per CA of the bundle and no `PrivateKeyEntry`".into(),
            "s_client ends with `Verify return code: 0 (ok)` against today's servers (the old chain verifies); run it \
             again after step 3"
                .into(),
            "every client owner has confirmed: the upgrade waits until then".into(),
        ],
        rollback: vec!["nothing to undo: this step changes nothing".into()],
    }
}

fn drop_old_ca(ctx: &Context<'_>, bundle: &TrustBundle, keep_days: u32) -> Step {
    let old: Vec<&str> = bundle
        .cas
        .iter()
        .filter(|c| c.side == "old")
        .map(|c| c.alias.as_str())
        .collect();
    let mut commands: Vec<String> = old
        .iter()
        .map(|alias| format!("keytool -delete -alias {alias} -keystore {P12_FILE} -storetype PKCS12"))
        .collect();
    commands.push(format!(
        "in {PEM_FILE}, delete the block(s) under the comment line(s) `# old CA` (the old CA comes first, the new CA \
         stays exactly as distributed){}",
        ctx.new_ca_file
            .as_deref()
            .map(|f| format!(", or point ssl.ca.location at {f}, the new CA alone"))
            .unwrap_or_default()
    ));
    Step {
        number: 4,
        phase: Phase::DropOldCa,
        title: "Drop the old CA from the clients' trust stores".into(),
        changes: format!(
            "each client's trust store loses the old CA ({}); after this, `helm rollback` to the old certificate \
             would cut clients off. Kept {keep_days} days after the upgrade (--keep-old-ca-days): while a rollback \
             may still bring the old chain back",
            old.join(", ")
        ),
        who: Actor::ClientOwners,
        not_before: Some(after_days(ctx.now, keep_days)),
        commands,
        verify: vec![
            format!("keytool -list -keystore {P12_FILE} -storetype PKCS12   # only the new CA's entries"),
            format!("{}   # still `Verify return code: 0 (ok)`", ctx.s_client(PEM_FILE)),
        ],
        rollback: vec!["give clients the two-CA bundle of step 1 again (same SHA-256)".into()],
    }
}

/// `now` (RFC 3339) plus `days`, as RFC 3339; the step's earliest time counts from the run, since
/// certgate does not know when the upgrade will run.
fn after_days(now: &str, days: u32) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(now, &Rfc3339)
        .ok()
        .and_then(|t| t.checked_add(time::Duration::days(i64::from(days))))
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{days} days after the upgrade"))
}
