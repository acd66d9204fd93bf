//! Evidence registry: the built-in data, validation errors at the right YAML
//! line and column, lookups, rendering, and robustness against hostile input.

use exolint::registry::{
    self, error, render_errors, render_list, render_show, Category, Confidence, Grade, Kind, Level,
    Population, Registry, RegistryError,
};
use std::path::Path;

/// Every source of `shared/evidence-facts.md`, by the id the digest suggests
/// (or, for sources without one, the id chosen here).
const DIGEST_IDS: &[(&str, Kind)] = &[
    ("zhang2022_fbioe_exo_aesthetics", Kind::Review),
    ("li2022_jir_adscexo_alopecia", Kind::Animal),
    ("nilforoushzadeh2020_hhorsc_pl_exo", Kind::InVitro),
    ("nilforoushzadeh2025_crdm_adexo_aa", Kind::HumanUncontrolled),
    ("cho2018_scrt_ascexo_ad", Kind::Animal),
    ("shin2020_cells_ascexo_ad_barrier", Kind::Animal),
    ("mhlw_20240731_isei_supernatant_exo", Kind::RegulatoryNotice),
    ("mhlw_20240731_iyaku_exo_reagent", Kind::RegulatoryNotice),
    (
        "supernatant_group_20240904_reagents",
        Kind::SocietyStatement,
    ),
    ("jsrm_ev_guidance_v1_2024", Kind::Guideline),
    ("jsrm_20210310_exosome_position", Kind::SocietyStatement),
    ("jsrm_20231110_proposal", Kind::SocietyStatement),
    ("jsrm_isev_mou_2025", Kind::SocietyStatement),
    ("kyodo_20240430_jsrm_ev_guidance", Kind::News),
    ("aarm_20231011_death_notice", Kind::SocietyStatement),
    ("aarm_20240805_statement", Kind::SocietyStatement),
    ("jaam_20240301_caution", Kind::SocietyStatement),
    ("jp_act_asrm_2013_85", Kind::Statute),
    ("jp_act_asrm_amend_2024_51", Kind::Statute),
    ("mhlw_20241216_ev_interim_report", Kind::Review),
    ("news_20170827_cordblood_arrests", Kind::News),
    ("mhlw_20250829_emergency_order", Kind::News),
    ("mhlw_20260313_emergency_order", Kind::News),
    ("nikkeibiotech_20231115", Kind::News),
    ("jda_aga_fphl_gl_2017", Kind::Guideline),
    ("jda_aga_gl_2010", Kind::Guideline),
    ("propecia_package_insert", Kind::PackageInsert),
    ("ersan2024_aps_exo_aga", Kind::HumanUncontrolled),
    ("tak2020_sctm_adsc_ce", Kind::HumanRct),
    ("amini2025_life_ecpe", Kind::HumanRct),
    ("researchsquare_rs6938290_exo_hair", Kind::HumanUncontrolled),
    ("olumesi2023_jcd_exo_review", Kind::Review),
    ("mao2023_scrr_cell_therapy_aga", Kind::Review),
    ("fda_20191206_exosome_notice", Kind::RegulatoryNotice),
    ("tokyo_201303_keihyo_stemcell_salon", Kind::RegulatoryNotice),
    ("jima_survey_regen_ads", Kind::SocietyStatement),
    ("mhlw_ad_guideline", Kind::RegulatoryNotice),
    ("mhlw_ad_casebook", Kind::RegulatoryNotice),
    ("mhlw_ad_guideline_qa", Kind::RegulatoryNotice),
];

fn builtin() -> Registry {
    Registry::builtin()
}

// ---------------------------------------------------------------- built-ins

#[test]
fn builtin_loads_and_checks_clean() {
    let r = builtin();
    let errors = r.check();
    assert!(errors.is_empty(), "{}", render_errors(&r, &errors));
    assert_eq!(r.entries().len(), DIGEST_IDS.len());
}

#[test]
fn builtin_table_matches_rules_registry_directory() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/registry");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("rules/registry exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
        .map(|n| format!("rules/registry/{n}"))
        .collect();
    on_disk.sort();
    let mut table: Vec<String> = registry::builtin_files()
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    assert_eq!(
        table.first().map(String::as_str),
        Some("rules/registry/_vocabulary.yaml")
    );
    table.sort();
    assert_eq!(
        table, on_disk,
        "src/registry/builtin.rs and rules/registry/ differ"
    );
    for (path, text) in registry::builtin_files() {
        let disk = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
            .expect("readable");
        assert_eq!(&disk, text, "{path}");
    }
}

