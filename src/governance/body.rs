//! 主体: levels (层级), bodies (党委, 政府, 生态环境保护委员会 and its 办公室),
//! first responsible persons (第一责任人), supervisors and functional departments (职能部门).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A level of government (层级): province, prefecture or county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 省级.
    Province,
    /// 市（州）级.
    Prefecture,
    /// 县（市、区）级.
    County,
}

impl Level {
    /// The id used in data and answers (`"province"`, `"prefecture"`, `"county"`).
    pub fn id(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
        }
    }

    /// The three levels, top down.
    pub const ALL: [Level; 3] = [Level::Province, Level::Prefecture, Level::County];
}

/// Description of a level in `bodies.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelInfo {
    /// Which level.
    pub id: Level,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// The kind of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// 党委.
    Party,
    /// 政府.
    Government,
    /// 生态环境保护委员会.
    Committee,
    /// 委员会办公室.
    Office,
}

/// A body every level has (党委, 政府, 委员会, 办公室), as a name template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyTemplate {
    /// Id (`party_committee`, `government`, `committee`, `committee_office`).
    pub id: String,
    /// Kind of body.
    pub kind: BodyKind,
    /// Chinese name with `{place}`.
    pub name_zh: String,
    /// English name with `{place}`.
    pub name_en: String,
    /// Clauses that give the body its role.
    pub basis: Vec<String>,
    /// Department hosting the body at a level, where the text says so.
    #[serde(default)]
    pub hosted_by: BTreeMap<Level, String>,
}

impl BodyTemplate {
    /// The Chinese name of this body for a place (`湖北省` -> `湖北省人民政府`).
    pub fn name_zh_for(&self, place: &str) -> String {
        self.name_zh.replace("{place}", place)
    }
    /// The English name of this body for a place.
    pub fn name_en_for(&self, place: &str) -> String {
        self.name_en.replace("{place}", place)
    }
}

/// Role titles of the first responsible persons (第一责任人, 三) by name ending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirstResponsible {
    /// Ending of the place name (`"省"`, `"市"`, `"林区"` ...).
    pub suffix: String,
    /// Party secretary title, Chinese.
    pub party_zh: String,
    /// Party secretary title, English.
    pub party_en: String,
    /// Head of government title, Chinese.
    pub government_zh: String,
    /// Head of government title, English.
    pub government_en: String,
}

/// A supervising body (十七).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supervisor {
    /// Id.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Clauses.
    pub basis: Vec<String>,
}

/// The whole `bodies.toml` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyFile {
    /// The levels.
    pub level: Vec<LevelInfo>,
    /// Body templates.
    pub body: Vec<BodyTemplate>,
    /// First-responsible role titles.
    pub first_responsible: Vec<FirstResponsible>,
    /// Supervisors.
    #[serde(default)]
    pub supervisor: Vec<Supervisor>,
}

/// Kind of a department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 职能部门 with eco-environmental duties.
    Functional,
    /// 公安, 检察, 法院, 司法行政.
    Judicial,
    /// 审计 and other supervisors.
    Supervisory,
}

/// A functional department or judicial organ (职能部门).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Stable id (`eco_environment`).
    pub id: String,
    /// Short form the seed uses in lists (`发改`).
    pub abbrev_zh: String,
    /// Generic Chinese name of the field (`生态环境`).
    pub short_zh: String,
    /// English name of the field.
    pub name_en: String,
    /// The provincial body (`湖北省生态环境厅`).
    pub province_zh: String,
    /// The counterpart at prefecture/county level, with `{place}`.
    pub local_zh: String,
    /// The national body above the provincial one (general knowledge).
    pub superior_zh: String,
    /// Same, English.
    pub superior_en: String,
    /// Kind.
    pub kind: DepartmentKind,
    /// Among the issuers of the seed document.
    pub issuer: bool,
    /// Must file the annual thematic report of clause 十一.
    pub reports_annually: bool,
}

impl Department {
    /// The name of this department at a level for a place.
    pub fn name_at(&self, level: Level, place: &str) -> String {
        match level {
            Level::Province => self.province_zh.clone(),
            _ => self.local_zh.replace("{place}", place),
        }
    }
}

/// The whole `departments.toml` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentFile {
    /// The departments.
    pub department: Vec<Department>,
}
