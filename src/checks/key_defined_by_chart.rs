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
