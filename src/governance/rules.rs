//! 规则: loading and validating the governance rules (clauses, bodies,
//! departments, mechanisms, matter catalog, reporting obligations) from TOML.
//!
//! The default rules are compiled into the binary. A dataset directory may
//! replace any file: `DIR/governance/<file>.toml`; a missing file falls back
//! to the embedded default. Every cross-reference is checked at load.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::body::{
    BodyFile, BodyTemplate, Department, DepartmentFile, FirstResponsible, Level, LevelInfo,
    Supervisor,
};
use super::clause::{chinese_numeral, Clause, ClauseFile, Document, Part};
use super::matter::{CatalogInfo, Matter, MatterFile};
use super::mechanism::{CoCreationRule, Mechanism, MechanismFile, REQUIRED_MECHANISMS};
use super::obligations::{BodyRef, ObligationFile, ObligationRule};

/// The rule files, in load order, with their embedded defaults.
pub const FILES: [(&str, &str); 6] = [
    (
        "clauses.toml",
        include_str!("../../data/governance/clauses.toml"),
    ),
    (
        "bodies.toml",
        include_str!("../../data/governance/bodies.toml"),
    ),
    (
        "departments.toml",
        include_str!("../../data/governance/departments.toml"),
    ),
    (
        "mechanisms.toml",
        include_str!("../../data/governance/mechanisms.toml"),
    ),
    (
        "matters.toml",
        include_str!("../../data/governance/matters.toml"),
    ),
    (
        "obligations.toml",
        include_str!("../../data/governance/obligations.toml"),
    ),
];

/// Body template ids the engine relies on.
pub const REQUIRED_BODIES: [&str; 4] = [
    "party_committee",
    "government",
    "committee",
    "committee_office",
];

/// Errors loading the governance rules.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// A rule file could not be read.
    #[error("cannot read governance rule file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A rule file is not valid TOML of the expected shape.
    #[error("governance rule file {file} is malformed: {source}")]
    Parse {
        /// The file (name, or path when user-supplied).
        file: String,
        /// The cause.
        source: Box<toml::de::Error>,
    },
    /// The rules parsed but are inconsistent.
    #[error("governance rules are invalid ({} problem(s)):\n{}", .0.len(), ProblemList(.0))]
    Invalid(Vec<RuleProblem>),
}

