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
use crate::registry::{
    self, Entry, EntryTerms, Level, Registry, TermId, TermIds, TermKind, TermMatch,
};
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

/// What a claim is about: vocabulary terms found around it, in order of
/// first mention.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topics {
    pub interventions: TermIds,
    pub conditions: TermIds,
}

impl Topics {
    /// Tags `text` with the registry's vocabulary.
    pub fn of(registry: &Registry, text: &str) -> Topics {
        Topics::from_matches(registry, &registry.vocabulary().tag(text))
    }

    /// The topics of tagged matches (from [`registry::Vocabulary::tag`] or
    /// [`registry::Tags::tag`]).
    pub fn from_matches(registry: &Registry, matches: &[TermMatch<'_>]) -> Topics {
        let v = registry.vocabulary();
        let mut t = Topics::default();
        for m in matches {
            let list = match m.term.kind {
                TermKind::Intervention => &mut t.interventions,
                TermKind::Condition => &mut t.conditions,
            };
            let id = v.term_id(m.term);
            if !list.contains(&id) {
                list.push(id);
            }
        }
        t
    }

    /// The most mentioned intervention and condition of a whole document:
    /// what the page is about, for claims that name neither.
    pub fn dominant(registry: &Registry, text: &str) -> Topics {
        let mut counts = TopicCounts::default();
        counts.add(registry, text);
        counts.dominant()
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

/// How often each vocabulary term is mentioned, in order of first mention;
/// gathered piece by piece for a document linted in sections.
#[derive(Debug, Clone, Default)]
pub struct TopicCounts {
    counts: Vec<(TermId, TermKind, usize)>,
}

impl TopicCounts {
    /// Counts the terms of `text`, which follows the text counted so far.
    pub fn add(&mut self, registry: &Registry, text: &str) {
        self.add_matches(registry, &registry.vocabulary().tag(text));
    }

    /// Counts tagged matches of the text that follows the text counted so far.
    pub fn add_matches(&mut self, registry: &Registry, matches: &[TermMatch<'_>]) {
        let v = registry.vocabulary();
        for m in matches {
            let id = v.term_id(m.term);
            match self.counts.iter_mut().find(|(i, _, _)| *i == id) {
                Some(c) => c.2 += 1,
                None => self.counts.push((id, m.term.kind, 1)),
            }
        }
    }

    /// The most mentioned intervention and condition; a tie goes to the
    /// first mentioned.
    pub fn dominant(&self) -> Topics {
        let top = |kind: TermKind| {
            self.counts
                .iter()
                .filter(|c| c.1 == kind)
                .fold(None::<&(TermId, TermKind, usize)>, |best, c| match best {
                    Some(b) if b.2 >= c.2 => Some(b),
                    _ => Some(c),
                })
                .map(|c| TermIds::from_iter([c.0]))
                .unwrap_or_default()
        };
        Topics {
            interventions: top(TermKind::Intervention),
            conditions: top(TermKind::Condition),
        }
    }
}

/// Everything known about one claim.
pub struct ClaimContext<'a> {
    pub claim: &'a Claim,
    /// The matched wording.
    pub text: &'a str,
    /// The whole sentence.
    pub sentence: &'a str,
    /// The sentence's words before the claim (他院の in 他院のエクソソームより).
    pub lead: &'a str,
    pub topics: Topics,
    /// Topics named by the sentence or its paragraph only.
    pub local: Topics,
    /// Topics named by the claim's own words (`text`).
    pub own: Topics,
    /// Whether to write the judgement's notes.
    pub notes: bool,
    pub citations: Vec<&'a Citation>,
    /// The claim rule's own severity.
    pub severity: Severity,
    /// The claim rule's message (`{match}` stands for the claim), for a
    /// claim nothing answers.
    pub rule_message: &'a str,
}

/// `narrow` is `broad` or lies below it.
fn is_a(registry: &Registry, narrow: TermId, broad: TermId) -> bool {
    narrow == broad
        || registry
            .resolved()
            .is_a(registry.vocabulary(), narrow, broad)
}

fn related(registry: &Registry, a: TermId, b: TermId) -> bool {
    a == b || is_a(registry, a, b) || is_a(registry, b, a)
}

/// The resolved ids of entry `i` of the registry.
fn terms(registry: &Registry, i: usize) -> &EntryTerms {
    static NONE: EntryTerms = EntryTerms {
        interventions: Vec::new(),
        conditions: Vec::new(),
        supports: Vec::new(),
        contradicts: Vec::new(),
        grades: Vec::new(),
    };
    registry.resolved().entries.get(i).unwrap_or(&NONE)
}

/// The term of a built-in id the engine names (routes, product families).
fn named(registry: &Registry, id: &str) -> Option<TermId> {
    registry.vocabulary().lookup(id)
}

fn overlaps(registry: &Registry, ours: &[TermId], theirs: &[TermId]) -> bool {
    theirs.is_empty()
        || ours.is_empty()
        || ours
            .iter()
            .any(|&o| theirs.iter().any(|&t| related(registry, o, t)))
}

/// Whether the claim names one of `theirs` or something narrower: a
/// contradiction about AGA applies to a claim about AGA, not to one about
/// hair loss in general.
fn names(registry: &Registry, ours: &[TermId], theirs: &[TermId]) -> bool {
    theirs.is_empty()
        || ours
            .iter()
            .any(|&o| theirs.iter().any(|&t| is_a(registry, o, t)))
}

fn label(registry: &Registry, id: TermId) -> &str {
    let v = registry.vocabulary();
    match v.term(id) {
        Some(t) if id.foreign_index().is_none() => &t.label,
        _ => registry.resolved().name(v, id),
    }
}

/// The label of the term a guideline grade names.
fn grade_label(registry: &Registry, id: &str) -> String {
    registry
        .vocabulary()
        .get(id)
        .map_or_else(|| id.to_string(), |t| t.label.clone())
}

/// What a source is, about `topics`, in words that fit its kind: a law or
/// a notice is not a study (「再生医療等安全性確保法は…を調べた研究」 misled).
fn what_it_is(kind: registry::Kind, topics: &str) -> String {
    use registry::Kind;
    match kind {
        Kind::InVitro | Kind::Animal | Kind::HumanUncontrolled | Kind::HumanRct => {
            format!("{topics}を調べた研究")
        }
        Kind::Statute => format!("{topics}を対象とする法令"),
        Kind::PackageInsert => format!("{topics}の添付文書"),
        Kind::Guideline => format!("{topics}についての診療ガイドライン"),
        Kind::RegulatoryNotice => format!("{topics}についての行政の通知"),
        Kind::SystematicReview | Kind::Review | Kind::SocietyStatement | Kind::News => {
            format!("{topics}についての{}", kind.label())
        }
    }
}

fn labels(registry: &Registry, ids: &[TermId]) -> String {
    ids.iter()
        .map(|&i| label(registry, i))
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

/// Whether a sentence compares the treatment with another (ミノキシジルよりも,
/// 既存の薬を超える).
fn compares(s: &str) -> bool {
    [
        "より",
        "以上の",
        "を超え",
        "を上回",
        "に勝",
        "に匹敵",
        "と同等",
    ]
    .iter()
    .any(|w| s.contains(w))
}

/// Vocabulary ids that name how something is given rather than what.
const ROUTES: [&str; 3] = ["iv-administration", "injection", "topical-application"];

/// Whether a sentence says its result holds for people (人で, 患者, 臨床).
fn mentions_people(s: &str) -> bool {
    [
        "人で",
        "人の",
        "人に",
        "人でも",
        "ヒトで",
        "ヒトの",
        "ヒトに",
        "患者",
        "臨床",
        "男性",
        "女性",
        "被験者",
    ]
    .iter()
    .any(|w| s.contains(w))
}

/// The weakest evidence level that would justify the claim as worded.
fn required_level(ctx: &ClaimContext<'_>) -> Level {
    let c = ctx.claim;
    // 「安全性が証明された」 claims proof whatever its category.
    if c.category == Category::Evidence
        || ["証明", "実証", "立証", "確立し", "確立さ"]
            .iter()
            .any(|w| ctx.sentence.contains(w))
    {
        return Level::Established;
    }
    // 「マウスでは…人にも同じように効く」 stretches the model to people.
    match c.scope.as_deref() {
        Some("in-vitro") if !mentions_people(ctx.sentence) => return Level::InVitro,
        Some("animal") if !mentions_people(ctx.sentence) => return Level::Animal,
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

/// What an entry's support rests on: a study's own result, or for a review,
/// guideline or notice the level of the studies it draws on (a review of
/// animal work is not itself an animal experiment).
fn grounds(e: &Entry, level: Level) -> String {
    use registry::Kind;
    match e.kind {
        Kind::InVitro | Kind::Animal | Kind::HumanUncontrolled | Kind::HumanRct => {
            format!("{}の結果", level_label(level))
        }
        kind => format!(
            "{}の水準の根拠をまとめた{}",
            level_label(level),
            kind.label()
        ),
    }
}

fn judgement(
    ctx: &ClaimContext<'_>,
    verdict: Verdict,
    message: String,
    entries: &[&Entry],
    severity: Severity,
) -> Judgement {
    Judgement {
        verdict,
        message,
        evidence: entries.iter().map(|e| e.id.clone()).collect(),
        notes: if ctx.notes {
            entries.iter().flat_map(|e| notes_for(e)).collect()
        } else {
            Vec::new()
        },
        severity,
    }
}

/// Decides the verdict for one claim.
pub fn judge(registry: &Registry, ctx: &ClaimContext<'_>) -> Judgement {
    let cat = ctx.claim.category;
    let m = ctx.text;
    // 「推奨度A」「最も強く勧められています」 answered by the guideline's grades.
    if matches!(cat, Category::Approval | Category::Superiority)
        && ["ガイドライン", "推奨", "勧め"]
            .iter()
            .any(|w| ctx.sentence.contains(w))
    {
        if let Some(j) = (0..registry.entries().len()).find_map(|i| graded(registry, ctx, i)) {
            return j;
        }
    }
    match cat {
        Category::Absolute => {
            // 「…方がほとんど」 promises no result, but presents the effect
            // as near-universal: an exaggeration rather than a guarantee.
            let message = if ["ほとんど", "大半", "大多数", "ほぼ"]
                .iter()
                .any(|w| m.contains(w))
            {
                format!("「{m}」は、ほぼ誰にでも効果が出るかのように示す表現です。医療広告ガイドラインは、効果を誇張して誤認させる広告を誇大広告として禁じています")
            } else {
                format!("「{m}」は結果を保証する表現です。医療広告ガイドラインは効果や安全を保証する広告を虚偽広告として禁じています")
            };
            return judgement(ctx, Verdict::Prohibited, message, &[], Severity::Error);
        }
        Category::Testimonial => {
            let photo = ["写真", "画像", "ビフォー", "アフター", "Before", "before"]
                .iter()
                .any(|w| m.contains(w));
            let what = if states_a_share(m) {
                "調査方法を示さない満足度・割合の表示は、医療広告ガイドラインが虚偽広告の例に挙げています"
            } else if photo {
                "治療前後の写真は、通常の治療内容・費用・主なリスクや副作用の説明を添えなければ、医療広告ガイドラインが禁じる広告です"
            } else {
                "治療の内容や効果に関する患者の体験談は、医療広告ガイドラインが禁じる広告です"
            };
            return judgement(
                ctx,
                Verdict::Prohibited,
                format!("「{m}」: {what}"),
                &[],
                Severity::Error,
            );
        }
        // Superlatives and comparisons with other clinics are banned whatever
        // the evidence; a comparison between treatments is judged on it.
        Category::Superiority if !compares_treatments(ctx) => {
            return judgement(
                ctx,
                Verdict::Prohibited,
                format!("「{m}」は最上級・他院との比較による表現です。医療広告ガイドラインは比較優良広告を、事実であっても禁じています"),
                &[],
                Severity::Error,
            );
        }
        _ => {}
    }

    if !ctx.citations.is_empty() {
        return judge_cited(registry, ctx);
    }
    // Pain and downtime are the patient's experience of the procedure:
    // what is missing is the clinic's basis and the risks beside it, which
    // the guideline's conditions for advertising free treatment ask for.
    if cat == Category::Safety && (about_procedure_burden(m) || settles_named_burden(ctx)) {
        return judgement(
            ctx,
            Verdict::Unsupported,
            format!("「{m}」は施術の痛みやダウンタイムについての表現ですが、出典がありません。感じ方や経過には個人差があり、自由診療の広告では主なリスクや副作用（赤み・腫れ・内出血など）も示すことが医療広告ガイドラインの要件です"),
            &[],
            Severity::Warning,
        );
    }

    if matches!(cat, Category::Approval | Category::Superiority)
        && ["ガイドライン", "推奨", "勧め"]
            .iter()
            .any(|w| ctx.sentence.contains(w))
    {
        if let Some(j) = (0..registry.entries().len()).find_map(|i| graded(registry, ctx, i)) {
            return j;
        }
    }
    // Uncited safety, approval and comparison claims are answered by what
    // regulators and societies say. Uncited efficacy wording and claims of
    // proof are judged against the studies instead: 科学的に証明されている
    // is overstated by the strongest study there is (corpus verdicts).
    let refutable = matches!(
        cat,
        Category::Safety | Category::Approval | Category::Superiority
    );
    if refutable {
        if let Some(j) = refuted(registry, ctx) {
            return j;
        }
    }
    // Only a comparison between treatments reaches here (superlatives and
    // other clinics were prohibited above): what it lacks is a trial that
    // compared the two, not permission.
    if cat == Category::Superiority {
        return judgement(
            ctx,
            Verdict::Unsupported,
            format!("「{m}」は他の治療や製品と比べて優れるとする表現ですが、出典がなく、レジストリにも両者を直接比べた研究はありません。比較した試験の裏付けがない優位の表示は、医療広告ガイドラインが禁じる誇大広告にあたるおそれがあります"),
            &[],
            ctx.severity,
        );
    }
    // An uncited efficacy claim about a treatment the guideline grades A or
    // B for the claim's condition (フィナステリド内服はAGAに効果がある) is
    // backed by that grade; a weak grade leaves it to the studies, since a
    // C grade says the evidence is lacking, not that the effect is absent.
    // A sentence that also names a therapy no guideline grades well
    // (「AGA治療薬で変化がなかったのに、エクソソームで産毛が増えました」) is about
    // that therapy, and one that compares (ミノキシジル以上の効果) is about the
    // other side of the comparison: the drugs' grade backs neither.
    if cat == Category::Efficacy
        && !compares(ctx.sentence)
        && !names_regenerative(
            registry,
            ctx.sentence,
            ctx.local.interventions.iter().copied(),
        )
    {
        // Only guidelines have grades: the others are passed over before
        // their conditions are compared.
        let for_condition = |ei: &usize| {
            !registry.entries()[*ei].grades.is_empty()
                && overlaps(
                    registry,
                    &ctx.topics.conditions,
                    &terms(registry, *ei).conditions,
                )
        };
        if let Some(j) = (0..registry.entries().len())
            .filter(for_condition)
            .find_map(|i| graded(registry, ctx, i))
        {
            return j;
        }
    }
    judge_uncited(registry, ctx)
}

/// A testimonial that gives a share of patients (8割の方が, 満足度95%,
/// 10人中9人) is the guideline's example of a false advertisement, which is a
/// stronger reason than the ban on testimonials that every one falls under.
fn states_a_share(m: &str) -> bool {
    if ["%", "％", "パーセント", "率", "満足度", "人中"]
        .iter()
        .any(|w| m.contains(w))
    {
        return true;
    }
    // 割 only after a numeral: 役割 and 割引 are not shares.
    let numeral = |c: char| {
        c.is_ascii_digit() || ('０'..='９').contains(&c) || "一二三四五六七八九十".contains(c)
    };
    m.match_indices('割')
        .any(|(i, _)| m[..i].ends_with(numeral))
}

/// Whether a superiority claim sets one treatment against another
/// (ミノキシジル以上の効果, プラセボより, 植毛の次に) rather than ranking a clinic.
///
/// A superlative that names a treatment (最新の再生医療, 究極のエクソソーム
/// 治療) sets it against no one: it ranks, and is banned as such. So is a
/// treatment offered by another clinic (他院のエクソソームより).
fn compares_treatments(ctx: &ClaimContext<'_>) -> bool {
    let m = ctx.text;
    let sets_against = [
        "より",
        "比べ",
        "比較",
        "以上",
        "同等",
        "匹敵",
        "超え",
        "上回",
        "並み",
        "次に",
        "次いで",
        "次ぐ",
        "並ぶ",
        "倍",
    ]
    .iter()
    .any(|w| m.contains(w));
    // The rival's owner often comes just before the match, in the same
    // clause (他院の|エクソソームよりも高濃度, 他院で扱っている|製剤より).
    let clause = last_clause(ctx.lead);
    let from = clause.char_indices().rev().nth(11).map_or(0, |(i, _)| i);
    let lead = &clause[from..];
    // In the match any clinic is the yardstick (一般的なクリニックの製剤と比べ);
    // before it, only another one is (当院のエクソソームは内服薬よりも is the
    // clinic's own treatment against a drug).
    let other_clinic = [
        "他院",
        "他社",
        "他店",
        "クリニック",
        "医療機関",
        "病院",
        "医院",
        "サロン",
        "当院",
    ]
    .iter()
    .any(|w| m.contains(w))
        || [
            "他院",
            "他社",
            "他店",
            "他サロン",
            "他の",
            "ほかの",
            "よその",
            "一般的な",
            "一般の",
        ]
        .iter()
        .any(|w| lead.contains(w));
    sets_against
        && !other_clinic
        && (!ctx.own.interventions.is_empty()
            || [
                "プラセボ",
                "偽薬",
                "従来",
                "既存",
                "薬",
                "治療",
                "植毛",
                "製品",
                "製剤",
                "市販",
                "美容液",
                "化粧品",
                "育毛剤",
                "発毛剤",
                "サプリ",
            ]
            .iter()
            .any(|w| m.contains(w)))
}

/// The registry entries that explicitly refute the claim, regulators first.
fn refuted(registry: &Registry, ctx: &ClaimContext<'_>) -> Option<Judgement> {
    let rc = reg_category(ctx.claim.category)?;
    // What the claim is about, not what it is compared with.
    let primary = *subjects(registry, ctx, &ctx.topics).first()?;
    let mut refuting: Vec<(&Entry, &registry::Contradiction)> = (registry.entries().iter())
        .enumerate()
        .flat_map(|(i, e)| {
            let t = terms(registry, i);
            (e.contradicts.iter().zip(&t.contradicts)).map(move |(c, ids)| (e, c, ids))
        })
        .filter(|(_, c, (interventions, conditions))| {
            c.category == rc
                && !interventions.is_empty()
                && interventions.iter().any(|&i| related(registry, primary, i))
                && overlaps(registry, &ctx.topics.conditions, conditions)
        })
        .map(|(e, c, _)| (e, c))
        .collect();
    // The regulator speaks before societies and studies; then the newest.
    refuting.sort_by(|(a, _), (b, _)| {
        authority_rank(a.kind)
            .cmp(&authority_rank(b.kind))
            .then_with(|| b.published.cmp(&a.published))
            .then_with(|| a.id.cmp(&b.id))
    });
    let (e, c) = refuting.first()?;
    let entries: Vec<&Entry> = refuting.iter().map(|(e, _)| *e).take(3).collect();
    // A study's contradictions say what it did not show (Ersanら（2024）は
    // 薬との比較をしていません): that answers a claim that cites it, but an
    // uncited claim is not contradicted by a study that never made the
    // comparison; it is left without support, and the message says why.
    if authority_rank(e.kind) > 2 {
        return Some(judgement(
            ctx,
            Verdict::Unsupported,
            format!(
                "「{}」には出典がなく、レジストリにもこれを裏付ける研究がありません: {}",
                ctx.text,
                c.reason.trim_end_matches('。')
            ),
            &entries,
            ctx.severity,
        ));
    }
    Some(judgement(
        ctx,
        Verdict::Contradicted,
        format!(
            "「{}」は{}と矛盾します: {}",
            ctx.text,
            short_name(e),
            c.reason.trim_end_matches('。')
        ),
        &entries,
        Severity::Error,
    ))
}

fn authority_rank(k: registry::Kind) -> u8 {
    use registry::Kind::*;
    match k {
        RegulatoryNotice | Statute => 0,
        Guideline => 1,
        SocietyStatement => 2,
        SystematicReview | Review => 3,
        _ => 4,
    }
}

fn judge_cited(registry: &Registry, ctx: &ClaimContext<'_>) -> Judgement {
    let m = ctx.text;
    let entries: Vec<(usize, &Entry)> = {
        let mut v: Vec<(usize, &Entry)> = ctx
            .citations
            .iter()
            .filter_map(|c| c.id.as_deref())
            .filter_map(|id| Some((registry.position(id)?, registry.get(id)?)))
            .collect();
        v.dedup_by(|a, b| a.1.id == b.1.id);
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
            ctx,
            Verdict::UnresolvedCitation,
            format!("引用「{cited}」はエビデンス・レジストリにありません。内容を確認し、--registry で指定するYAMLに登録してください（形式は rules/README.md）"),
            &[],
            Severity::Warning,
        );
    }
    // An entry whose very existence is unconfirmed cannot back anything.
    if let Some((_, e)) = entries
        .iter()
        .find(|(_, e)| e.confidence == registry::Confidence::Unconfirmed && e.supports.is_empty())
    {
        return judgement(
            ctx,
            Verdict::UnresolvedCitation,
            format!(
                "引用された{} は、存在や内容を一次資料で確認できていない資料です（レジストリで未確認）。確認できる出典に差し替えてください",
                short_name(e)
            ),
            &[e],
            Severity::Warning,
        );
    }
    let required = required_level(ctx);
    let rc = reg_category(ctx.claim.category);
    // How it was given (注射, 点滴) is not what was given: a route alone
    // neither matches nor contradicts a study of a product.
    let routes: Vec<TermId> = ROUTES.iter().filter_map(|r| named(registry, r)).collect();
    let local = &Topics {
        interventions: ctx
            .local
            .interventions
            .iter()
            .filter(|i| !routes.contains(i))
            .copied()
            .collect(),
        conditions: ctx.local.conditions.clone(),
    };
    let mut problems: Vec<Judgement> = Vec::new();
    for &(ei, e) in &entries {
        let ids = terms(registry, ei);
        let name = short_name(e);
        if let Some(j) = graded(registry, ctx, ei) {
            return j;
        }
        // Only what the sentence or its paragraph names can disagree with the
        // source; the page's general subject says nothing about this citation.
        if !overlaps(registry, &local.conditions, &ids.conditions) {
            problems.push(judgement(
                ctx,
                Verdict::Miscited,
                format!(
                    "{name} は{}で、{}は{}いません",
                    what_it_is(e.kind, &labels(registry, &ids.conditions)),
                    labels(registry, &local.conditions),
                    if e.kind.level_ceiling().is_some() {
                        "調べて"
                    } else {
                        "扱って"
                    }
                ),
                &[e],
                Severity::Error,
            ));
            continue;
        }
        if !overlaps(registry, &local.interventions, &ids.interventions) {
            problems.push(judgement(
                ctx,
                Verdict::Miscited,
                format!(
                    "{name} は{}で、{}の根拠にはなりません",
                    what_it_is(e.kind, &labels(registry, &ids.interventions)),
                    labels(registry, &local.interventions)
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
                ctx,
                Verdict::Miscited,
                format!("{name} は細胞実験で、動物での結果は示していません"),
                &[e],
                Severity::Error,
            ));
            continue;
        }
        // A claim of proof rests on whatever the source showed at all; an
        // onset or durability claim needs data on time, not just on effect.
        let support = (e.supports.iter().zip(&ids.supports))
            .filter(|(s, _)| Some(s.category) == rc || ctx.claim.category == Category::Evidence)
            .filter(|(_, (_, conditions))| overlaps(registry, &local.conditions, conditions))
            .filter(|(_, (interventions, _))| {
                overlaps(registry, &local.interventions, interventions)
            })
            .map(|(s, _)| s)
            .max_by_key(|s| s.level);
        // Reporting what a source found, without stretching it to people,
        // is accurate at any level of evidence.
        // A faithful report also names the model a mouse or cell result
        // came from, and adds no comparison the source did not make.
        let faithful_report = matches!(ctx.claim.modality, Modality::Reported | Modality::Quoted)
            && ctx.claim.category != Category::Evidence
            && !mentions_people(ctx.sentence)
            && !["証明", "実証", "立証", "確立"]
                .iter()
                .any(|w| ctx.sentence.contains(w))
            && !compares(ctx.sentence);
        // A review speaks for itself: reporting what it says needs no model.
        let review = matches!(
            e.kind,
            registry::Kind::Review | registry::Kind::SystematicReview
        );
        let scoped = |level: Level| match level {
            _ if review => true,
            Level::InVitro => ctx.claim.scope.as_deref() == Some("in-vitro"),
            Level::Animal => ctx.claim.scope.is_some(),
            _ => true,
        };
        if let Some(s) =
            support.filter(|s| s.level >= required || (faithful_report && scoped(s.level)))
        {
            return judgement(
                ctx,
                Verdict::Supported,
                format!(
                    "{name} が「{}」を裏付けています",
                    s.wording.trim_end_matches('。')
                ),
                &[e],
                Severity::Info,
            );
        }
        // The cited source itself says otherwise. A notice or guideline
        // contradicts; a study that never tested the claim leaves it
        // overstated, or miscited when the claim is about a condition,
        // intervention or comparison the study did not cover.
        if let Some((c, (_, c_conditions))) =
            (e.contradicts.iter().zip(&ids.contradicts)).find(|(c, (interventions, conditions))| {
                Some(c.category) == rc
                    && names(registry, &local.interventions, interventions)
                    && names(registry, &local.conditions, conditions)
            })
        {
            let reason = c.reason.trim_end_matches('。');
            let outside = !c_conditions
                .iter()
                .all(|&x| ids.conditions.iter().any(|&y| related(registry, x, y)));
            let (verdict, severity) = match e.kind.level_ceiling() {
                None => (Verdict::Contradicted, Severity::Error),
                Some(_) if outside || ctx.claim.category == Category::Superiority => {
                    (Verdict::Miscited, Severity::Error)
                }
                Some(_) => (Verdict::Overstated, ctx.severity),
            };
            problems.push(judgement(
                ctx,
                verdict,
                format!("「{m}」: 引用された{name} は裏付けていません。{reason}"),
                &[e],
                severity,
            ));
            continue;
        }
        match support {
            Some(s) => problems.push(judgement(
                ctx,
                Verdict::Overstated,
                format!(
                    "{name} は{}で、「{m}」と書ける強さではありません（書けるのは「{}」まで）",
                    grounds(e, s.level),
                    s.wording.trim_end_matches('。')
                ),
                &[e],
                ctx.severity,
            )),
            None if ctx.claim.category == Category::Superiority => problems.push(judgement(
                ctx,
                Verdict::Prohibited,
                format!("「{m}」は最上級・比較による表現です。医療広告ガイドラインは比較優良広告を、事実であっても禁じています"),
                &[],
                Severity::Error,
            )),
            None => problems.push(judgement(
                ctx,
                Verdict::Miscited,
                format!(
                    "{name} は「{m}」のような{}を裏付ける内容ではありません",
                    ctx.claim.category.label()
                ),
                &[e],
                Severity::Error,
            )),
        }
    }
    // Several citations, none enough: the most specific problem speaks.
    // A source on the claim's own subject speaks before one that is beside
    // the point (a paragraph citing both the hair study and the eczema study).
    problems.sort_by_key(|j| match j.verdict {
        Verdict::Contradicted => 0,
        Verdict::Overstated => 1,
        Verdict::Miscited => 2,
        _ => 3,
    });
    problems.swap_remove(0)
}

/// Exosome and supernatant products, which the hair-loss guideline grades
/// only as growth-factor delivery and cell transplantation.
fn is_regenerative(registry: &Registry, i: TermId) -> bool {
    [
        "exosome",
        "stem-cell-derived-product",
        "stem-cell-conditioned-medium",
    ]
    .iter()
    .filter_map(|b| registry.resolved().find(registry.vocabulary(), b))
    .any(|b| related(registry, i, b))
}

/// Whether `sentence` names regenerative therapy, in words or among the
/// `interventions` it is about.
fn names_regenerative(
    registry: &Registry,
    sentence: &str,
    mut interventions: impl Iterator<Item = TermId>,
) -> bool {
    sentence.contains("再生医療") || interventions.any(|i| is_regenerative(registry, i))
}

/// Guideline grades answer claims that a treatment is recommended or the
/// most effective: grade A or B backs 推奨, C2 and D contradict it.
fn graded(registry: &Registry, ctx: &ClaimContext<'_>, ei: usize) -> Option<Judgement> {
    let e = registry.entries().get(ei)?;
    if e.grades.is_empty()
        || !matches!(
            ctx.claim.category,
            Category::Approval | Category::Superiority | Category::Efficacy
        )
    {
        return None;
    }
    let ids = terms(registry, ei);
    let women = ctx.sentence.contains("女性") && !ctx.sentence.contains("男性");
    let grades = || {
        (e.grades.iter().zip(&ids.grades))
            .filter(|(g, _)| (g.population == registry::Population::Women) == women)
    };
    // The claim's own treatment, matched exactly first: a generic ミノキシジル
    // must not pick up the grade D of the oral form when the topical one is A.
    let exact = |i: TermId| grades().find(|&(_, &gi)| gi == i).map(|(g, _)| g);
    let narrower = |i: TermId| {
        grades()
            .filter(|&(_, &gi)| is_a(registry, gi, i))
            .map(|(g, _)| g)
            .min_by_key(|g| g.grade.as_str())
    };
    let find = |name: &str| registry.resolved().find(registry.vocabulary(), name);
    // The treatment a comparison is measured against (植毛 in 「植毛の次に効果
    // が高い」) is not the one the claim is about: its grade says nothing of
    // the page's treatment.
    let subjects = subjects(registry, ctx, &ctx.local);
    let subjects = || subjects.iter().copied();
    // Exosome and supernatant hair therapy has no CQ of its own; the
    // guideline's nearest is growth-factor delivery and cell transplantation.
    let regenerative = names_regenerative(registry, ctx.sentence, subjects());
    let grade = subjects()
        .find_map(exact)
        .or_else(|| subjects().find_map(narrower))
        .or_else(|| {
            regenerative
                .then(|| exact(find("growth-factor-cell-therapy")?))
                .flatten()
        })?;
    let name = short_name(e);
    let what = grade_label(registry, &grade.intervention);
    let g = grade.grade.as_str();
    match g {
        "A" | "B" => Some(judgement(
            ctx,
            Verdict::Supported,
            format!("{name} は{what}を推奨度{g}としています"),
            &[e],
            Severity::Info,
        )),
        "C2" | "D" if ctx.claim.category != Category::Efficacy => Some(judgement(
            ctx,
            Verdict::Contradicted,
            format!(
                "「{}」: {name} は{what}を推奨度{g}（{}）としています",
                ctx.text,
                grade.grade.label()
            ),
            &[e],
            Severity::Error,
        )),
        _ => None,
    }
}

/// Markers after which a treatment is the yardstick of a comparison:
/// 植毛の次に, 植毛に次ぐ, 植毛より(も), 植毛と同等, 植毛に匹敵, 植毛と比べて.
const COMPARED_WITH: [&str; 14] = [
    // The yardstick of a likeness or a contrast is compared with too
    // (植毛のようにメスを入れる必要もありません, 薬とは違って); 「Xのような」
    // more often gives examples of the subject (エクソソームのような再生医療).
    "のように",
    "と違",
    "とは違",
    "と異な",
    "とは異な",
    "の次に",
    "に次いで",
    "に次ぐ",
    "より",
    "と同等",
    "と同じくらい",
    "に匹敵",
    "と比べ",
    "に比べ",
];

/// Where the phrase before a comparison marker begins: after a particle,
/// a comma or a space (an array: `str::contains` would search for each
/// character as for a substring).
const PHRASE_BREAKS: [char; 13] = [
    'は', 'が', 'を', 'も', 'に', 'で', 'と', '、', '。', '，', ',', ' ', '　',
];

/// The interventions `sentence` compares something with: those named in the
/// phrase just before a [`COMPARED_WITH`] marker (back to the previous
/// particle or punctuation), as in 「エクソソームは植毛より」.
fn comparators(registry: &Registry, sentence: &str) -> Vec<TermId> {
    let mut out = Vec::new();
    for marker in COMPARED_WITH {
        // Most sentences hold no marker: `contains` answers that with a
        // vector scan, where `match_indices` first builds a searcher.
        if !sentence.contains(marker) {
            continue;
        }
        for (at, _) in sentence.match_indices(marker) {
            let head = &sentence[..at];
            // Back to the particle, or at most twenty characters.
            let mut from = at;
            for (i, c) in head.char_indices().rev().take(20) {
                if PHRASE_BREAKS.contains(&c) {
                    break;
                }
                from = i;
            }
            let phrase = &head[from..];
            if !phrase.is_empty() {
                out.extend_from_slice(&Topics::of(registry, phrase).interventions);
            }
        }
    }
    out
}

/// The interventions of `topics` the claim is about: all of them, unless
/// the sentence compares with some, which are left out. A claim whose own
/// words name only the yardstick (「植毛より効果」) is about the treatment
/// its sentence names besides.
fn subjects(registry: &Registry, ctx: &ClaimContext<'_>, topics: &Topics) -> TermIds {
    let against = comparators(registry, ctx.sentence);
    if against.is_empty() {
        return topics.interventions.clone();
    }
    let not_compared = |t: &Topics| -> TermIds {
        (t.interventions.iter().copied())
            .filter(|&i| !against.iter().any(|&c| related(registry, i, c)))
            .collect()
    };
    let own = not_compared(topics);
    if own.is_empty() {
        not_compared(&Topics::of(registry, ctx.sentence))
    } else {
        own
    }
}

fn judge_uncited(registry: &Registry, ctx: &ClaimContext<'_>) -> Judgement {
    let m = ctx.text;
    let rc = reg_category(ctx.claim.category);
    let required = required_level(ctx);
    let backing = (registry.entries().iter())
        .enumerate()
        .flat_map(|(i, e)| {
            let ids = terms(registry, i);
            (e.supports.iter().zip(&ids.supports)).map(move |(s, ids)| (e, s, ids))
        })
        .filter(|(_, s, _)| Some(s.category) == rc || ctx.claim.category == Category::Evidence)
        .filter(|(_, _, (interventions, _))| {
            // A study of one product backs claims about that product, not
            // about exosomes in general; and only what the sentence or its
            // paragraph names counts, not the page's general subject.
            ctx.local
                .interventions
                .first()
                .is_some_and(|&primary| interventions.iter().any(|&i| is_a(registry, primary, i)))
        })
        // A case series in alopecia areata does not back a claim about hair
        // loss in general: the support must cover the claim's condition.
        .filter(|(_, _, (_, conditions))| {
            conditions.is_empty()
                || ctx
                    .topics
                    .conditions
                    .iter()
                    .any(|&c| conditions.iter().any(|&sc| is_a(registry, c, sc)))
        })
        .map(|(e, s, _)| (e, s))
        // The strongest, then the first id; the first of equals.
        .min_by(|(a, s), (b, t)| t.level.cmp(&s.level).then_with(|| a.id.cmp(&b.id)));
    match backing {
        Some((e, s)) if s.level >= required => judgement(
            ctx,
            Verdict::Supported,
            format!("出典はありませんが、レジストリの{} が「{}」を裏付けています", short_name(e), s.wording.trim_end_matches('。')),
            &[e],
            Severity::Info,
        ),
        Some((e, s)) => judgement(
            ctx,
            Verdict::Overstated,
            format!(
                "「{m}」に出典がありません。レジストリで最も強い根拠は{}（{}）で、書けるのは「{}」までです",
                short_name(e),
                grounds(e, s.level),
                s.wording.trim_end_matches('。')
            ),
            &[e],
            ctx.severity,
        ),
        None => judgement(ctx, Verdict::Unsupported, unanswered(ctx), &[], ctx.severity),
    }
}

/// What to say of a claim that has no source and no backing: the rule's
/// own words, or, for a sentence that limits itself to a model
/// (動物実験では…), which asks for no human evidence, the study it lacks.
fn unanswered(ctx: &ClaimContext<'_>) -> String {
    let m = ctx.text;
    match ctx.claim.scope.as_deref() {
        Some(scope) => format!(
            "「{m}」は{}の結果として書かれていますが、出典がなく、レジストリにも該当する研究がありません。どの研究の結果かを示してください",
            // Scopes are named like the evidence levels (animal, in-vitro).
            [Level::InVitro, Level::Animal]
                .into_iter()
                .find(|l| l.as_str() == scope)
                .map_or(scope, |l| level_label(l))
        ),
        None => format!(
            "{}（出典なし・レジストリにも裏付けなし）",
            ctx.rule_message.replace("{match}", m)
        ),
    }
}

/// Whether the claim says how soon something named in the clause before it
/// settles (赤みや腫れが出ることがありますが、|多くは翌日には落ち着きます).
fn settles_named_burden(ctx: &ClaimContext<'_>) -> bool {
    let settles = ["落ち着", "引き", "引く", "治ま", "おさま", "消え", "なくな"]
        .iter()
        .any(|w| ctx.text.contains(w));
    let before = ctx.lead.trim_end_matches(['、', ',', '，', ' ']);
    settles && about_procedure_burden(last_clause(before))
}

/// The clause `s` ends with: from its last comma on.
fn last_clause(s: &str) -> &str {
    s.rfind(['、', ',', '，']).map_or(s, |i| &s[i..])
}

/// Whether a safety claim is about how the procedure feels or how soon
/// life goes on (痛みの少ない, ダウンタイムはほぼありません, 当日から洗髪が可能)
/// rather than about the treatment's harm (副作用, 安全, リスク): what the
/// notices say of exosome safety does not answer it.
fn about_procedure_burden(m: &str) -> bool {
    const BURDEN: &[&str] = &[
        "痛",
        "チクッ",
        "チクリ",
        "ちくっ",
        "ちくり",
        "チクン",
        "ダウンタイム",
        "メイク",
        "化粧",
        "洗顔",
        "洗髪",
        "シャンプー",
        "入浴",
        "仕事",
        "生活",
        "日常",
        "暮らし",
        "家事",
        "運動",
        "赤み",
        "腫れ",
        "内出血",
        "かさぶた",
        "むくみ",
    ];
    const HARM: &[&str] = &[
        "副作用",
        "副反応",
        "安全",
        "安心",
        "リスク",
        "危険",
        "危な",
        "アレルギー",
        "感染",
        "合併症",
        "後遺症",
        "有害",
        "事故",
        "トラブル",
        "問題",
        "影響",
        "害",
    ];
    BURDEN.iter().any(|w| m.contains(w)) && !HARM.iter().any(|w| m.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A law, a notice or a guideline is not called a study in a message.
    #[test]
    fn sources_are_named_for_their_kind() {
        use registry::Kind;
        for kind in Kind::ALL {
            let what = what_it_is(kind, "再生医療");
            assert!(what.starts_with("再生医療"), "{what}");
            assert_eq!(
                what.contains("研究"),
                kind.level_ceiling().is_some(),
                "{kind}: {what}"
            );
        }
        assert_eq!(
            what_it_is(Kind::Statute, "再生医療"),
            "再生医療を対象とする法令"
        );
        assert_eq!(
            what_it_is(Kind::Animal, "アトピー性皮膚炎"),
            "アトピー性皮膚炎を調べた研究"
        );
    }

    /// A review is named as a review of work at that level, a study by its
    /// own result.
    #[test]
    fn grounds_name_reviews_apart_from_studies() {
        let registry = Registry::builtin();
        let entry = |id: &str| registry.entries().iter().find(|e| e.id == id).unwrap();
        assert_eq!(
            grounds(entry("zhang2022_fbioe_exo_aesthetics"), Level::Animal),
            "動物実験の水準の根拠をまとめた総説"
        );
        let study = registry
            .entries()
            .iter()
            .find(|e| e.kind == registry::Kind::Animal)
            .unwrap();
        assert_eq!(grounds(study, Level::Animal), "動物実験の結果");
    }

    /// A share of patients gets the guideline's false-advertisement reason;
    /// a plain testimonial, and 役割 or 割引 in one, get the testimonial ban.
    #[test]
    fn shares_of_patients_are_told_from_testimonials() {
        for m in [
            "8割の方が効果を実感",
            "９割以上の患者様",
            "七割の方が",
            "満足度95%",
            "満足度９５％",
            "10人中9人が効果",
            "リピート率",
            "満足度の高い治療",
        ] {
            assert!(states_a_share(m), "{m}");
        }
        for m in [
            "患者様の声",
            "3回目で髪が増えたと実感",
            "割引で受けた施術で効果",
            "頭皮の役割を知って",
            "多くの患者様に選ばれています",
            "多くの患者様にご満足いただいています",
        ] {
            assert!(!states_a_share(m), "{m}");
        }
    }

    /// The yardstick of a comparison is found after の次に, より, と同等 and
    /// the like, whatever precedes it; a treatment merely named is not one.
    #[test]
    fn comparators_are_the_treatments_compared_with() {
        let registry = Registry::builtin();
        let id = |name: &str| {
            registry
                .resolved()
                .find(registry.vocabulary(), name)
                .unwrap()
        };
        let transplant = id("hair-transplant");
        let exosome = id("exosome");
        for s in [
            "当院のエクソソーム治療は、植毛の次に効果が高い治療です。",
            "エクソソーム治療は植毛よりも効果が高いとされています。",
            "エクソソームなら、自毛植毛と同等の仕上がりが期待できます。",
            "植毛に匹敵する発毛をエクソソームで。",
            "エクソソームは植毛と比べて負担が少ない治療です。",
            // No particle within twenty characters, and a one-byte one among
            // them: the phrase is the last twenty characters.
            "最新のロボットARTAS自毛植毛高密度移植システム手術より効果的です。",
        ] {
            let got = comparators(&registry, s);
            assert!(
                got.iter().any(|&t| related(&registry, t, transplant)),
                "{s}: {got:?}"
            );
            assert!(!got.contains(&exosome), "{s}: {got:?}");
        }
        for s in [
            "植毛とエクソソーム治療を組み合わせています。",
            "エクソソーム治療は植毛の前後にも受けられます。",
        ] {
            assert!(comparators(&registry, s).is_empty(), "{s}");
        }
    }
}
