//! The fast paths against the implementation they replaced
//! ([`super::reference`]), form by form and end to end, on the annotated
//! corpus and on generated text made of every form, its near misses, and
//! characters that fold or space unusually.

use super::reference as old;
use super::*;
use crate::markup::{self, markdown, text};
use crate::source::Format;
use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

/// A deterministic xorshift generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

/// The characters a case-insensitive pattern matches for `c`.
fn orbit(c: char) -> Vec<char> {
    let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
    class.case_fold_simple();
    class.iter().flat_map(|r| r.start()..=r.end()).collect()
}

/// Titles and aliases that fold, space and anchor unusually, added to the
/// built-in registry.
fn odd_registry() -> Registry {
    let mut r = Registry::builtin();
    let names: [(&str, &[&str]); 8] = [
        ("Σύνοψη των εξωσωμάτων", &["ΣΥΝΟΨΗ ΕΞΩΣΩΜΑΤΩΝ"]),
        (
            "Kinetics of skin keratinocytes",
            &["Kelvin Study of ſkin", "Straße der Zellen"],
        ),
        ("ＡＢＣ全角の研究", &["ＦＤＡ　の　安全性"]),
        (
            "İstanbul Exosome Trial",
            &["a b c d", "O'Brien-Smith et al., 2019"],
        ),
        (
            "日本\u{3000}再生医療学会の見解",
            &["再生医療学会\tの見解（2021年）"],
        ),
        ("x y", &["JSRM と ISEV", "ks ks ks ks"]),
        ("再生医療法", &["再生医療法の改正"]),
        ("The Ks", &["sK sK"]),
    ];
    for (i, (title, aliases)) in names.iter().enumerate() {
        let aliases: String = aliases
            .iter()
            .map(|a| format!("  - \"{}\"\n", a.replace('\t', "\\t")))
            .collect();
        let yaml = format!(
            "id: odd{i}\nkind: animal\ntitle: \"{title}\"\naliases:\n{aliases}year: 2019\nauthors: [O'Brien-Smith]\nconfidence: confirmed\nreviewed: 2026-01-01\n"
        );
        r.load_str(&format!("team/odd{i}.yaml"), &yaml)
            .unwrap_or_else(|e| panic!("{title}: {e:?}"));
    }
    r
}

/// Every title and alias of `registry`.
fn names(registry: &Registry) -> Vec<String> {
    registry
        .entries()
        .iter()
        .flat_map(|e| std::iter::once(&e.title).chain(&e.aliases))
        .cloned()
        .collect()
}

/// `name` as copy might write it: case changed, letters swapped for other
/// case variants, spaces changed, cut short.
fn spelled(name: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if rng.percent(25) {
        let cut = rng.below(chars.len().max(1));
        if rng.percent(50) {
            chars.truncate(cut);
        } else {
            chars.drain(..cut);
        }
    }
    let spaces = [" ", "  ", "\t", "\u{3000}", "\n", " \u{a0}", "\u{85}"];
    let mut out = String::new();
    for c in chars {
        if c.is_whitespace() {
            if rng.percent(10) {
                continue;
            }
            let space = spaces[rng.below(spaces.len())];
            out.push_str(if rng.percent(60) { " " } else { space });
            continue;
        }
        let variants = orbit(c);
        if variants.len() > 1 && rng.percent(30) {
            out.push(*rng.pick(&variants));
        } else {
            out.push(c);
        }
    }
    out
}

