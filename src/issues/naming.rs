//! Readable Chinese names for clusters: "object·problem" (薯条·味道怪).

use std::collections::HashMap;
use std::sync::OnceLock;

const LEXICON: &str = include_str!("../../lexicons/issue_names.txt");

struct Entry {
    object: bool,
    name: &'static str,
    synonyms: Vec<&'static str>,
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
                Some(Entry { object: kind == "object", name, synonyms: parts.collect() })
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
        for e in entries().iter().filter(|e| e.object) {
            for &syn in &e.synonyms {
                map.entry(syn).or_insert(e.name); // earlier lines win, as in `name`
            }
        }
        map
    });
    objects.get(word).copied()
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

/// The name of a cluster from its members' texts, its top terms and topics.
///
/// The object is the lexicon object named by most texts (at least a quarter of
/// them), else the cluster's top topic (not `other`), else its top term; the
/// problem likewise, else the most frequent term that is not the object.
pub fn name(texts: &[&str], top_terms: &[&str], top_topics: &[&str]) -> String {
    let best = |object: bool| -> Option<&'static str> {
        let mut best: Option<(&'static str, usize)> = None;
        for e in entries().iter().filter(|e| e.object == object) {
            let n = texts.iter().filter(|t| e.synonyms.iter().any(|s| t.contains(s))).count();
            if n > 0 && best.is_none_or(|(_, b)| n > b) {
                best = Some((e.name, n));
            }
        }
        best.filter(|&(_, n)| n * 4 >= texts.len()).map(|(name, _)| name)
    };
    let object = best(true).map(str::to_string).or_else(|| {
        top_topics
            .iter()
            .find(|t| **t != crate::classify::OTHER)
            .map(|t| topic_label(t).to_string())
            .or_else(|| top_terms.first().map(|t| t.to_string()))
    });
    let problem = best(false)
        .map(str::to_string)
        .or_else(|| top_terms.iter().find(|t| object.as_deref() != Some(**t)).map(|t| t.to_string()));
    match (object, problem) {
        (Some(o), Some(p)) if p.contains(&o) => p,
        (Some(o), Some(p)) if o.contains(&p) => o,
        (Some(o), Some(p)) => format!("{o}·{p}"),
        (Some(o), _) => o,
        (None, Some(p)) => p,
        (None, None) => "未命名".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(name(&["灯光太暗了", "灯光昏暗"], &["灯光", "昏暗"], &["environment"]), "门店环境·灯光");
        // `other` is no name: the terms carry it.
        assert_eq!(name(&["等了半天", "半天没人理"], &["半天", "没人理"], &["other"]), "半天·没人理");
    }
}
