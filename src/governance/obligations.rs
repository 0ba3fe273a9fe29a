//! 专题报告: the annual reporting obligations of part 四 (clauses 十一 and 十二)
//! and their deadlines for a given date.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::body::Level;
use super::rules::Rules;

/// Who files the reports of an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reporters {
    /// The party committee and government of each prefecture-level unit (十一).
    PrefectureLeadership,
    /// The provincial departments with `reports_annually` (十一).
    ReportingDepartments,
    /// The functional departments of each prefecture and county (十二).
    LocalDepartments,
}

/// To whom a report is copied upwards (抄报).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyUp {
    /// No copy upwards.
    None,
    /// The national ministry above a provincial department.
    SuperiorMinistry,
    /// The department one level up.
    SuperiorDepartment,
}

/// A reporting obligation as data (`obligations.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationRule {
    /// Id.
    pub id: String,
    /// Clauses.
    pub basis: Vec<String>,
    /// Who reports.
    pub reporters: Reporters,
    /// What, Chinese.
    pub subject_zh: String,
    /// What, English.
    pub subject_en: String,
    /// Recipients (`province:BODY` or `same:BODY`).
    pub to: Vec<String>,
    /// Copy upwards (抄报).
    pub copy_up: CopyUp,
    /// Copies across (抄送), as body references.
    pub copy_to: Vec<String>,
    /// Where it is published, Chinese.
    pub publish_zh: String,
    /// Where it is published, English.
    pub publish_en: String,
    /// Deadline month in the year after the reported year.
    #[serde(default)]
    pub deadline_month: Option<u8>,
    /// Deadline day.
    #[serde(default)]
    pub deadline_day: Option<u8>,
}

/// The whole `obligations.toml` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationFile {
    /// The obligations.
    pub obligation: Vec<ObligationRule>,
}

/// Which level a body reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefLevel {
    /// The province.
    Province,
    /// The reporter's own level.
    Same,
}

/// A parsed body reference such as `province:party_committee`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRef<'a> {
    /// Level.
    pub level: RefLevel,
    /// Body template id.
    pub body: &'a str,
}

impl<'a> BodyRef<'a> {
    /// Parses `province:BODY` or `same:BODY`.
    pub fn parse(s: &'a str) -> Option<BodyRef<'a>> {
        let (l, b) = s.split_once(':')?;
        let level = match l {
            "province" => RefLevel::Province,
            "same" => RefLevel::Same,
            _ => return None,
        };
        (!b.is_empty()).then_some(BodyRef { level, body: b })
    }
}

/// A named place (adcode and name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceName {
    /// Adcode.
    pub adcode: String,
    /// Name (`武汉市`).
    pub name: String,
}

/// A named body in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    /// Chinese name.
    pub name_zh: String,
    /// English name, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Level.
    pub level: Option<Level>,
    /// Adcode of the place, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adcode: Option<String>,
}

/// One reporter and where its report goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportLine {
    /// Who reports.
    pub reporter: Named,
    /// The departments behind a collective reporter (十二).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
    /// Recipients.
    pub to: Vec<Named>,
    /// Copied across (抄送).
    pub copied_to: Vec<Named>,
    /// Copied upwards (抄报).
    pub copied_up_to: Option<Named>,
}

/// Status of an obligation on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    /// The deadline for the previous year's report is still ahead (or today).
    Due,
    /// A filing record says the report was filed.
    Filed,
    /// The deadline has passed and nothing here records whether the report
    /// was filed: never read this as "overdue".
    DeadlinePassed,
    /// The deadline has passed and a filing record says it was not filed.
    /// Only a register of filings can give this status.
    Overdue,
    /// The text sets no date.
    NotFixed,
}

/// Whether the report was filed, as far as the service knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Filed {
    /// No filing record: the service does not know.
    Unknown,
    /// A filing record says yes.
    Yes,
    /// A filing record says no.
    No,
}

impl From<Option<bool>> for Filed {
    fn from(f: Option<bool>) -> Self {
        match f {
            None => Filed::Unknown,
            Some(true) => Filed::Yes,
            Some(false) => Filed::No,
        }
    }
}

