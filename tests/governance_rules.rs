//! Governance rules: loading, validation, and consistency with the seed text.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use liuyu::governance::rules::{RuleSource, FILES};
use liuyu::governance::{RuleProblem, Rules, RulesError};

/// The seed text, whitespace removed (the PDF extraction breaks lines mid-sentence).
fn seed() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    if files.is_empty() {
        return None;
    }
    let text: String = files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("seed file readable"))
        .collect();
    Some(text.chars().filter(|c| !c.is_whitespace()).collect())
}

/// The text of numbered clause `id` in the seed: from "(id)" up to the next "(".
fn seed_clause<'a>(seed: &'a str, id: &str) -> Option<&'a str> {
    let start = seed
        .find(&format!("({id})"))
        .or_else(|| seed.find(&format!("（{id}）")))?;
    let body = &seed[start + id.len() + 2..];
    let mut end = body.len();
    for (i, c) in body.char_indices() {
        if c == '(' || c == '（' {
            // A nested bracket such as "(人事)" is not a clause heading: a clause
            // heading is a Chinese numeral followed by the closing bracket.
            let rest = &body[i + c.len_utf8()..];
            let close = rest.find([')', '）']).unwrap_or(0);
            if liuyu::governance::clause::chinese_numeral(&rest[..close]).is_some() {
                end = i;
                break;
            }
        }
    }
    Some(&body[..end])
}

#[test]
fn embedded_rules_load_and_are_consistent() {
    let rules = Rules::embedded().expect("embedded rules are valid");
    assert!(rules.problems().is_empty());
    assert!(rules.sources.values().all(|s| *s == RuleSource::Embedded));
    // Twenty clauses numbered 1..=20 in order, in seven parts.
    let numbers: Vec<u8> = rules.clauses.iter().map(|c| c.number).collect();
    assert_eq!(numbers, (1..=20).collect::<Vec<u8>>());
    assert_eq!(rules.parts.len(), 7);
    assert_eq!(rules.catalog.provenance, "template");
}

#[test]
fn every_cited_clause_exists() {
    let rules = Rules::embedded().unwrap();
    let defined: BTreeSet<&str> = rules.clauses.iter().map(|c| c.id.as_str()).collect();
    let cited = rules.cited_clause_ids();
    assert!(!cited.is_empty());
    for id in &cited {
        assert!(defined.contains(id), "clause {id} cited but not defined");
    }
}

#[test]
fn every_clause_is_a_numbered_clause_of_the_seed() {
    let Some(seed) = seed() else {
        eprintln!("../shared/seed not present: skipping the seed cross-check");
        return;
    };
    let rules = Rules::embedded().unwrap();
    for c in &rules.clauses {
        assert!(
            seed.contains(&format!("({})", c.id)) || seed.contains(&format!("（{}）", c.id)),
            "clause ({}) not found in the seed",
            c.id
        );
    }
    // And the seed has no numbered clause beyond the twenty in the data.
    assert_eq!(rules.clauses.len(), 20);
    assert!(!seed.contains("(二十一)") && !seed.contains("（二十一）"));
}

#[test]
fn departments_match_the_seed() {
    let rules = Rules::embedded().unwrap();
    let reporting: Vec<_> = rules.reporting_departments().collect();
    assert_eq!(
        reporting.len(),
        13,
        "clause 十一 names thirteen departments"
    );
    let Some(seed) = seed() else {
        return;
    };
    let eleven = seed_clause(&seed, "十一").expect("clause 十一 in seed");
    for d in &reporting {
        assert!(
            eleven.contains(&d.abbrev_zh),
            "{} ({}) is not named in clause 十一",
            d.id,
            d.abbrev_zh
        );
    }
    // The departments not marked as reporting are not in the 十一 list
    // (公安, 司法, 审计, 法院, 检察 are issuers, not reporters).
    for d in rules.departments.iter().filter(|d| !d.reports_annually) {
        assert!(
            !eleven.contains(&d.abbrev_zh),
            "{} is named in clause 十一 but not marked reports_annually",
            d.id
        );
    }
    // Every issuer is among the seed's issuing bodies, by its full name.
    for d in rules.departments.iter().filter(|d| d.issuer) {
        assert!(
            seed.contains(&d.province_zh),
            "{} not an issuer in the seed",
            d.province_zh
        );
    }
    // The judicial chain's organs are named in clause 十八.
    let eighteen = seed_clause(&seed, "十八").unwrap();
    for organ in ["公安", "检察", "法院", "司法行政"] {
        assert!(eighteen.contains(organ));
    }
    // The three lead cities of clause 十四.
    let fourteen = seed_clause(&seed, "十四").unwrap();
    for city in ["武汉市", "襄阳市", "宜昌市", "襄荆荆宜"] {
        assert!(fourteen.contains(city));
    }
}

#[test]
fn no_file_of_the_rules_copies_the_seed() {
    let rules = Rules::embedded().unwrap();
    let Some(rule) = common::seed::CopyRule::new(&rules) else {
        eprintln!("../shared/seed not present: skipping the no-copy check");
        return;
    };
    // The rule catches a copied run and spares quoted terms and names.
    assert!(!rule
        .copied("确保破坏生态环境涉嫌违法犯罪案件及时移送")
        .is_empty());
    assert!(rule
        .copied("统一规划、统一标准、统一监测、统一污染防治措施")
        .is_empty());
    assert!(rule.copied("湖北省生态环境保护委员会办公室").is_empty());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/governance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 6);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let copied = rule.copied(line);
            assert!(
                copied.is_empty(),
                "{}:{} copies the seed: {copied:?}",
                f.display(),
                n + 1
            );
        }
    }
}

