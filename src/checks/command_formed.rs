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
    use crate::checks::testing::{given, messages, unit};
    use crate::load::UnitSpec;

    /// The messages of both rules for `spec`, with a chart path to name.
    fn both(spec: &UnitSpec) -> Vec<String> {
        let mut unit = unit(spec);
        unit.chart_path = Some("chart.tgz".into());
        [true, false]
            .iter()
            .flat_map(|&missing| messages(&CommandFormed { missing }, &unit))
            .collect()
    }

    #[test]
    fn a_change_without_a_release_or_with_a_key_on_the_command_line_has_no_command() {
        let label = given("global.security.externalCertificateLabel=new1");
        let no_release = UnitSpec {
            set: vec![label.clone()],
            ..UnitSpec::default()
        };
        let m = both(&no_release);
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("--release"), "{m:?}");
        let key_on_line = UnitSpec {
            release: Some(given("es1")),
            set: vec![label, given("tls.type=provided"), given("tls.key=c29tZSBrZXk=")],
            ..UnitSpec::default()
        };
        let m = both(&key_on_line);
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("--key FILE"), "{m:?}");
    }

    #[test]
    fn nothing_is_reported_when_the_command_can_be_written_or_nothing_changes() {
        let fine = UnitSpec {
            release: Some(given("es1")),
            set: vec![given("global.security.externalCertificateLabel=new1")],
            ..UnitSpec::default()
        };
        assert!(both(&fine).is_empty());
        assert!(
            both(&UnitSpec::default()).is_empty(),
            "nothing changes: CG503's, not this"
        );
    }
}
