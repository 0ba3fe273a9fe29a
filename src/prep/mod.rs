//! Data build (数据构建): turns pinned registry packages into the committed `data/` layers.
pub mod build;
pub mod frykit;
pub mod union;