#[test]
fn builtin_directory_loads_from_disk_like_the_embedded_copy() {
    let mut r = Registry::empty();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/registry");
    let loaded = r.load_path(&dir);
    assert!(
        loaded.is_ok(),
        "{}",
        render_errors(&r, &loaded.err().unwrap_or_default())
    );
    assert!(r.check().is_empty());
    assert_eq!(r.entries().len(), builtin().entries().len());
}

#[test]
fn reloading_the_same_vocabulary_is_not_a_duplicate() {
    let mut r = Registry::with_builtin_vocabulary();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/registry");
    assert!(r.load_path(&dir).is_ok());
    assert!(r.check().is_empty(), "{}", render_errors(&r, &r.check()));
    // A changed definition of the same id is still a conflict.
    let t = "conditions:\n  - id: aga\n    label: 別物\n    patterns: ['x']\n";
    assert!(r.load_str("team/_vocabulary.yaml", t).is_ok());
    assert_eq!(
        one(&r.check(), error::DUPLICATE_ID).origin,
        "team/_vocabulary.yaml"
    );
}

#[test]
fn every_digest_source_is_present_with_its_kind() {
    let r = builtin();
    for (id, kind) in DIGEST_IDS {
        let e = r.get(id).unwrap_or_else(|| panic!("missing entry {id}"));
        assert_eq!(e.kind, *kind, "{id}");
        assert!(!e.aliases.is_empty(), "{id} has no aliases");
        assert!(!e.reviewed.as_str().is_empty());
    }
}

#[test]
fn digest_identifiers_are_recorded() {
    let r = builtin();
    let get = |id: &str| r.get(id).unwrap_or_else(|| panic!("{id}"));
    let cho = get("cho2018_scrt_ascexo_ad");
    assert_eq!(cho.doi.as_deref(), Some("10.1186/s13287-018-0939-5"));
    assert_eq!(cho.pmid.as_deref(), Some("29996938"));
    assert_eq!(cho.pmcid.as_deref(), Some("PMC6042362"));
    let zhang = get("zhang2022_fbioe_exo_aesthetics");
    assert_eq!(zhang.doi.as_deref(), Some("10.3389/fbioe.2022.1083640"));
    assert_eq!(zhang.pmcid.as_deref(), Some("PMC9810265"));
    assert_eq!(zhang.pmid, None, "the digest has no PMID for Zhang 2022");
    assert_eq!(
        get("li2022_jir_adscexo_alopecia").doi.as_deref(),
        Some("10.1155/2022/7471246")
    );
    assert_eq!(
        get("nilforoushzadeh2020_hhorsc_pl_exo").pmcid.as_deref(),
        Some("PMC7392975")
    );
    assert_eq!(get("nilforoushzadeh2020_hhorsc_pl_exo").doi, None);
    assert_eq!(
        get("nilforoushzadeh2025_crdm_adexo_aa").doi.as_deref(),
        Some("10.1155/crdm/4908438")
    );
    assert_eq!(
        get("shin2020_cells_ascexo_ad_barrier").pmid.as_deref(),
        Some("32164386")
    );
    let ersan = get("ersan2024_aps_exo_aga");
    assert_eq!(ersan.pmid.as_deref(), Some("39174804"));
    assert_eq!(ersan.nct.as_deref(), Some("NCT06539273"));
    let tak = get("tak2020_sctm_adsc_ce");
    assert_eq!(tak.nct.as_deref(), Some("NCT02594046"));
    assert_eq!(tak.pmcid.as_deref(), Some("PMC7381807"));
    assert_eq!(
        get("amini2025_life_ecpe").doi.as_deref(),
        Some("10.3390/life15030500")
    );
    assert_eq!(
        get("amini2025_life_ecpe").nct.as_deref(),
        Some("NCT06930326")
    );
    assert_eq!(
        get("mao2023_scrr_cell_therapy_aga").pmcid.as_deref(),
        Some("PMC10390634")
    );
    assert_eq!(
        get("researchsquare_rs6938290_exo_hair").doi.as_deref(),
        Some("10.21203/rs.3.rs-6938290/v1")
    );
    assert_eq!(
        get("jp_act_asrm_2013_85").law_number.as_deref(),
        Some("平成25年法律第85号")
    );
    assert_eq!(
        get("jp_act_asrm_amend_2024_51").law_number.as_deref(),
        Some("令和6年法律第51号")
    );
    assert_eq!(
        get("mhlw_ad_guideline").notice_number.as_deref(),
        Some("医政発0508第1号")
    );
    assert!(get("mhlw_20240731_isei_supernatant_exo")
        .url
        .iter()
        .any(|u| u.ends_with("001281987.pdf")));
    assert!(get("mhlw_20240731_iyaku_exo_reagent")
        .url
        .iter()
        .any(|u| u.ends_with("T240731I0040.pdf")));
    assert!(get("fda_20191206_exosome_notice")
        .url
        .iter()
        .any(|u| u.contains("fda.gov")));
    assert_eq!(
        get("fda_20191206_exosome_notice")
            .published
            .as_ref()
            .map(|d| d.as_str()),
        Some("2019-12-06")
    );
}