/// One piece of generated copy.
fn piece(rng: &mut Rng, names: &[String]) -> String {
    let years = ["2018", "2020", "1999", "2024", "1899", "2100", "20", "201"];
    match rng.below(18) {
        17 => (0..rng.below(6))
            .filter_map(|_| char::from_u32(rng.below(0x110000) as u32))
            .collect(),
        0 | 1 => {
            let n = rng.pick(names).clone();
            spelled(&n, rng)
        }
        16 => {
            // Two names sharing a character, for matches that overlap.
            let a = rng.pick(names).clone();
            let last = a.chars().next_back().unwrap_or(' ');
            let next: Vec<&String> = names.iter().filter(|n| n.starts_with(last)).collect();
            match next.is_empty() {
                true => a,
                false => format!("{a}{}", &rng.pick(&next)[last.len_utf8()..]),
            }
        }
        2 | 3 => {
            let name = rng.pick(&[
                "Cho",
                "cho",
                "CHO",
                "Li",
                "Ersan",
                "O'Brien-Smith",
                "Kim",
                "ſhin",
                "田中",
                "タナカ",
                "山田太郎",
                "研究",
                "X",
                "Choet",
            ]);
            let conn = rng.pick(&[
                " et al.",
                " et al",
                "etal",
                " ET AL.",
                " and Kim",
                " and  Lee-Park",
                "& Lee",
                " &Ng",
                "ら",
                " ら",
                "ほか",
                "他",
                "等",
                " and",
                " et",
                "",
            ]);
            let particle = rng.pick(&["", "", "の", "による", "に"]);
            let noun = rng.pick(&["", "", "研究", "研究チーム", "グループ", "論文", "報告書"]);
            let gap = rng.pick(&["", " ", ", ", "、", "．", ".", " ,", "\n", "。"]);
            let open = rng.pick(&["", "(", "（", " ( "]);
            let year = rng.pick(&years);
            let tail = rng.pick(&["", ")", "）", "年", " 年 ）", "年)", "5", "a"]);
            format!("{name}{conn}{particle}{noun}{gap}{open}{year}{tail}")
        }
        4 => rng
            .pick(&[
                "PMID: 29996938",
                "pmid29996938",
                "PMID：1234567890",
                "PMID ",
                "pubmed.ncbi.nlm.nih.gov/29996938/",
                "https://PubMed.ncbi.nlm.nih.gov/pubmed/123",
                "ncbi.nlm.nih.gov/pubmed/29996938",
                "PMC6042362",
                "pmc 123",
                "PMC12",
                "xPMC1234",
                "doi:10.1186/s13287-018-0939-5.",
                "DOI： 10.1186/s13287-018-0939-5,",
                "https://doi.org/10.3390/life15030500）",
                "10.12/abc",
                "NCT01234567",
                "nct012345678",
                "aNCT01234567",
            ])
            .to_string(),
        5 => rng
            .pick(&[
                "[^1]",
                "[^note]",
                "[^a b]",
                "[^]",
                "[^123456789012345678901]",
                "[^12345678901234567890]",
                "[1]",
                "[1,2]",
                "[1-3]",
                "[1–3]",
                "［１－３］",
                "［１］",
                "[1234]",
                "[12,]",
                "[1,2345]",
                "※1",
                "※ 1",
                "※１２３４",
                "※",
                "※a",
                "[",
                "［",
                "]",
                "※\n2",
                "[^1]:",
                "[0]",
            ])
            .to_string(),
        6 => {
            let open = rng.pick(&["「", "『", "「「"]);
            let close = rng.pick(&["」", "』", "「", "\n", ""]);
            let inner: String = if rng.percent(40) {
                {
                    let n = rng.pick(names).clone();
                    spelled(&n, rng)
                }
            } else {
                let n = *rng.pick(&[8, 9, 10, 11, 30, 159, 160, 161, 162]);
                (0..n)
                    .map(|_| *rng.pick(&['あ', 'a', '再', 'ー', '、', ' ']))
                    .collect()
            };
            format!("{open}{inner}{close}")
        }
        7 => {
            let org = rng.pick(&[
                "再生医療抗加齢学会",
                "厚生労働省",
                "日本・再生医療学会",
                "あ学会",
                "消費者庁",
                "センター",
            ]);
            let date = rng.pick(&[
                "2024年8月5日",
                "2024年 08月 05日",
                "1999年12月31日",
                "2024年8月",
                "令和6年7月31日",
            ]);
            let mid = rng.pick(&["", "は", "の", "、", ", ", "が "]);
            let after = rng.pick(&["", "付け", "付", "の", "付けの"]);
            let hint = rng.pick(&[
                "声明",
                "事務連絡",
                "ガイダンス",
                "注意喚起",
                "発表",
                "文書",
                "通知書",
            ]);
            format!("{org}{mid}{date}{after}{hint}")
        }
        8 => rng
            .pick(&[
                "出典:",
                "【参考文献】",
                " 参考資料：",
                "References",
                "reference",
                "ſource:",
                "（引用元）",
                "[ 文献 ]",
                "ソース",
                "出 典",
                "Sources",
                "【】出典",
            ])
            .to_string(),
        9 => rng
            .pick(&[
                "この研究では",
                "同じ研究",
                "同研究",
                "本試験",
                "上記の結果",
                "著者らは",
                "研究者らが",
                "研究チームは",
                "総説では",
                "レビューによると",
                "レビューによれば",
                "その総説で",
                "先のデータ",
                "前述の知見",
                "研究",
                "レビュー",
            ])
            .to_string(),
        10 => rng
            .pick(&[
                "当社調べ",
                "当院データ",
                "社内資料",
                "アンケート",
                "モニター",
                "未発表",
                "当社の調べ",
            ])
            .to_string(),
        11 => rng
            .pick(&[
                "\n", "\n\n", "。", "、", " ", "\u{3000}", "・", "\n- ", "\n1. ", "\n# ", "\n> ",
            ])
            .to_string(),
        12 => rng
            .pick(&[
                "ſ", "K", "Σ", "ς", "σ", "ß", "ẞ", "İ", "ı", "Ｋ", "ｋ", "\u{85}", "\u{a0}", "ー",
            ])
            .to_string(),
        _ => rng
            .pick(&[
                "効果があります",
                "エクソソームで若返ります",
                "再生医療等の安全性の確保等に関する法律に基づく治療です",
                "厚労省の医療広告ガイドラインによれば",
                "培養上清液は安全です",
                "研究によると改善しました",
                "Exosome therapy improved hair density",
            ])
            .to_string(),
    }
}

