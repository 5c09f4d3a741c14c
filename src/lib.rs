//! certgate: the gate in front of a certificate rotation on IBM Event Streams (Helm).
//!
//! Data flows one way: **sources → model → checks → report → renderers**.
//!
//! - [`source`] reads inputs once, with limits, into texts with spans: YAML with YAML 1.1 scalar
//!   resolution as Helm reads it, PEM blocks with their lines, chart archives, files at a git
//!   revision, suppression comments.
//! - [`crypto`] is X.509 and keys by cryptography: certificates, private keys, signatures, chains.
//! - [`load`] turns what the user named (flags, `certgate.yaml`) into a [`model::unit::Unit`]:
//!   values with origins, effective values as Helm computes them, and every input problem.
//! - [`rules`] loads the rule files (policy as data); [`checks`] holds the check kinds, the only
//!   rule logic in Rust; [`engine`] runs them and decides the outcome and the approved command.
//! - [`report`] is the one report model, with one renderer per format.
//! - [`helm`] is Helm's own `--set` grammar, the approved command and the lint of a proposed one;
//!   [`cli`] the command line.

#![forbid(unsafe_code)]
// Input never decides whether certgate panics: no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod checks;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod engine;
pub mod helm;
pub mod load;
pub mod model;
pub mod parallel;
pub mod report;
pub mod rules;
pub mod schema;
pub mod source;