/// The status of a report due on `deadline`, seen on `date`, given what a
/// filing record says (`None`: no record). Without a record a passed deadline
/// is `DeadlinePassed`, never `Overdue`.
pub fn due_status(date: Date, deadline: Date, filed: Option<bool>) -> DueStatus {
    match filed {
        Some(true) => DueStatus::Filed,
        _ if date <= deadline => DueStatus::Due,
        Some(false) => DueStatus::Overdue,
        None => DueStatus::DeadlinePassed,
    }
}

/// Deadline arithmetic for an obligation on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    /// Always `annual` for part 四.
    pub frequency: &'static str,
    /// The deadline rule in words.
    pub deadline_rule: String,
    /// Status on the date (of the previous year's report).
    pub status: DueStatus,
    /// Whether that report was filed: `unknown` without a filing record.
    pub filed: Filed,
    /// The year whose report is due next (the period of `next_deadline`).
    pub next_period: Option<i16>,
    /// The next deadline on or after the date, `YYYY-MM-DD` (null when it
    /// would fall after the year 9999).
    pub next_deadline: Option<String>,
    /// Days from the date to `next_deadline`.
    pub days_until_next_deadline: Option<i32>,
    /// Whether the deadline of the previous year's report has passed
    /// (`null` when the text sets no date).
    pub deadline_passed: Option<bool>,
    /// The year whose deadline has passed, if any.
    pub passed_period: Option<i16>,
    /// The deadline that has passed, if any.
    pub passed_on: Option<String>,
}

/// One reporting obligation resolved for a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Obligation {
    /// Obligation id.
    pub id: String,
    /// Clauses.
    pub basis: Vec<String>,
    /// What is reported, Chinese.
    pub subject_zh: String,
    /// What is reported, English.
    pub subject_en: String,
    /// Who reports to whom.
    pub reports: Vec<ReportLine>,
    /// Where reports are published, Chinese.
    pub published_zh: String,
    /// Where reports are published, English.
    pub published_en: String,
    /// Deadlines.
    pub schedule: Schedule,
}

/// The answer of the obligations query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObligationsAnswer {
    /// The date asked about.
    pub date: String,
    /// The prefecture filter, if any.
    pub prefecture: Option<PlaceName>,
    /// The obligations.
    pub obligations: Vec<Obligation>,
    /// Union of the clauses cited.
    pub basis: Vec<String>,
    /// A caveat: no filing record is kept here.
    pub note: &'static str,
}

/// Errors of the obligations query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObligationsError {
    /// The date is not a valid `YYYY-MM-DD` calendar date.
    #[error("`{0}` is not a valid date of the form YYYY-MM-DD")]
    BadDate(String),
    /// The prefecture is unknown.
    #[error("`{0}` is not the adcode of a prefecture-level unit of Hubei")]
    UnknownPrefecture(String),
    /// The prefecture name is ambiguous or unknown (with candidates).
    #[error(transparent)]
    Prefecture(super::names::NameError),
}

/// Parses a strict `YYYY-MM-DD` calendar date (years 1000-9999).
pub fn parse_date(s: &str) -> Result<Date, ObligationsError> {
    let bad = || ObligationsError::BadDate(s.chars().take(40).collect());
    let b = s.as_bytes();
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return Err(bad());
    }
    let y: i16 = s[0..4].parse().map_err(|_| bad())?;
    let m: i8 = s[5..7].parse().map_err(|_| bad())?;
    let d: i8 = s[8..10].parse().map_err(|_| bad())?;
    if !(1000..=9999).contains(&y) {
        return Err(bad());
    }
    Date::new(y, m, d).map_err(|_| bad())
}

/// Today's date in China Standard Time (UTC+8).
pub fn today_in_china() -> Date {
    jiff::tz::offset(8)
        .to_datetime(jiff::Timestamp::now())
        .date()
}

/// The deadline schedule of an annual report due on `month`/`day` of the
/// following year, as seen on `date`, with no filing record. `None` deadline
/// = not fixed by the text.
pub fn schedule(date: Date, deadline: Option<(u8, u8)>) -> Schedule {
    schedule_with(date, deadline, None)
}

