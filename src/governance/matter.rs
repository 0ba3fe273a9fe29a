//! 事项清单: the matter catalog, each matter with its lead department (牵头部门)
//! and cooperating departments (配合部门).

use serde::{Deserialize, Serialize};

/// Catalog-wide metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogInfo {
    /// `template` for the shipped catalog; `official` when a user loads the official list.
    pub provenance: String,
    /// Where the catalog comes from.
    pub source: String,
    /// Clauses the catalog rests on.
    pub basis: Vec<String>,
}

/// A kind of matter (具体事项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matter {
    /// Id used in requests (`water`).
    pub id: String,
    /// Other ids accepted in requests.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Themes that select mechanisms.
    pub themes: Vec<String>,
    /// Lead department id.
    pub lead: String,
    /// Cooperating department ids.
    pub cooperating: Vec<String>,
    /// Specialised committees approved for this matter (九); empty by default.
    #[serde(default)]
    pub specialised_committees: Vec<String>,
    /// Basin-related (流域性): crossing a first-level basin line makes an issue
    /// of this matter eligible for a special inspection (跨流域, 十六).
    #[serde(default)]
    pub basin_related: bool,
    /// An issue of this matter gets the river-network context (上下游, 左右岸,
    /// 十三), and a boundary river it lies on makes both banks parties.
    #[serde(default)]
    pub water_context: bool,
}

impl Matter {
    /// Whether the matter has a theme.
    pub fn has_theme(&self, theme: &str) -> bool {
        self.themes.iter().any(|t| t == theme)
    }
}

/// The whole `matters.toml` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatterFile {
    /// Catalog metadata.
    pub catalog: CatalogInfo,
    /// Matters.
    pub matter: Vec<Matter>,
}