#[test]
fn guideline_grades_follow_the_digest_majority() {
    let r = builtin();
    let gl = r.get("jda_aga_fphl_gl_2017").expect("guideline");
    let g = |i: &str, p: Population| gl.grade_for(i, p);
    assert_eq!(g("finasteride", Population::Men), Some(Grade::A));
    assert_eq!(g("finasteride", Population::Women), Some(Grade::D));
    assert_eq!(g("dutasteride", Population::Men), Some(Grade::A));
    assert_eq!(g("minoxidil-topical", Population::Women), Some(Grade::A));
    assert_eq!(
        g("autologous-hair-transplant", Population::Men),
        Some(Grade::B)
    );
    assert_eq!(
        g("autologous-hair-transplant", Population::Women),
        Some(Grade::C1)
    );
    assert_eq!(
        g("growth-factor-cell-therapy", Population::Men),
        Some(Grade::C2)
    );
    assert_eq!(g("minoxidil-oral", Population::Men), Some(Grade::D));
    assert_eq!(g("wig", Population::Women), Some(Grade::C1));
    assert_eq!(gl.grades.len(), 30);
    // The disputed grades are flagged as unconfirmed.
    assert!(gl.unconfirmed.iter().any(|u| u.contains("自毛植毛")));
    assert!(gl.unconfirmed.iter().any(|u| u.contains("細胞移植")));
}

#[test]
fn unconfirmed_sources_are_marked_and_back_nothing() {
    let r = builtin();
    for id in ["aarm_20240805_statement", "nikkeibiotech_20231115"] {
        let e = r.get(id).expect(id);
        assert_eq!(e.confidence, Confidence::Unconfirmed, "{id}");
        assert!(e.supports.is_empty() && e.contradicts.is_empty(), "{id}");
        assert!(
            e.published.is_none(),
            "{id}: an unconfirmed date must not be recorded as fact"
        );
        assert!(
            !e.unconfirmed.is_empty() && !e.limitations.is_empty(),
            "{id}"
        );
    }
    for e in r.entries() {
        if e.confidence == Confidence::Unconfirmed {
            assert!(
                e.supports.is_empty(),
                "{} is unconfirmed but backs claims",
                e.id
            );
        }
    }
    let show = render_show(&r, "aarm_20240805_statement").expect("shown");
    assert!(show.contains("【未確認】"), "{show}");
}

#[test]
fn miscited_study_records_what_it_did_not_test() {
    let r = builtin();
    let n = r.get("nilforoushzadeh2020_hhorsc_pl_exo").expect("entry");
    assert_eq!(n.max_level(), Some(Level::InVitro));
    assert!(!n.interventions.iter().any(|i| i == "adsc-exosome"));
    assert!(n
        .contradicts
        .iter()
        .any(|c| c.category == Category::Superiority));
    assert!(n
        .contradicts
        .iter()
        .any(|c| c.interventions.iter().any(|i| i == "adsc-exosome")));
    let li = r.get("li2022_jir_adscexo_alopecia").expect("entry");
    assert_eq!(li.max_level(), Some(Level::Animal));
    assert!(li
        .contradicts
        .iter()
        .any(|c| c.conditions.iter().any(|x| x == "aga")));
}

