//! `chart_min_version`: the chart predates what the change needs (certificate labels and
//! `tls.type=secret` first appear in chart 1.4.0, Event Streams 2019.4.1).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::unit::Unit;
use crate::source::chart::compare_versions;

pub const KIND: Kind = Kind {
    name: "chart_min_version",
    summary: "The chart version is at least `min`.",
    params: "min: the lowest chart version (1.4.0)",
    build: super::build::<ChartMinVersion>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartMinVersion {
    min: String,
}

impl Check for ChartMinVersion {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let Some(chart) = &unit.chart else { return };
        match compare_versions(&chart.version, &self.min) {
            Some(o) if o.is_lt() => emit.at(
                chart.location.clone(),
                None,
                format!(
                    "chart {} {} predates certificate labels, which need chart {} (Event Streams 2019.4.1) or later",
                    chart.name, chart.version, self.min
                ),
            ),
            Some(_) => {}
            None => emit.at(
                chart.location.clone(),
                None,
                format!("chart version {:?} is not a version number", chart.version),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    fn with_chart(version: &str) -> Unit {
        Unit::builder()
            .chart("ibm-eventstreams-prod", version, "{}")
            .set("tls.type=secret")
            .build()
    }

    #[test]
    fn a_chart_before_the_minimum_is_reported_at_its_version() {
        let cg504 = ChartMinVersion { min: "1.4.0".into() };
        assert_eq!(
            hits(&cg504, &with_chart("1.3.0")),
            [
                "ibm-eventstreams-prod-1.3.0.tgz!/ibm-eventstreams-prod/Chart.yaml:3:10 -: chart ibm-eventstreams-prod 1.3.0 predates certificate labels, which need chart 1.4.0 (Event Streams 2019.4.1) or later"
            ]
        );
        assert_eq!(
            hits(&cg504, &with_chart("latest")),
            [
                "ibm-eventstreams-prod-latest.tgz!/ibm-eventstreams-prod/Chart.yaml:3:10 -: chart version \"latest\" is not a version number"
            ]
        );
    }

    #[test]
    fn the_minimum_a_later_chart_or_none_is_not_reported() {
        let cg504 = ChartMinVersion { min: "1.4.0".into() };
        assert_eq!(hits(&cg504, &with_chart("1.4.0")), Vec::<String>::new());
        assert_eq!(hits(&cg504, &with_chart("1.10.0")), Vec::<String>::new());
        assert_eq!(
            hits(&cg504, &Unit::builder().set("tls.type=secret").build()),
            Vec::<String>::new()
        );
    }
}