#[test]
fn the_document_lists_the_eighteen_issuers_of_the_seed() {
    let rules = Rules::embedded().unwrap();
    assert_eq!(rules.document.issuers.len(), 18);
    assert!(rules.document.issuer_zh.contains("18"));
    // No outside document is cited as what this one implements.
    let doc = toml::to_string(&rules.document).unwrap();
    assert!(!doc.contains("58号") && !doc.contains("环督察"), "{doc}");
    let Some(raw) = common::seed::seed_raw() else {
        return;
    };
    // The seed's head: the issuers stand between the covering paragraph and the date.
    let start = raw.find("印发给你们").expect("covering paragraph");
    let end = raw.find("2023 年 1 月 19 日").expect("date");
    let from_seed: Vec<&str> = raw[start..end]
        .split_whitespace()
        .filter(|w| w.starts_with("湖北省"))
        .collect();
    assert_eq!(from_seed, rules.document.issuers);
    // Every department marked as an issuer is one of them.
    for d in rules.departments.iter().filter(|d| d.issuer) {
        assert!(
            rules.document.issuers.contains(&d.province_zh),
            "{}",
            d.province_zh
        );
    }
}

/// A fresh directory under the target dir, unique per test.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("gov-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("governance")).unwrap();
    d
}

fn embedded_text(name: &str) -> &'static str {
    FILES.iter().find(|(n, _)| *n == name).unwrap().1
}

#[test]
fn a_directory_replaces_single_files() {
    let dir = scratch("replace");
    let matters = r#"
[catalog]
provenance = "official"
source = "a user's list"
basis = ["七"]

[[matter]]
id = "odour"
name_zh = "恶臭"
name_en = "Odour"
themes = ["air"]
lead = "eco_environment"
cooperating = ["housing_construction"]
"#;
    std::fs::write(dir.join("governance/matters.toml"), matters).unwrap();
    let rules = Rules::load_dir(&dir).expect("valid replacement");
    assert_eq!(rules.catalog.provenance, "official");
    assert!(rules.matter("odour").is_some());
    assert!(rules.matter("water").is_none());
    assert!(matches!(rules.sources["matters.toml"], RuleSource::File(_)));
    assert_eq!(rules.sources["clauses.toml"], RuleSource::Embedded);
    // An empty directory gives the embedded rules.
    let empty = scratch("empty");
    let rules = Rules::load_dir(&empty).unwrap();
    assert!(rules.matter("water").is_some());
}

#[test]
fn inconsistent_rules_are_refused_with_every_problem() {
    let dir = scratch("broken");
    let matters = embedded_text("matters.toml")
        .replace("lead = \"transport\"", "lead = \"shipping\"")
        .replace("basis = [\"五\", \"七\"]", "basis = [\"五\", \"二十一\"]")
        .replace("id = \"noise\"", "id = \"soil\"");
    std::fs::write(dir.join("governance/matters.toml"), matters).unwrap();
    let err = Rules::load_dir(&dir).unwrap_err();
    let RulesError::Invalid(problems) = &err else {
        panic!("expected Invalid, got {err}");
    };
    assert!(problems.contains(&RuleProblem::UnknownClause {
        context: "matter catalog".into(),
        id: "二十一".into()
    }));
    assert!(problems.iter().any(|p| matches!(p,
        RuleProblem::UnknownDepartment { id, .. } if id == "shipping")));
    assert!(problems.contains(&RuleProblem::Duplicate {
        kind: "matter",
        id: "soil".into()
    }));
    let msg = err.to_string();
    assert!(msg.contains("二十一") && msg.contains("shipping") && msg.contains("soil"));
}

#[test]
fn missing_mechanism_and_bad_deadline_are_refused() {
    let dir = scratch("mech");
    let mech = embedded_text("mechanisms.toml").replace("id = \"air_corridor\"", "id = \"air\"");
    std::fs::write(dir.join("governance/mechanisms.toml"), mech).unwrap();
    // 30 February does not exist.
    let obl = embedded_text("obligations.toml")
        .replacen("deadline_month = 1", "deadline_month = 2", 1)
        .replacen("deadline_day = 31", "deadline_day = 30", 1);
    std::fs::write(dir.join("governance/obligations.toml"), obl).unwrap();
    let err = Rules::load_dir(&dir).unwrap_err();
    let RulesError::Invalid(problems) = &err else {
        panic!("expected Invalid, got {err}");
    };
    assert!(problems.contains(&RuleProblem::Missing {
        kind: "mechanism",
        id: "air_corridor".into()
    }));
    assert!(problems
        .iter()
        .any(|p| p.to_string().contains("impossible deadline 2-30")));
}

#[test]
fn malformed_toml_names_the_file() {
    let dir = scratch("malformed");
    std::fs::write(dir.join("governance/clauses.toml"), "[[clause]\nid = ").unwrap();
    let err = Rules::load_dir(&dir).unwrap_err();
    assert!(matches!(err, RulesError::Parse { .. }));
    assert!(err.to_string().contains("clauses.toml"));
    // Unknown fields are refused too (a typo must not pass silently).
    let dir = scratch("typo");
    let t = embedded_text("departments.toml").replacen("issuer = true", "isuer = true", 1);
    std::fs::write(dir.join("governance/departments.toml"), t).unwrap();
    let err = Rules::load_dir(&dir).unwrap_err();
    assert!(err.to_string().contains("isuer"), "{err}");
}