fn document(rng: &mut Rng, names: &[String], pieces: usize) -> String {
    (0..pieces).map(|_| piece(rng, names)).collect()
}

/// Generated documents, and the corpus.
fn texts(names: &[String]) -> Vec<String> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out: Vec<String> = (0..300)
        .map(|i| document(&mut rng, names, 5 + i % 80))
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for dir in ["markdown", "html", "text"] {
        for e in std::fs::read_dir(root.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            if Format::from_extension(&e.path()).is_some() {
                out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    out
}

fn ranges<'t>(it: impl Iterator<Item = regex::Match<'t>>) -> Vec<Range<usize>> {
    it.map(|m| m.range()).collect()
}

#[test]
fn hand_written_forms_match_their_patterns() {
    let p = old::patterns();
    let year = regex::Regex::new(r"\b(?:19|20)[0-9]{2}\b").unwrap();
    for t in texts(&names(&odd_registry())) {
        assert_eq!(
            scan::markers(&t).collect::<Vec<_>>(),
            ranges(p.footnote.find_iter(&t)),
            "{t:?}"
        );
        let quotes: Vec<_> = p
            .quoted_title
            .captures_iter(&t)
            .map(|c| (c.get(0).unwrap().range(), c.get(1).unwrap().range()))
            .collect();
        assert_eq!(scan::quotes(&t).collect::<Vec<_>>(), quotes, "{t:?}");
        assert_eq!(
            scan::first_year(&t),
            year.find(&t).map(|m| m.as_str()),
            "{t:?}"
        );
        // Lines, and lines from their second and third characters (past a
        // leading space or bracket).
        let lines = t.split('\n').flat_map(|l| {
            l.char_indices()
                .take(3)
                .map(move |(i, _)| &l[i..])
                .chain([l])
        });
        for line in lines {
            assert_eq!(
                scan::opens_with_note(line),
                p.footnote_def.is_match(line),
                "{line:?}"
            );
            assert_eq!(
                scan::is_source_line(line),
                p.source_line.is_match(line),
                "{line:?}"
            );
            assert_eq!(
                scan::is_anaphoric(line),
                p.anaphora.is_match(line),
                "{line:?}"
            );
            assert_eq!(
                scan::is_in_house(line),
                p.in_house.is_match(line),
                "{line:?}"
            );
        }
    }
}

#[test]
fn identifiers_match_their_patterns() {
    let p = old::patterns();
    for t in texts(&names(&Registry::builtin())) {
        let group = |re: &regex::Regex| -> Vec<(Range<usize>, String)> {
            re.captures_iter(&t)
                .map(|c| (c.get(0).unwrap().range(), c[1].to_string()))
                .collect()
        };
        let own = |v: Vec<(Range<usize>, &str)>| -> Vec<(Range<usize>, String)> {
            v.into_iter().map(|(r, s)| (r, s.to_string())).collect()
        };
        assert_eq!(own(scan::Ids::pmids(&t).collect()), group(&p.pmid), "{t:?}");
        assert_eq!(own(scan::Ids::dois(&t).collect()), group(&p.doi), "{t:?}");
        assert_eq!(
            ranges(scan::Ids::pmcids(&t)),
            ranges(p.pmcid.find_iter(&t)),
            "{t:?}"
        );
        assert_eq!(
            ranges(scan::Ids::ncts(&t)),
            ranges(p.nct.find_iter(&t)),
            "{t:?}"
        );
    }
}

/// Every match and group.
fn groups<'t>(caps: impl Iterator<Item = regex::Captures<'t>>) -> Vec<Vec<Option<Range<usize>>>> {
    caps.map(|c| c.iter().map(|g| g.map(|m| m.range())).collect())
        .collect()
}

