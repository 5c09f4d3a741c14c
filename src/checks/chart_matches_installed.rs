//! `chart_matches_installed`: `--reuse-values` makes Helm reuse the *installed* chart's coalesced
//! values, so a different chart version's new defaults are dropped (Tiller's `reuseValues`).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "chart_matches_installed",
    summary: "The chart given is the installed chart version.",
    params: "(none)",
    build: super::build::<ChartMatchesInstalled>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartMatchesInstalled {}

impl Check for ChartMatchesInstalled {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let (Some(chart), Some(installed)) = (
            &unit.chart,
            unit.configmap.as_ref().and_then(|c| c.chart_version.as_ref()),
        ) else {
            return;
        };
        if &chart.version != installed {
            emit.at(
                chart.location.clone(),
                None,
                format!("chart {} is given but {installed} is installed: with --reuse-values Helm keeps the installed chart's defaults and drops those new in {}", chart.version, chart.version),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    fn installed(chart: &str) -> String {
        format!("kind: ConfigMap\nmetadata:\n  labels:\n    chart: {chart}\ndata:\n  externalCertificateLabel: ext-1\n")
    }

    #[test]
    fn another_chart_version_than_the_installed_one_is_reported_at_the_chart() {
        let unit = Unit::builder()
            .chart("ibm-eventstreams-prod", "1.4.1", "{}")
            .configmap(&installed("ibm-eventstreams-prod-1.4.0"))
            .set("tls.type=secret")
            .build();
        assert_eq!(
            hits(&ChartMatchesInstalled {}, &unit),
            [
                "ibm-eventstreams-prod-1.4.1.tgz!/ibm-eventstreams-prod/Chart.yaml:3:10 -: chart 1.4.1 is given but 1.4.0 is installed: with --reuse-values Helm keeps the installed chart's defaults and drops those new in 1.4.1"
            ]
        );
    }

    #[test]
    fn the_installed_version_or_an_unknown_one_is_not_reported() {
        let same = Unit::builder()
            .chart("ibm-eventstreams-prod", "1.4.0", "{}")
            .configmap(&installed("ibm-eventstreams-prod-1.4.0"))
            .set("tls.type=secret")
            .build();
        assert_eq!(hits(&ChartMatchesInstalled {}, &same), Vec::<String>::new());
        let no_configmap = Unit::builder()
            .chart("ibm-eventstreams-prod", "1.4.1", "{}")
            .set("tls.type=secret")
            .build();
        assert_eq!(hits(&ChartMatchesInstalled {}, &no_configmap), Vec::<String>::new());
    }
}
