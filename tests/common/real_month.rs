//! A month of feedback whose background is *real* customer text, for testing
//! `fankui issues` on data it was not written for (tests/issues_real_month.rs).
//!
//! Background: the real restaurant and delivery reviews of `../shared/data/real/`
//! (Meituan hot-pot reviews `comment`, Dianping sentences `s`, ASAP `reviewbody`,
//! Dianping Haidilao `comment`, Ele.me `rating_text`), read at test time — nothing
//! of them is copied into the project — shuffled with the seed and spread over
//! 200 stores in 4 regions and 28 days, with more records on weekends and busier
//! and quieter stores: about 14,000 records.
//!
//! Injected on top, written for fankui (paraphrases, typos and voice-style
//! transcripts without punctuation, with fillers 嗯 / 那个):
//!
//! | incident | where | days |
//! |---|---|---|
//! | new-item praise (藤椒牛肉) | chain | 8–10 |
//! | hair in the food | one store | 11 |
//! | price increase | chain | 13–15 |
//! | app / payment outage | chain | 16 |
//! | ingredient gone off (虾滑) | chain | 18–20 |
//! | delivery outage | region south | 21 |
//! | rude staff, 5–8 a day in many wordings (a slow burn) | one store | 23–26 |
//! | new packaging leaks soup | chain | 24–27 |
//!
//! A real background review that itself says an incident's problem in the
//! incident's scope and days (a "又涨价了" during the price increase) is one of
//! the incident's reports: the issue should hold it, and it is no error there
//! (`Incident::natural` lists the words).
//!
//! Everything is seeded. The background records do not depend on whether the
//! incidents are injected (they come from their own random stream), so the
//! quiet month is the same month without its incidents.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub const DAYS: u32 = 28;
pub const REGIONS: [(&str, &str); 4] = [("east", "SH"), ("north", "BJ"), ("south", "GZ"), ("west", "CD")];
pub const STORES_PER_REGION: usize = 50;

/// Complaint or praise, as the test expects it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    Complaint,
    Praise,
}

/// The least severity the incident must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WantSeverity {
    Red,
    AtLeastYellow,
    /// Praise: green.
    Green,
}

/// Where an incident happens.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Chain,
    Region(&'static str),
    Store(&'static str),
}

/// One injected incident.
pub struct Incident {
    pub name: &'static str,
    pub kind: Want,
    pub severity: WantSeverity,
    pub scope: Scope,
    pub first_day: u32,
    pub last_day: u32,
    /// Reports per day (mean of a Poisson), or exact counts per day when `exact` is set.
    pub per_day: f64,
    pub exact: &'static [u32],
    /// A word the name should contain (reported, not asserted).
    pub object: &'static str,
    /// Words by which a real review says the incident's problem itself (涨价, 头发,
    /// 态度差): a background review of the incident's scope and days that contains
    /// one is one of its reports too, a real "又涨价了" in the days of a chain-wide
    /// price increase. Empty when the object alone does not say the problem
    /// (虾滑, a new item's name).
    pub natural: &'static [&'static str],
    pub texts: &'static [&'static str],
}

