//! The registry's data model: what one `rules/registry/<id>.yaml` file holds.
//! Every struct denies unknown keys and uses kebab-case keys, so a typo in a
//! registry file is an error instead of a silently ignored field.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// What kind of source an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    InVitro,
    Animal,
    HumanUncontrolled,
    HumanRct,
    SystematicReview,
    Review,
    Guideline,
    RegulatoryNotice,
    Statute,
    SocietyStatement,
    PackageInsert,
    News,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 12] = [
        Kind::InVitro,
        Kind::Animal,
        Kind::HumanUncontrolled,
        Kind::HumanRct,
        Kind::SystematicReview,
        Kind::Review,
        Kind::Guideline,
        Kind::RegulatoryNotice,
        Kind::Statute,
        Kind::SocietyStatement,
        Kind::PackageInsert,
        Kind::News,
    ];

    /// The YAML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::InVitro => "in-vitro",
            Kind::Animal => "animal",
            Kind::HumanUncontrolled => "human-uncontrolled",
            Kind::HumanRct => "human-rct",
            Kind::SystematicReview => "systematic-review",
            Kind::Review => "review",
            Kind::Guideline => "guideline",
            Kind::RegulatoryNotice => "regulatory-notice",
            Kind::Statute => "statute",
            Kind::SocietyStatement => "society-statement",
            Kind::PackageInsert => "package-insert",
            Kind::News => "news",
        }
    }

    /// Japanese label for users.
    pub fn label(self) -> &'static str {
        match self {
            Kind::InVitro => "試験管内（細胞）研究",
            Kind::Animal => "動物実験",
            Kind::HumanUncontrolled => "対照群のないヒト研究",
            Kind::HumanRct => "ランダム化比較試験",
            Kind::SystematicReview => "システマティックレビュー",
            Kind::Review => "総説",
            Kind::Guideline => "診療ガイドライン・学会ガイダンス",
            Kind::RegulatoryNotice => "行政の通知・事務連絡",
            Kind::Statute => "法令",
            Kind::SocietyStatement => "学会等の声明",
            Kind::PackageInsert => "添付文書",
            Kind::News => "報道",
        }
    }

    /// The strongest `level` a primary study of this kind can justify; `None`
    /// for kinds that are not a single study (reviews, guidelines, law…).
    pub fn level_ceiling(self) -> Option<Level> {
        match self {
            Kind::InVitro => Some(Level::InVitro),
            Kind::Animal => Some(Level::Animal),
            Kind::HumanUncontrolled => Some(Level::HumanPreliminary),
            Kind::HumanRct => Some(Level::HumanControlled),
            _ => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Claim categories, as named by the claim rules (`category:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Efficacy,
    Durability,
    Onset,
    Safety,
    Superiority,
    Absolute,
    Testimonial,
    Approval,
    Evidence,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 9] = [
        Category::Efficacy,
        Category::Durability,
        Category::Onset,
        Category::Safety,
        Category::Superiority,
        Category::Absolute,
        Category::Testimonial,
        Category::Approval,
        Category::Evidence,
    ];

    /// The YAML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Efficacy => "efficacy",
            Category::Durability => "durability",
            Category::Onset => "onset",
            Category::Safety => "safety",
            Category::Superiority => "superiority",
            Category::Absolute => "absolute",
            Category::Testimonial => "testimonial",
            Category::Approval => "approval",
            Category::Evidence => "evidence",
        }
    }

    /// Parses the YAML spelling.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The strongest wording a piece of evidence justifies, weakest first, so
/// `Level::Animal < Level::HumanControlled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Cells only: 「細胞を使った実験で」.
    InVitro,
    /// Animals: 「マウスの実験で報告」.
    Animal,
    /// Case reports, single-arm, pilot or preprint human data.
    HumanPreliminary,
    /// Randomised controlled human trials.
    HumanControlled,
    /// Guideline grade A, an approved drug, or a settled regulatory fact.
    Established,
}

impl Level {
    /// The YAML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::InVitro => "in-vitro",
            Level::Animal => "animal",
            Level::HumanPreliminary => "human-preliminary",
            Level::HumanControlled => "human-controlled",
            Level::Established => "established",
        }
    }

    /// Japanese label for users.
    pub fn label(self) -> &'static str {
        match self {
            Level::InVitro => "細胞実験の段階",
            Level::Animal => "動物実験の段階",
            Level::HumanPreliminary => "ヒトでの予備的な報告",
            Level::HumanControlled => "ヒトの比較試験",
            Level::Established => "確立（推奨度A・承認薬・確定した事実）",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure we are of an entry, as marked in the facts digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Checked against the primary record.
    Confirmed,
    /// Known only from secondary sources quoting the original.
    Secondary,
    /// Not confirmed; possibly not even its existence.
    Unconfirmed,
}

impl Confidence {
    /// The YAML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Secondary => "secondary",
            Confidence::Unconfirmed => "unconfirmed",
        }
    }

    /// Japanese label for users.
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Confirmed => "一次資料で確認済み",
            Confidence::Secondary => "二次資料でのみ確認",
            Confidence::Unconfirmed => "未確認",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Recommendation grade of the JDA hair-loss guideline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    A,
    B,
    C1,
    C2,
    D,
}