/// [`schedule`] given what a filing record says about the previous year's
/// report (`None`: no record).
pub fn schedule_with(date: Date, deadline: Option<(u8, u8)>, filed: Option<bool>) -> Schedule {
    let fixed = deadline.and_then(|(m, d)| {
        let m = i8::try_from(m).ok()?;
        let d = i8::try_from(d).ok()?;
        let this_year = Date::new(date.year(), m, d).ok()?;
        Some((m, d, this_year))
    });
    let Some((m, d, this_year)) = fixed else {
        return Schedule {
            frequency: "annual",
            deadline_rule: "annual, no date set by the text".into(),
            status: DueStatus::NotFixed,
            filed: filed.into(),
            next_period: None,
            next_deadline: None,
            days_until_next_deadline: None,
            deadline_passed: None,
            passed_period: None,
            passed_on: None,
        };
    };
    let prev = date.year() - 1;
    let passed = date > this_year;
    let (next, next_period) = if passed {
        (
            Date::new(date.year().saturating_add(1), m, d).ok(),
            date.year(),
        )
    } else {
        (Some(this_year), prev)
    };
    Schedule {
        frequency: "annual",
        deadline_rule: format!("by {} of the following year", month_day(m, d)),
        status: due_status(date, this_year, filed),
        filed: filed.into(),
        next_period: Some(next_period),
        next_deadline: next.map(|n| n.to_string()),
        days_until_next_deadline: next.and_then(|n| days_between(date, n)),
        deadline_passed: Some(passed),
        passed_period: passed.then_some(prev),
        passed_on: passed.then(|| this_year.to_string()),
    }
}

fn month_day(m: i8, d: i8) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let name = usize::try_from(m - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("?");
    format!("{d} {name}")
}

fn days_between(a: Date, b: Date) -> Option<i32> {
    a.until(b).ok().map(|s| s.get_days())
}

/// Place names the obligations query needs from the atlas.
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// The province (`湖北省`).
    pub province: String,
    /// All prefecture-level units.
    pub prefectures: Vec<PlaceName>,
    /// County-level units by prefecture adcode.
    pub counties: std::collections::BTreeMap<String, Vec<PlaceName>>,
}

/// Reporting obligations in force on `date`, optionally for one prefecture
/// (then only the obligations whose reporters sit in that prefecture).
pub fn obligations(
    rules: &Rules,
    places: &Places,
    date: Date,
    prefecture: Option<&str>,
) -> Result<ObligationsAnswer, ObligationsError> {
    let pref = match prefecture {
        None => None,
        Some(a) => Some(
            places
                .prefectures
                .iter()
                .find(|p| p.adcode == a)
                .cloned()
                .ok_or_else(|| ObligationsError::UnknownPrefecture(a.chars().take(20).collect()))?,
        ),
    };
    let mut out = Vec::new();
    for rule in &rules.obligations {
        if pref.is_some() && rule.reporters == Reporters::ReportingDepartments {
            continue;
        }
        let reports = report_lines(rules, places, rule, pref.as_ref());
        let deadline = rule.deadline_month.zip(rule.deadline_day);
        out.push(Obligation {
            id: rule.id.clone(),
            basis: rule.basis.clone(),
            subject_zh: rule.subject_zh.clone(),
            subject_en: rule.subject_en.clone(),
            reports,
            published_zh: rule.publish_zh.clone(),
            published_en: rule.publish_en.clone(),
            schedule: schedule(date, deadline),
        });
    }
    let mut basis: Vec<String> = out.iter().flat_map(|o| o.basis.clone()).collect();
    basis.sort_by_key(|id| rules.clause(id).map(|c| c.number).unwrap_or(u8::MAX));
    basis.dedup();
    Ok(ObligationsAnswer {
        date: date.to_string(),
        prefecture: pref,
        obligations: out,
        basis,
        note: "Deadlines follow the text. No filing record is kept here, so once a deadline has passed the status is `deadline_passed` with `filed: unknown`: it says nothing about whether the report was filed.",
    })
}

fn body_named(rules: &Rules, r: &str, level: Level, place: &PlaceName) -> Option<Named> {
    let br = BodyRef::parse(r)?;
    let t = rules.body(br.body)?;
    Some(Named {
        name_zh: t.name_zh_for(&place.name),
        name_en: Some(t.name_en_for(&place.name)),
        level: Some(level),
        adcode: Some(place.adcode.clone()),
    })
}

fn recipients(
    rules: &Rules,
    refs: &[String],
    province: &PlaceName,
    own_level: Level,
    own: &PlaceName,
) -> Vec<Named> {
    refs.iter()
        .filter_map(|r| {
            let br = BodyRef::parse(r)?;
            match br.level {
                RefLevel::Province => body_named(rules, r, Level::Province, province),
                RefLevel::Same => body_named(rules, r, own_level, own),
            }
        })
        .collect()
}