#[test]
fn patterns_searched_near_triggers_match_everywhere() {
    let p = old::patterns();
    for t in texts(&names(&Registry::builtin())) {
        let t = t.as_str();
        assert_eq!(
            groups(
                AUTHOR_YEAR
                    .captures_near(t, scan::author_year_triggers(t))
                    .into_iter()
            ),
            groups(p.author_year.captures_iter(t)),
            "{t:?}"
        );
        assert_eq!(
            groups(
                STATEMENT
                    .captures_near(t, scan::statement_triggers(t))
                    .into_iter()
            ),
            groups(p.statement.captures_iter(t)),
            "{t:?}"
        );
    }
}

#[test]
fn titles_match_the_alternation_of_every_name() {
    for registry in [Registry::builtin(), odd_registry()] {
        let new = TitleIndex::new(&registry);
        let reference = old::TitleIndex::new(&registry);
        for t in texts(&names(&registry)) {
            let found: Vec<(Range<usize>, String)> = new
                .find(&t)
                .into_iter()
                .map(|(r, id)| (r, id.to_string()))
                .collect();
            assert_eq!(found, reference.find(&t), "{t:?}");
        }
    }
}

/// The prose of `text` cut into sections as the command line cuts a large
/// file, each mapped into the whole text.
fn sections(text: &str, format: Format) -> Vec<Prose> {
    crate::lint::sections(text, format, 200)
        .into_iter()
        .map(|r| {
            let mut prose = markup::extract(&text[r.clone()], format);
            prose.shift_source(r.start);
            prose
        })
        .collect()
}

