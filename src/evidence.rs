//! Claims × citations × registry → a verdict with a one-line reason.
//!
//! The order of checks mirrors how a reviewer reads a claim: forms the
//! advertising guideline bans whatever the evidence (guarantees,
//! testimonials, comparisons) first; then what a registry entry explicitly
//! refutes; then what the cited sources actually studied (condition,
//! intervention, model, comparison) and how strong they are against the
//! wording; and for uncited claims, what the registry holds at all.

use crate::citations::Citation;
use crate::claims::{Claim, Modality};
use crate::lint::Verdict;
use crate::registry::{self, Entry, Level, Registry, TermKind};
use crate::rules::{Category, Severity};

/// The outcome for one claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub verdict: Verdict,
    /// One line, Japanese: what was consulted and where the gap is.
    pub message: String,
    /// Registry ids consulted.
    pub evidence: Vec<String>,
    /// Design, model and limitation of the entries behind the verdict.
    pub notes: Vec<String>,
    pub severity: Severity,
}

/// What a claim is about: vocabulary ids found around it.
#[derive(Debug, Clone, Default)]
pub struct Topics {
    pub interventions: Vec<String>,
    pub conditions: Vec<String>,
}

impl Topics {
    /// Tags `text` with the registry's vocabulary.
    pub fn of(registry: &Registry, text: &str) -> Topics {
        let mut t = Topics::default();
        for m in registry.vocabulary().tag(text) {
            let list = match m.term.kind {
                TermKind::Intervention => &mut t.interventions,
                TermKind::Condition => &mut t.conditions,
            };
            if !list.contains(&m.term.id) {
                list.push(m.term.id.clone());
            }
        }
        t
    }

    /// Fills what `self` lacks from a wider context (paragraph, document).
    pub fn or(mut self, wider: &Topics) -> Topics {
        if self.interventions.is_empty() {
            self.interventions = wider.interventions.clone();
        }
        if self.conditions.is_empty() {
            self.conditions = wider.conditions.clone();
        }
        self
    }
}

/// Everything known about one claim.
pub struct ClaimContext<'a> {
    pub claim: &'a Claim,
    /// The matched wording.
    pub text: &'a str,
    /// The whole sentence.
    pub sentence: &'a str,
    pub topics: Topics,
    pub citations: Vec<&'a Citation>,
    /// The claim rule's own severity.
    pub severity: Severity,
}

fn related(registry: &Registry, a: &str, b: &str) -> bool {
    let v = registry.vocabulary();
    a == b || v.is_a(a, b) || v.is_a(b, a)
}

fn overlaps(registry: &Registry, ours: &[String], theirs: &[String]) -> bool {
    theirs.is_empty()
        || ours.is_empty()
        || ours
            .iter()
            .any(|o| theirs.iter().any(|t| related(registry, o, t)))
}

fn label(registry: &Registry, id: &str) -> String {
    registry
        .vocabulary()
        .get(id)
        .map_or_else(|| id.to_string(), |t| t.label.clone())
}

fn labels(registry: &Registry, ids: &[String]) -> String {
    ids.iter()
        .map(|i| label(registry, i))
        .collect::<Vec<_>>()
        .join("・")
}

/// How an entry is named in messages: its first alias, else its title.
pub fn short_name(e: &Entry) -> String {
    e.aliases
        .iter()
        .find(|a| a.is_ascii() && a.contains(", "))
        .or_else(|| e.aliases.first())
        .cloned()
        .unwrap_or_else(|| e.title.clone())
}

fn notes_for(e: &Entry) -> Vec<String> {
    let mut n = vec![format!(
        "{}: {}（{}{}）",
        short_name(e),
        e.kind.label(),
        e.model
            .as_deref()
            .or(e.population.as_deref())
            .unwrap_or("対象の記載なし"),
        match e.confidence {
            registry::Confidence::Confirmed => String::new(),
            c => format!("、確度: {}", c.as_str()),
        }
    )];
    if let Some(l) = e.limitations.first() {
        n.push(format!("限界: {l}"));
    }
    n
}

fn reg_category(c: Category) -> Option<registry::Category> {
    registry::Category::parse(c.as_str())
}

/// The weakest evidence level that would justify the claim as worded.
fn required_level(ctx: &ClaimContext<'_>) -> Level {
    let c = ctx.claim;
    if c.category == Category::Evidence {
        return Level::Established;
    }
    match c.scope.as_deref() {
        Some("in-vitro") => return Level::InVitro,
        Some("animal") => return Level::Animal,
        _ => {}
    }
    match c.modality {
        Modality::Reported | Modality::Hedged => Level::HumanPreliminary,
        _ if c.hedged => Level::HumanPreliminary,
        _ => Level::HumanControlled,
    }
}

