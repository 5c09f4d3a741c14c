//! `key_defined_by_chart`: a key is set that the chart given does not define, so Helm keeps it but
//! no template reads it (`uiCertificateLabel` exists only in ibm-eventstreams-icp4i-prod 1.4.0).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "key_defined_by_chart",
    summary: "A key the change sets is defined in the chart's default values.",
    params: "path: the values path; charts: chart names known to define it, named when no chart is given",
    build: super::build::<KeyDefinedByChart>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyDefinedByChart {
    path: String,
    #[serde(default)]
    charts: Vec<String>,
}

impl Check for KeyDefinedByChart {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let Some(node) = unit.proposed.lookup(&self.path).filter(|n| !n.is_null()) else {
            return;
        };
        let known = if self.charts.is_empty() {
            String::new()
        } else {
            format!(" (only {} define it)", self.charts.join(", "))
        };
        match &unit.chart {
            Some(chart) if chart.defaults.lookup(&self.path).is_some() => {}
            Some(chart) => emit.value(
                node,
                &self.path,
                format!(
                    "{} is not defined by chart {} {}: no template reads it{known}",
                    self.path, chart.name, chart.version
                ),
            ),
            None => emit.value(
                node,
                &self.path,
                format!(
                    "{} is set, but no chart is given to show it is defined{known}",
                    self.path
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::model::testing::UnitBuilder;

    fn cg106() -> KeyDefinedByChart {
        KeyDefinedByChart {
            path: "global.security.uiCertificateLabel".into(),
            charts: vec!["ibm-eventstreams-icp4i-prod 1.4.0".into()],
        }
    }

    fn ui_label() -> UnitBuilder {
        Unit::builder().values("global:\n  security:\n    uiCertificateLabel: ui-2\n")
    }

    #[test]
    fn a_key_the_chart_does_not_define_is_reported() {
        let chart = ui_label()
            .chart(
                "ibm-eventstreams-prod",
                "1.4.0",
                "global:\n  security:\n    externalCertificateLabel: ext-1\n",
            )
            .build();
        assert_eq!(
            hits(&cg106(), &chart),
            [
                "values.yaml:3:25 global.security.uiCertificateLabel: global.security.uiCertificateLabel is not defined by chart ibm-eventstreams-prod 1.4.0: no template reads it (only ibm-eventstreams-icp4i-prod 1.4.0 define it)"
            ]
        );
        assert_eq!(
            hits(&cg106(), &ui_label().build()),
            [
                "values.yaml:3:25 global.security.uiCertificateLabel: global.security.uiCertificateLabel is set, but no chart is given to show it is defined (only ibm-eventstreams-icp4i-prod 1.4.0 define it)"
            ]
        );
    }

    #[test]
    fn a_key_the_chart_defines_or_the_change_does_not_set_is_not_reported() {
        let defined = ui_label()
            .chart(
                "ibm-eventstreams-icp4i-prod",
                "1.4.0",
                "global:\n  security:\n    uiCertificateLabel: ui-1\n",
            )
            .build();
        assert_eq!(hits(&cg106(), &defined), Vec::<String>::new());
        let unset = Unit::builder()
            .set("global.security.externalCertificateLabel=ext-2")
            .build();
        assert_eq!(hits(&cg106(), &unset), Vec::<String>::new());
    }
}
