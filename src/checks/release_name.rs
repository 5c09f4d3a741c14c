//! `release_name`: the chart's own rule for release names (templates/stateful-set.yaml fails with
//! "Format of release name is invalid" unless the name matches `^[a-z][a-z0-9-]*[a-z0-9]*$` and does
//! not end in `-`), and Helm 2's limit of 53 characters.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "release_name",
    summary: "The release name is one the chart accepts.",
    params: "max_length: the longest name allowed (53 for Helm 2)",
    build: super::build::<ReleaseName>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseName {
    max_length: usize,
}

impl Check for ReleaseName {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let Some(release) = &unit.release else { return };
        let name = &release.value;
        let mut why = release_name_problem(name);
        if name.chars().count() > self.max_length {
            why.get_or_insert_with(String::new);
            why = why.map(|w| {
                let len = format!(
                    "it is {} characters long, over {}",
                    name.chars().count(),
                    self.max_length
                );
                if w.is_empty() { len } else { format!("{w}; {len}") }
            });
        }
        if let Some(why) = why {
            emit.at(
                release.location.clone(),
                None,
                format!("release name {name:?} is not accepted by the chart: {why}"),
            );
        }
    }
}

/// Why the chart rejects `name`, or None.
pub fn release_name_problem(name: &str) -> Option<String> {
    let first = name.chars().next();
    if !first.is_some_and(|c| c.is_ascii_lowercase()) {
        return Some("it must start with a lowercase letter".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!("{c:?} is not allowed (only lowercase letters, digits and '-')"));
    }
    if name.ends_with('-') {
        return Some("it must not end with '-'".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    #[test]
    fn follows_the_chart_rule() {
        for ok in ["e", "es", "eventstreams1", "es-1"] {
            assert_eq!(release_name_problem(ok), None, "{ok}");
        }
        for bad in ["1es", "es-", "Es", "es_1", ""] {
            assert!(release_name_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn a_name_the_chart_rejects_is_reported_at_the_release() {
        let cg502 = ReleaseName { max_length: 53 };
        let unit = Unit::builder().release("Es_1").set("tls.type=secret").build();
        assert_eq!(
            hits(&cg502, &unit),
            [
                "--release Es_1 -: release name \"Es_1\" is not accepted by the chart: it must start with a lowercase letter"
            ]
        );
        let long = "e".repeat(54);
        let unit = Unit::builder().release(&long).set("tls.type=secret").build();
        assert_eq!(
            hits(&cg502, &unit),
            [format!(
                "--release {long} -: release name \"{long}\" is not accepted by the chart: it is 54 characters long, over 53"
            )]
        );
        let both = format!("{long}-");
        let unit = Unit::builder().release(&both).set("tls.type=secret").build();
        assert_eq!(
            hits(&cg502, &unit),
            [format!(
                "--release {both} -: release name \"{both}\" is not accepted by the chart: it must not end with '-'; it is 55 characters long, over 53"
            )]
        );
    }

    #[test]
    fn a_valid_name_or_none_is_not_reported() {
        let cg502 = ReleaseName { max_length: 53 };
        let unit = Unit::builder().release(&"e".repeat(53)).set("tls.type=secret").build();
        assert_eq!(hits(&cg502, &unit), Vec::<String>::new());
        assert_eq!(
            hits(&cg502, &Unit::builder().set("tls.type=secret").build()),
            Vec::<String>::new()
        );
    }
}