#[test]
fn extraction_and_lookup_match_the_reference() {
    for registry in [Registry::builtin(), odd_registry()] {
        let new_titles = TitleIndex::new(&registry);
        let old_titles = old::TitleIndex::new(&registry);
        let all = texts(&names(&registry));
        for (i, t) in all.iter().enumerate() {
            let format = if i % 2 == 0 {
                Format::Markdown
            } else {
                Format::Text
            };
            let prose = markup::extract(t, format);
            let new = extract(&prose, &registry, &new_titles);
            assert_eq!(new, old::extract(&prose, &registry, &old_titles), "{t:?}");
            let sentences = crate::segment::split(&prose);
            let paragraphs = prose.paragraphs();
            // Every fourth citation too, so that more sentences have none
            // of their own and look back.
            let sparse: Vec<Citation> = new.iter().step_by(4).cloned().collect();
            for s in 0..sentences.len() {
                for (cited, before) in [(&new, new.first()), (&sparse, None), (&sparse, new.last())]
                {
                    assert_eq!(
                        for_sentence_in(&prose, &paragraphs, &sentences, s, cited, before),
                        old::for_sentence_in(&prose, &paragraphs, &sentences, s, cited, before),
                        "{t:?}"
                    );
                }
                let mut shuffled = new.clone();
                shuffled.reverse();
                assert_eq!(
                    for_sentence(&prose, &sentences, s, &shuffled),
                    old::for_sentence(&prose, &sentences, s, &shuffled),
                    "{t:?}"
                );
            }
            // In sections, with the notes of the whole document.
            let parts = sections(t, format);
            let (mut state, mut old_state) = (NoteState::default(), old::NoteState::default());
            let (mut notes_new, mut notes_old) = (Vec::new(), Vec::new());
            for p in &parts {
                notes_new.extend(notes(p, &registry, &new_titles, &mut state));
                notes_old.extend(old::notes(p, &registry, &old_titles, &mut old_state));
            }
            for p in &parts {
                let new = extract_with(p, &registry, &new_titles, Some(&notes_new));
                let reference = old::extract_with(p, &registry, &old_titles, Some(&notes_old));
                assert_eq!(new, reference, "{t:?}");
                assert_eq!(last_in_text(p, &new), old::last_in_text(p, &reference));
            }
        }
    }
}

#[test]
fn case_and_space_shortcuts_agree_with_the_tables() {
    // `case_variants` and `fold_into` take ASCII, U+3000–U+9FFF and what is
    // not a letter without the tables, and `starts_with_folded` knows the
    // two non-ASCII variants of ASCII letters.
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        if !c.is_alphabetic() {
            assert_eq!(orbit(c), [c], "{c:?}");
        }
    }
    for c in (0..0x80u32)
        .chain(0x3000..0xA000)
        .filter_map(char::from_u32)
    {
        let o = orbit(c);
        let ascii_pair = [c.to_ascii_uppercase(), c.to_ascii_lowercase()];
        match c {
            'k' | 'K' => assert_eq!(o, ['K', 'k', '\u{212A}']),
            's' | 'S' => assert_eq!(o, ['S', 's', '\u{17F}']),
            _ if c.is_ascii_alphabetic() => assert_eq!(o, ascii_pair),
            _ => assert_eq!(o, [c], "{c:?}"),
        }
        if !c.is_ascii() {
            assert!(c.to_lowercase().eq([c]), "{c:?}");
        }
    }
    // `\s` is `char::is_whitespace`, which `trim` and `split_whitespace` use.
    let space = regex::Regex::new(r"^\s$").unwrap();
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        assert_eq!(
            space.is_match(c.encode_utf8(&mut [0; 4])),
            c.is_whitespace(),
            "{c:?}"
        );
    }
}

#[test]
fn searched_patterns_have_no_look_around() {
    // `Lazy::captures_near` searches a run cut out of the text.
    for pattern in [AUTHOR_YEAR.pattern, STATEMENT.pattern] {
        let hir = regex_syntax::ParserBuilder::new()
            .case_insensitive(true)
            .build()
            .parse(pattern)
            .unwrap();
        assert!(hir.properties().look_set().is_empty(), "{pattern}");
    }
}

