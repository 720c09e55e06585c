//! Readable Chinese names for issues: "object·problem" (薯条·味道怪, 店员·态度差).
//!
//! The object is a lexicon object (menu items, staff roles, the app, delivery,
//! packaging; lexicons/issue_names.txt) named by at least a quarter of the
//! member clauses, else the Chinese name of the cluster's topic (服务·态度差).
//! The problem is a lexicon predicate of the cluster's kind (complaints:
//! 味道怪, 支付失败, 洒漏...; praise: 好吃, 服务好...), else the topic's default
//! predicate. Raw words of the texts are never used: they are too often
//! function words (还有, 还会, 不错, 半天, 一下). Praise without a lexicon object
//! ("很不错", "还会再买") is generic: [`is_generic`] says so and it is no issue.

use std::collections::HashMap;
use std::sync::OnceLock;

const LEXICON: &str = include_str!("../../lexicons/issue_names.txt");

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Object,
    Problem,
    Praise,
}

struct Entry {
    class: Class,
    name: &'static str,
    synonyms: Vec<&'static str>,
    /// The synonyms marked `!`: a clause naming one (not negated) is a complaint.
    sure: Vec<&'static str>,
}

fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        LEXICON
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut parts = l.split_whitespace();
                let kind = parts.next()?;
                let name = parts.next()?;
                let class = match kind {
                    "object" => Class::Object,
                    "praise" => Class::Praise,
                    _ => Class::Problem,
                };
                let words: Vec<&'static str> = parts.collect();
                let synonyms = words.iter().map(|w| w.trim_start_matches('!')).collect();
                let sure = words.iter().filter_map(|w| w.strip_prefix('!')).collect();
                Some(Entry { class, name, synonyms, sure })
            })
            .collect()
    })
}

/// The canonical object (薯条, 汉堡, 小程序, ...) a word names, if the lexicon lists it
/// as one of an object's synonyms.
pub fn object_of(word: &str) -> Option<&'static str> {
    // Looked up for every candidate cluster's terms while clustering: a map, built once.
    static OBJECTS: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    let objects = OBJECTS.get_or_init(|| {
        let mut map = HashMap::new();
        for e in entries().iter().filter(|e| e.class == Class::Object) {
            for &syn in &e.synonyms {
                map.entry(syn).or_insert(e.name); // earlier lines win, as in `name`
            }
        }
        map
    });
    objects.get(word).copied()
}

/// The lexicon problems (涨价, 支付失败, 态度差, ...) a complaint clause names.
pub fn problems_in(text: &str) -> impl Iterator<Item = &'static str> + '_ {
    named_in(Class::Problem, text)
}

/// Characters that, within [`NEGATION_REACH`] characters before a marker, negate
/// it: 没有异味, 不会漏汤, 一点也不咸, 怕洒了.
const NEGATIONS: &[char] = &['不', '没', '无', '未', '别', '免', '防', '怕', '非'];
const NEGATION_REACH: usize = 3;

/// Whether a clause names a sure complaint (a lexicon synonym marked `!`: 异味,
/// 漏汤, 没礼貌, 涨价, 有头发...) that no negation just before it takes back. The
/// detector counts such a clause as a complaint whatever the model made of it:
/// the model calls "鲜虾滑有异味" and "包装换了以后每次都漏汤" positive.
pub fn sure_complaint(text: &str) -> bool {
    static BY_FIRST: OnceLock<HashMap<char, Vec<&'static str>>> = OnceLock::new();
    names_sure(&BY_FIRST, Class::Problem, text)
}

/// Whether a clause names sure praise (a praise synonym marked `!`: 不贵, 收费合理,
/// 性价比高...) that no negation just before it takes back. The detector does not
/// count such a clause as a complaint, whatever the model made of it: the model
/// calls "也不是很贵" and "收费合理" negative.
pub fn sure_praise(text: &str) -> bool {
    static BY_FIRST: OnceLock<HashMap<char, Vec<&'static str>>> = OnceLock::new();
    names_sure(&BY_FIRST, Class::Praise, text)
}

