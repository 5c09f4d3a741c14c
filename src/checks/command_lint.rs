//! `command_lint`: the proposed `helm upgrade` command (`--command`) and `--set` arguments, read the
//! way Helm reads them: bare `key=value` words, `--tls` for the wrong Helm, `--set` values Helm
//! splits or types differently than written.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::helm::proposed::IssueKind;
use crate::model::unit::Unit;
use crate::source::Location;
use crate::source::ProblemKind;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::helm::strvals::HelmVersion;

    #[test]
    fn words_helm_reads_otherwise_than_written_are_reported() {
        let unit = Unit::builder()
            .command("helm upgrade es1 chart.tgz --tls --reuse-values --set tls.type=secret tls.secretName=es-tls")
            .build();
        assert_eq!(
            hits(&CommandLint {}, &unit),
            [
                "--command word 9: tls.secretName=es-tls -: `tls.secretName=es-tls` looks like a values assignment but is not preceded by --set: Helm takes it as another positional argument and refuses the command; put `--set` before it",
                "--command word 9: tls.secretName=es-tls -: `helm upgrade` takes exactly two arguments, the release and the chart; this command has 3",
            ]
        );
        let helm2_without_tls = Unit::builder()
            .command("helm upgrade es1 chart.tgz --reuse-values --set tls.type=secret")
            .build();
        assert_eq!(
            hits(&CommandLint {}, &helm2_without_tls),
            ["--command -: no --tls: Helm 2 talks to Tiller over TLS on IBM Cloud Private and fails without it"]
        );
        let set = Unit::builder().set("tls.type").build();
        assert_eq!(
            hits(&CommandLint {}, &set),
            ["--set tls.type=… -: Helm cannot parse --set tls.type=…: key map \"tls\" has no value"]
        );
    }

    #[test]
    fn a_well_formed_command_is_not_reported() {
        let unit = Unit::builder()
            .command(
                "helm upgrade es1 chart.tgz --tls --reuse-values --set tls.type=secret --set tls.secretName=es-tls",
            )
            .build();
        assert_eq!(hits(&CommandLint {}, &unit), Vec::<String>::new());
        // A Helm 3 command without --namespace is CG508's.
        let helm3 = Unit::builder()
            .helm(HelmVersion::V3)
            .command("helm upgrade es1 chart.tgz --reuse-values --set tls.type=secret")
            .build();
        assert_eq!(hits(&CommandLint {}, &helm3), Vec::<String>::new());
    }
}