#[test]
fn user_facing_texts_follow_the_message_convention() {
    let r = builtin();
    let mut cats = std::collections::BTreeSet::new();
    for e in r.entries() {
        for c in &e.contradicts {
            cats.insert(c.category);
            assert!(
                !c.reason.contains('。'),
                "{}: reason must be one sentence without 。: {}",
                e.id,
                c.reason
            );
            assert!(
                c.reason.chars().count() <= 120,
                "{}: reason too long: {}",
                e.id,
                c.reason
            );
            assert!(!c.reason.contains('{'), "{}", e.id);
        }
        for s in &e.supports {
            assert!(!s.wording.ends_with('。'), "{}: {}", e.id, s.wording);
            if let Some(ceiling) = e.kind.level_ceiling() {
                assert!(s.level <= ceiling, "{}", e.id);
            }
        }
        for l in &e.limitations {
            assert!(!l.trim().is_empty(), "{}", e.id);
        }
    }
    for c in Category::ALL {
        assert!(cats.contains(&c), "no built-in entry refutes a `{c}` claim");
    }
}

#[test]
fn lookups_normalise_identifiers() {
    let r = builtin();
    let id = |e: Option<&registry::Entry>| e.map(|e| e.id.clone());
    assert_eq!(
        id(r.find_by_doi("https://doi.org/10.1186/S13287-018-0939-5")).as_deref(),
        Some("cho2018_scrt_ascexo_ad")
    );
    assert_eq!(
        id(r.find_by_doi("doi:10.1007/s00266-024-04332-3.")).as_deref(),
        Some("ersan2024_aps_exo_aga")
    );
    assert_eq!(
        id(r.find_by_pmid("PMID: 29996938")).as_deref(),
        Some("cho2018_scrt_ascexo_ad")
    );
    assert_eq!(
        id(r.find_by_pmcid("pmc9810265")).as_deref(),
        Some("zhang2022_fbioe_exo_aesthetics")
    );
    assert_eq!(
        id(r.find_by_pmcid("7392975")).as_deref(),
        Some("nilforoushzadeh2020_hhorsc_pl_exo")
    );
    assert_eq!(
        id(r.find_by_nct("nct02594046")).as_deref(),
        Some("tak2020_sctm_adsc_ce")
    );
    assert_eq!(
        id(r.find_by_url("http://www.mhlw.go.jp/content/001281987.pdf")).as_deref(),
        Some("mhlw_20240731_isei_supernatant_exo")
    );
    assert!(r.find_by_doi("10.9999/none").is_none());
    let by_name: Vec<String> = r
        .find_by_name("Ｃｈｏら(2018)")
        .iter()
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(by_name, vec!["cho2018_scrt_ascexo_ad".to_string()]);
    assert_eq!(r.find_by_name("医療広告ガイドライン").len(), 1);
    assert!(r.find_by_name("、").is_empty());
}

