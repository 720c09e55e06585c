//! Quality flags, batch duplicates and the streaming duplicate index.

use fankui::quality::{simhash, DuplicateIndex, Quality, QualityChecker, QualityFlag, QualityOptions};
use fankui::Error;
use proptest::prelude::*;
use QualityFlag::*;

/// `(original, normalized, expected flags)`: `normalized` is what the normalizer makes of
/// `original` (Simplified, lowercase, half-width, repeats squashed to 3, PII masked).
const CASES: &[(&str, &str, &[QualityFlag])] = &[
    // Good comments pass.
    ("汉堡还可以，就是薯条味道怪怪的", "汉堡还可以，就是薯条味道怪怪的", &[]),
    ("送餐快👍", "送餐快👍", &[]),
    ("OK的，下次还来", "ok的，下次还来", &[]),
    ("好吃", "好吃", &[]),
    ("薯條難吃！！！！！", "薯条难吃！！！", &[]),
    ("KFC的薯条yyds", "kfc的薯条yyds", &[]),
    ("xswl太好吃了", "xswl太好吃了", &[]),
    ("hhhhhh好好笑", "hhhhhh好好笑", &[]),
    ("哈哈哈哈哈哈好吃", "哈哈哈好吃", &[]),
    ("等了30分钟，3.5元的可乐", "等了30分钟，3.5元的可乐", &[]),
    ("螺蛳粉里有头发，焗饭太咸", "螺蛳粉里有头发，焗饭太咸", &[]),
    ("微信支付失败了，客服电话13812345678打不通", "微信支付失败了，客服电话<PHONE>打不通", &[]),
    ("服务员态度好^_^", "服务员态度好^_^", &[]),
    ("vxyz好吃", "vxyz好吃", &[]),
    // Empty and short.
    ("", "", &[Empty]),
    (" \n\t", "", &[Empty]),
    ("\u{200b}", "", &[Empty]),
    ("好", "好", &[TooShort]),
    ("👍", "👍", &[TooShort, NoChinese]),
    ("👍👍👍👍", "👍👍👍", &[TooShort, NoChinese, Repetitive]),
    ("k", "k", &[TooShort, NoChinese]),
    ("13812345678", "<PHONE>", &[TooShort, NoChinese]),
    ("！！！！！", "！！！", &[TooShort, NoChinese]),
    ("(*^_^*)", "(*^_^*)", &[TooShort, NoChinese]),
    // Not Chinese.
    ("OK", "ok", &[NoChinese]),
    ("good", "good", &[NoChinese]),
    ("Very good!", "very good!", &[NoChinese]),
    ("666", "666", &[NoChinese]),
    ("10/10", "10/10", &[NoChinese]),
    // Repetitive: judged on the original, which normalization squashes.
    ("好好好好好好", "好好好", &[Repetitive]),
    ("哈哈哈哈哈哈哈哈", "哈哈哈", &[Repetitive]),
    ("啊啊啊啊", "啊啊啊", &[Repetitive]),
    ("好吃好吃好吃好吃好吃", "好吃好吃好吃好吃好吃", &[Repetitive]),
    ("太好吃了太好吃了太好吃了", "太好吃了太好吃了太好吃了", &[Repetitive]),
    ("好评！好评！好评！好评！", "好评！好评！好评！好评！", &[Repetitive]),
    ("111111", "111111", &[NoChinese, Repetitive, Gibberish]),
    ("好好好", "好好好", &[]),
    ("好吃好吃", "好吃好吃", &[]),
    // Gibberish.
    ("asdfghjkl", "asdfghjkl", &[NoChinese, Gibberish]),
    ("QWERTY", "qwerty", &[NoChinese, Gibberish]),
    ("jjjjjkkkk", "jjjjjkkkk", &[NoChinese, Repetitive, Gibberish]),
    ("sdfsdfsdf", "sdfsdfsdf", &[NoChinese, Repetitive, Gibberish]),
    ("bcdfgklm", "bcdfgklm", &[NoChinese, Gibberish]),
    ("汉堡不错asdfghjkl", "汉堡不错asdfghjkl", &[Gibberish]),
    ("#$%@!&*", "#$%@!&*", &[TooShort, NoChinese, Gibberish]),
    ("123456", "123456", &[NoChinese, Gibberish]),
    ("龘靐齉爩䶛䨻", "龘靐齉爩䶛䨻", &[Gibberish]),
    // Spam.
    ("加微信abc12345领红包", "加微信<PHONE>领红包", &[SpamLink]),
    ("点击链接https://t.cn/abc领取优惠", "点击链接<URL>领取优惠", &[SpamLink]),
    ("好吃 www.example.com", "好吃 <URL>", &[SpamLink]),
    ("兼职刷单日结，私聊", "兼职刷单日结，私聊", &[SpamLink]),
    ("QQ群123456789", "qq群<PHONE>", &[SpamLink]),
    ("代购正品，VX：abc123", "代购正品，vx:<PHONE>", &[SpamLink]),
    ("http://x.cn", "http://x.cn", &[NoChinese, SpamLink]),
];

