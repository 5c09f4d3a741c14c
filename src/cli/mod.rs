//! The command line (SPEC §1, a contract): argument definitions and one file per subcommand. The
//! binary's `main` only parses arguments, calls [`run`], and maps the outcome to an exit status.

pub mod check;
pub mod explain;
pub mod output;
pub mod plan;
pub mod rules;
pub mod verify_approval;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::source::secret::Redactor;

const EXAMPLES: &str = "\
Examples:
  # Check a rotation to a new external label against the running release
  certgate check --previous release-values.yaml \\
    --set global.security.externalCertificateLabel=upgradedlabel1 \\
    --release eventstreams1 --chart ibm-eventstreams-prod-1.4.0.tgz

  # Check every release unit named in a directory's certgate.yaml
  certgate check examples/rotation

  # Lint a command from the documentation
  certgate check --command 'helm upgrade --reuse-values --set tls.type=provided ... --tls'

  # Machine-readable output
  certgate check examples/rotation --format json --output report.json";

#[derive(Debug, Parser)]
#[command(
    name = "certgate",
    version,
    about = "The gate in front of a certificate rotation on IBM Event Streams (Helm)",
    long_about = "certgate reads the values a team is about to apply, the certificates it is about to hand over, \
and what runs today; it says with exact file:line:column what would break; and when nothing would, it prints \
the one `helm upgrade` command approved to run.",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check release units; PATHs are files or directories
    Check(Box<CheckArgs>),
    /// The auditor's report of the same run: --format html|markdown --output FILE
    Audit(Box<PlanArgs>),
    /// The rollout plan of the same run: each unit's ordered steps, and the client trust bundle
    /// of a CA rotation (--format text|markdown|json)
    Plan(Box<PlanArgs>),
    /// Print a rule's documentation
    Explain {
        /// The rule code, e.g. CG207
        code: String,
    },
    /// List the rule catalogue
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print one of certgate's JSON Schemas (for editors and validators)
    Schema {
        #[arg(value_enum)]
        name: SchemaName,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Re-hash the inputs of a JSON report: exit 0 unchanged, 1 changed (saying which), 2 error
    #[command(name = "verify-approval")]
    VerifyApproval {
        /// A report written by `certgate check --format json`, or a plan written by `certgate plan
        /// --format json --output-dir DIR` (its client trust bundle's files are re-hashed)
        report: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaName {
    /// certgate.yaml
    Config,
    /// a rule file
    Rule,
    /// the certificate part of the Event Streams values
    Values,
    /// the JSON report
    Report,
    /// the JSON rollout plan (`certgate plan --format json`)
    Plan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Github,
    /// `certgate audit` only.
    Html,
    /// `certgate audit` only.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HelmMajor {
    #[value(name = "2")]
    V2,
    #[value(name = "3")]
    V3,
    #[value(name = "4")]
    V4,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories; a directory's certgate.yaml names its release units
    pub paths: Vec<PathBuf>,
    /// A proposed values file; repeat to merge in order, later wins
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Helm --set syntax; repeatable
    // Helm's flag parser (pflag) takes the next word as the value whatever it starts with, so
    // `--set -a=1` sets the key `-a`; so does certgate.
    #[arg(long, value_name = "K=V", allow_hyphen_values = true)]
    pub set: Vec<String>,
    /// Helm --set-string syntax; repeatable
    #[arg(long = "set-string", value_name = "K=V", allow_hyphen_values = true)]
    pub set_string: Vec<String>,
    /// Helm --set-file syntax (K=PATH); repeatable
    #[arg(long = "set-file", value_name = "K=PATH", allow_hyphen_values = true)]
    pub set_file: Vec<String>,
    /// Values of the running release (`helm get values RELEASE -o yaml`)
    #[arg(long, value_name = "FILE")]
    pub previous: Option<String>,
    /// Previous values = the same values files at git revision REV
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// PEM private key for tls.type=provided (stands for tls.key)
    #[arg(long, value_name = "FILE")]
    pub key: Option<String>,
    /// PEM certificate (or chain, leaf first) for tls.type=provided (stands for tls.cert)
    #[arg(long, value_name = "FILE")]
    pub cert: Option<String>,
    /// PEM CA root certificate for tls.type=provided (stands for tls.cacert)
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<String>,
    /// A Kubernetes Secret manifest (YAML) for tls.type=secret
    #[arg(long, value_name = "FILE")]
    pub secret: Option<String>,
    /// The CA certificate that clients trust today, when the previous values don't hold it
    #[arg(long = "previous-cacert", value_name = "FILE")]
    pub previous_cacert: Option<String>,
    /// A TLS endpoint of the running release (HOST:PORT, IPv6 as [::1]:9093): the chain it serves
    /// today is read and compared with the previous values; repeatable
    #[arg(long = "endpoint", value_name = "HOST:PORT")]
    pub endpoint: Vec<String>,
    /// The chart archive (.tgz)
    #[arg(long, value_name = "FILE")]
    pub chart: Option<String>,
    /// The release name
    #[arg(long, value_name = "NAME")]
    pub release: Option<String>,
    /// The release's namespace (added to the Helm 3 command)
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// The chart's release ConfigMap: current and previous certificate labels
    #[arg(long, value_name = "FILE")]
    pub configmap: Option<String>,
    /// Helm major version for the command [default: 2]
    #[arg(long, value_enum, value_name = "2|3|4")]
    pub helm: Option<HelmMajor>,
    /// Propose this external label (auto: ext-<YYYYMMDD>-<n>)
    #[arg(long = "new-label", value_name = "auto|VALUE")]
    pub new_label: Option<String>,
    /// The clock, RFC 3339 [default: now]
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Warn this many days before a certificate expires [default: 30]
    #[arg(long = "expiry-warning-days", value_name = "N")]
    pub expiry_warning_days: Option<u32>,
    /// Fail (exit 1) on findings at or above this severity [default: error]
    #[arg(long = "fail-on", value_enum)]
    pub fail_on: Option<FailOn>,
    /// Output format; pair with --output FILE, repeatable
    #[arg(long, value_enum)]
    pub format: Vec<Format>,
    /// Write the preceding --format to FILE (whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// The config file [default: certgate.yaml in a directory PATH, else found by walking up]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print the effective configuration and where each setting came from
    #[arg(long = "show-config")]
    pub show_config: bool,
    /// Text format: print only the approved command, or nothing
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Ignore inline suppressions
    #[arg(long = "no-suppressions")]
    pub no_suppressions: bool,
    /// Lint a proposed helm command line (CG505) and check the change it makes
    #[arg(long, value_name = "\"helm upgrade ...\"")]
    pub command: Option<String>,
    /// Where each --format and --output came on the command line (filled in after parsing).
    #[arg(skip)]
    pub format_positions: Vec<usize>,
    /// Key material given on the command line (`--set tls.key=…`, a key pasted where a path
    /// belongs), which no output may show (filled in before parsing).
    #[arg(skip)]
    pub argv_secrets: Vec<String>,
    #[arg(skip)]
    pub output_positions: Vec<usize>,
}

/// `certgate plan`: the options of `check`, and where the client trust bundle goes.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// Write client-truststore.pem and client-truststore.p12 of each unit that needs them to DIR
    /// (one subdirectory per unit, named for its release, when there are several)
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// The PKCS#12 trust store's password: the file's content, its trailing line break taken off
    /// [default: a store without password]
    #[arg(long = "truststore-password-file", value_name = "FILE")]
    pub truststore_password_file: Option<PathBuf>,
    /// Days clients keep the old CA after the upgrade, while a rollback may bring the old chain
    /// back [default: 30]
    #[arg(long = "keep-old-ca-days", value_name = "N")]
    pub keep_old_ca_days: Option<u32>,
}

/// What a run ended with, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above the failure threshold.
    Pass,
    /// Findings at or above it.
    Fail,
}

