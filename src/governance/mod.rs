//! 治理 (governance): who governs a place in Hubei, who coordinates a
//! cross-boundary environmental issue, and who must report when — every
//! answer citing the clauses (条款) of the seed document it rests on.
//!
//! The rules are data ([`Rules`], TOML under `data/governance/`, embedded by
//! default and replaceable per file from a dataset directory). The engine
//! reads them together with the atlas.

pub mod actors;
pub mod analyze;
pub mod body;
pub mod clause;
pub mod footprint;
pub mod jurisdiction;
pub mod matter;
pub mod mechanism;
pub mod obligations;
pub mod places;
pub mod rules;
pub mod water;

pub use body::{Department, Level};
pub use clause::Clause;
pub use matter::Matter;
pub use mechanism::Mechanism;
pub use obligations::{obligations, parse_date, ObligationsAnswer, ObligationsError, Places};
pub use rules::{RuleProblem, Rules, RulesError};