#[test]
fn vocabulary_tags_japanese_copy_with_the_most_specific_terms() {
    let r = builtin();
    let v = r.vocabulary();
    let tags = |text: &str| -> Vec<String> {
        let mut ids: Vec<String> = v.tag(text).iter().map(|m| m.term.id.clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    assert_eq!(
        tags("脂肪由来幹細胞エクソソームでAGAの発毛を"),
        vec!["adsc-exosome", "aga", "hair-loss"]
    );
    assert_eq!(
        tags("ヒト幹細胞培養上清液の点滴"),
        vec!["iv-administration", "stem-cell-conditioned-medium"]
    );
    assert_eq!(tags("FAGAの方へ"), vec!["fphl"]);
    assert_eq!(
        tags("ミノタブとリアップ"),
        vec!["minoxidil-oral", "minoxidil-topical"]
    );
    assert_eq!(tags("円形脱毛症"), vec!["alopecia-areata"]);
    assert!(
        tags("全身脱毛サロン").is_empty(),
        "hair removal is not hair loss"
    );
    assert!(tags("楽しみです").is_empty());
    assert!(v.is_a("adsc-exosome", "exosome"));
    assert!(v.is_a("alopecia-areata", "hair-loss"));
    assert!(v.is_a("skin-aging", "anti-aging"));
    assert!(!v.is_a("exosome", "adsc-exosome"));
    assert!(!v.is_a("stem-cell-conditioned-medium", "exosome"));
}

#[test]
fn with_builtin_vocabulary_has_terms_but_no_entries() {
    let mut r = Registry::with_builtin_vocabulary();
    assert!(r.entries().is_empty());
    assert!(r.vocabulary().get("exosome").is_some());
    let ok = r.load_str(
        "team/x.yaml",
        &entry("x", "interventions: [adsc-exosome]\n"),
    );
    assert!(ok.is_ok());
    assert!(r.check().is_empty(), "{:?}", r.check());
}

#[test]
fn render_list_aligns_one_line_per_entry() {
    let r = builtin();
    let list = render_list(&r);
    assert_eq!(list.lines().count(), r.entries().len());
    let col = |line: &str| line.find("  ").unwrap_or(0);
    let first = list.lines().next().map(col);
    assert!(list
        .lines()
        .all(|l| Some(col(l)) <= first.map(|c| c.max(col(l)))));
    let cho = list
        .lines()
        .find(|l| l.starts_with("cho2018_scrt_ascexo_ad"))
        .expect("listed");
    assert!(
        cho.contains("animal") && cho.contains("2018") && cho.contains("confirmed"),
        "{cho}"
    );
}

#[test]
fn render_show_prints_every_field() {
    let r = builtin();
    let s = render_show(&r, "cho2018_scrt_ascexo_ad").expect("shown");
    for needle in [
        "10.1186/s13287-018-0939-5",
        "29996938",
        "PMC6042362",
        "NC/Nga",
        "animal",
        "【未確認】",
        "裏付けられる主張",
        "否定",
        "確認日",
    ] {
        assert!(s.contains(needle), "missing {needle} in\n{s}");
    }
    assert!(render_show(&r, "no-such-id").is_none());
    let g = render_show(&r, "jda_aga_fphl_gl_2017").expect("shown");
    assert!(g.contains("推奨度") && g.contains("C2"), "{g}");
}

// ---------------------------------------------------------------- errors

/// A valid entry with `extra` lines appended.
fn entry(id: &str, extra: &str) -> String {
    format!("id: {id}\nkind: animal\ntitle: テスト\nconfidence: confirmed\nreviewed: 2026-01-01\n{extra}")
}

fn load_err(origin: &str, text: &str) -> Vec<RegistryError> {
    let mut r = Registry::with_builtin_vocabulary();
    match r.load_str(origin, text) {
        Ok(()) => r.check(),
        Err(mut e) => {
            e.extend(r.check());
            e
        }
    }
}

fn one(errors: &[RegistryError], code: &str) -> RegistryError {
    let found: Vec<&RegistryError> = errors.iter().filter(|e| e.code == code).collect();
    assert_eq!(found.len(), 1, "expected one {code}, got {errors:#?}");
    found[0].clone()
}

fn assert_at(e: &RegistryError, text: &str, line: usize, column: usize, snippet: &str) {
    assert_eq!((e.line, e.column), (line, column), "{e:#?}");
    assert_eq!(text.get(e.range.clone()), Some(snippet), "{e:#?}");
}

#[test]
fn unknown_key_is_exl902_at_the_key() {
    let t = entry("x", "supports:\n  - category: efficacy\n    levl: animal\n");
    let e = one(&load_err("t.yaml", &t), error::SCHEMA);
    assert_at(&e, &t, 8, 5, "levl");
    assert!(e.message.contains("`level`"), "{}", e.message);
}

#[test]
fn wrong_type_is_exl902_at_the_value() {
    let t = entry("x", "year: 二千\n");
    let e = one(&load_err("t.yaml", &t), error::SCHEMA);
    assert_eq!((e.line, e.column), (6, 7));
    assert!(e.message.contains("型が違います"), "{}", e.message);
    let t = entry("x", "level: animal\nkind2: x\n");
    assert_eq!(one(&load_err("t.yaml", &t), error::SCHEMA).line, 6);
    let t = "id: x\nkind: mouse\ntitle: t\nconfidence: confirmed\nreviewed: 2026-01-01\n";
    let e = one(&load_err("t.yaml", t), error::SCHEMA);
    assert_at(&e, t, 2, 7, "mouse");
}

#[test]
fn duplicate_id_is_exl903_at_the_second_definition() {
    let mut r = Registry::with_builtin_vocabulary();
    assert!(r.load_str("a.yaml", &entry("same", "")).is_ok());
    let second = format!("# 2\n{}", entry("same", ""));
    assert!(r.load_str("b.yaml", &second).is_ok());
    let e = one(&r.check(), error::DUPLICATE_ID);
    assert_eq!(e.origin, "b.yaml");
    assert_at(&e, &second, 2, 5, "same");
    assert!(e.message.contains("a.yaml:1:5"), "{}", e.message);
    assert_eq!(
        r.get("same").map(|x| x.source_index()),
        Some(r.sources().len() - 2)
    );
    // Against the built-ins too.
    let mut b = Registry::builtin();
    assert!(b
        .load_str("team.yaml", &entry("cho2018_scrt_ascexo_ad", ""))
        .is_ok());
    assert_eq!(one(&b.check(), error::DUPLICATE_ID).origin, "team.yaml");
}

#[test]
fn bad_doi_and_pmcid_are_exl904_at_the_value() {
    let t = entry("x", "doi: https://doi.org/10.1186/abc\npmcid: \"6042362\"\npmid: 29996938\nnct: NCT1\nurl: [https://ok.example/a, www.example.com]\n");
    let errors = load_err("t.yaml", &t);
    let bad: Vec<&RegistryError> = errors
        .iter()
        .filter(|e| e.code == error::MALFORMED_IDENTIFIER)
        .collect();
    assert_eq!(bad.len(), 4, "{errors:#?}");
    assert_at(bad[0], &t, 6, 6, "https://doi.org/10.1186/abc");
    assert!(bad[0].message.contains("接頭辞"), "{}", bad[0].message);
    assert_at(bad[1], &t, 7, 8, "\"6042362\"");
    assert_at(bad[2], &t, 9, 6, "NCT1");
    assert_at(bad[3], &t, 10, 29, "www.example.com");
    let t = entry("Bad_Id", "");
    assert_eq!(
        one(&load_err("t.yaml", &t), error::MALFORMED_IDENTIFIER).line,
        1
    );
}

#[test]
fn dangling_references_are_exl905_at_the_reference() {
    let t = entry(
        "x",
        "interventions: [adsc-exosome, exosom]\nsupports:\n  - category: efficacy\n    conditions:\n      - hair-los\n    level: animal\n    wording: w\nrelated: [cho2018_scrt_ascexo_ad]\ngrades:\n  - {intervention: aga, population: men, grade: A}\n",
    );
    let errors = load_err("t.yaml", &t);
    let d: Vec<&RegistryError> = errors
        .iter()
        .filter(|e| e.code == error::DANGLING_REFERENCE)
        .collect();
    assert_eq!(d.len(), 4, "{errors:#?}");
    assert_at(d[0], &t, 6, 31, "exosom");
    assert!(
        d[0].message.contains("`exosome` の誤り"),
        "{}",
        d[0].message
    );
    assert_at(d[1], &t, 10, 9, "hair-los");
    assert_at(d[2], &t, 15, 20, "aga");
    assert!(
        d[2].message.contains("対象の症状・疾患の語彙"),
        "{}",
        d[2].message
    );
    assert_at(d[3], &t, 13, 11, "cho2018_scrt_ascexo_ad");
}

#[test]
fn invalid_pattern_is_exl906_at_the_pattern() {
    let t = "interventions:\n  - id: good\n    label: よい\n    patterns: ['ok']\n  - id: bad\n    label: だめ\n    patterns:\n      - 'fine'\n      - '(unclosed'\n      - 'a*'\nconditions:\n  - id: c\n    label: 症状\n    broader: [nowhere]\n    patterns: ['\\w{1000}{1000}']\n";
    let errors = load_err("_vocabulary.yaml", t);
    let p: Vec<&RegistryError> = errors
        .iter()
        .filter(|e| e.code == error::INVALID_PATTERN)
        .collect();
    assert_eq!(p.len(), 3, "{errors:#?}");
    assert_at(p[0], t, 9, 9, "'(unclosed'");
    assert_at(p[1], t, 10, 9, "'a*'");
    assert!(p[1].message.contains("空文字列"), "{}", p[1].message);
    assert_eq!(p[2].line, 15);
    assert!(p[2].message.contains("大きすぎ"), "{}", p[2].message);
    let d = one(&errors, error::DANGLING_REFERENCE);
    assert_at(&d, t, 14, 15, "nowhere");
}

#[test]
fn broader_cycles_and_duplicate_terms_are_errors() {
    let t = "conditions:\n  - id: a\n    label: A\n    broader: [b]\n    patterns: [x]\n  - id: b\n    label: B\n    broader: [a]\n    patterns: [y]\n  - id: a\n    label: A2\n    patterns: [z]\n";
    let mut r = Registry::empty();
    assert!(r.load_str("_vocabulary.yaml", t).is_ok());
    let errors = r.check();
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.code == error::DANGLING_REFERENCE)
            .count(),
        2,
        "{errors:#?}"
    );
    assert_at(&one(&errors, error::DUPLICATE_ID), t, 10, 9, "a");
}