pub const INCIDENTS: [Incident; 8] = [
    Incident {
        name: "new-item praise",
        kind: Want::Praise,
        severity: WantSeverity::Green,
        scope: Scope::Chain,
        first_day: 8,
        last_day: 10,
        per_day: 35.0,
        exact: &[],
        object: "藤椒牛肉",
        natural: &[],
        texts: &[
            "新出的藤椒牛肉太好吃了",
            "藤椒牛肉绝了，麻麻的很香",
            "强烈推荐新品藤椒牛肉",
            "藤椒牛肉嫩得很，下次还点",
            "新上的藤椒牛肉超级入味",
            "藤椒牛肉yyds",
            "尝了一下新品藤椒牛肉，惊艳到我了",
            "藤椒牛肉好好吃，一盘根本不够",
            "滕椒牛肉很香",
            "藤椒牛肉真的好吃，麻香十足",
            "这次的新菜藤椒牛肉值得一试",
            "藤椒牛肉片又嫩又滑，味道很棒",
            "新品藤椒牛肉很惊喜，比肥牛还好吃",
            "藤椒牛肉做得真不错，麻得刚刚好",
        ],
    },
    Incident {
        name: "hair (one store)",
        kind: Want::Complaint,
        severity: WantSeverity::Red,
        scope: Scope::Store("BJ-007"),
        first_day: 11,
        last_day: 11,
        per_day: 0.0,
        exact: &[6],
        object: "头发",
        natural: &["头发"],
        texts: &[
            "锅里捞出一根头发，恶心死了",
            "菜里面有根长头发",
            "毛肚上粘着头发丝",
            "吃到一半发现碗里有头发",
            "汤里飘着一根头发，太恶心了",
            "肥牛卷里夹着一根头发",
            "土豆片上有头发，卫生太差",
            "吃出了头发，胃口全没了",
        ],
    },
    Incident {
        name: "price increase",
        kind: Want::Complaint,
        severity: WantSeverity::AtLeastYellow,
        scope: Scope::Chain,
        first_day: 13,
        last_day: 15,
        per_day: 15.0,
        exact: &[],
        object: "",
        natural: &["涨价", "提价", "调价", "比以前贵", "比之前贵", "变贵"],
        texts: &[
            "怎么又涨价了，套餐贵了十块",
            "价格涨了好多，不值这个钱了",
            "一声不响就涨价，不会再来了",
            "同样的套餐比上周贵了不少",
            "锅底涨到四十八，太离谱了",
            "菜价全涨了，分量还是那么点",
            "涨价涨得也太狠了吧",
            "现在一个人吃下来要一百多，贵了",
            "价格比以前高了一大截",
            "又长价了，吃不起了",
            "价格翻倍，性价比越来越低",
            "菜单价格偷偷改了，贵了好多",
            "涨价以后感觉不划算了",
        ],
    },
    Incident {
        name: "app / payment outage",
        kind: Want::Complaint,
        severity: WantSeverity::Red,
        scope: Scope::Chain,
        first_day: 16,
        last_day: 16,
        per_day: 35.0,
        exact: &[],
        object: "支付",
        natural: &["支付失败", "付款失败", "付不了", "支付不了", "无法支付"],
        texts: &[
            "小程序付款一直失败",
            "扫码点餐付不了钱，转了半天圈",
            "小程序支付失败了好几次",
            "钱扣了订单却没生成",
            "付款的时候小程序闪退",
            "点完单付不了款，服务员也没办法",
            "微信支付一直报错",
            "扫码点单提示系统繁忙，付款失败",
            "扣款成功了但是显示未支付",
            "支付页面卡住不动",
            "小成序付款失败",
            "下单付款失败三次，只能去前台排队",
            "付不了款，页面一直转圈圈",
            "小程序支付不了，急死人",
        ],
    },
    Incident {
        name: "ingredient off (chain)",
        kind: Want::Complaint,
        severity: WantSeverity::Red,
        scope: Scope::Chain,
        first_day: 18,
        last_day: 20,
        per_day: 26.0,
        exact: &[],
        object: "虾滑",
        natural: &[],
        texts: &[
            "虾滑有股怪味，不敢吃",
            "今天的虾滑味道不对劲，像放坏了",
            "虾滑一股腥臭味，感觉不新鲜",
            "虾滑是酸的，肯定变质了",
            "点的虾滑有点发臭",
            "虾滑吃着有哈喇味，跟以前完全不一样",
            "锅底还可以，就是虾滑有怪味",
            "虾滑不新鲜，吃了一口就吐出来了",
            "这次的虾滑闻着就不对，臭臭的",
            "虾华有股怪味",
            "虾滑味道怪怪的，跟上次不是一个东西",
            "虾滑是不是坏了？一股酸味",
            "虾滑腥得很，没法吃",
            "鲜虾滑有异味，退掉了",
        ],
    },
    Incident {
        name: "delivery outage (south)",
        kind: Want::Complaint,
        severity: WantSeverity::Red,
        scope: Scope::Region("south"),
        first_day: 21,
        last_day: 21,
        per_day: 30.0,
        exact: &[],
        object: "",
        natural: &["没送到", "送餐慢", "配送慢", "送得慢", "外卖超时"],
        texts: &[
            "外卖等了两个小时还没送到",
            "骑手一直不接单，饭到现在都没来",
            "外卖超时一个多小时，饭都凉透了",
            "订单一直显示配送中，人影都没有",
            "叫的外卖三个小时没到，打电话也没人接",
            "配送太慢了，等到睡着了",
            "外卖迟迟不送，只能取消",
            "送餐慢得离谱，等了一个半小时",
            "中午一点下的单三点才送到",
            "骑手联系不上，外卖一直不到",
            "外卖晚了一个多钟头",
            "外买等了俩小时",
            "等外卖等到饿过头了",
            "外卖到现在都没送来，什么情况",
        ],
    },
    Incident {
        name: "rude staff (one store, slow burn)",
        kind: Want::Complaint,
        severity: WantSeverity::AtLeastYellow,
        scope: Scope::Store("CD-017"),
        first_day: 23,
        last_day: 26,
        per_day: 0.0,
        exact: &[5, 7, 8, 8],
        object: "",
        natural: &["态度差", "态度不好", "态度恶劣", "爱答不理"],
        texts: &[
            "服务员态度太差了，叫了好几次都不理",
            "那个收银的小姑娘一直甩脸色",
            "问个问题店员爱答不理的",
            "服务员翻白眼，什么素质",
            "想加个汤被服务员凶了一顿",
            "员工说话很冲，像我们欠他钱一样",
            "经理态度恶劣，还跟顾客吵架",
            "喊服务员加水，装没听见",
            "前台的人特别不耐烦",
            "服务生把盘子摔在桌上",
            "结账的时候被店员阴阳怪气了",
            "这家店的服务员居然骂人",
            "店员全程黑着脸",
            "服务员很没礼貌，催我们吃完赶紧走",
            "态度好差的服务员",
            "服务员太度恶劣",
        ],
    },
    Incident {
        name: "packaging leaks soup",
        kind: Want::Complaint,
        severity: WantSeverity::AtLeastYellow,
        scope: Scope::Chain,
        first_day: 24,
        last_day: 27,
        per_day: 12.0,
        exact: &[],
        object: "",
        natural: &["漏汤", "洒了", "撒了"],
        texts: &[
            "换了新的打包盒，汤全洒了",
            "外卖的汤漏了一袋子",
            "汤撒得到处都是，盒子盖不严",
            "新餐盒根本不密封，锅底漏光了",
            "打包的汤汁漏出来，袋子都湿透了",
            "送到的时候汤洒了一半",
            "这个新包装太差，汤全漏了",
            "餐盒盖子扣不紧，汤漏得一塌糊涂",
            "汤漏得满袋子都是",
            "打包的汤洒了，衣服都弄脏了",
            "包装换了以后每次都漏汤",
            "汤桶没封好，撒了一半",
        ],
    },
];