#[test]
fn blank_aliases_match_nothing() {
    // The alternation made an alias of spaces an empty pattern that matched
    // between every two characters; it now names nothing.
    let mut r = Registry::builtin();
    let yaml = "id: blank\nkind: animal\ntitle: 空白の別名の資料\naliases:\n  - \"    \"\nconfidence: confirmed\nreviewed: 2026-01-01\n";
    r.load_str("team/blank.yaml", yaml).unwrap();
    let titles = TitleIndex::new(&r);
    assert!(titles.find("効果がある").is_empty());
    assert_eq!(titles.find("空白の別名の資料です").len(), 1);
}

#[test]
fn closest_title_matches_scoring_every_title() {
    /// Dice coefficient of two sorted, deduplicated bigram lists.
    fn dice(a: &[(char, char)], b: &[(char, char)]) -> f64 {
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        let (mut i, mut j, mut common) = (0, 0, 0usize);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        2.0 * common as f64 / (a.len() + b.len()) as f64
    }
    let registry = Registry::builtin();
    let titles = TitleIndex::new(&registry);
    let fuzzy = titles.fuzzy();
    let mut scratch = titles::Scratch::default();
    let mut phrases: Vec<String> = Vec::new();
    for e in registry.entries() {
        let t: Vec<char> = e.title.chars().collect();
        phrases.push(e.title.clone());
        // Cut, shortened and edited forms of every title.
        phrases.push(t[..t.len() * 2 / 3].iter().collect());
        phrases.push(t[t.len() / 4..].iter().collect());
        phrases.push(
            t.iter()
                .map(|&c| if c == 'の' { 'が' } else { c })
                .collect(),
        );
    }
    phrases.push("患者様の声をご紹介します".into());
    phrases.push("エクソソームを用いた再生医療の最前線".into());
    let mut matched = 0;
    for phrase in &phrases {
        let (mut chars, mut grams) = (Vec::new(), Vec::new());
        titles::bigrams_into(phrase, &mut chars, &mut grams);
        let n = grams.len();
        // Scoring every title, as `closest` did before it had postings.
        let brute = fuzzy
            .titles
            .iter()
            .filter(|(g, _)| 5 * n.min(g.len()) >= 3 * n.max(g.len()))
            .map(|(g, id)| (dice(&grams, g), id))
            .fold(None::<(f64, &String)>, |best, (score, id)| match best {
                Some((b, _)) if b >= score => best,
                _ => Some((score, id)),
            })
            .filter(|(s, _)| *s > 0.0);
        let fast = fuzzy.closest(&grams, &mut scratch);
        assert_eq!(fast, brute, "{phrase}");
        // The shortcut of `quoted` never turns a match away.
        assert_eq!(
            fuzzy.quoted(phrase, &mut scratch),
            fast.filter(|(s, _)| *s >= 0.75).map(|(_, id)| id),
            "{phrase}"
        );
        matched += usize::from(fast.is_some_and(|(s, _)| s >= 0.75));
    }
    assert!(matched >= registry.entries().len(), "{matched}");
}

fn cites(src: &str, md: bool) -> Vec<Citation> {
    let registry = Registry::builtin();
    let titles = TitleIndex::new(&registry);
    let prose = if md {
        markdown::extract(src)
    } else {
        text::extract(src)
    };
    extract(&prose, &registry, &titles)
}

#[test]
fn author_year_forms_resolve() {
    // The span is the citation: a closing bracket opened before it, and
    // white space after it, are not part of it.
    for (s, written) in [
        ("効果がある（Cho et al., 2018）。", "Cho et al., 2018"),
        ("効果がある(Cho et al., 2018)。", "Cho et al., 2018"),
        ("効果がある（Choら、2018 ）。", "Choら、2018"),
        ("Choら（2018）によると", "Choら（2018）"),
        ("Cho et al. (2018)", "Cho et al. (2018)"),
        ("Cho et al., 2018\n次の段落", "Cho et al., 2018"),
    ] {
        let c = cites(s, false);
        assert_eq!(c.len(), 1, "{s}: {c:?}");
        assert_eq!(c[0].id.as_deref(), Some("cho2018_scrt_ascexo_ad"), "{s}");
        assert_eq!(&s[c[0].range.clone()], written, "{s}");
        assert_eq!(c[0].text, written, "{s}");
    }
    let c = cites("田中ら, 2021 の研究", false);
    assert_eq!(c[0].kind, CitationKind::AuthorYear);
    assert_eq!(c[0].id, None);
}

