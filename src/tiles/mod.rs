//! Vector tiles (矢量瓦片): MVT encoding, TileJSON, a memory-bounded tile cache
//! and PMTiles v3 archives, plus their HTTP routes.

pub mod atlas;
pub mod cache;
pub mod clip;
pub mod http;
pub mod mercator;
pub mod mvt;
pub mod pmtiles;
pub mod source;
pub mod tilejson;

pub use cache::TileCache;
pub use mercator::TileId;
pub use mvt::{TileError, TileSet};
pub use source::{GeometryKind, MapFeature, MapLayer, MapSource};