/// Openers and closers written for fankui that make some incident reports longer,
/// as real reports are ("其他还行，就是…").
const OPENERS: &[&str] = &["其他还行，就是", "第二次来了，", "今天中午点的，", "说实话，", "和朋友一起来的，"];
const CLOSERS: &[&str] = &["", "", "，希望改进", "，下次不来了", "。", "！！"];
/// Closers of praise reports (as many as [`CLOSERS`]: the same random draws).
const PRAISE_CLOSERS: &[&str] = &["", "", "，推荐", "，下次还来", "。", "！！"];
const FILLERS: &[&str] = &["嗯", "那个", "嗯 那个", "就是", "呃 就是说"];
/// Common input-method slips: (right, wrong).
const TYPOS: &[(&str, &str)] = &[("的", "得"), ("在", "再"), ("了", "啦"), ("吧", "把"), ("以", "已"), ("那", "哪")];

#[derive(Clone, Debug)]
pub struct Record {
    pub id: String,
    pub day: u32,
    pub time: String,
    pub store: String,
    pub region: String,
    pub text: String,
    pub voice: bool,
    /// Index into [`INCIDENTS`], `None` for background. A background review (id `b…`)
    /// that says an incident's problem in its scope and days has the incident's index
    /// ([`Incident::natural`]).
    pub incident: Option<usize>,
}