fn level_label(l: Level) -> &'static str {
    match l {
        Level::InVitro => "細胞実験",
        Level::Animal => "動物実験",
        Level::HumanPreliminary => "小規模・対照群なしのヒト研究",
        Level::HumanControlled => "ランダム化比較試験",
        Level::Established => "確立した知見",
    }
}

fn judgement(
    verdict: Verdict,
    message: String,
    entries: &[&Entry],
    severity: Severity,
) -> Judgement {
    Judgement {
        verdict,
        message,
        evidence: entries.iter().map(|e| e.id.clone()).collect(),
        notes: entries.iter().flat_map(|e| notes_for(e)).collect(),
        severity,
    }
}

/// Decides the verdict for one claim.
pub fn judge(registry: &Registry, ctx: &ClaimContext<'_>) -> Judgement {
    let cat = ctx.claim.category;
    let m = ctx.text;
    match cat {
        Category::Absolute => {
            return judgement(
                Verdict::Prohibited,
                format!("「{m}」は結果を保証する表現です。医療広告ガイドラインは効果や安全を保証する広告を虚偽広告として禁じています"),
                &[],
                Severity::Error,
            )
        }
        Category::Testimonial => {
            let what = if m.contains('%') || m.contains('％') || m.contains('率') || m.contains('度') {
                "調査方法を示さない満足度・割合の表示は、医療広告ガイドラインが虚偽広告の例に挙げています"
            } else {
                "治療の内容や効果に関する患者の体験談は、医療広告ガイドラインが禁じる広告です"
            };
            return judgement(Verdict::Prohibited, format!("「{m}」: {what}"), &[], Severity::Error);
        }
        _ => {}
    }

    // What a registry entry explicitly refutes.
    let refuting_applies = match cat {
        Category::Safety | Category::Approval | Category::Superiority | Category::Evidence => {
            !(ctx.claim.modality == Modality::Reported && !ctx.citations.is_empty())
        }
        _ => matches!(ctx.claim.modality, Modality::Asserted | Modality::Quoted),
    };
    if refuting_applies {
        if let Some(rc) = reg_category(cat) {
            let refuting: Vec<(&Entry, &registry::Contradiction)> = registry
                .entries()
                .iter()
                .flat_map(|e| e.contradicts.iter().map(move |c| (e, c)))
                .filter(|(_, c)| {
                    c.category == rc
                        && !c.interventions.is_empty()
                        && !ctx.topics.interventions.is_empty()
                        && overlaps(registry, &ctx.topics.interventions, &c.interventions)
                        && overlaps(registry, &ctx.topics.conditions, &c.conditions)
                })
                .collect();
            if let Some((e, c)) = refuting.first() {
                let entries: Vec<&Entry> = refuting.iter().map(|(e, _)| *e).take(3).collect();
                return judgement(
                    Verdict::Contradicted,
                    format!(
                        "「{m}」は{}と矛盾します: {}",
                        short_name(e),
                        c.reason.trim_end_matches('。')
                    ),
                    &entries,
                    Severity::Error,
                );
            }
        }
    }
    if cat == Category::Superiority {
        return judgement(
            Verdict::Prohibited,
            format!("「{m}」は最上級・比較による表現です。医療広告ガイドラインは比較優良広告を、事実であっても禁じています"),
            &[],
            Severity::Error,
        );
    }

    if !ctx.citations.is_empty() {
        return judge_cited(registry, ctx);
    }
    judge_uncited(registry, ctx)
}