/// Whether `text` names a sure synonym of `class` not negated just before it;
/// `by_first` caches that class's markers by first character.
fn names_sure(by_first: &OnceLock<HashMap<char, Vec<&'static str>>>, class: Class, text: &str) -> bool {
    // Called for every clause the detector reads: the markers by first character,
    // so that a clause costs a lookup per character, not a search per marker.
    let by_first = by_first.get_or_init(|| {
        let mut map: HashMap<char, Vec<&'static str>> = HashMap::new();
        for m in entries().iter().filter(|e| e.class == class).flat_map(|e| e.sure.iter()) {
            if let Some(c) = m.chars().next() {
                map.entry(c).or_default().push(m);
            }
        }
        map
    });
    text.char_indices().any(|(at, c)| {
        by_first.get(&c).is_some_and(|ms| ms.iter().any(|m| text[at..].starts_with(m)))
            && !text[..at].chars().rev().take(NEGATION_REACH).any(|c| NEGATIONS.contains(&c))
    })
}

/// The lexicon objects (薯条, 小程序, 店员, ...) a clause names.
pub fn objects_in(text: &str) -> impl Iterator<Item = &'static str> + '_ {
    named_in(Class::Object, text)
}

fn named_in(class: Class, text: &str) -> impl Iterator<Item = &'static str> + '_ {
    entries().iter().filter(move |e| e.class == class && e.synonyms.iter().any(|s| text.contains(s))).map(|e| e.name)
}

/// The 14 topic ids of the default model's taxonomy (`other` is none of them).
const TOPICS: [&str; 14] = [
    "taste",
    "quality",
    "temperature",
    "portion",
    "price",
    "delivery",
    "wait_time",
    "service",
    "hygiene",
    "packaging",
    "order_accuracy",
    "environment",
    "app",
    "refund",
];

/// One bit per topic of the taxonomy (0 for `other` and unknown labels).
pub fn topic_bit(label: &str) -> u16 {
    TOPICS.iter().position(|t| *t == label).map_or(0, |i| 1 << i)
}

/// The topic id whose Chinese label ([`topic_label`]) is `label` (价格 → price).
pub fn topic_of_label(label: &str) -> Option<&'static str> {
    TOPICS.iter().copied().find(|t| topic_label(t) == label)
}

/// Whether a clause names the lexicon object or the lexicon problem (praise) of
/// the issue named `name`.
pub fn names_part(name: &str, praise: bool, text: &str) -> bool {
    let (object, problem) = parts(name);
    named_in(Class::Object, text).any(|o| o == object) || named_in(problems(praise), text).any(|p| p == problem)
}

/// Whether a clause names a lexicon problem (praise) other than the one of the
/// issue named `name` (太贵 for 价格·涨价), when the name's problem is in the lexicon.
pub fn names_other_problem(name: &str, praise: bool, text: &str) -> bool {
    let problem = parts(name).1;
    in_lexicon(problems(praise), problem) && named_in(problems(praise), text).any(|p| p != problem)
}

/// The lexicon object a complaint's reports must share when most of them name it
/// (`keep_core` in the report step): 虾滑 of 虾滑·味道怪. None when the object is
/// a topic (价格·涨价: the everyday "太贵了" and the increase word it alike) or
/// incidental to the problem (hair, leaks, late delivery: `OBJECT_FREE`).
pub fn core_part(name: &str) -> Option<&str> {
    let (object, problem) = parts(name);
    (!OBJECT_FREE.contains(&problem) && in_lexicon(Class::Object, object)).then_some(object)
}

/// Whether a clause names the lexicon object `object`; a synonym of two or more
/// characters may carry one wrong character (虾华 for 虾滑, as typos and voice
/// transcripts write it). A 虾仁 complaint of those days then counts as well: the
/// price of reading typos.
pub fn names_object(object: &str, text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (entries().iter()).filter(|e| e.class == Class::Object && e.name == object).flat_map(|e| &e.synonyms).any(|s| {
        let want: Vec<char> = s.chars().collect();
        text.contains(s) || want.len() >= 2 && chars.windows(want.len()).any(|w| mismatches(w, &want) == 1)
    })
}

