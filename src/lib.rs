//! liuyu (流域): who governs a place in Hubei Province and who coordinates
//! when an environmental problem crosses a boundary.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ogc;
pub mod prep;
pub mod tiles;
pub mod web;