/// An error that is not a finding: invalid usage or an internal failure (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Internal(String),
}

/// Parse arguments and run; clap handles `--help`/`--version` and its own usage errors.
///
/// This is the binary's entry point: the process ends after it, so a `check` or `audit` run's
/// data is left for the exit to reclaim rather than freed piece by piece (`check::outcome`). A
/// program embedding certgate should call [`crate::engine::run::evaluate`] and [`check::write_all`]
/// instead.
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<Outcome, CliError> {
    let args: Vec<OsString> = args.into_iter().collect();
    let argv_secrets = secrets_in_args(&args);
    let mut redactor = Redactor::new();
    for s in &argv_secrets {
        redactor.add(s);
    }
    // Every message to standard error goes through the same filter as the reports: clap quotes
    // the argument it could not place, and that argument may be a key pasted on the command line.
    let scrub = |e: CliError| match e {
        CliError::Usage(m) => CliError::Usage(redactor.scrub(&m).into_owned()),
        CliError::Internal(m) => CliError::Internal(redactor.scrub(&m).into_owned()),
    };
    let matches = match Cli::command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            let usage = e.use_stderr();
            // clap quotes the argument it could not place, line breaks and all: each line of its
            // message goes through the reports' filter, so none can start a workflow command.
            let rendered: String = e
                .render()
                .to_string()
                .lines()
                .map(|l| format!("{}\n", crate::report::one_line(l)))
                .collect();
            let text = redactor.scrub(&rendered);
            let _ = if usage {
                output::stderr(&text)
            } else {
                output::stdout(&text)
            };
            return if usage {
                Err(CliError::Usage(String::new()))
            } else {
                Ok(Outcome::Pass)
            };
        }
    };
    let mut cli = Cli::from_arg_matches(&matches).map_err(|e| scrub(CliError::Usage(e.to_string())))?;
    run_command(&mut cli, &matches, argv_secrets).map_err(scrub)
}

