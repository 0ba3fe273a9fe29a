//! liuyu (流域): who governs a place in Hubei Province and who coordinates
//! when an environmental problem crosses a boundary.
//!
//! Data flow: `prep` (data build) -> `data/` -> [`atlas`] (load, validate) ->
//! [`index`] (point lookup) -> [`locate`] (answers) -> CLI and [`server`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod air;
pub mod atlas;
pub mod attribute;
pub mod budget;
pub mod cli;
pub mod crs;
pub mod formats;
pub mod governance;
pub mod hydro;
pub mod index;
pub mod locate;
pub mod ogc;
pub mod overlay;
pub mod prep;
pub mod register;
pub mod server;
pub mod tiles;
pub mod web;

pub use atlas::{Atlas, AtlasError, Layer, LayerKind, Memberships, Provenance, Unit};
pub use budget::{Budget, Exhausted};
pub use index::{Hit, Locator, Position, BOUNDARY_EPSILON};
pub use locate::Location;
