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