struct ProblemList<'a>(&'a [RuleProblem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in self.0 {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

/// One inconsistency found when validating the rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleProblem {
    /// Two entries of the same kind share an id.
    #[error("duplicate {kind} id `{id}`")]
    Duplicate {
        /// Kind of entry.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A clause id is cited but not defined.
    #[error("{context} cites clause `{id}`, which is not in clauses.toml")]
    UnknownClause {
        /// Who cites it.
        context: String,
        /// The id.
        id: String,
    },
    /// A department id is referenced but not defined.
    #[error("{context} refers to department `{id}`, which is not in departments.toml")]
    UnknownDepartment {
        /// Who refers to it.
        context: String,
        /// The id.
        id: String,
    },
    /// Something the engine needs is missing.
    #[error("missing required {kind} `{id}`")]
    Missing {
        /// Kind of entry.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// Any other inconsistency.
    #[error("{0}")]
    Other(String),
}

/// Where one rule file came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "from", content = "path")]
pub enum RuleSource {
    /// The default compiled into the binary.
    Embedded,
    /// A user-supplied file.
    File(PathBuf),
}

/// The validated governance rules (治理规则). Immutable once loaded.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The seed document.
    pub document: Document,
    /// Its parts.
    pub parts: Vec<Part>,
    /// Its clauses, in order.
    pub clauses: Vec<Clause>,
    /// Levels.
    pub levels: Vec<LevelInfo>,
    /// Bodies every level has.
    pub bodies: Vec<BodyTemplate>,
    /// First-responsible role titles.
    pub first_responsible: Vec<FirstResponsible>,
    /// Supervisors.
    pub supervisors: Vec<Supervisor>,
    /// Departments.
    pub departments: Vec<Department>,
    /// Mechanisms.
    pub mechanisms: Vec<Mechanism>,
    /// Rural classification for co-creation.
    pub co_creation_rule: CoCreationRule,
    /// Matter catalog metadata.
    pub catalog: CatalogInfo,
    /// Matters.
    pub matters: Vec<Matter>,
    /// Reporting obligations.
    pub obligations: Vec<ObligationRule>,
    /// Where each file came from.
    pub sources: BTreeMap<String, RuleSource>,
}

fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, RulesError> {
    toml::from_str(text).map_err(|e| RulesError::Parse {
        file: file.to_string(),
        source: Box::new(e),
    })
}

impl Rules {
    /// The rules compiled into the binary.
    pub fn embedded() -> Result<Rules, RulesError> {
        let texts: Vec<(String, String, RuleSource)> = FILES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string(), RuleSource::Embedded))
            .collect();
        Self::from_texts(&texts)
    }

    /// Rules from a dataset directory: each `DIR/governance/<file>.toml` that
    /// exists replaces the embedded default of the same name.
    pub fn load_dir(dataset_dir: &Path) -> Result<Rules, RulesError> {
        let dir = dataset_dir.join("governance");
        let mut texts = Vec::with_capacity(FILES.len());
        for (name, default) in FILES {
            let path = dir.join(name);
            match crate::atlas::read_regular_file(&path).and_then(|b| {
                String::from_utf8(b)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
            }) {
                Ok(t) => texts.push((path.display().to_string(), t, RuleSource::File(path))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    texts.push((name.to_string(), default.to_string(), RuleSource::Embedded))
                }
                Err(e) => return Err(RulesError::Io { path, source: e }),
            }
        }
        Self::from_texts(&texts)
    }

    /// Rules from the six file texts, in the order of [`FILES`]: (label, text, source).
    fn from_texts(texts: &[(String, String, RuleSource)]) -> Result<Rules, RulesError> {
        let [c, b, d, m, x, o] = texts else {
            return Err(RulesError::Invalid(vec![RuleProblem::Other(
                "expected six rule files".into(),
            )]));
        };
        let clauses: ClauseFile = parse(&c.0, &c.1)?;
        let bodies: BodyFile = parse(&b.0, &b.1)?;
        let departments: DepartmentFile = parse(&d.0, &d.1)?;
        let mechanisms: MechanismFile = parse(&m.0, &m.1)?;
        let matters: MatterFile = parse(&x.0, &x.1)?;
        let obligations: ObligationFile = parse(&o.0, &o.1)?;
        let sources = FILES
            .iter()
            .zip(texts)
            .map(|((name, _), t)| (name.to_string(), t.2.clone()))
            .collect();
        let rules = Rules {
            document: clauses.document,
            parts: clauses.part,
            clauses: clauses.clause,
            levels: bodies.level,
            bodies: bodies.body,
            first_responsible: bodies.first_responsible,
            supervisors: bodies.supervisor,
            departments: departments.department,
            mechanisms: mechanisms.mechanism,
            co_creation_rule: mechanisms.co_creation_rule,
            catalog: matters.catalog,
            matters: matters.matter,
            obligations: obligations.obligation,
            sources,
        };
        let problems = rules.problems();
        if problems.is_empty() {
            Ok(rules)
        } else {
            Err(RulesError::Invalid(problems))
        }
    }

    /// A clause by id (`"十四"`).
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }

    /// A department by id.
    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    /// A mechanism by id.
    pub fn mechanism(&self, id: &str) -> Option<&Mechanism> {
        self.mechanisms.iter().find(|m| m.id == id)
    }

    /// A body template by id.
    pub fn body(&self, id: &str) -> Option<&BodyTemplate> {
        self.bodies.iter().find(|b| b.id == id)
    }

    /// A matter by id or alias.
    pub fn matter(&self, id: &str) -> Option<&Matter> {
        self.matters
            .iter()
            .find(|m| m.id == id || m.aliases.iter().any(|a| a == id))
    }

    /// The first-responsible role titles for a place name (longest suffix first as listed).
    pub fn first_responsible_for(&self, place: &str) -> Option<&FirstResponsible> {
        self.first_responsible
            .iter()
            .find(|f| !f.suffix.is_empty() && place.ends_with(f.suffix.as_str()))
    }

    /// The departments that must file the annual report of clause 十一.
    pub fn reporting_departments(&self) -> impl Iterator<Item = &Department> {
        self.departments.iter().filter(|d| d.reports_annually)
    }

    /// Every inconsistency in the rules (empty when valid).
    pub fn problems(&self) -> Vec<RuleProblem> {
        let mut p = Vec::new();
        self.duplicate_ids(&mut p);
        self.clause_numbering(&mut p);
        self.references(&mut p);
        self.matter_departments(&mut p);
        for o in &self.obligations {
            self.obligation_problems(o, &mut p);
        }
        self.required(&mut p);
        p
    }

    /// Ids unique within each kind of entry (a matter's aliases included).
    fn duplicate_ids(&self, p: &mut Vec<RuleProblem>) {
        dupes("part", self.parts.iter().map(|x| x.id.as_str()), p);
        dupes("clause", self.clauses.iter().map(|x| x.id.as_str()), p);
        dupes("level", self.levels.iter().map(|x| x.id.id()), p);
        dupes("body", self.bodies.iter().map(|x| x.id.as_str()), p);
        dupes(
            "supervisor",
            self.supervisors.iter().map(|x| x.id.as_str()),
            p,
        );
        dupes(
            "department",
            self.departments.iter().map(|x| x.id.as_str()),
            p,
        );
        dupes(
            "mechanism",
            self.mechanisms.iter().map(|x| x.id.as_str()),
            p,
        );
        dupes(
            "matter",
            self.matters.iter().flat_map(|m| {
                std::iter::once(m.id.as_str()).chain(m.aliases.iter().map(|a| a.as_str()))
            }),
            p,
        );
        dupes(
            "obligation",
            self.obligations.iter().map(|x| x.id.as_str()),
            p,
        );
    }

    /// Clauses: numeral ids that match their number, parts that exist.
    fn clause_numbering(&self, p: &mut Vec<RuleProblem>) {
        let part_ids: BTreeSet<&str> = self.parts.iter().map(|x| x.id.as_str()).collect();
        for c in &self.clauses {
            if chinese_numeral(&c.id) != Some(c.number) {
                p.push(RuleProblem::Other(format!(
                    "clause `{}` has number {}, which does not match its Chinese numeral",
                    c.id, c.number
                )));
            }
            if !part_ids.contains(c.part.as_str()) {
                p.push(RuleProblem::Other(format!(
                    "clause `{}` is in part `{}`, which is not defined",
                    c.id, c.part
                )));
            }
        }
    }

    /// A list of cited clauses: not empty, each defined.
    fn cite(&self, context: String, basis: &[String], p: &mut Vec<RuleProblem>) {
        if basis.is_empty() {
            p.push(RuleProblem::Other(format!("{context} cites no clause")));
        }
        for id in basis {
            if self.clause(id).is_none() {
                p.push(RuleProblem::UnknownClause {
                    context: context.clone(),
                    id: id.clone(),
                });
            }
        }
    }

    /// A referenced department exists.
    fn dept(&self, context: String, id: &str, p: &mut Vec<RuleProblem>) {
        if self.department(id).is_none() {
            p.push(RuleProblem::UnknownDepartment {
                context,
                id: id.to_string(),
            });
        }
    }

    /// Clauses and departments cited by bodies, supervisors, mechanisms and the catalog.
    fn references(&self, p: &mut Vec<RuleProblem>) {
        for b in &self.bodies {
            self.cite(format!("body `{}`", b.id), &b.basis, p);
            for d in b.hosted_by.values() {
                self.dept(format!("body `{}` (hosted_by)", b.id), d, p);
            }
        }
        for s in &self.supervisors {
            self.cite(format!("supervisor `{}`", s.id), &s.basis, p);
        }
        for m in &self.mechanisms {
            self.cite(format!("mechanism `{}`", m.id), &m.basis, p);
            for s in &m.chain {
                self.dept(format!("mechanism `{}` (chain)", m.id), &s.department, p);
            }
            for d in &m.partners {
                self.dept(format!("mechanism `{}` (partners)", m.id), d, p);
            }
        }
        self.cite("matter catalog".to_string(), &self.catalog.basis, p);
    }

    /// Each matter's lead and cooperating departments exist, the lead not among its partners.
    fn matter_departments(&self, p: &mut Vec<RuleProblem>) {
        for m in &self.matters {
            self.dept(format!("matter `{}` (lead)", m.id), &m.lead, p);
            for d in &m.cooperating {
                self.dept(format!("matter `{}` (cooperating)", m.id), d, p);
                if *d == m.lead {
                    p.push(RuleProblem::Other(format!(
                        "matter `{}` lists its lead department `{d}` as cooperating",
                        m.id
                    )));
                }
            }
        }
    }

    /// An obligation: clauses, recipients, and a deadline that exists every year.
    fn obligation_problems(&self, o: &ObligationRule, p: &mut Vec<RuleProblem>) {
        self.cite(format!("obligation `{}`", o.id), &o.basis, p);
        for r in o.to.iter().chain(&o.copy_to) {
            match BodyRef::parse(r) {
                Some(br) if self.body(br.body).is_some() => {}
                Some(br) => p.push(RuleProblem::Other(format!(
                    "obligation `{}` refers to body `{}`, which is not in bodies.toml",
                    o.id, br.body
                ))),
                None => p.push(RuleProblem::Other(format!(
                    "obligation `{}`: `{r}` is not of the form province:BODY or same:BODY",
                    o.id
                ))),
            }
        }
        match (o.deadline_month, o.deadline_day) {
            (None, None) => {}
            (Some(m), Some(d)) => {
                // Must exist in every year (no 29 February).
                let date = jiff::civil::Date::new(
                    2023,
                    i8::try_from(m).unwrap_or(0),
                    i8::try_from(d).unwrap_or(0),
                );
                if date.is_err() {
                    p.push(RuleProblem::Other(format!(
                        "obligation `{}` has an impossible deadline {m}-{d}",
                        o.id
                    )));
                }
            }
            _ => p.push(RuleProblem::Other(format!(
                "obligation `{}` sets only one of deadline_month and deadline_day",
                o.id
            ))),
        }
    }

    /// What the engine relies on: the seven mechanisms, the four bodies, three levels, a catalog.
    fn required(&self, p: &mut Vec<RuleProblem>) {
        for id in REQUIRED_MECHANISMS {
            if self.mechanism(id).is_none() {
                p.push(RuleProblem::Missing {
                    kind: "mechanism",
                    id: id.into(),
                });
            }
        }
        for id in REQUIRED_BODIES {
            if self.body(id).is_none() {
                p.push(RuleProblem::Missing {
                    kind: "body",
                    id: id.into(),
                });
            }
        }
        for level in Level::ALL {
            if !self.levels.iter().any(|l| l.id == level) {
                p.push(RuleProblem::Missing {
                    kind: "level",
                    id: level.id().into(),
                });
            }
        }
        if self.matters.is_empty() {
            p.push(RuleProblem::Other("the matter catalog is empty".into()));
        }
    }

    /// Every clause id cited anywhere in the rules (for consistency checks).
    pub fn cited_clause_ids(&self) -> BTreeSet<&str> {
        let mut s = BTreeSet::new();
        let lists = self
            .bodies
            .iter()
            .map(|b| &b.basis)
            .chain(self.supervisors.iter().map(|x| &x.basis))
            .chain(self.mechanisms.iter().map(|x| &x.basis))
            .chain(self.obligations.iter().map(|x| &x.basis))
            .chain(std::iter::once(&self.catalog.basis));
        for l in lists {
            s.extend(l.iter().map(|x| x.as_str()));
        }
        s
    }
}

fn dupes<'a>(kind: &'static str, ids: impl Iterator<Item = &'a str>, p: &mut Vec<RuleProblem>) {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            p.push(RuleProblem::Duplicate {
                kind,
                id: id.to_string(),
            });
        }
    }
}
