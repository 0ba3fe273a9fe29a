//! Pure-Rust readers for import (数据导入): GeoJSON, FlatGeobuf and Shapefile.
