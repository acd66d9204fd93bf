//! Deterministic benchmark corpus: synthetic Japanese clinic copy in the
//! styles of `corpus/` (clinic landing pages, research-blog articles, FAQs,
//! ranking media), in Markdown and HTML, at any size.
//!
//! ```text
//! cargo run --release --example gen-corpus -- tree DIR [--files 2000] [--size 5K] [--seed 1]
//! cargo run --release --example gen-corpus -- file PATH [--size 50M] [--format md|html] [--seed 1]
//! ```
//!
//! `tree` writes `--files` documents of about `--size` bytes each into
//! `DIR/site-NN/` (three in four Markdown, the rest HTML); `file` writes one
//! document of about `--size` bytes. The same arguments always give the same
//! bytes: the text comes from a fixed phrase bank and a seeded SplitMix64,
//! not from the rule files, so benchmark inputs stay comparable while the
//! rules change.
//!
//! The copy mixes what the linter has to tell apart: claims of every
//! category, hedged, reported (with author–year, PMID, DOI, footnote and
//! link citations), negated, quoted and questioning sentences, disclosures
//! and neutral clinic information; with headings, lists, tables, block
//! quotes, code blocks, comments, front matter, entities and reference lists.
//! Every clinic, doctor and patient is invented.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// SplitMix64: tiny, fast, and identical on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }

    /// True with probability `p` percent.
    fn chance(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

const CLINICS: &[&str] = &[
    "北斗ヘアリジェネクリニック",
    "メディフォレスト再生医療クリニック",
    "白樺ヘアラボクリニック",
    "すずらん通り皮ふ科",
    "クレアージュ美容内科",
    "ルミナス美容皮膚科",
    "青葉スキンケアクリニック",
    "みなと坂メディカル美容外科",
    "さくら並木ヘアクリニック",
    "ひかり台再生医療センター",
];

const TREATMENTS: &[&str] = &[
    "エクソソーム治療",
    "エクソソーム注入",
    "幹細胞培養上清液の点滴",
    "上清液導入",
    "エクソソーム導入",
    "幹細胞エクソソーム療法",
    "培養上清液注射",
    "ヒト脂肪由来幹細胞エクソソーム",
    "再生医療",
    "ヘアリジェネ・エクソ療法",
];

const HAIR: &[&str] = &["薄毛", "抜け毛", "AGA", "女性の薄毛", "FAGA", "円形脱毛症"];

const SKIN: &[&str] = &[
    "シワ",
    "たるみ",
    "シミ",
    "くすみ",
    "毛穴",
    "ニキビ跡",
    "ほうれい線",
];

const NUMS: &[&str] = &["1", "2", "3", "6", "３", "１", "一", "半"];

const AGES: &[&str] = &["20代", "30代", "40代", "50代", "60代"];

const PEOPLE: &[&str] = &["男性", "女性"];

const JOBS: &[&str] = &["会社員", "主婦", "自営業", "公務員", "看護師", "教員"];

/// Claims as a page asserts them, by category.
const ASSERTED: &[&[&str]] = &[
    // efficacy
    &[
        "{T}で発毛効果が得られます。",
        "{H}にもしっかり効きます。",
        "{N}回の施術で髪が生えてきました。",
        "当院の{T}で{H}が改善します。",
        "頭皮環境を整え、毛母細胞を活性化します。",
        "{S}が目立たなくなります。",
        "肌のハリ・ツヤがよみがえります。",
        "成長因子が毛乳頭細胞に働きかけ、発毛を促進します。",
        "マイナス5歳の若返りを実現します。",
        "休止期に入った毛包を再び成長期へと導きます。",
        "{S}やたるみが消え、素肌が明るくなります。",
        "疲労回復や睡眠の質の改善にも効果があります。",
    ],
    // durability
    &[
        "効果は半永久的に続きます。",
        "一度の施術で効果が長期間持続します。",
        "リバウンドの心配がありません。",
        "増えた髪は元に戻らないので安心です。",
        "若々しい肌をずっとキープできます。",
    ],
    // onset
    &[
        "{N}ヶ月で発毛を実感できます。",
        "たった1回の施術で見違えるほどの変化！",
        "即効性のある{T}です。",
        "施術直後からハリを実感できます。",
        "早い方では{N}か月で産毛が生えてきます。",
    ],
    // safety
    &[
        "副作用がほとんどなく、安全な治療です。",
        "ダウンタイムはほぼゼロです。",
        "ご自身の細胞由来なので拒絶反応の心配がありません。",
        "身体への負担が少ない施術です。",
        "安心・安全の{T}をご提供します。",
    ],
    // superiority
    &[
        "{C}の{T}は日本一の実績です。",
        "顧客満足度No.1のクリニックです。",
        "最先端の再生医療をご提供します。",
        "他院よりも高濃度のエクソソームを使用しています。",
        "植毛の次に効果が高い治療法です。",
        "ミノキシジル以上の効果が期待できます。",
    ],
    // absolute
    &[
        "必ず髪が生えます。",
        "確実に発毛を実感できます。",
        "誰でも効果を実感できます。",
        "副作用は一切ありません。",
        "発毛率100%の実績！",
    ],
    // testimonial
    &[
        "患者様の声をご紹介します。",
        "満足度98%の人気治療です。",
        "効果を実感した方が続出しています。",
        "9割以上の方が変化を実感しています。",
        "多くの患者様にご満足いただいています。",
    ],
    // approval
    &[
        "厚労省認可の{T}です。",
        "国が認めた安全な再生医療です。",
        "厚生労働省に届出済みだから安心です。",
        "皮膚科学会のガイドラインでも推奨されている治療です。",
        "承認済みの上清液を使用しています。",
    ],
    // evidence
    &[
        "エクソソームの発毛効果は科学的に証明されています。",
        "臨床的に確立された治療法です。",
        "豊富なエビデンスに基づく治療です。",
        "論文で実証された成分を使用しています。",
        "効果が実証済みの上清液です。",
    ],
];

const HEDGED: &[&str] = &[
    "{H}の改善が期待できます。",
    "発毛を促す可能性があります。",
    "肌のハリが戻るとされています。",
    "{S}の軽減が期待されています。",
    "頭皮環境が整うと考えられています。",
    "髪のボリュームアップが見込めます。",
];

/// Sentences that report research; `{R}` is a citation.
const REPORTED: &[&str] = &[
    "脂肪由来幹細胞のエクソソームを使ったマウスの研究では、毛の再生が良好だったと報告されています{R}。",
    "アトピー性皮膚炎の患者を対象とした研究では、症状が軽減したと報告されています{R}。",
    "小規模な臨床研究では、毛髪密度が増加したことが示されています{R}。",
    "研究によると、培養上清液で毛髪の太さが改善したとされています{R}。",
    "細胞実験では、毛乳頭細胞の増殖が促されたと報告されています{R}。",
    "総説では、エクソソームの皮膚への応用が期待されていると述べられています{R}。",
];

const CITATIONS: &[&str] = &[
    "（Cho et al., 2018）",
    "（Liら, 2022）",
    "（PMID: 29996938）",
    "（Nilforoushzadeh et al., 2020）",
    "（Ersan et al., 2024）",
    "（doi:10.1186/s13287-018-0939-5）",
    "（田中ら, 2021）",
    "[^1]",
    "[^2]",
    "[^3]",
    "※1",
    "[1]",
];

const NEGATED: &[&str] = &[
    "必ずしも全員に効果があるわけではありません。",
    "ヒトでの有効性は確立していません。",
    "長期的な安全性は研究中です。",
    "効果が長期間続くとは限りません。",
    "副作用がないとは言えません。",
    "国内で承認されたエクソソーム製品はありません。",
    "科学的に証明されているわけではありません。",
    "本治療に用いる製品は国内で未承認です。",
    "厚労省が認めた治療ではありません。",
];

const QUESTIONS: &[&str] = &[
    "エクソソームは本当に薄毛に効くのでしょうか？",
    "なぜ上清液で肌が若返るのですか？",
    "{T}は安全なのか、不安に思う方も多いでしょう。",
    "何回くらいで効果を実感できますか？",
];

const FILLER: &[&str] = &[
    "効果には個人差があります。",
    "本治療は自由診療（保険適用外）です。",
    "施術前に必ず医師の診察を受けてください。",
    "ご予約はお電話またはWebフォームで承ります。",
    "初回カウンセリングは無料です。",
    "当院は駅から徒歩{N}分です。",
    "表示価格はすべて税込です。",
    "注入部位に一時的な赤み、腫れ、内出血が生じることがあります。",
    "施術は約20分で終わります。",
    "再生医療等の安全性の確保等に関する法律に基づき、厚生労働省へ届け出ています。",
    "エクソソームは、細胞が分泌する直径50〜150nmほどの小さな小胞です。",
    "内部にはたんぱく質やマイクロRNAが含まれています。",
    "{C}では、{T}を{N}か月ごとに行います。",
    "治療法は医師と相談して選びましょう。",
    "最も多い副作用は注入部位の痛みです。",
    "施術当日からシャンプーができます。",
    "カウンセリングでは、頭皮の状態をマイクロスコープで確認します。",
    "診療時間は10時から19時まで、水曜日は休診です。",
    "お支払いには各種クレジットカードがご利用いただけます。",
    "未成年の方は保護者の同意書が必要です。",
    "妊娠中・授乳中の方は施術を受けられません。",
    "{A}の方を中心に、幅広い年代の方がご来院されています。",
    "エクソソーム製剤は医薬品副作用被害救済制度の対象外となります。",
    "詳しくは担当医にお尋ねください。",
];

const HEADINGS: &[&str] = &[
    "{T}とは",
    "当院が選ばれる3つの理由",
    "料金プラン",
    "治療の流れ",
    "よくある質問",
    "患者様の声",
    "安全性について",
    "副作用・リスクについて",
    "アクセス・診療時間",
    "エビデンスについて",
    "{H}でお悩みの方へ",
    "たった1回で実感できる発毛効果",
    "{S}にアプローチする{T}",
    "医師からのメッセージ",
];

const LIST_ITEMS: &[&str] = &[
    "抜け毛が増えてきた、分け目が目立つようになった",
    "AGA治療薬を飲んでいるが、効果に満足できていない",
    "内服薬の副作用が心配で、薬に頼らない治療を探している",
    "植毛のようなメスを使う治療には抵抗がある",
    "{S}が気になり始めた",
    "副作用がほとんどない",
    "ダウンタイムが短い",
    "1回の施術時間は約20分",
    "痛みが少なく、麻酔も不要",
    "最先端の再生医療",
    "無料カウンセリング（約30分）",
    "医師による頭皮の診察とマイクロスコープ検査",
    "{T}（施術は約20分です）",
    "3回目の施術から1か月後に効果判定を行います",
];

const QUOTES: &[&str] = &[
    "「AGA治療薬を2年続けても変化がなかったのに、エクソソームを始めて{N}か月で生え際に産毛が増えました。もっと早く始めればよかったです。」",
    "「正直、半信半疑でした。でも今は、美容師さんに『髪が太くなりましたね』と言われるほどです。」",
    "「{N}回目の施術のあと、肌のハリが戻ってきたのを実感しました。」",
    "「スタッフの方の説明が丁寧で、安心して通えました。」",
    "「ダウンタイムがほとんどなく、翌日から仕事に行けました。」",
];

const REFERENCES: &[&str] = &[
    "Cho BS, et al. Exosomes derived from human adipose tissue-derived mesenchymal stem cells alleviate atopic dermatitis. Stem Cell Res Ther. 2018;9:187. PMID: 29996938",
    "Li Y, et al. Exosomes derived from adipose-derived stem cells promote hair regeneration. J Immunol Res. 2022.",
    "Nilforoushzadeh MA, et al. Hair follicle regeneration with exosomes. 2020.",
    "厚生労働省 事務連絡「いわゆる「幹細胞培養上清液」やエクソソーム等を含有する製品について」令和6年7月31日",
    "日本皮膚科学会「男性型および女性型脱毛症診療ガイドライン2017年版」",
];

const LINKS: &[&str] = &[
    "https://pubmed.ncbi.nlm.nih.gov/29996938/",
    "https://doi.org/10.1186/s13287-018-0939-5",
    "https://example.jp/clinic/price",
    "https://example.jp/reserve",
];

/// One generated block, rendered by a format.
enum Block {
    Heading(u8, String),
    Paragraph(Vec<String>),
    List { ordered: bool, items: Vec<String> },
    Table(Vec<[String; 3]>),
    Quote { text: String, by: String },
    Code(String),
    Comment(String),
    Link { text: String, url: &'static str },
}

struct Gen {
    rng: Rng,
}

impl Gen {
    /// Fills `{C}` clinic, `{T}` treatment, `{H}` hair and `{S}` skin
    /// complaints, `{N}` numbers, `{A}` ages and `{R}` citations.
    fn fill(&mut self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let slot = rest.get(i..i + 3).unwrap_or("");
            let bank: &[&str] = match slot {
                "{C}" => CLINICS,
                "{T}" => TREATMENTS,
                "{H}" => HAIR,
                "{S}" => SKIN,
                "{N}" => NUMS,
                "{A}" => AGES,
                "{R}" => CITATIONS,
                _ => {
                    out.push('{');
                    rest = &rest[i + 1..];
                    continue;
                }
            };
            let v = self.rng.pick(bank);
            out.push_str(v);
            rest = &rest[i + 3..];
        }
        out.push_str(rest);
        out
    }

    /// A sentence, drawn with roughly the mix of real clinic pages: most
    /// sentences neutral, about a third making a claim of some kind.
    fn sentence(&mut self) -> String {
        let r = self.rng.below(100);
        let t = match r {
            0..=39 => self.rng.pick(FILLER),
            40..=64 => {
                let cat = self.rng.below(ASSERTED.len());
                self.rng.pick(ASSERTED[cat])
            }
            65..=72 => self.rng.pick(HEDGED),
            73..=82 => self.rng.pick(REPORTED),
            83..=92 => self.rng.pick(NEGATED),
            93..=96 => self.rng.pick(QUESTIONS),
            _ => {
                let q = self.rng.pick(QUOTES);
                let q = self.fill(q);
                return format!("担当医は{q}と話しています。");
            }
        };
        self.fill(t)
    }

    fn block(&mut self) -> Block {
        match self.rng.below(100) {
            0..=54 => {
                let n = 1 + self.rng.below(5);
                Block::Paragraph((0..n).map(|_| self.sentence()).collect())
            }
            55..=64 => {
                let n = 3 + self.rng.below(4);
                let items = (0..n)
                    .map(|_| {
                        if self.rng.chance(30) {
                            let s = self.sentence();
                            s.trim_end_matches('。').to_string()
                        } else {
                            let t = self.rng.pick(LIST_ITEMS);
                            self.fill(t)
                        }
                    })
                    .collect();
                Block::List {
                    ordered: self.rng.chance(30),
                    items,
                }
            }
            65..=71 => {
                let mut rows = vec![[
                    "プラン".to_string(),
                    "回数".to_string(),
                    "料金（税込）".to_string(),
                ]];
                for name in [
                    "お試しプラン",
                    "スタンダード",
                    "集中発毛コース",
                    "【人気No.1】ゴールドプラン",
                ] {
                    let times = 1 + self.rng.below(12);
                    let yen = 50 + self.rng.below(700);
                    rows.push([
                        name.to_string(),
                        format!("{times}回"),
                        format!("{yen},000円"),
                    ]);
                }
                Block::Table(rows)
            }
            72..=81 => {
                let q = self.rng.pick(QUOTES);
                let text = self.fill(q);
                let by = format!(
                    "（{}{}・{}）",
                    self.rng.pick(AGES),
                    self.rng.pick(PEOPLE),
                    self.rng.pick(JOBS)
                );
                Block::Quote { text, by }
            }
            82..=84 => {
                let t = self.rng.pick(ASSERTED[5]);
                Block::Code(format!(
                    "campaign:\n  banner: \"{}\"\n  badge: 副作用なし\n",
                    self.fill(t)
                ))
            }
            85..=88 => {
                let cat = self.rng.below(ASSERTED.len());
                let t = self.rng.pick(ASSERTED[cat]);
                Block::Comment(format!("編集メモ：「{}」は法務確認待ち", self.fill(t)))
            }
            89..=93 => Block::Link {
                text: "詳しくはこちら".to_string(),
                url: self.rng.pick(LINKS),
            },
            _ => {
                let h = self.rng.pick(HEADINGS);
                Block::Heading(3, self.fill(h))
            }
        }
    }
}

fn markdown_block(out: &mut String, b: &Block) {
    match b {
        Block::Heading(level, t) => {
            let _ = writeln!(out, "{} {t}\n", "#".repeat(usize::from(*level)));
        }
        Block::Paragraph(ss) => {
            // Long paragraphs wrap the way editors leave them: a soft break
            // inside, which Markdown joins back into one paragraph.
            for (i, s) in ss.iter().enumerate() {
                out.push_str(s);
                if i % 3 == 2 && i + 1 < ss.len() {
                    out.push('\n');
                }
            }
            out.push_str("\n\n");
        }
        Block::List { ordered, items } => {
            for (i, it) in items.iter().enumerate() {
                if *ordered {
                    let _ = writeln!(out, "{}. {it}", i + 1);
                } else {
                    let _ = writeln!(out, "- {it}");
                }
            }
            out.push('\n');
        }
        Block::Table(rows) => {
            for (i, r) in rows.iter().enumerate() {
                let _ = writeln!(out, "| {} | {} | {} |", r[0], r[1], r[2]);
                if i == 0 {
                    out.push_str("|---|---|---|\n");
                }
            }
            out.push('\n');
        }
        Block::Quote { text, by } => {
            let _ = writeln!(out, "> {text}{by}\n");
        }
        Block::Code(code) => {
            let _ = writeln!(out, "```yaml\n{code}```\n");
        }
        Block::Comment(c) => {
            let _ = writeln!(out, "<!-- {c} -->\n");
        }
        Block::Link { text, url } => {
            let _ = writeln!(out, "研究の概要は[{text}]({url})をご覧ください。\n");
        }
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn html_block(out: &mut String, b: &Block, rng: &mut Rng) {
    match b {
        Block::Heading(level, t) => {
            let _ = writeln!(out, "  <h{level}>{}</h{level}>", escape_html(t));
        }
        Block::Paragraph(ss) => {
            out.push_str("  <p>");
            for s in ss {
                // Markdown footnote markers read as numbered notes in HTML.
                let s = escape_html(s).replace("[^", "[");
                // Emphasis inside a claim and entities in running text, as
                // page builders write them.
                if rng.chance(10) {
                    if let Some((head, tail)) = s.split_once("効果") {
                        let _ = write!(out, "{head}<strong>効果</strong>{tail}");
                        continue;
                    }
                }
                if rng.chance(15) {
                    out.push_str(&s.replacen('、', "、\n    ", 1));
                } else {
                    out.push_str(&s);
                }
            }
            out.push_str("</p>\n");
        }
        Block::List { ordered, items } => {
            let tag = if *ordered { "ol" } else { "ul" };
            let _ = writeln!(out, "  <{tag}>");
            for it in items {
                let _ = writeln!(out, "    <li>{}</li>", escape_html(it));
            }
            let _ = writeln!(out, "  </{tag}>");
        }
        Block::Table(rows) => {
            out.push_str("  <table class=\"price\">\n");
            for (i, r) in rows.iter().enumerate() {
                let cell = if i == 0 { "th" } else { "td" };
                out.push_str("    <tr>");
                for c in r {
                    let _ = write!(out, "<{cell}>{}</{cell}>", escape_html(c));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("  </table>\n");
        }
        Block::Quote { text, by } => {
            let _ = writeln!(
                out,
                "  <blockquote class=\"voice\"><p>{}</p><footer>{}</footer></blockquote>",
                escape_html(text),
                escape_html(by)
            );
        }
        Block::Code(code) => {
            let _ = writeln!(out, "  <pre><code>{}</code></pre>", escape_html(code));
        }
        Block::Comment(c) => {
            let _ = writeln!(out, "  <!-- {c} -->");
        }
        Block::Link { text, url } => {
            let _ = writeln!(
                out,
                "  <p>研究の概要は<a href=\"{url}\" target=\"_blank\" rel=\"noopener\">{text}</a>をご覧ください。<sup><a href=\"#ref1\">[1]</a></sup></p>"
            );
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Html,
}

/// One document of about `size` bytes.
fn document(g: &mut Gen, format: Format, size: usize) -> String {
    let clinic = g.rng.pick(CLINICS);
    let treatment = g.rng.pick(TREATMENTS);
    let hair = g.rng.pick(HAIR);
    let title = format!("{treatment}｜{clinic}");
    let mut out = String::with_capacity(size + 4096);
    match format {
        Format::Markdown => {
            let _ = write!(
                out,
                "---\ntitle: \"{title}\"\ndescription: \"最先端の{treatment}で、{hair}のお悩みに。必ず生える。\"\ntags: [エクソソーム, {hair}, 再生医療]\nupdated: 2025-04-01\n---\n\n# {}\n\n",
                g.fill("{H}に、{T}という新しい選択肢を")
            );
            let mut tail = String::from("## 参考文献\n\n");
            for (i, r) in REFERENCES.iter().enumerate() {
                let _ = writeln!(tail, "{}. {r}", i + 1);
            }
            tail.push('\n');
            for (i, r) in REFERENCES.iter().take(3).enumerate() {
                let _ = writeln!(tail, "[^{}]: {r}", i + 1);
            }
            tail.push_str("\n※1 厚生労働省 医療広告ガイドライン\n");
            let mut left = 0;
            while out.len() + tail.len() < size {
                if left == 0 {
                    let h = g.rng.pick(HEADINGS);
                    let h = g.fill(h);
                    markdown_block(&mut out, &Block::Heading(2, h));
                    left = 2 + g.rng.below(4);
                }
                let b = g.block();
                markdown_block(&mut out, &b);
                left -= 1;
            }
            out.push_str(&tail);
        }
        Format::Html => {
            let _ = write!(
                out,
                "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<meta name=\"description\" content=\"日本一の発毛実績。{treatment}で必ず生える。\">\n<style>\n  .badge-safe {{ background: #e8f5e9; color: #2e7d32; }}\n</style>\n<script>\n  const bannerText = \"誰でも確実に生える\";\n</script>\n</head>\n<body>\n<header class=\"hero\">\n  <img src=\"/img/hero.jpg\" alt=\"必ず生える再生医療\" width=\"1200\" height=\"480\">\n  <h1>{}</h1>\n  <p class=\"lead\">{}の<strong>エクソソーム&amp;成長因子</strong>導入治療</p>\n</header>\n",
                escape_html(&g.fill("{H}に、{T}という新しい選択肢を")),
                escape_html(clinic)
            );
            let mut tail = String::from("<section id=\"refs\">\n  <h2>参考文献</h2>\n  <ol>\n");
            for (i, r) in REFERENCES.iter().enumerate() {
                let _ = writeln!(tail, "    <li id=\"ref{}\">{}</li>", i + 1, escape_html(r));
            }
            let _ = write!(
                tail,
                "  </ol>\n</section>\n<footer><p>&copy; 2025 {}</p></footer>\n</body>\n</html>\n",
                escape_html(clinic)
            );
            let mut rng = Rng(g.rng.next());
            let (mut id, mut left) = (0, 0);
            while out.len() + tail.len() + 12 < size {
                if left == 0 {
                    if id > 0 {
                        out.push_str("</section>\n");
                    }
                    id += 1;
                    let _ = writeln!(out, "<section id=\"s{id}\">");
                    let h = g.rng.pick(HEADINGS);
                    let h = g.fill(h);
                    html_block(&mut out, &Block::Heading(2, h), &mut rng);
                    left = 2 + g.rng.below(4);
                }
                let b = g.block();
                html_block(&mut out, &b, &mut rng);
                left -= 1;
            }
            if id > 0 {
                out.push_str("</section>\n");
            }
            out.push_str(&tail);
        }
    }
    out
}

/// `5K`, `50M`, `2000` → bytes.
fn parse_size(s: &str) -> Option<usize> {
    let (num, mult) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 1_000),
        b'M' | b'm' => (&s[..s.len() - 1], 1_000_000),
        b'G' | b'g' => (&s[..s.len() - 1], 1_000_000_000),
        _ => (s, 1),
    };
    num.parse::<usize>().ok().map(|n| n * mult)
}

struct Args {
    command: String,
    target: PathBuf,
    files: usize,
    size: Option<usize>,
    format: Format,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let command = it
        .next()
        .ok_or("usage: gen-corpus tree DIR | file PATH [options]")?;
    let target = PathBuf::from(it.next().ok_or("missing output path")?);
    let mut args = Args {
        command,
        target,
        files: 2000,
        size: None,
        format: Format::Markdown,
        seed: 1,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--files" => args.files = value.parse().map_err(|_| "bad --files")?,
            "--size" => args.size = Some(parse_size(&value).ok_or("bad --size")?),
            "--seed" => args.seed = value.parse().map_err(|_| "bad --seed")?,
            "--format" => {
                args.format = match value.as_str() {
                    "md" | "markdown" => Format::Markdown,
                    "html" => Format::Html,
                    _ => return Err("--format is md or html".into()),
                }
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(args)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let mut g = Gen {
        rng: Rng(args.seed),
    };
    match args.command.as_str() {
        "tree" => {
            let size = args.size.unwrap_or(5_000);
            let mut total = 0;
            for i in 0..args.files {
                // Each file has its own stream, so file i is the same
                // whatever --files says.
                g.rng = Rng(args.seed.wrapping_mul(1_000_003).wrapping_add(i as u64));
                let format = if i % 4 == 3 {
                    Format::Html
                } else {
                    Format::Markdown
                };
                let ext = if format == Format::Html { "html" } else { "md" };
                let doc = document(&mut g, format, size);
                let path = args
                    .target
                    .join(format!("site-{:02}", i / 50))
                    .join(format!("page-{i:05}.{ext}"));
                write(&path, &doc)?;
                total += doc.len();
            }
            eprintln!(
                "gen-corpus: {} files, {} bytes in {}",
                args.files,
                total,
                args.target.display()
            );
        }
        "file" => {
            let size = args.size.unwrap_or(50_000_000);
            let doc = document(&mut g, args.format, size);
            write(&args.target, &doc)?;
            eprintln!(
                "gen-corpus: {} bytes in {}",
                doc.len(),
                args.target.display()
            );
        }
        other => return Err(format!("unknown command {other} (tree or file)")),
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-corpus: {e}");
            ExitCode::from(2)
        }
    }
}