fn judge_cited(registry: &Registry, ctx: &ClaimContext<'_>) -> Judgement {
    let m = ctx.text;
    let entries: Vec<&Entry> = {
        let mut v: Vec<&Entry> = ctx
            .citations
            .iter()
            .filter_map(|c| c.id.as_deref())
            .filter_map(|id| registry.get(id))
            .collect();
        v.dedup_by(|a, b| a.id == b.id);
        v
    };
    if entries.is_empty() {
        let cited = ctx
            .citations
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join("、");
        return judgement(
            Verdict::UnresolvedCitation,
            format!("引用「{cited}」はエビデンス・レジストリにありません。内容を確認し、--registry で指定するYAMLに登録してください（形式は rules/README.md）"),
            &[],
            Severity::Warning,
        );
    }
    let required = required_level(ctx);
    let mut problems: Vec<Judgement> = Vec::new();
    for e in &entries {
        let name = short_name(e);
        if !overlaps(registry, &ctx.topics.conditions, &e.conditions) {
            problems.push(judgement(
                Verdict::Miscited,
                format!(
                    "{name} は{}の研究で、{}は調べていません",
                    labels(registry, &e.conditions),
                    labels(registry, &ctx.topics.conditions)
                ),
                &[e],
                Severity::Error,
            ));
            continue;
        }
        if !overlaps(registry, &ctx.topics.interventions, &e.interventions) {
            problems.push(judgement(
                Verdict::Miscited,
                format!(
                    "{name} は{}を調べた研究で、{}の根拠にはなりません",
                    labels(registry, &e.interventions),
                    labels(registry, &ctx.topics.interventions)
                ),
                &[e],
                Severity::Error,
            ));
            continue;
        }
        if let (Some("animal"), Some(Level::InVitro)) =
            (ctx.claim.scope.as_deref(), e.kind.level_ceiling())
        {
            problems.push(judgement(
                Verdict::Miscited,
                format!("{name} は細胞実験で、動物での結果は示していません"),
                &[e],
                Severity::Error,
            ));
            continue;
        }
        let rc = reg_category(ctx.claim.category);
        let support = e
            .supports
            .iter()
            .filter(|s| {
                Some(s.category) == rc
                    || (s.category == registry::Category::Efficacy
                        && matches!(ctx.claim.category, Category::Onset | Category::Durability))
            })
            .filter(|s| overlaps(registry, &ctx.topics.conditions, &s.conditions))
            .filter(|s| overlaps(registry, &ctx.topics.interventions, &s.interventions))
            .max_by_key(|s| s.level);
        let Some(s) = support else {
            problems.push(judgement(
                Verdict::Miscited,
                format!(
                    "{name} は「{m}」のような{}を裏付ける内容ではありません",
                    ctx.claim.category.label()
                ),
                &[e],
                Severity::Error,
            ));
            continue;
        };
        if s.level < required {
            problems.push(judgement(
                Verdict::Overstated,
                format!(
                    "{name} は{}の結果で、「{m}」と書ける強さではありません（書けるのは「{}」まで）",
                    level_label(s.level),
                    s.wording.trim_end_matches('。')
                ),
                &[e],
                ctx.severity,
            ));
            continue;
        }
        return judgement(
            Verdict::Supported,
            format!(
                "{name} が「{}」を裏付けています",
                s.wording.trim_end_matches('。')
            ),
            &[e],
            Severity::Info,
        );
    }
    // Several citations, none enough: the most specific problem speaks.
    problems.sort_by_key(|j| match j.verdict {
        Verdict::Miscited => 0,
        Verdict::Overstated => 1,
        _ => 2,
    });
    problems.swap_remove(0)
}

fn judge_uncited(registry: &Registry, ctx: &ClaimContext<'_>) -> Judgement {
    let m = ctx.text;
    let rc = reg_category(ctx.claim.category);
    let required = required_level(ctx);
    let mut backing: Vec<(&Entry, &registry::Support)> = registry
        .entries()
        .iter()
        .flat_map(|e| e.supports.iter().map(move |s| (e, s)))
        .filter(|(_, s)| Some(s.category) == rc)
        .filter(|(_, s)| {
            !ctx.topics.interventions.is_empty()
                && overlaps(registry, &ctx.topics.interventions, &s.interventions)
        })
        .filter(|(_, s)| overlaps(registry, &ctx.topics.conditions, &s.conditions))
        .collect();
    backing.sort_by_key(|(e, s)| (std::cmp::Reverse(s.level), e.id.clone()));
    match backing.first() {
        Some((e, s)) if s.level >= required => judgement(
            Verdict::Supported,
            format!("出典はありませんが、レジストリの{} が「{}」を裏付けています", short_name(e), s.wording.trim_end_matches('。')),
            &[e],
            Severity::Info,
        ),
        Some((e, s)) => judgement(
            Verdict::Overstated,
            format!(
                "「{m}」に出典がありません。レジストリで最も強い根拠は{}（{}）で、書けるのは「{}」までです",
                short_name(e),
                level_label(s.level),
                s.wording.trim_end_matches('。')
            ),
            &[e],
            ctx.severity,
        ),
        None => judgement(
            Verdict::Unsupported,
            format!(
                "「{m}」には出典がなく、レジストリにもこの{}を裏付ける根拠がありません",
                ctx.claim.category.label()
            ),
            &[],
            ctx.severity,
        ),
    }
}