#[test]
fn flags_table() {
    let checker = QualityChecker::default();
    let mut wrong = Vec::new();
    for (original, normalized, want) in CASES {
        let got = checker.check(original, normalized);
        assert_eq!(got.ok, got.flags.is_empty());
        if got.flags != *want {
            wrong.push(format!("{original:?} / {normalized:?}: got {:?}, want {want:?}", got.flags));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn blank_original_falls_back_to_normalized() {
    let checker = QualityChecker::default();
    assert_eq!(checker.check("", "好好好好好好").flags, [Repetitive]);
}

#[test]
fn options() {
    let strict = QualityChecker::new(QualityOptions::default().with_min_chars(5).with_max_repeat_ratio(1.0)).unwrap();
    assert_eq!(strict.check("好吃", "好吃").flags, [TooShort]);
    assert_eq!(strict.check("好吃好吃好吃好吃好吃", "好吃好吃好吃好吃好吃").flags, []);
    let custom =
        QualityChecker::new(QualityOptions::default().with_spam_patterns(vec!["红包群".into(), "BUY".into()])).unwrap();
    assert_eq!(custom.check("进美团红包群", "进美团红包群").flags, [SpamLink]);
    assert_eq!(custom.check("buy汉堡", "buy汉堡").flags, [SpamLink]);
    assert_eq!(custom.check("buying汉堡", "buying汉堡").flags, []);
    assert_eq!(custom.options().spam_patterns.len(), 2);

    let invalid = [
        (QualityOptions::default().with_max_repeat_ratio(1.5), "max_repeat_ratio"),
        (QualityOptions::default().with_max_repeat_ratio(f32::NAN), "max_repeat_ratio"),
        (QualityOptions::default().with_near_duplicate_distance(17), "near_duplicate_distance"),
        (QualityOptions::default().with_spam_patterns(vec![" ".into()]), "spam_patterns"),
    ];
    for (options, name) in invalid {
        match QualityChecker::new(options) {
            Err(Error::InvalidOption { option, .. }) => assert_eq!(option, name),
            other => panic!("{name}: expected InvalidOption, got {other:?}"),
        }
    }
}

#[test]
fn serde_names() {
    let q = Quality { ok: false, flags: vec![TooShort, NoChinese, SpamLink] };
    let json = serde_json::to_string(&q).unwrap();
    assert_eq!(json, r#"{"ok":false,"flags":["too_short","no_chinese","spam_link"]}"#);
    assert_eq!(serde_json::from_str::<Quality>(&json).unwrap(), q);
    assert_eq!(Quality::default(), Quality { ok: true, flags: vec![] });

    let options = QualityOptions::default();
    let json = serde_json::to_string(&options).unwrap();
    assert_eq!(
        json,
        r#"{"min_chars":2,"max_repeat_ratio":0.8,"near_duplicate_distance":3,"duplicate_min_chars":8,"spam_patterns":[]}"#
    );
    assert_eq!(serde_json::from_str::<QualityOptions>(&json).unwrap(), options);
    assert_eq!(serde_json::from_str::<QualityOptions>(r#"{"min_chars":4}"#).unwrap().min_chars, 4);
    assert!(serde_json::from_str::<QualityOptions>(r#"{"min_char":4}"#).is_err());
}

const LONG: &str = "今天中午在公司附近点了这家的外卖，黄焖鸡米饭分量很足，鸡肉炖得软烂入味，土豆也很面，汤汁拌饭特别香。\
    骑手送得也快，二十分钟就到了，包装严实没有洒漏，餐具纸巾都给了。唯一的缺点是米饭有点硬，希望下次能改进，整体来说性价比很高，会回购的。";

#[test]
fn batch_duplicates() {
    let checker = QualityChecker::default();
    let near = LONG.replace("二十分钟", "二十分好");
    let distance = (simhash(LONG) ^ simhash(&near)).count_ones();
    assert!((1..=3).contains(&distance), "the near copy should be 1-3 bits away, is {distance}");
    let items: Vec<(&str, &str)> = vec![
        ("汉堡还可以，就是薯条味道怪怪的", "汉堡还可以，就是薯条味道怪怪的"),
        ("好吃", "好吃"),
        ("汉堡还可以就是薯条味道怪怪的！！！", "汉堡还可以就是薯条味道怪怪的！！！"), // punctuation differs
        ("好吃", "好吃"),                                                             // short and generic: not a copy
        ("汉堡还可以哦，就是薯条味道怪怪的👍", "汉堡还可以哦，就是薯条味道怪怪的👍"), // particle and emoji added
        ("汉堡还不错，就是薯条味道怪怪的", "汉堡还不错，就是薯条味道怪怪的"),         // a real difference, short text
        (LONG, LONG),
        (&near, &near), // one character changed in 117
        ("", ""),
        ("", ""),
    ];
    let flags: Vec<Vec<QualityFlag>> = checker.check_batch(&items).into_iter().map(|q| q.flags).collect();
    assert_eq!(
        flags,
        [
            vec![],
            vec![],
            vec![Duplicate],
            vec![],
            vec![Duplicate],
            vec![],
            vec![],
            vec![Duplicate],
            vec![Empty],
            vec![Empty]
        ]
    );

    // Exact duplicates only: the near copy passes.
    let exact_only = QualityChecker::new(QualityOptions::default().with_near_duplicate_distance(0)).unwrap();
    let flags: Vec<bool> =
        exact_only.check_batch(&[(LONG, LONG), (&near, &near), (LONG, LONG)]).iter().map(|q| q.ok).collect();
    assert_eq!(flags, [true, true, false]);

    // Other flags are kept next to `duplicate`.
    let spam = "兼职刷单日结，私聊，日赚三百元";
    let got = checker.check_batch(&[(spam, spam), (spam, spam)]);
    assert_eq!(got[1].flags, [SpamLink, Duplicate]);
    assert!(!got[1].ok);
}

#[test]
fn index_persists_across_chunks() {
    let mut index = DuplicateIndex::new(3, 8);
    assert!(index.is_empty());
    let chunk1 = [LONG, "外卖小哥态度很好，但是漏送了一杯珍珠奶茶", "好吃"];
    let seen: Vec<bool> = chunk1.iter().map(|t| index.check_and_insert(t)).collect();
    assert_eq!(seen, [false, false, false]);
    assert_eq!(index.len(), 2, "texts below min_chars are not recorded");
    let near = LONG.replace("二十分钟", "二十分好");
    let chunk2 = [
        near.as_str(),
        "外卖小哥态度很好，但是漏送了一杯珍珠奶茶。",
        "好吃",
        "外卖小哥态度很差，而且漏送了一杯珍珠奶茶",
    ];
    let seen: Vec<bool> = chunk2.iter().map(|t| index.check_and_insert(t)).collect();
    assert_eq!(seen, [true, true, false, false]);
    assert_eq!(index.len(), 3);

    let mut short = DuplicateIndex::new(0, 2);
    assert!(!short.check_and_insert("好吃"));
    assert!(short.check_and_insert("好吃！"));
    assert!(!short.check_and_insert("好"));
}

#[test]
fn public_types_are_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<QualityChecker>();
    assert_send_sync::<DuplicateIndex>();
    assert_send_sync::<Quality>();
    assert_send_sync::<QualityOptions>();
    assert_send_sync::<QualityFlag>();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn check_never_panics(original in "\\PC{0,60}", normalized in "\\PC{0,60}") {
        let checker = QualityChecker::default();
        let q = checker.check(&original, &normalized);
        prop_assert_eq!(q.ok, q.flags.is_empty());
        prop_assert!(!q.flags.contains(&Duplicate));
        let both = checker.check_batch(&[(&original, &normalized), (&original, &normalized)]);
        prop_assert_eq!(both.len(), 2);
    }

    #[test]
    fn exact_copies_are_always_duplicates(text in "[a-z0-9\u{4e00}-\u{9fff}]{8,40}") {
        let mut index = DuplicateIndex::new(3, 8);
        prop_assert!(!index.check_and_insert(&text));
        // Recorded unless too short once particles and repeated characters are ignored.
        let recorded = index.len() == 1;
        let copy = format!("{text}！");
        prop_assert_eq!(index.check_and_insert(&copy), recorded);
    }

    #[test]
    fn simhash_ignores_punctuation_and_case(text in "[a-zA-Z\\p{Han}，。! ]{0,40}") {
        let stripped: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
        prop_assert_eq!(simhash(&text), simhash(&stripped.to_lowercase()));
    }
}
