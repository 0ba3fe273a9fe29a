//! 治理 (governance): who governs a place in Hubei, who coordinates a
//! cross-boundary environmental issue, and who must report when — every
//! answer citing the clauses (条款) of the seed document it rests on.
//!
//! The rules are data ([`Rules`], TOML under `data/governance/`, embedded by
//! default and replaceable per file from a dataset directory). The engine
//! reads them together with the atlas.

pub mod actors;
pub mod analysis;
pub mod body;
pub mod clause;
pub mod footprint;
pub mod jurisdiction;
pub mod matter;
pub mod mechanism;
pub mod names;
pub mod obligations;
pub mod places;
pub mod profile;
pub mod rules;
pub mod validity;
pub mod water;

/// The analysis under its earlier module name.
pub use self::analysis as analyze;
pub use body::{Department, Level};
pub use clause::Clause;
pub use matter::Matter;
pub use mechanism::Mechanism;
pub use obligations::{obligations, parse_date, ObligationsAnswer, ObligationsError, Places};
pub use rules::{RuleProblem, Rules, RulesError};
pub mod cli;
pub mod http;

use std::sync::Arc;

use crate::atlas::Atlas;
use crate::server::DataSource;

/// The governance engine (治理引擎): validated rules plus the river hook.
#[derive(Clone)]
pub struct Governance {
    rules: Arc<Rules>,
    water: Arc<dyn water::UpstreamDownstream>,
}

impl std::fmt::Debug for Governance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Governance")
            .field("clauses", &self.rules.clauses.len())
            .field("matters", &self.rules.matters.len())
            .field("water", &self.water.describe())
            .finish()
    }
}

impl Governance {
    /// An engine over `rules`, with no river graph.
    pub fn new(rules: Rules) -> Self {
        Governance {
            rules: Arc::new(rules),
            water: Arc::new(water::NoRiverGraph),
        }
    }

    /// The engine over the embedded rules.
    pub fn embedded() -> Result<Self, RulesError> {
        Rules::embedded().map(Self::new)
    }

    /// The engine for a data source: a dataset directory's `governance/`
    /// files replace the embedded ones.
    pub fn for_source(source: &DataSource) -> Result<Self, RulesError> {
        match source {
            DataSource::Embedded => Self::embedded(),
            DataSource::Dir(d) => Rules::load_dir(d).map(Self::new),
        }
    }

    /// Installs a river graph for the upstream/downstream context of water matters.
    pub fn with_water(mut self, water: Arc<dyn water::UpstreamDownstream>) -> Self {
        self.water = water;
        self
    }

    /// The rules.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The river hook.
    pub fn water(&self) -> &dyn water::UpstreamDownstream {
        self.water.as_ref()
    }

    /// Cross-boundary issue analysis, without a deadline.
    pub fn analyze(
        &self,
        atlas: &Atlas,
        req: &analyze::AnalyzeRequest,
    ) -> Result<analyze::Analysis, analyze::AnalyzeError> {
        self.analyze_within(atlas, req, &crate::budget::Budget::unlimited())
    }

    /// Cross-boundary issue analysis that stops when `budget` runs out
    /// (deadline passed or client gone).
    pub fn analyze_within(
        &self,
        atlas: &Atlas,
        req: &analyze::AnalyzeRequest,
        budget: &crate::budget::Budget,
    ) -> Result<analyze::Analysis, analyze::AnalyzeError> {
        analysis::analyze(
            &self.rules,
            atlas,
            self.water.as_ref(),
            req,
            footprint::DEFAULT_MAX_VERTICES,
            budget,
        )
    }

    /// Governance profile of a point, with deadlines as of `date`.
    pub fn profile(
        &self,
        atlas: &Atlas,
        lon: f64,
        lat: f64,
        date: jiff::civil::Date,
    ) -> profile::Profile {
        profile::profile(&self.rules, atlas, self.water.as_ref(), lon, lat, date)
    }

    /// Reporting obligations on `date`, optionally for one prefecture given
    /// by adcode or name (`420100`, `武汉市`, `武汉`).
    pub fn obligations(
        &self,
        atlas: &Atlas,
        date: jiff::civil::Date,
        prefecture: Option<&str>,
    ) -> Result<ObligationsAnswer, ObligationsError> {
        let adcode = match prefecture {
            None => None,
            Some(q) => Some(
                names::resolve(
                    &names::admin_places(atlas),
                    q,
                    &[names::PlaceKind::Prefecture],
                    "prefecture-level unit of Hubei",
                )
                .map_err(ObligationsError::Prefecture)?
                .id
                .clone(),
            ),
        };
        obligations::obligations(&self.rules, &places::places(atlas), date, adcode.as_deref())
    }

    /// Places whose name matches `q` (`/v1/places`, `liuyu places`): the
    /// province, prefectures, counties and rivers, best match first.
    pub fn places(&self, atlas: &Atlas, q: &str, limit: usize) -> Vec<names::PlaceMatch> {
        let mut all = names::admin_places(atlas).to_vec();
        all.extend(self.water.river_places(atlas));
        names::search(&all, q, limit)
    }
}