#[test]
fn syntax_error_is_exl901() {
    let t = "id: x\nkind: animal\ntitle: \"unterminated\nconfidence: confirmed\n";
    let e = one(&load_err("t.yaml", t), error::YAML_SYNTAX);
    assert!(e.line >= 3, "{e:#?}");
    let t = "id: x\n  kind: animal\n: :\n";
    assert_eq!(load_err("t.yaml", t)[0].code, error::YAML_SYNTAX);
    assert_eq!(
        one(&load_err("t.yaml", "   \n"), error::YAML_SYNTAX).message,
        "ファイルが空です"
    );
}

#[test]
fn dates_and_inconsistencies_are_exl908_and_exl909() {
    let t = entry("x", "published: 2023-02-29\nyear: 2022\nsupports:\n  - {category: efficacy, level: human-controlled, wording: w}\nrelated: [x]\n");
    let errors = load_err("t.yaml", &t);
    assert_at(&one(&errors, error::INVALID_DATE), &t, 6, 12, "2023-02-29");
    let inc: Vec<&RegistryError> = errors
        .iter()
        .filter(|e| e.code == error::INCONSISTENT_ENTRY)
        .collect();
    assert_eq!(inc.len(), 2, "{errors:#?}");
    assert_at(inc[0], &t, 9, 33, "human-controlled");
    assert_at(inc[1], &t, 10, 11, "x");
    let ok = entry("x", "published: 2022\nyear: 2022\n");
    assert!(load_err("t.yaml", &ok).is_empty());
}