/// 十一: the party committee and government of each prefecture report to the province.
fn prefecture_leadership_lines(
    rules: &Rules,
    rule: &ObligationRule,
    province: &PlaceName,
    prefs: &[&PlaceName],
) -> Vec<ReportLine> {
    let mut out = Vec::new();
    for p in prefs {
        for b in ["party_committee", "government"] {
            let Some(t) = rules.body(b) else { continue };
            out.push(ReportLine {
                reporter: Named {
                    name_zh: t.name_zh_for(&p.name),
                    name_en: Some(t.name_en_for(&p.name)),
                    level: Some(Level::Prefecture),
                    adcode: Some(p.adcode.clone()),
                },
                departments: vec![],
                to: recipients(rules, &rule.to, province, Level::Prefecture, p),
                copied_to: recipients(rules, &rule.copy_to, province, Level::Prefecture, p),
                copied_up_to: None,
            });
        }
    }
    out
}

/// 十一: the provincial departments with important duties report to the
/// province, copied up to their ministry and across to the committee office.
fn reporting_department_lines(
    rules: &Rules,
    rule: &ObligationRule,
    province: &PlaceName,
) -> Vec<ReportLine> {
    rules
        .reporting_departments()
        .map(|d| ReportLine {
            reporter: Named {
                name_zh: d.province_zh.clone(),
                name_en: Some(format!("Hubei {}", d.name_en)),
                level: Some(Level::Province),
                adcode: None,
            },
            departments: vec![],
            to: recipients(rules, &rule.to, province, Level::Province, province),
            copied_to: recipients(rules, &rule.copy_to, province, Level::Province, province),
            copied_up_to: match rule.copy_up {
                CopyUp::None => None,
                _ => Some(Named {
                    name_zh: d.superior_zh.clone(),
                    name_en: Some(d.superior_en.clone()),
                    level: None,
                    adcode: None,
                }),
            },
        })
        .collect()
}

/// Where a local department's report is copied upwards (十二).
fn copied_up(rule: &ObligationRule, level: Level, pref: &PlaceName) -> Option<Named> {
    match (rule.copy_up, level) {
        (CopyUp::None, _) => None,
        (_, Level::County) => Some(Named {
            name_zh: format!("{}对口主管部门", pref.name),
            name_en: Some(format!("the corresponding department of {}", pref.name)),
            level: Some(Level::Prefecture),
            adcode: Some(pref.adcode.clone()),
        }),
        _ => Some(Named {
            name_zh: "湖北省对口主管厅局".into(),
            name_en: Some("the corresponding provincial department".into()),
            level: Some(Level::Province),
            adcode: None,
        }),
    }
}

/// 十二: the functional departments of each prefecture and county report to
/// their own level.
fn local_department_lines(
    rules: &Rules,
    places: &Places,
    rule: &ObligationRule,
    province: &PlaceName,
    prefs: &[&PlaceName],
) -> Vec<ReportLine> {
    let mut lines = Vec::new();
    for p in prefs {
        let mut units = vec![(Level::Prefecture, (*p).clone())];
        if let Some(cs) = places.counties.get(&p.adcode) {
            units.extend(cs.iter().map(|c| (Level::County, c.clone())));
        }
        for (level, unit) in units {
            let depts: Vec<String> = rules
                .departments
                .iter()
                .filter(|d| d.kind == super::body::DepartmentKind::Functional)
                .map(|d| d.name_at(level, &unit.name))
                .collect();
            lines.push(ReportLine {
                reporter: Named {
                    name_zh: format!("{}有关职能部门", unit.name),
                    name_en: Some(format!("functional departments of {}", unit.name)),
                    level: Some(level),
                    adcode: Some(unit.adcode.clone()),
                },
                departments: depts,
                to: recipients(rules, &rule.to, province, level, &unit),
                copied_to: recipients(rules, &rule.copy_to, province, level, &unit),
                copied_up_to: copied_up(rule, level, p),
            });
        }
    }
    lines
}