impl Grade {
    /// The YAML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C1 => "C1",
            Grade::C2 => "C2",
            Grade::D => "D",
        }
    }

    /// The guideline's own meaning of the grade, paraphrased.
    pub fn label(self) -> &'static str {
        match self {
            Grade::A => "強く勧める",
            Grade::B => "勧める",
            Grade::C1 => "行ってもよい",
            Grade::C2 => "行わないほうがよい",
            Grade::D => "行うべきではない",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whom a guideline grade applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Population {
    Men,
    Women,
}

impl Population {
    /// The YAML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Population::Men => "men",
            Population::Women => "women",
        }
    }

    /// Japanese label for users.
    pub fn label(self) -> &'static str {
        match self {
            Population::Men => "男性",
            Population::Women => "女性",
        }
    }
}

/// A claim an entry can back, and the strongest wording it justifies.
/// Empty `conditions` or `interventions` mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Support {
    /// Claim category this item backs.
    pub category: Category,
    /// Condition ids (any of them; empty = any condition).
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Intervention ids (any of them; empty = any intervention).
    #[serde(default)]
    pub interventions: Vec<String>,
    /// The strongest wording the evidence justifies.
    pub level: Level,
    /// Japanese wording the evidence justifies, usable in a suggestion.
    pub wording: String,
}

/// A claim an entry refutes. Empty `conditions` or `interventions` mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Contradiction {
    /// Claim category this item refutes.
    pub category: Category,
    /// Condition ids (any of them; empty = any condition).
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Intervention ids (any of them; empty = any intervention).
    #[serde(default)]
    pub interventions: Vec<String>,
    /// The claim wording it refutes, e.g. 「厚労省認可」「国が認めた」.
    pub claim: String,
    /// One short Japanese sentence usable inside a lint message.
    pub reason: String,
}

/// One recommendation grade of a guideline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GradeEntry {
    /// Vocabulary id of the intervention graded.
    pub intervention: String,
    /// Men or women.
    pub population: Population,
    /// The recommendation grade.
    pub grade: Grade,
}

/// One evidence source: a study, review, guideline, notice, law or report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    /// Unique id; for a file in a registry directory, also the file stem.
    pub id: String,
    /// What the source is.
    pub kind: Kind,
    /// Title in its original language.
    pub title: String,
    /// How an article would name it: translated titles, "Cho et al., 2018",
    /// short names such as 「医療広告ガイドライン」.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Author names as published.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Publication year; agrees with `published`.
    #[serde(default)]
    pub year: Option<u16>,
    /// Publication (or promulgation) date.
    #[serde(default)]
    pub published: Option<DateText>,
    /// Journal, or issuing body.
    #[serde(default)]
    pub venue: Option<String>,
    /// `10.NNNN/…`, without a resolver prefix.
    #[serde(default, deserialize_with = "opt_text")]
    pub doi: Option<String>,
    /// PubMed id, digits only.
    #[serde(default, deserialize_with = "opt_text")]
    pub pmid: Option<String>,
    /// PubMed Central id, `PMC…`.
    #[serde(default, deserialize_with = "opt_text")]
    pub pmcid: Option<String>,
    /// ClinicalTrials.gov number, `NCT` + 8 digits.
    #[serde(default, deserialize_with = "opt_text")]
    pub nct: Option<String>,
    /// One URL or a list of them.
    #[serde(default, deserialize_with = "one_or_many")]
    pub url: Vec<String>,
    /// Number of an administrative notice (通知番号).
    #[serde(default, deserialize_with = "opt_text")]
    pub notice_number: Option<String>,
    /// Number of a law (法令番号).
    #[serde(default, deserialize_with = "opt_text")]
    pub law_number: Option<String>,
    /// Who was studied (humans), in our own words.
    #[serde(default)]
    pub population: Option<String>,
    /// What was studied instead (cells, animals), in our own words.
    #[serde(default)]
    pub model: Option<String>,
    /// Study or document design, in our own words.
    #[serde(default)]
    pub design: Option<String>,
    /// Vocabulary ids.
    #[serde(default)]
    pub interventions: Vec<String>,
    /// Vocabulary ids.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// What it found or says, paraphrased.
    #[serde(default)]
    pub findings: Vec<String>,
    /// Claims it can back.
    #[serde(default)]
    pub supports: Vec<Support>,
    /// Claims it refutes.
    #[serde(default)]
    pub contradicts: Vec<Contradiction>,
    /// Guideline grades.
    #[serde(default)]
    pub grades: Vec<GradeEntry>,
    /// Japanese notes shown to users.
    #[serde(default)]
    pub limitations: Vec<String>,
    /// How sure we are of the entry as a whole.
    pub confidence: Confidence,
    /// The specific facts that are not confirmed.
    #[serde(default)]
    pub unconfirmed: Vec<String>,
    /// Ids of related entries.
    #[serde(default)]
    pub related: Vec<String>,
    /// When the entry was last reviewed.
    pub reviewed: DateText,
    #[serde(skip)]
    pub(crate) loc: EntryLoc,
}

