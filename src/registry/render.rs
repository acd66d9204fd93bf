//! Plain-text views of the registry for `exolint registry list|show`.

use super::schema::Confidence;
use super::Registry;
use std::fmt::Write as _;

/// Columns of title shown by `render_list` and in related-entry lines.
const TITLE_CHARS: usize = 60;

/// One line per entry: id, kind, year, confidence and a short title, in
/// aligned columns (ids and kinds are ASCII, so byte widths align).
pub fn render_list(registry: &Registry) -> String {
    let entries = registry.entries();
    let id_w = entries.iter().map(|e| e.id.len()).max().unwrap_or(2).max(2);
    let kind_w = entries
        .iter()
        .map(|e| e.kind.as_str().len())
        .max()
        .unwrap_or(4)
        .max(4);
    let conf_w = "unconfirmed".len();
    let mut out = String::new();
    for e in entries {
        let year = e
            .year
            .map(|y| y.to_string())
            .or_else(|| {
                e.published
                    .as_ref()
                    .and_then(|p| p.parse())
                    .map(|p| p.year.to_string())
            })
            .unwrap_or_else(|| "----".to_string());
        let line = format!(
            "{:id_w$}  {:kind_w$}  {:4}  {:conf_w$}  {}",
            e.id,
            e.kind.as_str(),
            year,
            e.confidence.as_str(),
            truncate(&e.title, TITLE_CHARS)
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Truncates to `max` terminal columns, counting East Asian wide characters
/// as two, and marks the cut with `…`.
fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().map(width).sum::<usize>() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = width(ch);
        if used + w > max.saturating_sub(1) {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}

fn width(ch: char) -> usize {
    let c = ch as u32;
    let wide = matches!(c,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
    if wide {
        2
    } else {
        1
    }
}

/// Every field of one entry with Japanese labels; facts that are not
/// confirmed are marked 【未確認】. `None` when no entry has this id.
pub fn render_show(registry: &Registry, id: &str) -> Option<String> {
    let e = registry.get(id)?;
    let v = registry.vocabulary();
    let mut o = String::new();
    let term = |id: &str| match v.get(id) {
        Some(t) => format!("{id}（{}）", t.label),
        None => id.to_string(),
    };
    let terms = |ids: &[String]| {
        if ids.is_empty() {
            "（指定なし＝すべて）".to_string()
        } else {
            ids.iter().map(|i| term(i)).collect::<Vec<_>>().join("、")
        }
    };
    let _ = writeln!(o, "{}", e.id);
    if e.confidence == Confidence::Unconfirmed {
        let _ = writeln!(o, "【未確認】この資料の内容（または存在そのもの）は確認できていません。根拠として引用しないでください。");
    }
    field(
        &mut o,
        "種類",
        &format!("{}（{}）", e.kind.as_str(), e.kind.label()),
    );
    field(&mut o, "題名", &e.title);
    list(&mut o, "別名", &e.aliases);
    if !e.authors.is_empty() {
        field(&mut o, "著者", &e.authors.join(", "));
    }
    if let Some(y) = e.year {
        field(&mut o, "年", &y.to_string());
    }
    if let Some(p) = &e.published {
        field(&mut o, "公表日", p.as_str());
    }
    opt(&mut o, "掲載誌・発行元", &e.venue);
    opt(&mut o, "DOI", &e.doi);
    opt(&mut o, "PMID", &e.pmid);
    opt(&mut o, "PMCID", &e.pmcid);
    opt(&mut o, "NCT", &e.nct);
    list(&mut o, "URL", &e.url);
    opt(&mut o, "通知番号", &e.notice_number);
    opt(&mut o, "法令番号", &e.law_number);
    opt(&mut o, "対象者", &e.population);
    opt(&mut o, "モデル", &e.model);
    opt(&mut o, "デザイン", &e.design);
    if !e.interventions.is_empty() {
        field(&mut o, "介入", &terms(&e.interventions));
    }
    if !e.conditions.is_empty() {
        field(&mut o, "対象の症状・疾患", &terms(&e.conditions));
    }
    list(&mut o, "主な所見", &e.findings);
    if !e.supports.is_empty() {
        let _ = writeln!(o, "裏付けられる主張:");
        for s in &e.supports {
            let _ = writeln!(o, "  - [{}] {}（{}）", s.category, s.level.label(), s.level);
            let _ = writeln!(o, "      介入: {}", terms(&s.interventions));
            let _ = writeln!(o, "      症状: {}", terms(&s.conditions));
            let _ = writeln!(o, "      言える表現: 「{}」", s.wording);
        }
    } else {
        let _ = writeln!(o, "裏付けられる主張: なし");
    }
    if !e.contradicts.is_empty() {
        let _ = writeln!(o, "否定・不適切とされる主張:");
        for c in &e.contradicts {
            let _ = writeln!(o, "  - [{}] 「{}」", c.category, c.claim);
            if !c.interventions.is_empty() {
                let _ = writeln!(o, "      介入: {}", terms(&c.interventions));
            }
            if !c.conditions.is_empty() {
                let _ = writeln!(o, "      症状: {}", terms(&c.conditions));
            }
            let _ = writeln!(o, "      理由: {}", c.reason);
        }
    }
    if !e.grades.is_empty() {
        let _ = writeln!(o, "推奨度:");
        for g in &e.grades {
            let _ = writeln!(
                o,
                "  - {} / {}: {}（{}）",
                term(&g.intervention),
                g.population.label(),
                g.grade,
                g.grade.label()
            );
        }
    }
    list(&mut o, "限界・注意", &e.limitations);
    field(
        &mut o,
        "確度",
        &format!("{}（{}）", e.confidence.as_str(), e.confidence.label()),
    );
    if !e.unconfirmed.is_empty() {
        let _ = writeln!(o, "未確認の事項:");
        for u in &e.unconfirmed {
            let _ = writeln!(o, "  - 【未確認】{u}");
        }
    }
    if !e.related.is_empty() {
        let _ = writeln!(o, "関連:");
        for r in &e.related {
            match registry.get(r) {
                Some(x) => {
                    let _ = writeln!(o, "  - {r}（{}）", truncate(&x.title, TITLE_CHARS));
                }
                None => {
                    let _ = writeln!(o, "  - {r}");
                }
            }
        }
    }
    field(&mut o, "確認日", e.reviewed.as_str());
    if let Some(src) = registry.source_of(e) {
        field(&mut o, "定義ファイル", &src.name);
    }
    Some(o)
}

fn field(o: &mut String, label: &str, value: &str) {
    let _ = writeln!(o, "{label}: {}", value.trim_end());
}

fn opt(o: &mut String, label: &str, value: &Option<String>) {
    if let Some(v) = value {
        field(o, label, v);
    }
}

fn list(o: &mut String, label: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let _ = writeln!(o, "{label}:");
    for v in values {
        let _ = writeln!(o, "  - {}", v.trim_end());
    }
}