#[test]
fn file_stem_must_match_id_in_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("wrong_name.yaml");
    let text = entry("right_name", "");
    std::fs::write(&path, &text).expect("write");
    std::fs::write(dir.path().join("_notes.yaml"), "not: [an entry").expect("write");
    std::fs::write(dir.path().join("readme.txt"), "ignored").expect("write");
    let mut r = Registry::with_builtin_vocabulary();
    let errors = r.load_path(dir.path()).expect_err("mismatch");
    let e = one(&errors, error::ID_FILENAME_MISMATCH);
    assert_at(&e, &text, 1, 5, "right_name");
    assert_eq!(e.origin, path.display().to_string());
    assert_eq!(
        errors.len(),
        1,
        "underscore files and non-YAML files are skipped: {errors:#?}"
    );
    // The entry still loads; loading a single file does not check its name.
    assert!(r.get("right_name").is_some());
    let mut single = Registry::with_builtin_vocabulary();
    assert!(single.load_path(&path).is_ok());
}

#[test]
fn a_directory_may_extend_the_vocabulary() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("_vocabulary.yaml"),
        "interventions:\n  - id: brand-x-exosome\n    label: ブランドXのエクソソーム\n    broader: [exosome]\n    patterns: ['ブランドX']\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("team_a.yaml"),
        entry("team_a", "interventions: [brand-x-exosome]\n"),
    )
    .expect("write");
    let sub = dir.path().join("more");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(
        sub.join("team_b.yml"),
        entry("team_b", "related: [team_a]\n"),
    )
    .expect("write");
    let mut r = Registry::builtin();
    assert!(r.load_path(dir.path()).is_ok());
    assert!(r.check().is_empty(), "{:#?}", r.check());
    assert!(r.vocabulary().is_a("brand-x-exosome", "exosome"));
    assert!(r.get("team_b").is_some());
}

#[test]
fn a_file_may_hold_a_list_of_entries() {
    let t = format!(
        "- {}\n- {}\n",
        entry("l1", "").replace('\n', "\n  ").trim_end(),
        entry("l2", "doi: 10.1/x").replace('\n', "\n  ").trim_end()
    );
    let errors = load_err("list.yaml", &t);
    let e = one(&errors, error::MALFORMED_IDENTIFIER);
    assert_eq!(t.get(e.range.clone()), Some("10.1/x"));
    assert_eq!(e.line, 11);
}

#[test]
fn missing_path_is_an_io_error() {
    let mut r = Registry::empty();
    let errors = r
        .load_path(Path::new("/nonexistent/registry"))
        .expect_err("io");
    assert_eq!(errors[0].code, error::IO);
    assert!(render_errors(&r, &errors).contains("EXL910"));
}

