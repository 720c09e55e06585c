//! Segmentation, words and keywords of normalized feedback.

use expect_test::{expect, Expect};
use fankui::segment::{SegmentOptions, Segmenter};
use fankui::Error;
use proptest::prelude::*;
use std::sync::OnceLock;

/// One shared segmenter: building one loads jieba's dictionary.
fn seg() -> &'static Segmenter {
    static SEG: OnceLock<Segmenter> = OnceLock::new();
    SEG.get_or_init(Segmenter::default)
}

/// `cut`, `words` and `keywords` of each text, one block per text.
fn check(texts: &[&str], expect: Expect) {
    let seg = seg();
    let mut out = String::new();
    for text in texts {
        let cut = seg.cut(text);
        assert_eq!(cut.concat(), *text, "cut must concatenate back to the input");
        out += &format!(
            "{text:?}\n  cut: {cut:?}\n  words: {:?}\n  keywords: {:?}\n",
            seg.words(text),
            seg.keywords(text)
        );
    }
    expect.assert_eq(&out);
}

#[test]
fn menu_items_and_complaints() {
    check(
        &[
            "汉堡还可以，就是薯条味道怪怪的",
            "骑手送餐太慢了外卖都凉了",
            "麦旋风化了,麦辣鸡翅有哈喇味",
            "外卖小哥态度很好，但是漏送了一杯珍珠奶茶",
            "黄焖鸡米饭太咸了，米饭夹生，差评",
            "螺蛳粉里吃出头发丝，拉肚子了",
            "取餐码叫号太慢，排队半小时",
            "生椰拿铁少冰半糖，奶盖太腻",
            "火锅锅底不错，毛肚虾滑都很新鲜，蘸料台干净",
        ],
        expect![[r#"
            "汉堡还可以，就是薯条味道怪怪的"
              cut: ["汉堡", "还", "可以", "，", "就是", "薯条", "味道", "怪怪的"]
              words: ["汉堡", "薯条", "味道", "怪怪的"]
              keywords: ["薯条", "汉堡", "怪怪的", "味道"]
            "骑手送餐太慢了外卖都凉了"
              cut: ["骑手", "送餐", "太慢", "了", "外卖", "都", "凉了"]
              words: ["骑手", "送餐", "太慢", "外卖", "凉了"]
              keywords: ["外卖", "凉了", "送餐", "骑手", "太慢"]
            "麦旋风化了,麦辣鸡翅有哈喇味"
              cut: ["麦旋风", "化了", ",", "麦辣鸡翅", "有", "哈喇味"]
              words: ["麦旋风", "化了", "麦辣鸡翅", "哈喇味"]
              keywords: ["麦旋风", "麦辣鸡翅", "化了", "哈喇味"]
            "外卖小哥态度很好，但是漏送了一杯珍珠奶茶"
              cut: ["外卖小哥", "态度", "很", "好", "，", "但是", "漏送", "了", "一杯", "珍珠奶茶"]
              words: ["外卖小哥", "态度", "好", "漏送", "珍珠奶茶"]
              keywords: ["珍珠奶茶", "漏送", "外卖小哥", "态度"]
            "黄焖鸡米饭太咸了，米饭夹生，差评"
              cut: ["黄焖鸡米饭", "太咸", "了", "，", "米饭", "夹生", "，", "差评"]
              words: ["黄焖鸡米饭", "太咸", "米饭", "夹生", "差评"]
              keywords: ["米饭", "黄焖鸡米饭", "太咸", "夹生", "差评"]
            "螺蛳粉里吃出头发丝，拉肚子了"
              cut: ["螺蛳粉", "里", "吃", "出", "头发丝", "，", "拉肚子", "了"]
              words: ["螺蛳粉", "里", "吃", "出", "头发丝", "拉肚子"]
              keywords: ["螺蛳粉", "头发丝", "拉肚子"]
            "取餐码叫号太慢，排队半小时"
              cut: ["取餐码", "叫号", "太慢", "，", "排队", "半小时"]
              words: ["取餐码", "叫号", "太慢", "排队", "半小时"]
              keywords: ["取餐码", "叫号", "排队", "太慢", "半小时"]
            "生椰拿铁少冰半糖，奶盖太腻"
              cut: ["生椰拿铁", "少冰", "半糖", "，", "奶盖", "太腻"]
              words: ["生椰拿铁", "少冰", "半糖", "奶盖", "太腻"]
              keywords: ["半糖", "奶盖", "少冰", "生椰拿铁", "太腻"]
            "火锅锅底不错，毛肚虾滑都很新鲜，蘸料台干净"
              cut: ["火锅", "锅底", "不错", "，", "毛肚", "虾滑", "都", "很", "新鲜", "，", "蘸料", "台", "干净"]
              words: ["火锅", "锅底", "不错", "毛肚", "虾滑", "新鲜", "蘸料", "台", "干净"]
              keywords: ["毛肚", "火锅", "蘸料", "虾滑", "锅底"]
        "#]],
    );
}

#[test]
fn placeholders_emoji_and_emoticons() {
    check(
        &[
            "电话<PHONE>，订单<ORDER>退款没到账",
            "看这个<URL>，邮箱<EMAIL>，身份证<ID>",
            "<PHONE><PHONE>",
            "送餐快👍🏻👍🏻，家里人都喜欢👨‍👩‍👧🇨🇳",
            "太难吃了😡😡",
            "T_T等了一小时:(",
            "服务员态度好^_^ orz",
            "<3 <30 <phone>",
        ],
        expect![[r#"
            "电话<PHONE>，订单<ORDER>退款没到账"
              cut: ["电话", "<PHONE>", "，", "订单", "<ORDER>", "退款", "没到账"]
              words: ["电话", "订单", "退款", "没到账"]
              keywords: ["没到账", "退款", "订单", "电话"]
            "看这个<URL>，邮箱<EMAIL>，身份证<ID>"
              cut: ["看", "这个", "<URL>", "，", "邮箱", "<EMAIL>", "，", "身份证", "<ID>"]
              words: ["看", "邮箱", "身份证"]
              keywords: ["邮箱", "身份证"]
            "<PHONE><PHONE>"
              cut: ["<PHONE>", "<PHONE>"]
              words: []
              keywords: []
            "送餐快👍🏻👍🏻，家里人都喜欢👨\u{200d}👩\u{200d}👧🇨🇳"
              cut: ["送餐", "快", "👍🏻", "👍🏻", "，", "家里人", "都", "喜欢", "👨\u{200d}👩\u{200d}👧", "🇨🇳"]
              words: ["送餐", "快", "家里人", "喜欢"]
              keywords: ["送餐", "家里人", "喜欢"]
            "太难吃了😡😡"
              cut: ["太", "难吃", "了", "😡", "😡"]
              words: ["难吃"]
              keywords: ["难吃"]
            "T_T等了一小时:("
              cut: ["T_T", "等", "了", "一", "小时", ":("]
              words: ["小时"]
              keywords: ["小时"]
            "服务员态度好^_^ orz"
              cut: ["服务员", "态度", "好", "^_^", " ", "orz"]
              words: ["服务员", "态度", "好"]
              keywords: ["服务员", "态度"]
            "<3 <30 <phone>"
              cut: ["<3", " ", "<", "30", " ", "<", "phone", ">"]
              words: ["30", "phone"]
              keywords: ["phone"]
        "#]],
    );
}

#[test]
fn latin_digits_and_edge_cases() {
    check(
        &[
            "",
            " ",
            "，。！",
            "ok的，下次还来",
            "kfc的薯条yyds，mcdonald's的big mac一般",
            "3.5元的可乐，等了30分钟",
            "asdfghjkl qwerty",
            "a",
            "好",
            "哈哈哈",
        ],
        expect![[r#"
            ""
              cut: []
              words: []
              keywords: []
            " "
              cut: [" "]
              words: []
              keywords: []
            "，。！"
              cut: ["，", "。", "！"]
              words: []
              keywords: []
            "ok的，下次还来"
              cut: ["ok", "的", "，", "下次", "还来"]
              words: ["ok", "下次", "还来"]
              keywords: ["ok", "还来", "下次"]
            "kfc的薯条yyds，mcdonald's的big mac一般"
              cut: ["kfc", "的", "薯条", "yyds", "，", "mcdonald", "'", "s", "的", "big", " ", "mac", "一般"]
              words: ["kfc", "薯条", "yyds", "mcdonald", "s", "big", "mac", "一般"]
              keywords: ["薯条", "big", "kfc", "mac", "mcdonald"]
            "3.5元的可乐，等了30分钟"
              cut: ["3.5", "元", "的", "可乐", "，", "等", "了", "30", "分钟"]
              words: ["3.5", "元", "可乐", "30", "分钟"]
              keywords: ["可乐", "分钟"]
            "asdfghjkl qwerty"
              cut: ["asdfghjkl", " ", "qwerty"]
              words: ["asdfghjkl", "qwerty"]
              keywords: ["asdfghjkl", "qwerty"]
            "a"
              cut: ["a"]
              words: []
              keywords: []
            "好"
              cut: ["好"]
              words: ["好"]
              keywords: []
            "哈哈哈"
              cut: ["哈哈哈"]
              words: []
              keywords: []
        "#]],
    );
}

#[test]
fn required_keywords() {
    let seg = seg();
    assert!(seg.keywords("汉堡还可以就是薯条味道怪怪的").contains(&"薯条".to_string()));
    assert!(seg.keywords("骑手送餐太慢了外卖都凉了").contains(&"骑手".to_string()));
    // At most `keywords` of them, placeholders and numbers never.
    let long = "薯条汉堡鸡块可乐圣代麦旋风奶茶咖啡蛋挞鸡翅 <PHONE> 12345 3.5";
    let kw = seg.keywords(long);
    assert_eq!(kw.len(), 5);
    assert!(kw.iter().all(|k| k.chars().all(|c| !c.is_ascii_digit()) && k != "PHONE"), "{kw:?}");
}

#[test]
fn every_bundled_food_word_is_one_token() {
    let seg = seg();
    let dict = include_str!("../lexicons/food_dict.txt");
    let mut split = Vec::new();
    for line in dict.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let word = line.split_whitespace().next().unwrap();
        if seg.cut(word) != [word] {
            split.push(format!("{word} -> {:?}", seg.cut(word)));
        }
    }
    assert!(split.is_empty(), "{split:#?}");
}

#[test]
fn stop_words() {
    let seg = seg();
    for w in ["的", "了", "我们", "这个", "然后", "the"] {
        assert!(seg.is_stop_word(w), "{w}");
    }
    for w in ["好", "好吃", "不错", "一般", "薯条", "没熟", "ok"] {
        assert!(!seg.is_stop_word(w), "{w}");
    }
}

#[test]
fn options_change_words_and_keywords() {
    let keep = Segmenter::new(SegmentOptions::default().with_remove_stop_words(false).with_keywords(2)).unwrap();
    assert_eq!(keep.words("我们的汉堡凉了"), ["我们", "的", "汉堡", "凉了"]);
    assert_eq!(keep.keywords("我们的汉堡凉了薯条也凉了").len(), 2);
    let none = Segmenter::new(SegmentOptions::default().with_keywords(0)).unwrap();
    assert!(none.keywords("汉堡凉了").is_empty());
    // Without the HMM, characters outside the dictionaries stay apart.
    let no_hmm = Segmenter::new(SegmentOptions::default().with_hmm(false)).unwrap();
    assert_eq!(seg().cut("下次还来"), ["下次", "还来"]);
    assert_eq!(no_hmm.cut("下次还来"), ["下次", "还", "来"]);
    assert!(!no_hmm.options().hmm);
}

#[test]
fn options_round_trip_through_json() {
    let options = SegmentOptions::default().with_keywords(8).with_user_dicts(vec!["a.txt".into()]);
    let json = serde_json::to_string(&options).unwrap();
    assert_eq!(json, r#"{"user_dicts":["a.txt"],"hmm":true,"remove_stop_words":true,"keywords":8}"#);
    assert_eq!(serde_json::from_str::<SegmentOptions>(&json).unwrap(), options);
    assert_eq!(serde_json::from_str::<SegmentOptions>("{}").unwrap(), SegmentOptions::default());
    assert!(serde_json::from_str::<SegmentOptions>(r#"{"keyword":3}"#).is_err());
}

#[test]
fn user_dictionary_at_run_time() {
    let mut seg = Segmenter::default();
    assert_ne!(seg.cut("椒麻鸡腿堡好吃"), ["椒麻鸡腿堡", "好吃"]);
    seg.add_dict("# comments and blank lines are skipped\n\n椒麻鸡腿堡 2000 n\n酱香饼\r\n".as_bytes()).unwrap();
    assert_eq!(seg.cut("椒麻鸡腿堡好吃"), ["椒麻鸡腿堡", "好吃"]);
    // No frequency: jieba's suggestion, enough to keep the word whole.
    assert_eq!(seg.cut("酱香饼凉了"), ["酱香饼", "凉了"]);
    assert_eq!(seg.words("椒麻鸡腿堡好吃"), ["椒麻鸡腿堡", "好吃"]);
}

#[test]
fn malformed_user_dictionary_lines() {
    let cases: &[(&str, usize, &str)] = &[
        ("好词 10 n\n坏词 ten n\n", 2, "frequency `ten`"),
        ("# header\n\n词 1 n extra\n", 3, "found 4 fields"),
        ("词 1 n1\n", 1, "tag `n1`"),
        ("词 1.5\n", 1, "neither a frequency nor"),
        ("薯条！ 10\n", 1, "contains `！`"),
        ("词 99999999999999999999999\n", 1, "frequency `99999999999999999999999`"),
    ];
    for (dict, line, reason) in cases {
        let mut seg = Segmenter::default();
        match seg.add_dict(dict.as_bytes()) {
            Err(Error::Lexicon { line: l, reason: r, .. }) => {
                assert_eq!(l, *line, "{dict:?}: {r}");
                assert!(r.contains(reason), "{dict:?}: {r}");
            }
            other => panic!("{dict:?}: expected a lexicon error, got {other:?}"),
        }
    }
    // A rejected dictionary adds nothing, not even its good lines.
    let mut seg = Segmenter::default();
    assert!(seg.add_dict("椒麻鸡腿堡 2000 n\n坏 x y z\n".as_bytes()).is_err());
    assert_ne!(seg.cut("椒麻鸡腿堡"), ["椒麻鸡腿堡"]);
    // Invalid UTF-8 is a lexicon error on its line too.
    match seg.add_dict(&b"ok 1\n\xff\xfe 2\n"[..]) {
        Err(Error::Lexicon { line: 2, .. }) => {}
        other => panic!("expected line 2, got {other:?}"),
    }
}

#[test]
fn user_dictionary_files() {
    let path = std::env::temp_dir().join(format!("fankui-user-dict-{}.txt", std::process::id()));
    std::fs::write(&path, "椒麻鸡腿堡 2000 n\n").unwrap();
    let seg = Segmenter::new(SegmentOptions::default().with_user_dicts(vec![path.clone()])).unwrap();
    assert_eq!(seg.cut("椒麻鸡腿堡"), ["椒麻鸡腿堡"]);
    std::fs::write(&path, "椒麻鸡腿堡 2000 n\n坏 1 2 3\n").unwrap();
    match Segmenter::new(SegmentOptions::default().with_user_dicts(vec![path.clone()])) {
        Err(Error::Lexicon { name, line: 2, .. }) => assert_eq!(name, path.display().to_string()),
        other => panic!("expected a lexicon error, got {other:?}"),
    }
    std::fs::remove_file(&path).unwrap();
    match Segmenter::new(SegmentOptions::default().with_user_dicts(vec![path.clone()])) {
        Err(Error::Io(e)) => assert!(e.to_string().contains("fankui-user-dict"), "{e}"),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn segmenter_is_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Segmenter>();
    assert_send_sync::<SegmentOptions>();
    let seg = seg();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2).map(|_| s.spawn(|| seg.cut("骑手送餐太慢了"))).collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), ["骑手", "送餐", "太慢", "了"]);
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn cut_concatenates_back(text in "\\PC{0,40}") {
        let seg = seg();
        prop_assert_eq!(seg.cut(&text).concat(), text.clone());
        let _ = seg.words(&text);
        let _ = seg.keywords(&text);
    }

    #[test]
    fn cut_concatenates_back_on_feedback_like_text(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("<PHONE>"), Just("<URL>"), Just("<"), Just(">"), Just("👍🏻"), Just("👨\u{200d}👩"),
                Just("\u{200d}"), Just("\u{fe0f}"), Just("🇨"), Just("T_T"), Just("^_^"), Just("orz"), Just(":)"),
                Just("-_-好"), Just("薯条"), Just("凉了"), Just("ok"), Just("123"), Just(" "), Just("，"),
                Just("\r\n"), Just("a"),
            ],
            0..12,
        )
    ) {
        let text = parts.concat();
        let seg = seg();
        let cut = seg.cut(&text);
        prop_assert_eq!(cut.concat(), text.clone());
        prop_assert!(cut.iter().all(|t| !t.is_empty()));
    }
}
