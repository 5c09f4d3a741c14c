//! Helm's own command-line semantics, as certgate needs them.
//!
//! - [`strvals`]: the `--set` / `--set-string` / `--set-file` grammar (helm/helm `pkg/strvals`), in
//!   the Helm 2 (v2.16.12) and Helm 3 (HEAD) variants, writing into the value tree.
//!   [`strvals::syntax`] is its one tokenizer and its inverse, the escaping of keys and values.
//! - [`approved`]: the approved `helm upgrade` command certgate builds (SPEC §3): POSIX shell
//!   quoting, `--set-string` where `--set` would type, the exact command line.
//! - [`proposed`]: the lint of a proposed command line a person wrote (CG505): bare `key=value`
//!   words, `--tls`, `--set` values Helm reads differently than a person would.
//! - [`argv`]: reading a command line as the shell and Helm read it, for both: the approved one is
//!   read back to prove it, the proposed one to lint it.
//! - [`upgrade`]: what `helm upgrade --reuse-values` leaves a release holding, per Helm version.

pub mod approved;
pub mod argv;
pub mod coalesce;
pub mod proposed;
pub mod render;
pub mod strvals;
pub mod upgrade;

pub use strvals::HelmVersion;