#[test]
fn identifiers_and_links_resolve() {
    for s in [
        "PMID: 29996938",
        "PMC6042362",
        "doi:10.1186/s13287-018-0939-5",
        "https://doi.org/10.1186/s13287-018-0939-5",
        "[論文](https://pubmed.ncbi.nlm.nih.gov/29996938/)",
    ] {
        let c = cites(s, true);
        assert!(
            c.iter()
                .any(|c| c.id.as_deref() == Some("cho2018_scrt_ascexo_ad")),
            "{s}: {c:?}"
        );
    }
}

#[test]
fn footnotes_resolve_to_their_definitions() {
    let c = cites("効果があります[^1]。\n\n[^1]: Cho et al., 2018\n", true);
    let f = c.iter().find(|c| c.kind == CitationKind::Footnote).unwrap();
    assert_eq!(f.id.as_deref(), Some("cho2018_scrt_ascexo_ad"));
    let c = cites("効果があります※1。\n\n※1 PMID: 29996938\n", false);
    let f = c.iter().find(|c| c.kind == CitationKind::Footnote).unwrap();
    assert_eq!(f.id.as_deref(), Some("cho2018_scrt_ascexo_ad"));
}

#[test]
fn partition_near_is_partition_point() {
    let mut rng = Rng(7);
    for len in 0..40 {
        let mut start = 0;
        let citations: Vec<Citation> = (0..len)
            .map(|_| {
                start += rng.below(3);
                resolved(start..start + 1, CitationKind::Pmid, "", None)
            })
            .collect();
        for t in 0..=start + 2 {
            for near in 0..=len + 1 {
                let below = |c: &Citation| c.range.start < t;
                let upto = |c: &Citation| c.range.start <= t;
                assert_eq!(
                    partition_near(&citations, near, below),
                    citations.partition_point(below)
                );
                assert_eq!(
                    partition_near(&citations, near, upto),
                    citations.partition_point(upto)
                );
            }
        }
    }
}

/// A claim takes a citation from another sentence of its paragraph, but not
/// a source merely named there (本ページは医療広告ガイドラインに準拠…).
#[test]
fn names_in_other_sentences_are_not_citations() {
    let registry = Registry::builtin();
    let titles = TitleIndex::new(&registry);
    let ids = |src: &str, claim: &str| {
        let prose = markup::extract(src, Format::Text);
        let cited = extract(&prose, &registry, &titles);
        let sentences = crate::segment::split(&prose);
        let at = prose.text.find(claim).unwrap();
        let s = sentences
            .iter()
            .position(|s| s.range.contains(&at))
            .unwrap();
        for_sentence(&prose, &sentences, s, &cited)
            .iter()
            .map(|c| c.text.clone())
            .collect::<Vec<_>>()
    };
    let named =
        "施術後すぐにハリを実感できます。本ページは医療広告ガイドラインに準拠して作成しています。";
    assert_eq!(ids(named, "ハリを実感"), Vec::<String>::new());
    // In its own sentence a name is still what the claim rests on.
    let own = "医療広告ガイドラインでは、施術後すぐにハリを実感できるとは書けません。";
    assert_eq!(ids(own, "ハリを実感"), ["医療広告ガイドライン"]);
    // An author-year citation still reaches across the paragraph.
    let study = "マウスで毛が増えました（Li et al., 2022）。ヒトでも毛が増えます。";
    assert_eq!(ids(study, "ヒトでも"), ["Li et al., 2022"]);
}