/// Where an entry was loaded from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct EntryLoc {
    /// Index into `Registry::sources`.
    pub(crate) source: usize,
    /// Position in a file that holds a list of entries.
    pub(crate) index: Option<usize>,
}

impl Entry {
    /// Index of the file this entry came from in [`super::Registry::sources`].
    pub fn source_index(&self) -> usize {
        self.loc.source
    }

    /// The strongest `level` among the entry's `supports`, if any.
    pub fn max_level(&self) -> Option<Level> {
        self.supports.iter().map(|s| s.level).max()
    }

    /// The guideline grade for an intervention and population, if graded.
    pub fn grade_for(&self, intervention: &str, population: Population) -> Option<Grade> {
        self.grades
            .iter()
            .find(|g| g.intervention == intervention && g.population == population)
            .map(|g| g.grade)
    }
}

/// A date written as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. The text is kept as
/// written; [`DateText::parse`] validates it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct DateText(pub String);

/// A parsed [`DateText`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    /// Four-digit year.
    pub year: u16,
    /// 1–12, when given.
    pub month: Option<u8>,
    /// 1–31 (checked against the month), when given.
    pub day: Option<u8>,
}

impl DateText {
    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the date, checking month and day ranges (leap years included).
    pub fn parse(&self) -> Option<PartialDate> {
        let s = self.0.trim();
        let mut parts = s.split('-');
        let y = parts.next()?;
        let m = parts.next();
        let d = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(y, 4) {
            return None;
        }
        let year: u16 = y.parse().ok()?;
        let month = match m {
            None => None,
            Some(t) if digits(t, 2) => Some(t.parse::<u8>().ok().filter(|v| (1..=12).contains(v))?),
            Some(_) => return None,
        };
        let day = match (month, d) {
            (_, None) => None,
            (Some(mo), Some(t)) if digits(t, 2) => {
                let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
                let max = match mo {
                    2 if leap => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                Some(t.parse::<u8>().ok().filter(|v| (1..=max).contains(v))?)
            }
            _ => return None,
        };
        Some(PartialDate { year, month, day })
    }
}

impl fmt::Display for DateText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor("a date (YYYY, YYYY-MM or YYYY-MM-DD)"))
            .map(DateText)
    }
}

/// Accepts a string or an integer (YAML reads `pmid: 29996938` and
/// `published: 2018` as integers) and keeps it as text.
struct TextVisitor(&'static str);

impl serde::de::Visitor<'_> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a number")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(TextVisitor("a string or a number"))
                .map(Some)
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
    }
    d.deserialize_option(V)
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    // A hand-written visitor (not `#[serde(untagged)]`) keeps serde_yaml's
    // position for a wrong type, down to the offending list item.
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a sequence of strings")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(V)
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                out.push(s);
            }
            Ok(out)
        }
    }
    d.deserialize_option(V)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_weakest_first() {
        assert!(Level::InVitro < Level::Animal);
        assert!(Level::Animal < Level::HumanPreliminary);
        assert!(Level::HumanPreliminary < Level::HumanControlled);
        assert!(Level::HumanControlled < Level::Established);
    }

    #[test]
    fn parses_partial_dates() {
        let p = |s: &str| DateText(s.to_string()).parse();
        assert_eq!(
            p("2018"),
            Some(PartialDate {
                year: 2018,
                month: None,
                day: None
            })
        );
        assert_eq!(p("2018-07").and_then(|d| d.month), Some(7));
        assert_eq!(p("2024-02-29").and_then(|d| d.day), Some(29));
        for bad in [
            "2023-02-29",
            "2018-13",
            "18-07-11",
            "2018/07/11",
            "2018-7-1",
            "",
            "２０１８",
            "2018-07-11-01",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }
}