impl Record {
    /// A real review of the background (not an injected report).
    pub fn is_background(&self) -> bool {
        self.id.starts_with('b')
    }
}

#[path = "rng.rs"]
mod rng;
pub use rng::Rng;

/// Where the real data lives: `../shared/data/real` beside the project.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real")
}

const FILES: [(&str, &str); 5] = [
    ("meituan_hotpot_reviews.csv", "comment"),
    ("dianping_sentences_unlabeled.jsonl", "s"),
    ("asap_samples.csv", "reviewbody"),
    ("dianping_haidilao_aspect_scores.csv", "comment"),
    ("eleme_comments.csv", "rating_text"),
];

/// The real texts, cleaned and deduplicated, in file order; `None` (with the
/// reason) when a file is missing.
pub fn real_texts() -> Result<Vec<String>, String> {
    let dir = data_dir();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (file, column) in FILES {
        let path = dir.join(file);
        let body = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let raw: Vec<String> = if file.ends_with(".jsonl") {
            body.lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| v.get(column).and_then(|s| s.as_str()).map(str::to_string))
                .collect()
        } else {
            let rows = parse_csv(&body);
            let Some(col) = rows.first().and_then(|h| h.iter().position(|c| c == column)) else {
                return Err(format!("{}: no column `{column}`", path.display()));
            };
            rows.into_iter().skip(1).filter_map(|mut r| (col < r.len()).then(|| r.swap_remove(col))).collect()
        };
        for t in raw {
            let t = clean(&t);
            if t.chars().count() >= 4 && seen.insert(t.clone()) {
                out.push(t);
            }
        }
    }
    Ok(out)
}

