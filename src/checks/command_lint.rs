//! `command_lint`: the proposed `helm upgrade` command (`--command`) and `--set` arguments, read the
//! way Helm reads them: bare `key=value` words, `--tls` for the wrong Helm, `--set` values Helm
//! splits or types differently than written.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::helm::commandline::IssueKind;
use crate::model::ProblemKind;
use crate::model::unit::Unit;
use crate::report::Location;

pub const KIND: Kind = Kind {
    name: "command_lint",
    summary: "The proposed helm command and --set arguments mean what they say.",
    params: "(none)",
    build: super::build::<CommandLint>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandLint {}

impl Check for CommandLint {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        if let Some(cmd) = &unit.command {
            // A Helm 3 command without --namespace is CG508's, from the unit's namespace.
            for issue in cmd.lint.problems().filter(|i| i.kind != IssueKind::NamespaceMissing) {
                let origin = match &issue.word {
                    Some(w) => format!("--command word {}: {}", w.index + 1, w.text),
                    None => "--command".to_string(),
                };
                emit.at(Location::Arg { origin }, None, issue.message.clone());
            }
        }
        for p in unit.problems.iter().filter(|p| p.kind == ProblemKind::SetInvalid) {
            emit.hit(Hit {
                location: p.location.clone(),
                path: p.path.clone(),
                block: None,
                message: p.message.clone(),
            });
        }
    }
}