/// Key material on the command line ([`crate::source::secret::in_words`]).
fn secrets_in_args(args: &[OsString]) -> Vec<String> {
    let words: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    crate::source::secret::in_words(&words)
}

fn run_command(cli: &mut Cli, matches: &clap::ArgMatches, argv_secrets: Vec<String>) -> Result<Outcome, CliError> {
    match &mut cli.command {
        Command::Check(args) => {
            args.argv_secrets = argv_secrets;
            if let Some(("check", m)) = matches.subcommand() {
                args.format_positions = m.indices_of("format").map(Iterator::collect).unwrap_or_default();
                args.output_positions = m.indices_of("output").map(Iterator::collect).unwrap_or_default();
            }
            check::run(args)
        }
        Command::Audit(args) => {
            args.check.argv_secrets = argv_secrets;
            if let Some(("audit", m)) = matches.subcommand() {
                args.check.format_positions = m.indices_of("format").map(Iterator::collect).unwrap_or_default();
                args.check.output_positions = m.indices_of("output").map(Iterator::collect).unwrap_or_default();
            }
            plan::run_audit(args)
        }
        Command::Plan(args) => {
            args.check.argv_secrets = argv_secrets;
            if let Some(("plan", m)) = matches.subcommand() {
                args.check.format_positions = m.indices_of("format").map(Iterator::collect).unwrap_or_default();
                args.check.output_positions = m.indices_of("output").map(Iterator::collect).unwrap_or_default();
            }
            plan::run(args)
        }
        Command::Explain { code } => explain::run(code),
        Command::Rules { format } => rules::run(*format),
        Command::VerifyApproval { report } => verify_approval::run(report),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "certgate", &mut out);
            output::stdout(&String::from_utf8_lossy(&out)).map_err(|e| CliError::Internal(e.to_string()))?;
            Ok(Outcome::Pass)
        }
        Command::Schema { name } => {
            let schema = match name {
                SchemaName::Config => crate::schema::Schema::Config,
                SchemaName::Rule => crate::schema::Schema::Rule,
                SchemaName::Values => crate::schema::Schema::Values,
                SchemaName::Report => crate::schema::Schema::Report,
                SchemaName::Plan => crate::schema::Schema::Plan,
            };
            output::stdout(schema.text()).map_err(|e| CliError::Internal(e.to_string()))?;
            Ok(Outcome::Pass)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| CliError::Internal(e.to_string()))?;
            output::stdout(&String::from_utf8_lossy(&out)).map_err(|e| CliError::Internal(e.to_string()))?;
            Ok(Outcome::Pass)
        }
    }
}
