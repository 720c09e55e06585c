//! Clause splitting: snapshot tables with offsets, options and properties.

use expect_test::{expect, Expect};
use fankui::{Clause, ClauseOptions, ClauseSplitter, MappedText, Normalizer, TranscriptCleaner};
use proptest::prelude::*;

/// One line per input: every clause as `text@start..end`, checked against the original text.
fn table(splitter: &ClauseSplitter, inputs: &[&str], expect: Expect) {
    let normalizer = Normalizer::default();
    let mut out = String::new();
    for input in inputs {
        let clauses = splitter.split(&normalizer.normalize(input));
        let chars: Vec<char> = input.chars().collect();
        let shown: Vec<String> = clauses
            .iter()
            .map(|c| {
                let original: String = chars[c.start..c.end].iter().collect();
                if original == c.text {
                    format!("{}@{}..{}", c.text, c.start, c.end)
                } else {
                    format!("{}@{}..{}({original})", c.text, c.start, c.end)
                }
            })
            .collect();
        out.push_str(&format!("{input:?}\n  => {}\n", shown.join(" | ")));
    }
    expect.assert_eq(&out);
}

#[test]
fn punctuation_markers_and_emoji() {
    table(
        &ClauseSplitter::default(),
        &[
            "汉堡还可以，就是薯条味道怪怪的",
            "汉堡还可以就是薯条味道怪怪的",
            "送餐很快但是薯条凉了",
            "汉堡还可以，就是薯條味道怪怪的！！！我电话13812345678",
            "味道不错。服务一般！价格？偏贵；环境…还行~下次再来",
            "好吃 下次还来\n就是有点远",
            "iphone 15 下单很方便, good service",
            "等了30~40分钟，价格1,000元，评分4.5分",
            "好难吃！😡😡下次不来了",
            "好难吃😡，下次不来了👎",
            "好，很好吃，嗯",
            "好吃好吃好吃",
            "味道一般不过价格便宜而且送得快另外包装也好",
            "这个价格太说不过去了",
            "我点了另外一个套餐",
            "薯条还有点凉，还有汉堡也不热",
            "这就是问题所在",
            "不只是味道的问题",
            "味道还行只不过有点贵",
            "我电话 <PHONE> 谢谢",
            "T_T 难吃 :)",
            "然后，薯条也凉了",
            "好吃，但是",
        ],
        expect![[r#"
            "汉堡还可以，就是薯条味道怪怪的"
              => 汉堡还可以@0..5 | 就是薯条味道怪怪的@6..15
            "汉堡还可以就是薯条味道怪怪的"
              => 汉堡还可以@0..5 | 就是薯条味道怪怪的@5..14
            "送餐很快但是薯条凉了"
              => 送餐很快@0..4 | 但是薯条凉了@4..10
            "汉堡还可以，就是薯條味道怪怪的！！！我电话13812345678"
              => 汉堡还可以@0..5 | 就是薯条味道怪怪的@6..15(就是薯條味道怪怪的) | 我电话<PHONE>@18..32(我电话13812345678)
            "味道不错。服务一般！价格？偏贵；环境…还行~下次再来"
              => 味道不错@0..4 | 服务一般@5..9 | 价格@10..12 | 偏贵@13..15 | 环境@16..18 | 还行@19..21 | 下次再来@22..26
            "好吃 下次还来\n就是有点远"
              => 好吃@0..2 | 下次还来@3..7 | 就是有点远@8..13
            "iphone 15 下单很方便, good service"
              => iphone 15 下单很方便@0..15 | good service@17..29
            "等了30~40分钟，价格1,000元，评分4.5分"
              => 等了30~40分钟@0..9 | 价格1,000元@10..18 | 评分4.5分@19..25
            "好难吃！😡😡下次不来了"
              => 好难吃！😡😡@0..6 | 下次不来了@6..11
            "好难吃😡，下次不来了👎"
              => 好难吃😡@0..4 | 下次不来了👎@5..11
            "好，很好吃，嗯"
              => 好，很好吃，嗯@0..7
            "好吃好吃好吃"
              => 好吃好吃好吃@0..6
            "味道一般不过价格便宜而且送得快另外包装也好"
              => 味道一般@0..4 | 不过价格便宜@4..10 | 而且送得快@10..15 | 另外包装也好@15..21
            "这个价格太说不过去了"
              => 这个价格太说不过去了@0..10
            "我点了另外一个套餐"
              => 我点了另外一个套餐@0..9
            "薯条还有点凉，还有汉堡也不热"
              => 薯条还有点凉@0..6 | 还有汉堡也不热@7..14
            "这就是问题所在"
              => 这就是问题所在@0..7
            "不只是味道的问题"
              => 不只是味道的问题@0..8
            "味道还行只不过有点贵"
              => 味道还行@0..4 | 只不过有点贵@4..10
            "我电话 <PHONE> 谢谢"
              => 我电话 <phone> 谢谢@0..14(我电话 <PHONE> 谢谢)
            "T_T 难吃 :)"
              => T_T 难吃 :)@0..9
            "然后，薯条也凉了"
              => 然后，薯条也凉了@0..8
            "好吃，但是"
              => 好吃，但是@0..5
        "#]],
    );
}

#[test]
fn voice_transcripts_split_at_inserted_breaks() {
    let raw = "嗯那个就是说薯条吧味道不太对我我觉得是油的问题";
    let cleaned = TranscriptCleaner::default().clean(&Normalizer::default().normalize(raw));
    let clauses = ClauseSplitter::default().split(&cleaned);
    let chars: Vec<char> = raw.chars().collect();
    let shown: Vec<String> = clauses
        .iter()
        .map(|c| format!("{}@{}..{}={}", c.text, c.start, c.end, chars[c.start..c.end].iter().collect::<String>()))
        .collect();
    expect![[r#"薯条吧@6..9=薯条吧 | 味道不太对@9..14=味道不太对 | 我觉得是油的问题@14..23=我我觉得是油的问题"#]]
        .assert_eq(&shown.join(" | "));
}

#[test]
fn options() {
    let inputs = ["送餐很快但是薯条凉了", "好，很好吃，好😡"];
    table(
        &ClauseSplitter::new(ClauseOptions::default().with_split_on_markers(false)).unwrap(),
        &inputs,
        expect![[r#"
            "送餐很快但是薯条凉了"
              => 送餐很快但是薯条凉了@0..10
            "好，很好吃，好😡"
              => 好，很好吃，好😡@0..8
        "#]],
    );
    table(
        &ClauseSplitter::new(ClauseOptions::default().with_min_chars(0)).unwrap(),
        &inputs,
        expect![[r#"
            "送餐很快但是薯条凉了"
              => 送餐很快@0..4 | 但是薯条凉了@4..10
            "好，很好吃，好😡"
              => 好@0..1 | 很好吃@2..5 | 好😡@6..8
        "#]],
    );
    let options = ClauseOptions::default().with_min_chars(3);
    let json = serde_json::to_string(&options).unwrap();
    assert_eq!(serde_json::from_str::<ClauseOptions>(&json).unwrap(), options);
    assert!(serde_json::from_str::<ClauseOptions>(r#"{"min": 3}"#).is_err());
    assert_eq!(ClauseSplitter::new(options.clone()).unwrap().options(), &options);
}

#[test]
fn empty_and_punctuation_only_inputs_have_no_clause() {
    let splitter = ClauseSplitter::default();
    for input in ["", "   ", "！！！", "，。…~", "\n\n"] {
        assert_eq!(splitter.split(&MappedText::identity(input)), Vec::<Clause>::new(), "{input:?}");
    }
    // A lone emoji is still a clause.
    assert_eq!(splitter.split(&MappedText::identity("😡")).len(), 1);
}

#[test]
fn clause_serializes_with_offsets() {
    let clause = ClauseSplitter::default().split(&MappedText::identity("很好吃")).remove(0);
    let json = serde_json::to_string(&clause).unwrap();
    assert_eq!(json, r#"{"text":"很好吃","start":0,"end":3}"#);
    assert_eq!(serde_json::from_str::<Clause>(&json).unwrap(), clause);
}

#[test]
fn public_types_are_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<ClauseSplitter>();
    check::<ClauseOptions>();
    check::<Clause>();
}

fn check_clauses(original: &str, clauses: &[Clause]) -> Result<(), TestCaseError> {
    let n = original.chars().count();
    let mut last_end = 0;
    for c in clauses {
        prop_assert!(!c.text.is_empty());
        prop_assert!(c.start <= c.end && c.end <= n, "{:?} outside 0..{}", c, n);
        prop_assert!(c.start >= last_end, "clauses overlap: {:?}", clauses);
        prop_assert!(c.text.trim() == c.text, "untrimmed {:?}", c.text);
        last_end = c.end;
    }
    Ok(())
}

fn pieces() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "，",
        "。",
        "！",
        "?",
        "!",
        ",",
        ".",
        "~",
        "…",
        " ",
        "\n",
        "但是",
        "就是",
        "不过",
        "还有",
        "只不过",
        "汉堡",
        "好",
        "我",
        "1",
        "a",
        "😡",
        "👍🏻",
        "<PHONE>",
        "薯條",
        "13812345678",
        "嗯",
        "那个",
        "吧",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_on_any_unicode(s in "\\PC*", min in 0usize..4) {
        let splitter = ClauseSplitter::new(ClauseOptions::default().with_min_chars(min)).unwrap();
        check_clauses(&s, &splitter.split(&MappedText::identity(&s)))?;
        check_clauses(&s, &splitter.split(&Normalizer::default().normalize(&s)))?;
    }

    #[test]
    fn whole_text_pipeline_never_panics(s in prop::collection::vec(any::<char>(), 0..200)) {
        let s: String = s.into_iter().collect();
        let normalized = Normalizer::default().normalize(&s);
        let cleaned = TranscriptCleaner::default().clean(&normalized);
        check_clauses(&s, &ClauseSplitter::default().split(&normalized))?;
        check_clauses(&s, &ClauseSplitter::default().split(&cleaned))?;
    }

    #[test]
    fn pipeline_offsets_are_sound(s in pieces(), min in 0usize..4) {
        let splitter = ClauseSplitter::new(ClauseOptions::default().with_min_chars(min)).unwrap();
        let normalized = Normalizer::default().normalize(&s);
        check_clauses(&s, &splitter.split(&normalized))?;
        let cleaned = TranscriptCleaner::default().clean(&normalized);
        check_clauses(&s, &splitter.split(&cleaned))?;
        // Nothing is lost: every content character of the text is in some clause.
        let content = |t: &str| t.chars().filter(|c| c.is_alphanumeric()).count();
        let in_clauses: usize = splitter.split(&cleaned).iter().map(|c| content(&c.text)).sum();
        prop_assert_eq!(in_clauses, content(cleaned.as_str()));
    }
}