/// Characters that differ between two equally long spellings (typo tolerance of
/// [`names_object`] and [`names_item`]).
fn mismatches(a: &[char], b: &[char]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

/// Whether a name has a lexicon object or a lexicon problem (praise).
pub fn has_lexicon_part(name: &str, praise: bool) -> bool {
    let (object, problem) = parts(name);
    in_lexicon(Class::Object, object) || in_lexicon(problems(praise), problem)
}

/// The object and problem of a name (`虾滑`, `味道怪` of `虾滑·味道怪`).
fn parts(name: &str) -> (&str, &str) {
    let mut parts = name.split('·');
    (parts.next().unwrap_or(""), parts.next_back().unwrap_or(""))
}

/// The class of a name's problem part: praise or complaint problems.
fn problems(praise: bool) -> Class {
    if praise {
        Class::Praise
    } else {
        Class::Problem
    }
}

/// Whether `name` is a canonical name of the lexicon in `class`.
fn in_lexicon(class: Class, name: &str) -> bool {
    entries().iter().any(|e| e.class == class && e.name == name)
}

/// Chinese label of a topic id.
pub fn topic_label(topic: &str) -> &str {
    match topic {
        "taste" => "口味",
        "quality" => "食材品质",
        "temperature" => "温度",
        "portion" => "分量",
        "price" => "价格",
        "delivery" => "配送",
        "wait_time" => "出餐等待",
        "service" => "服务",
        "hygiene" => "卫生",
        "packaging" => "包装",
        "order_accuracy" => "漏错餐",
        "environment" => "门店环境",
        "app" => "点餐支付",
        "refund" => "退款售后",
        other => other,
    }
}

/// Default predicate of a topic for a complaint (`praise` false) or praise.
pub fn topic_problem(topic: &str, praise: bool) -> Option<&'static str> {
    let (complaint, good) = match topic {
        "taste" => ("味道差", "好吃"),
        "quality" => ("不新鲜", "新鲜"),
        "temperature" => ("凉了", "热乎"),
        "portion" => ("量少", "量足"),
        "price" => ("太贵", "实惠"),
        "delivery" => ("送餐慢", "送得快"),
        "wait_time" => ("出餐慢", "出餐快"),
        "service" => ("态度差", "服务好"),
        "hygiene" => ("不卫生", "干净"),
        "packaging" => ("包装差", "包装好"),
        "order_accuracy" => ("漏送错送", "没出错"),
        "environment" => ("环境差", "环境好"),
        "app" => ("用不了", "好用"),
        "refund" => ("退款难", "退款快"),
        _ => return None,
    };
    Some(if praise { good } else { complaint })
}

/// The name of a complaint cluster; see [`name_kind`].
pub fn name(texts: &[&str], _top_terms: &[&str], top_topics: &[&str]) -> String {
    name_kind(false, texts, top_topics)
}

/// The name of a cluster (praise when `praise`) from its members' texts and topics:
/// `object·problem`, see the module docs.
pub fn name_kind(praise: bool, texts: &[&str], top_topics: &[&str]) -> String {
    let best = |class: Class| -> Option<&'static str> {
        let mut best: Option<(&'static str, usize)> = None;
        for e in entries().iter().filter(|e| e.class == class) {
            let n = texts.iter().filter(|t| e.synonyms.iter().any(|s| t.contains(s))).count();
            if n > 0 && best.is_none_or(|(_, b)| n > b) {
                best = Some((e.name, n));
            }
        }
        best.filter(|&(_, n)| n * 4 >= texts.len()).map(|(name, _)| name)
    };
    let topic = top_topics.iter().find(|t| **t != crate::classify::OTHER);
    let object = best(Class::Object).or_else(|| topic.map(|t| topic_label(t)));
    let problem = best(if praise { Class::Praise } else { Class::Problem })
        .or_else(|| topic.and_then(|t| topic_problem(t, praise)))
        .unwrap_or(if praise { "好评" } else { "差评" });
    match object {
        Some(o) if problem.contains(o) => problem.to_string(),
        Some(o) => format!("{o}·{problem}"),
        None => format!("其他·{problem}"),
    }
}

