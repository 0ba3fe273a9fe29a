//! Rivers (河流): a directed river network for Hubei, upstream/downstream
//! navigation in NLDI's vocabulary (UM, UT, DM, DD) joined with jurisdictions,
//! and bank pairs (左右岸) along boundary rivers.
pub mod build;
pub mod centreline;
pub mod gazetteer;
pub mod geom;
pub mod graph;
pub mod navigate;
pub mod wdbii;

pub use graph::{GraphError, RiverGraph};
pub use navigate::{Mode, NavError, Navigation};
pub mod banks;
pub mod context;
pub mod http;
pub mod water;

pub use context::{TouchedRange, WaterContext};
