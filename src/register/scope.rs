//! 辖区与角色: jurisdictions (the province, a prefecture-level unit or a
//! county-level unit, by adcode) and what each role may do in them.
//!
//! A committee office (生态环境保护委员会办公室) supervises its own level and the
//! levels below (二十); a functional department files its own annual report
//! (十一, 十二) and takes part in the cases that name it; a reader only reads.

use serde::Serialize;

use crate::atlas::{Atlas, LayerKind};
pub use crate::governance::Level;

/// The province's adcode (湖北省).
pub const PROVINCE: &str = "420000";

/// A place of Hubei by adcode, with the prefecture-level unit it lies in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// Adcode.
    pub adcode: String,
    /// Name (`鄂州市`).
    pub name: String,
    /// Level.
    pub level: Level,
    /// The prefecture-level unit it lies in (itself for a prefecture, `420000` for the province).
    pub prefecture: String,
}

impl Place {
    /// Resolves an adcode against the atlas: the province, a prefecture-level
    /// unit or a county-level unit of Hubei.
    pub fn resolve(atlas: &Atlas, adcode: &str) -> Option<Place> {
        let adcode = adcode.trim();
        if adcode == PROVINCE {
            let name = crate::governance::places::province(atlas).name;
            return Some(Place {
                adcode: PROVINCE.into(),
                name,
                level: Level::Province,
                prefecture: PROVINCE.into(),
            });
        }
        if let Some(u) = atlas.layer(LayerKind::Prefecture).get(adcode) {
            return Some(Place {
                adcode: u.id.clone(),
                name: u.name.clone(),
                level: Level::Prefecture,
                prefecture: u.id.clone(),
            });
        }
        let u = atlas.layer(LayerKind::County).get(adcode)?;
        Some(Place {
            adcode: u.id.clone(),
            name: u.name.clone(),
            level: Level::County,
            prefecture: u.prop_str("prefecture").unwrap_or(PROVINCE).to_string(),
        })
    }

    /// Whether a place (`adcode`, lying in `prefecture`) is this jurisdiction
    /// or below it: the province holds every place, a prefecture its counties,
    /// a county only itself (二十: each office supervises its level and below).
    pub fn contains(&self, adcode: &str, prefecture: &str) -> bool {
        match self.level {
            Level::Province => true,
            Level::Prefecture => adcode == self.adcode || prefecture == self.adcode,
            Level::County => adcode == self.adcode,
        }
    }

    /// Whether the whole of `other` lies within this jurisdiction.
    pub fn covers(&self, other: &Place) -> bool {
        match other.level {
            Level::Province => self.level == Level::Province,
            _ => self.contains(&other.adcode, &other.prefecture),
        }
    }
}

/// The SQL condition "the row's place lies within `place`", for rows with an
/// adcode column and a prefecture column (the rule of [`Place::contains`]).
pub fn sql_within(
    q: &mut super::store::Sql,
    place: &Place,
    adcode: &str,
    prefecture: &str,
) -> String {
    match place.level {
        Level::Province => "1 = 1".to_string(),
        Level::Prefecture => {
            let p = q.text_arg(&place.adcode);
            format!("({adcode} = {p} OR {prefecture} = {p})")
        }
        Level::County => {
            let p = q.text_arg(&place.adcode);
            format!("{adcode} = {p}")
        }
    }
}

/// The roles a token can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A committee office (委员会办公室): reads and manages the records of its
    /// jurisdiction and below (二十).
    Office,
    /// A functional department (职能部门): files its own reports (十一, 十二) and
    /// reads the cases it is party to.
    Department,
    /// Reads within its jurisdiction.
    Reader,
}

impl Role {
    /// Parses `office`, `department` or `reader`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "office" => Some(Role::Office),
            "department" => Some(Role::Department),
            "reader" => Some(Role::Reader),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Office => "office",
            Role::Department => "department",
            Role::Reader => "reader",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atlas() -> Atlas {
        Atlas::embedded().unwrap()
    }

    #[test]
    fn resolves_the_three_levels() {
        let a = atlas();
        let p = Place::resolve(&a, "420000").unwrap();
        assert_eq!(p.level, Level::Province);
        let e = Place::resolve(&a, "420700").unwrap();
        assert_eq!((e.level, e.name.as_str()), (Level::Prefecture, "鄂州市"));
        let c = Place::resolve(&a, "420111").unwrap();
        assert_eq!((c.level, c.prefecture.as_str()), (Level::County, "420100"));
        // 仙桃: a province-administered county-level city is its own prefecture-level unit.
        let x = Place::resolve(&a, "429004").unwrap();
        assert_eq!(
            (x.level, x.prefecture.as_str()),
            (Level::Prefecture, "429004")
        );
        assert!(Place::resolve(&a, "110000").is_none());
        assert!(Place::resolve(&a, "4201").is_none());
    }

    #[test]
    fn containment_follows_the_levels() {
        let a = atlas();
        let prov = Place::resolve(&a, "420000").unwrap();
        let wuhan = Place::resolve(&a, "420100").unwrap();
        let hongshan = Place::resolve(&a, "420111").unwrap();
        let ezhou = Place::resolve(&a, "420700").unwrap();
        assert!(prov.covers(&wuhan) && prov.covers(&hongshan) && prov.covers(&prov));
        assert!(wuhan.covers(&hongshan) && wuhan.covers(&wuhan));
        assert!(!wuhan.covers(&ezhou) && !wuhan.covers(&prov));
        assert!(!hongshan.covers(&wuhan) && hongshan.covers(&hongshan));
        assert!(!ezhou.contains("420111", "420100"));
    }
}