/// Problems whose object is incidental ([`fits`]): hair in the burger or in the rice
/// is one hygiene incident; soup or rice leaking from the box is one packaging fault;
/// the rider, the order or the food not arriving is one late delivery.
const OBJECT_FREE: &[&str] = &["有头发", "有异物", "拉肚子", "不干净", "没熟", "洒漏", "送餐慢"];

/// Whether a clause may be one of the reports of an issue named `name`: it names
/// the issue's problem, or it names no lexicon object but the issue's and no
/// lexicon problem (praise) but the issue's, when the name has them. A clause
/// that names none fits. A cluster is wider than a spike: during a payment
/// outage the app cluster also holds the everyday "小程序老是闪退" and
/// "优惠券用不了", which are not the outage.
pub fn fits(name: &str, praise: bool, text: &str) -> bool {
    let (object, problem) = parts(name);
    let problems = problems(praise);
    // The clause names something of `class`, but not `own` (when `own` is in the lexicon).
    let conflicts = |class: Class, own: &str| -> bool {
        let mut named = named_in(class, text).peekable();
        in_lexicon(class, own) && named.peek().is_some() && !named.any(|n| n == own)
    };
    // A food-safety problem decides: hair is the incident, whether in the burger or
    // the rice. Other problems belong to their object: 毛肚味道很怪 is not 虾滑·味道怪.
    (OBJECT_FREE.contains(&problem) && named_in(problems, text).any(|n| n == problem))
        || !conflicts(Class::Object, object) && !conflicts(problems, problem)
}

/// Characters a refined object never starts with: 的牛肉, 很牛肉, 了牛肉 are not items.
const NOT_ITEM_START: &[char] = &[
    '的', '了', '是', '很', '太', '真', '超', '和', '跟', '个', '一', '这', '那', '就', '都', '也', '还', '吃', '点',
    '啊', '我', '你', '他', '她', '们', '在', '有', '又', '再', '把', '被', '给', '要', '说', '最', '好', '挺', '特',
    '非',
];