fn report_lines(
    rules: &Rules,
    places: &Places,
    rule: &ObligationRule,
    pref: Option<&PlaceName>,
) -> Vec<ReportLine> {
    let province = PlaceName {
        adcode: "420000".into(),
        name: places.province.clone(),
    };
    let prefs: Vec<&PlaceName> = match pref {
        Some(p) => vec![p],
        None => places.prefectures.iter().collect(),
    };
    match rule.reporters {
        Reporters::PrefectureLeadership => {
            prefecture_leadership_lines(rules, rule, &province, &prefs)
        }
        Reporters::ReportingDepartments => reporting_department_lines(rules, rule, &province),
        Reporters::LocalDepartments => {
            local_department_lines(rules, places, rule, &province, &prefs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn strict_dates() {
        for bad in [
            "2027-1-10",
            "2027/01/10",
            "20270110",
            "2027-02-30",
            "2027-13-01",
            "+02027-01-10",
            "2027-01-10T00:00",
            "",
            "0999-01-01",
            "10000-01-01",
            "２０２７-01-10",
        ] {
            assert!(parse_date(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(d("2028-02-29").day(), 29);
        assert_eq!(d("9999-12-31").year(), 9999);
        assert_eq!(d("1000-01-01").year(), 1000);
    }

    #[test]
    fn due_before_and_on_the_deadline() {
        let s = schedule(d("2027-01-10"), Some((1, 31)));
        assert_eq!(s.status, DueStatus::Due);
        assert_eq!(s.next_deadline.as_deref(), Some("2027-01-31"));
        assert_eq!(s.next_period, Some(2026));
        assert_eq!(s.days_until_next_deadline, Some(21));
        assert_eq!(s.deadline_passed, Some(false));
        assert_eq!(s.filed, Filed::Unknown);
        let s = schedule(d("2027-01-31"), Some((1, 31)));
        assert_eq!(s.status, DueStatus::Due);
        assert_eq!(s.days_until_next_deadline, Some(0));
    }

    #[test]
    fn deadline_passed_not_overdue_without_a_filing_record() {
        let s = schedule(d("2027-02-05"), Some((1, 31)));
        assert_eq!(s.status, DueStatus::DeadlinePassed);
        assert_eq!(s.filed, Filed::Unknown);
        assert_eq!(s.deadline_passed, Some(true));
        assert_eq!(s.passed_period, Some(2026));
        assert_eq!(s.passed_on.as_deref(), Some("2027-01-31"));
        assert_eq!(s.next_deadline.as_deref(), Some("2028-01-31"));
        assert_eq!(s.next_period, Some(2027));
        // 2027-02-05 .. 2028-01-31: 360 days (2027 is not a leap year: 365 - 5).
        assert_eq!(s.days_until_next_deadline, Some(360));
        let s = schedule(d("2027-12-31"), Some((1, 31)));
        assert_eq!(s.days_until_next_deadline, Some(31));
        assert_eq!(s.status, DueStatus::DeadlinePassed);
    }

    #[test]
    fn a_filing_record_decides_filed_and_overdue() {
        let (date, deadline) = (d("2027-03-01"), d("2027-01-31"));
        assert_eq!(due_status(date, deadline, None), DueStatus::DeadlinePassed);
        assert_eq!(due_status(date, deadline, Some(true)), DueStatus::Filed);
        assert_eq!(due_status(date, deadline, Some(false)), DueStatus::Overdue);
        assert_eq!(
            due_status(d("2027-01-20"), deadline, Some(false)),
            DueStatus::Due
        );
        let s = schedule_with(date, Some((1, 31)), Some(true));
        assert_eq!((s.status, s.filed), (DueStatus::Filed, Filed::Yes));
    }

    #[test]
    fn the_last_year_of_the_calendar() {
        // After 31 January 9999 the next deadline would fall in 10000: none.
        let s = schedule(d("9999-06-01"), Some((1, 31)));
        assert_eq!(s.status, DueStatus::DeadlinePassed);
        assert_eq!(s.next_deadline, None);
        assert_eq!(s.days_until_next_deadline, None);
        let s = schedule(d("9999-01-01"), Some((1, 31)));
        assert_eq!(s.next_deadline.as_deref(), Some("9999-01-31"));
    }

    #[test]
    fn no_deadline() {
        let s = schedule(d("2027-02-05"), None);
        assert_eq!(s.status, DueStatus::NotFixed);
        assert_eq!(s.deadline_passed, None);
        assert_eq!(s.next_deadline, None);
        assert!(s.deadline_rule.contains("no date"));
    }
}