#[test]
fn errors_render_as_diagnostics_with_a_caret() {
    let mut r = Registry::with_builtin_vocabulary();
    let t = entry("x", "doi: 10.12/x\n");
    let errors = r.load_str("team/x.yaml", &t).expect_err("bad doi");
    let out = render_errors(&r, &errors);
    assert!(out.contains("error[EXL904]"), "{out}");
    assert!(out.contains("team/x.yaml:6:6"), "{out}");
    assert!(out.contains("^^^^^^^"), "{out}");
    let d = registry::error_to_diagnostic(&errors[0], 0);
    assert_eq!(d.code.as_deref(), Some("EXL904"));
    for (code, name) in error::CODES {
        assert_eq!(error::code_name(code), name);
    }
}

// ---------------------------------------------------------------- robustness

fn hostile_inputs() -> Vec<String> {
    let mut v = vec![
        String::new(),
        "[".to_string(),
        "[".repeat(10_000),
        "{".repeat(10_000),
        "- ".repeat(20_000),
        format!("id: {}", "a".repeat(1 << 20)),
        format!("title: \"{}\"", "日本語".repeat(100_000)),
        "\u{0}\u{1}\u{2}\u{7f}\u{fffd}\u{fffd}".to_string(),
        "a: &a [*a, *a]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b, *b]\n".to_string(),
        "a: &x\n  b: *x\n".to_string(),
        "*unknown".to_string(),
        "--- \n---\nid: x\n".to_string(),
        "? complex\n: key\n".to_string(),
        "id: x\n\t- tab".to_string(),
        "id: !!binary aGVsbG8=\n".to_string(),
        "\u{feff}id: 日本\nkind: [\n".to_string(),
        "id: x\nkind: animal\ntitle: t\nconfidence: confirmed\nreviewed: 2026-99-99\nurl: [\"\u{3000}\"]\n".to_string(),
        "interventions:\n  - id: x\n    label: y\n    patterns: ['(?:(?:a{100}){100}){100}']\n".to_string(),
    ];
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    v.push(String::from_utf8_lossy(&junk).into_owned());
    v
}

fn assert_well_formed(errors: &[RegistryError], text: &str) {
    for e in errors {
        assert!(e.code.starts_with("EXL9"), "{e:#?}");
        assert!(
            text.get(e.range.clone()).is_some(),
            "range off a char boundary: {e:?}"
        );
        assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        assert!(!e.message.is_empty());
    }
}

#[test]
fn hostile_inputs_are_diagnostics_not_panics() {
    for text in hostile_inputs() {
        for origin in ["h.yaml", "_vocabulary.yaml"] {
            let mut r = Registry::with_builtin_vocabulary();
            let mut errors = r.load_str(origin, &text).err().unwrap_or_default();
            errors.extend(r.check());
            assert_well_formed(&errors, &text);
            let _ = render_errors(&r, &errors);
        }
    }
}

#[test]
fn binary_file_is_a_syntax_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bin.yaml");
    std::fs::write(&path, b"id: x\n\xff\xfe\x00junk").expect("write");
    let mut r = Registry::empty();
    let errors = r.load_path(&path).expect_err("not utf-8");
    let e = one(&errors, error::YAML_SYNTAX);
    assert_eq!((e.line, e.column), (2, 1));
    assert!(render_errors(&r, &errors).contains("bin.yaml"));
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn loading_never_panics(text in "[a-z0-9 :\\-\\[\\]{}'\"#|>&*!,\n\t日本語]{0,160}") {
            let mut r = Registry::with_builtin_vocabulary();
            let mut errors = r.load_str("p.yaml", &text).err().unwrap_or_default();
            errors.extend(r.check());
            assert_well_formed(&errors, &text);
        }

        #[test]
        fn entry_shaped_input_never_panics(value in "[a-zA-Z0-9 :/._\\-\\[\\]{}'\"日本]{0,40}", key in "(doi|pmid|pmcid|nct|url|published|year|interventions|related|supports|grades|kind)") {
            let text = entry("x", &format!("{key}: {value}\n"));
            let mut r = Registry::with_builtin_vocabulary();
            let mut errors = r.load_str("p.yaml", &text).err().unwrap_or_default();
            errors.extend(r.check());
            assert_well_formed(&errors, &text);
        }
    }
}