/// Drops Meituan's `「#套餐：…」` voucher tag, joins lines, and keeps the first
/// sentences up to 80 characters (long reviews cost test time; a delivery-app
/// comment is short).
fn clean(t: &str) -> String {
    let mut s = String::new();
    for line in t.lines() {
        let line = line.trim();
        if line.is_empty() || (line.starts_with('「') && line.contains("套餐")) {
            continue;
        }
        if !s.is_empty() && !s.ends_with(|c: char| "。！？!?，,~；;…".contains(c)) {
            s.push('，');
        }
        s.push_str(line);
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 80 {
        return s;
    }
    let cut = chars[..80].iter().rposition(|c| "。！？!?".contains(*c)).map(|i| i + 1).unwrap_or(80);
    chars[..cut.max(20)].iter().collect()
}

/// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines.
fn parse_csv(body: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn date(day: u32) -> String {
    // 2026-10-01 + day; the month stays within October.
    format!("2026-10-{:02}", day + 1)
}

/// Day index of a `YYYY-MM-DD…` window label.
pub fn day_of(label: &str) -> u32 {
    label[8..10].parse::<u32>().expect("day") - 1
}

/// Monday = 0 … Sunday = 6; 2026-10-01 is a Thursday.
pub fn weekday(day: u32) -> u32 {
    (day + 3) % 7
}

fn minute(rng: &mut Rng) -> u32 {
    // Meal peaks: lunch and dinner.
    let peak = if rng.unit() < 0.5 { 12 * 60 } else { 18 * 60 + 30 };
    (peak as i64 + (rng.unit() * 240.0 - 120.0) as i64).clamp(7 * 60, 23 * 60) as u32
}

/// One incident report: a wording, sometimes lengthened, sometimes with a typo,
/// sometimes a voice transcript.
fn variant(rng: &mut Rng, texts: &[&str], praise: bool) -> (String, bool) {
    let mut t = texts[rng.below(texts.len())].to_string();
    if rng.unit() < 0.2 {
        t = format!("{}{}", OPENERS[rng.below(OPENERS.len())], t);
    }
    let closers = if praise { PRAISE_CLOSERS } else { CLOSERS };
    let closer = closers[rng.below(closers.len())];
    t.push_str(closer);
    if rng.unit() < 0.15 {
        let (right, wrong) = TYPOS[rng.below(TYPOS.len())];
        t = t.replacen(right, wrong, 1);
    }
    let voice = rng.unit() < 0.25;
    if voice {
        let words: String =
            t.chars().map(|c| if "，。！？,.!?；;、~…".contains(c) { ' ' } else { c }).collect::<String>();
        let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
        t = format!("{} {}", FILLERS[rng.below(FILLERS.len())], words);
    }
    (t, voice)
}

/// Whether a (store, region) is in an incident's scope.
fn in_scope(scope: Scope, (store, region): &(String, String)) -> bool {
    match scope {
        Scope::Chain => true,
        Scope::Region(r) => region == r,
        Scope::Store(name) => store == name,
    }
}

/// Generates the month in time order; `incidents` false gives the quiet month
/// (the same background, nothing injected). `None` when the real data is absent.
pub fn generate(seed: u64, incidents: bool) -> Result<Vec<Record>, String> {
    let mut texts = real_texts()?;
    let mut rng = Rng::new(seed);
    // Shuffle the real texts (Fisher–Yates) and deal them out in order: no text twice.
    for i in (1..texts.len()).rev() {
        let j = rng.below(i + 1);
        texts.swap(i, j);
    }
    let stores: Vec<(String, String)> = REGIONS
        .iter()
        .flat_map(|(region, code)| (1..=STORES_PER_REGION).map(move |i| (format!("{code}-{i:03}"), region.to_string())))
        .collect();
    // Busier and quieter stores.
    let weight: Vec<f64> = (0..stores.len()).map(|_| 0.6 + 0.8 * rng.unit()).collect();
    let mut next = 0usize;
    // (day, minute, store, text, voice, incident, id): ids do not depend on the injection.
    let mut raw: Vec<(u32, u32, usize, String, bool, Option<usize>, String)> = Vec::new();
    for day in 0..DAYS {
        let rate = if weekday(day) >= 5 { 3.2 } else { 2.25 };
        for s in 0..stores.len() {
            for _ in 0..rng.poisson(rate * weight[s]) {
                let text = texts[next % texts.len()].clone();
                next += 1;
                let m = minute(&mut rng);
                raw.push((day, m, s, text, false, None, format!("b{:06}", raw.len() + 1)));
            }
        }
    }
    if incidents {
        // Incidents draw from their own stream: the background is the same either way.
        let mut rng = Rng::new(seed ^ 0x1AC1_DE47);
        for (k, inc) in INCIDENTS.iter().enumerate() {
            let pool: Vec<usize> = (0..stores.len()).filter(|&i| in_scope(inc.scope, &stores[i])).collect();
            assert!(!pool.is_empty(), "{}: no store in scope", inc.name);
            for day in inc.first_day..=inc.last_day {
                let i = (day - inc.first_day) as usize;
                let n = if inc.exact.is_empty() { rng.poisson(inc.per_day) } else { inc.exact[i] };
                for _ in 0..n {
                    let s = pool[rng.below(pool.len())];
                    let (text, voice) = variant(&mut rng, inc.texts, inc.kind == Want::Praise);
                    let m = minute(&mut rng);
                    let id = format!("i{k}-{:04}", raw.len());
                    raw.push((day, m, s, text, voice, Some(k), id));
                }
            }
        }
    }
    if incidents {
        // Background reviews that say an incident's problem in its scope and days.
        for r in raw.iter_mut().filter(|r| r.5.is_none()) {
            r.5 = INCIDENTS.iter().position(|inc| {
                (inc.first_day..=inc.last_day).contains(&r.0)
                    && in_scope(inc.scope, &stores[r.2])
                    && inc.natural.iter().any(|w| r.3.contains(w))
            });
        }
    }
    raw.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    Ok(raw
        .into_iter()
        .map(|(day, m, s, text, voice, incident, id)| Record {
            id,
            day,
            time: format!("{}T{:02}:{:02}:00+08:00", date(day), m / 60, m % 60),
            store: stores[s].0.clone(),
            region: stores[s].1.clone(),
            text,
            voice,
            incident,
        })
        .collect())
}
