//! Helm's own command-line semantics, as certgate needs them.
//!
//! - [`strvals`]: the `--set` / `--set-string` / `--set-file` grammar (helm/helm `pkg/strvals`), in
//!   the Helm 2 (v2.16.12) and Helm 3 (HEAD) variants, writing into the value tree.
//! - [`command`]: the approved `helm upgrade` command (SPEC §3): escaping for Helm's parser, POSIX
//!   shell quoting, building the exact command line, and parsing a command line back.
//! - [`commandline`]: linting a proposed command line (CG505): bare `key=value` words, `--tls`,
//!   `--set` values Helm reads differently than a person would.
//! - [`upgrade`]: what `helm upgrade --reuse-values` leaves a release holding, per Helm version.

pub mod command;
pub mod commandline;
pub mod strvals;
pub mod upgrade;

pub use strvals::HelmVersion;
