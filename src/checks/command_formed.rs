//! `command_formed`: when the change would be approved, the approved command can be written. A
//! change with no release name or chart to name, a value the shell cannot be given safely, or a
//! command that would carry private key material has no command; that is a finding in every
//! format (exit status included), never a note in one of them.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::plan::NoCommand;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "command_formed",
    summary: "The approved command can be written for the change.",
    params: "missing: true reports a release name or chart not given (nothing to name), false a command that cannot carry the change safely",
    build: super::build::<CommandFormed>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandFormed {
    missing: bool,
}

impl Check for CommandFormed {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        match unit.command_plan() {
            Err(why @ NoCommand::Missing(_)) if self.missing => {
                emit.run(format!("no command can be approved for this change: {why}"));
            }
            Err(why @ NoCommand::Unsafe(_)) if !self.missing => {
                emit.run(format!("no command can be approved for this change: {why}"));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::model::testing::UnitBuilder;

    /// What both rules find (`missing: true`, then false), with a chart to name.
    fn both(unit: UnitBuilder) -> Vec<String> {
        let unit = unit.chart("ibm-eventstreams-prod", "1.4.0", "{}").build();
        [true, false]
            .iter()
            .flat_map(|&missing| hits(&CommandFormed { missing }, &unit))
            .collect()
    }

    #[test]
    fn a_change_without_a_release_or_with_a_key_on_the_command_line_has_no_command() {
        let label = "global.security.externalCertificateLabel=new1";
        assert_eq!(
            both(Unit::builder().set(label)),
            ["run -: no command can be approved for this change: no release name (--release)"]
        );
        let key_on_line = Unit::builder()
            .release("es1")
            .set(label)
            .set("tls.type=provided")
            .set("tls.key=c29tZSBrZXk=");
        assert_eq!(
            both(key_on_line),
            [
                "run -: no command can be approved for this change: the private key was given on the command line; give it as a file (--key FILE) so the command can refer to it"
            ]
        );
    }

    #[test]
    fn nothing_is_reported_when_the_command_can_be_written_or_nothing_changes() {
        let fine = Unit::builder()
            .release("es1")
            .set("global.security.externalCertificateLabel=new1");
        assert_eq!(both(fine), Vec::<String>::new());
        assert_eq!(
            both(Unit::builder().release("es1")),
            Vec::<String>::new(),
            "nothing changes: CG503's, not this"
        );
    }
}
