//! 数据快照 (the served snapshot): the Atlas plus every part a domain builds
//! from it and the data source (the governance rules, the river graph), all
//! loaded and validated together and swapped as one value. A reload either
//! replaces the whole snapshot or nothing.
//!
//! Parts are registered by name ([`PartLoader`], listed in
//! [`super::router::parts`]); a domain reads its part back with
//! [`Snapshot::part`]. The server never names a domain's types.

use std::any::Any;
use std::sync::Arc;

use crate::atlas::Atlas;

use super::DataSource;

/// A loaded part, type-erased.
pub type AnyPart = Arc<dyn Any + Send + Sync>;

/// What a part loader sees: the source, the freshly loaded Atlas, and the
/// snapshot being replaced (none at start).
pub struct LoadContext<'a> {
    /// Where the data comes from.
    pub source: &'a DataSource,
    /// The new Atlas.
    pub atlas: &'a Arc<Atlas>,
    /// The snapshot serving now, on a reload.
    pub previous: Option<&'a Snapshot>,
}

/// Builds and validates one part of a snapshot.
#[derive(Clone, Copy)]
pub struct PartLoader {
    /// Name of the part (in errors, `/ready` and [`Snapshot::part`]).
    pub name: &'static str,
    /// The loader: the part, or why it cannot be built.
    pub load: fn(&LoadContext<'_>) -> Result<AnyPart, String>,
}

/// The Atlas and its parts, immutable once built.
pub struct Snapshot {
    atlas: Arc<Atlas>,
    parts: Vec<(&'static str, Result<AnyPart, String>)>,
    loaded_at: jiff::Timestamp,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("data_version", &self.atlas.version())
            .field(
                "parts",
                &self.parts.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Why a snapshot could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The Atlas did not load or validate.
    #[error("{0}")]
    Atlas(String),
    /// A part did not load or validate.
    #[error("{part}: {message}")]
    Part {
        /// The part's name.
        part: &'static str,
        /// Why.
        message: String,
    },
    /// The reload did not finish within its timeout.
    #[error("the reload did not finish within {0} s; the old data keeps serving")]
    Timeout(u64),
}

impl Snapshot {
    /// Builds every part over `atlas`; the first part that fails fails the
    /// whole snapshot.
    pub fn strict(
        atlas: Arc<Atlas>,
        source: &DataSource,
        previous: Option<&Snapshot>,
        loaders: &[PartLoader],
    ) -> Result<Snapshot, SnapshotError> {
        let s = Self::lenient(atlas, source, previous, loaders);
        match s
            .parts
            .iter()
            .find_map(|(n, p)| p.as_ref().err().map(|e| (*n, e)))
        {
            Some((part, message)) => Err(SnapshotError::Part {
                part,
                message: message.clone(),
            }),
            None => Ok(s),
        }
    }

    /// Builds every part over `atlas`; a part that fails is kept as its error
    /// (its routes answer 503, `/ready` names it) and the rest serve.
    pub fn lenient(
        atlas: Arc<Atlas>,
        source: &DataSource,
        previous: Option<&Snapshot>,
        loaders: &[PartLoader],
    ) -> Snapshot {
        let ctx = LoadContext {
            source,
            atlas: &atlas,
            previous,
        };
        let parts = loaders.iter().map(|l| (l.name, (l.load)(&ctx))).collect();
        Snapshot {
            atlas,
            parts,
            loaded_at: jiff::Timestamp::now(),
        }
    }

    /// The Atlas.
    pub fn atlas(&self) -> &Arc<Atlas> {
        &self.atlas
    }

    /// When this snapshot was built.
    pub fn loaded_at(&self) -> jiff::Timestamp {
        self.loaded_at
    }

    /// The part called `name`, of type `T`; the error says why it is missing.
    pub fn part<T: Any + Send + Sync>(&self, name: &str) -> Result<Arc<T>, String> {
        let (_, part) = self
            .parts
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| format!("no part `{name}` is loaded"))?;
        let part = part.as_ref().map_err(Clone::clone)?;
        part.clone()
            .downcast::<T>()
            .map_err(|_| format!("part `{name}` has another type"))
    }

    /// Each part's name and its error, if it failed (lenient builds only).
    pub fn part_status(&self) -> Vec<(&'static str, Option<&str>)> {
        self.parts
            .iter()
            .map(|(n, p)| (*n, p.as_ref().err().map(String::as_str)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(_: &LoadContext<'_>) -> Result<AnyPart, String> {
        Ok(Arc::new(7u32))
    }

    fn bad(_: &LoadContext<'_>) -> Result<AnyPart, String> {
        Err("broken".into())
    }

    #[test]
    fn strict_builds_fail_whole_and_lenient_builds_keep_the_error() {
        let atlas = Arc::new(Atlas::embedded().unwrap());
        let loaders = [
            PartLoader {
                name: "seven",
                load: ok,
            },
            PartLoader {
                name: "broken",
                load: bad,
            },
        ];
        let e = Snapshot::strict(atlas.clone(), &DataSource::Embedded, None, &loaders).unwrap_err();
        assert_eq!(e.to_string(), "broken: broken");
        let s = Snapshot::lenient(atlas, &DataSource::Embedded, None, &loaders);
        assert_eq!(*s.part::<u32>("seven").unwrap(), 7);
        assert!(s.part::<String>("seven").is_err());
        assert_eq!(s.part::<u32>("broken").unwrap_err(), "broken");
        assert!(s.part::<u32>("absent").is_err());
        assert_eq!(s.part_status()[1], ("broken", Some("broken")));
    }
}