/// The most specific name of `object` that at least `share` of the `texts` naming
/// it use: up to 4 characters written just before it (藤椒牛肉 for 牛肉 when most
/// praise of a new item says 藤椒牛肉). `None` when no longer name is that common.
pub fn refine_object(object: &str, texts: &[&str], share: f64) -> Option<String> {
    let naming: Vec<&str> = texts.iter().copied().filter(|t| t.contains(object)).collect();
    if naming.is_empty() {
        return None;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for t in &naming {
        let mut seen: Vec<String> = Vec::new();
        for (at, _) in t.match_indices(object) {
            let before: Vec<char> = t[..at].chars().rev().take_while(|c| crate::segment::is_han(*c)).take(4).collect();
            for k in 1..=before.len() {
                let prefix: String = before[..k].iter().rev().collect();
                if NOT_ITEM_START.contains(&before[k - 1]) {
                    continue;
                }
                let longer = format!("{prefix}{object}");
                if !seen.contains(&longer) {
                    seen.push(longer);
                }
            }
        }
        for l in seen {
            *counts.entry(l).or_insert(0) += 1;
        }
    }
    let need = (share * naming.len() as f64).ceil() as usize;
    counts
        .into_iter()
        .filter(|(_, n)| *n >= need.max(2))
        .max_by(|a, b| a.0.chars().count().cmp(&b.0.chars().count()).then(b.1.cmp(&a.1)).then(b.0.cmp(&a.0)))
        .map(|(l, _)| l)
}

/// Whether `text` names `item` (a [`refine_object`] name ending in `object`),
/// allowing one wrong character before the object when there are at least two
/// (滕椒牛肉 for 藤椒牛肉: typed and transcribed text misspells new items).
pub fn names_item(text: &str, item: &str, object: &str) -> bool {
    let Some(prefix) = item.strip_suffix(object) else { return text.contains(item) };
    let want: Vec<char> = prefix.chars().collect();
    text.match_indices(object).any(|(at, _)| {
        let got: Vec<char> = text[..at].chars().rev().take(want.len()).collect::<Vec<_>>().into_iter().rev().collect();
        let wrong = mismatches(&want, &got);
        got.len() == want.len() && (wrong == 0 || (wrong == 1 && want.len() >= 2))
    })
}

/// Whether a name says nothing a manager can act on: praise (or a complaint)
/// without a lexicon object and without a topic (`其他·…`), or praise whose
/// object is only a topic.
pub fn is_generic(name: &str, praise: bool) -> bool {
    let object = parts(name).0;
    let lexicon_object = in_lexicon(Class::Object, object);
    if praise {
        !lexicon_object
    } else {
        object == "其他"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_core_object_is_named_with_one_typo_at_most() {
        assert_eq!(core_part("虾滑·味道怪"), Some("虾滑"));
        assert_eq!(core_part("价格·涨价"), None, "a topic's name has no object to share");
        assert_eq!(core_part("汤·有头发"), None, "hair is the incident, whatever it was in");
        assert!(names_object("虾滑", "今天的虾滑有股怪味"));
        assert!(names_object("虾滑", "虾华有股怪味"), "one wrong character");
        assert!(!names_object("虾滑", "锅底咸的一逼"));
        assert!(!names_object("虾滑", "虾"), "a shorter text is no window of it");
        assert!(names_object("鸡腿堡", "滕椒鸡腿宝很难吃"));
    }

    #[test]
    fn sure_praise_unless_negated() {
        for t in ["也不是很贵", "收费合理", "价格不贵", "性价比很高的一家店"] {
            assert!(sure_praise(t), "{t}");
        }
        for t in ["性价比不高", "价格太贵", "好吃", "没有性价比高的"] {
            assert!(!sure_praise(t), "{t}");
        }
    }

    #[test]
    fn another_problem_is_named() {
        assert!(names_other_problem("价格·涨价", false, "价格稍贵了点"), "贵了 is 太贵");
        for t in ["就是有点偏贵", "价格偏高，人均100是要的", "性价比不是很高", "价钱还不便宜"]
        {
            assert!(names_other_problem("价格·涨价", false, t), "{t}: the everyday 太贵");
        }
        assert!(!names_other_problem("价格·涨价", false, "性价比不错"));
        assert!(!names_other_problem("价格·涨价", false, "锅底涨到四十八"));
        assert!(!names_other_problem("价格·涨价", false, "好辣哟"), "no problem named");
        assert!(names_other_problem("卫生·有头发", false, "回去之后就拉肚子"));
        // a dine-in wait is 出餐慢, not a late delivery
        for t in ["店比较小等台好慢", "等了快一个小时才有位子", "特色菜火锅鸡上菜很慢"] {
            assert!(names_other_problem("外卖·送餐慢", false, t), "{t}: a table or a dish waited for");
        }
        assert!(!names_other_problem("外卖·送餐慢", false, "外卖等了两个小时还没送到"));
    }

    #[test]
    fn names_are_object_and_problem() {
        let fries = ["薯条有股怪味", "薯条味道不对", "炸薯条一股哈喇味", "薯条吧,味道怪怪的"];
        assert_eq!(name(&fries, &["薯条"], &["taste"]), "薯条·味道怪");
        let hair = ["汉堡里有头发", "米饭里吃出头发丝", "饮料里有根头发"];
        assert!(name(&hair, &[], &["hygiene"]).contains("头发"));
        let pay = ["小程序付不了款", "支付失败", "扣了钱订单没生成", "小程序支付一直转圈"];
        assert_eq!(name(&pay, &[], &["app"]), "小程序·支付失败");
    }

    #[test]
    fn without_lexicon_hits_the_topic_and_terms_name_it() {
        assert_eq!(name(&["灯光太暗了", "灯光昏暗"], &["灯光", "昏暗"], &["environment"]), "门店环境·环境差");
        // Never a function word: without object and topic the name says so.
        assert_eq!(name(&["等了半天", "半天没人理"], &["半天", "没人理"], &["other"]), "其他·差评");
        assert_eq!(name(&["服务员翻白眼", "店员爱答不理"], &[], &["service"]), "店员·态度差");
        assert_eq!(name(&["态度太差了", "爱答不理"], &[], &["service"]), "服务·态度差");
    }

    #[test]
    fn a_clause_fits_an_issue_unless_it_names_another_object_or_problem() {
        assert!(fits("小程序·支付失败", false, "小程序付不了款"));
        assert!(fits("小程序·支付失败", false, "一直转圈"));
        assert!(fits("小程序·支付失败", false, "取餐码显示不出来"));
        assert!(!fits("小程序·支付失败", false, "小程序老是闪退"));
        assert!(!fits("小程序·支付失败", false, "优惠券用不了"));
        assert!(fits("薯条·味道怪", false, "薯条和汉堡都有股怪味"));
        assert!(fits("汉堡·有头发", false, "米饭里吃出头发丝"));
        assert!(!fits("汉堡·有头发", false, "米饭太硬"));
        assert!(!fits("薯条·味道怪", false, "鸡块太咸了"));
        assert!(!fits("薯条·味道怪", false, "鸡块有股怪味"));
        // A name without a lexicon object or problem filters nothing by it.
        assert!(fits("口味·味道差", false, "鸡块有股怪味"));
        assert!(!fits("薯条·好吃", true, "薯条送得快"));
    }

    #[test]
    fn a_new_item_refines_its_lexicon_object() {
        let texts = ["新出的藤椒牛肉太好吃了", "藤椒牛肉真的好吃", "尝了新品藤椒牛肉", "牛肉很嫩", "藤椒牛肉绝了"];
        assert_eq!(refine_object("牛肉", &texts, 0.6).as_deref(), Some("藤椒牛肉"));
        // Function characters never start an item, and a rare longer name is not taken.
        let texts = ["的牛肉好吃", "的牛肉很嫩", "手切牛肉好", "牛肉好吃"];
        assert_eq!(refine_object("牛肉", &texts, 0.6), None);
        assert!(names_item("滕椒牛肉很香", "藤椒牛肉", "牛肉"));
        assert!(names_item("新出的藤椒牛肉", "藤椒牛肉", "牛肉"));
        assert!(!names_item("手切牛肉很香", "藤椒牛肉", "牛肉"));
        assert!(!names_item("牛肉很香", "藤椒牛肉", "牛肉"));
    }

    #[test]
    fn sure_complaints_unless_negated() {
        for t in ["鲜虾滑有异味", "包装换了以后每次都漏汤", "服务员很没礼貌", "米饭里吃出头发丝", "又涨价了"]
        {
            assert!(sure_complaint(t), "{t}");
        }
        for t in ["没有异味", "一点也不会漏汤", "味道很好", "服务员很有礼貌", "价格还行", ""]
        {
            assert!(!sure_complaint(t), "{t}");
        }
    }

    #[test]
    fn praise_is_named_the_same_way_and_generic_praise_is_generic() {
        assert_eq!(name_kind(true, &["薯条好好吃", "薯条太香了"], &["taste"]), "薯条·好吃");
        let generic = name_kind(true, &["很不错", "还会再买"], &["other"]);
        assert!(is_generic(&generic, true), "{generic}");
        assert!(!is_generic("薯条·好吃", true));
        assert!(is_generic("口味·好吃", true));
        assert!(!is_generic("服务·态度差", false));
    }
}
