//! Normalization: snapshot tables, span checks, options and properties.

use expect_test::{expect, Expect};
use fankui::normalize::{NormalizeOptions, Normalizer, EMAIL, ID_CARD, ORDER_NO, PHONE, URL};
use fankui::{MappedText, Span};
use proptest::prelude::*;

fn table(normalizer: &Normalizer, inputs: &[&str], expect: Expect) {
    let mut out = String::new();
    for input in inputs {
        out.push_str(&format!("{input:?} => {}\n", normalizer.normalize(input).as_str()));
    }
    expect.assert_eq(&out);
}

/// Each output character with the original text it stands for.
fn show_spans(original: &str, m: &MappedText) -> String {
    let chars: Vec<char> = original.chars().collect();
    m.iter()
        .map(|(c, s)| format!("{c}={}", chars[s.start..s.end].iter().collect::<String>()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn width_script_and_case() {
    table(
        &Normalizer::default(),
        &[
            "ＡＢＣ１２３！，好吃",
            "薯條難吃，態度很差，點餐要等半小時",
            "麥當勞的漢堡還不錯，但是薯條太鹹了",
            "回覆太慢，瞭解一下，乾隆年間的老店",
            "iPhone下单很方便 KFC YYDS",
            "ＯＫ　　的\t\n好吃",
            "好\u{200B}吃\u{FEFF}\u{0007}！",
        ],
        expect![[r#"
            "ＡＢＣ１２３！，好吃" => abc123！，好吃
            "薯條難吃，態度很差，點餐要等半小時" => 薯条难吃，态度很差，点餐要等半小时
            "麥當勞的漢堡還不錯，但是薯條太鹹了" => 麦当劳的汉堡还不错，但是薯条太咸了
            "回覆太慢，瞭解一下，乾隆年間的老店" => 回复太慢，了解一下，乾隆年间的老店
            "iPhone下单很方便 KFC YYDS" => iphone下单很方便 kfc yyds
            "ＯＫ\u{3000}\u{3000}的\t\n好吃" => ok 的 好吃
            "好\u{200b}吃\u{feff}\u{7}！" => 好吃！
        "#]],
    );
}

#[test]
fn punctuation_repeats_emoji_and_emoticons() {
    table(
        &Normalizer::default(),
        &[
            "好吃!下次还来?",
            "good!!! see you",
            "好好好好好好",
            "!!!!!!",
            "哈哈哈哈哈，太好吃了！！！！！",
            "等了1000000分钟",
            "好吃。。。下次还来……真的...",
            "“好吃”「不错」‘还行’～～～～",
            "3.5分, 1,000元, 12:30到的.",
            "一共38.下次再来",
            "味道好 ， 服务好 。",
            "😡😡😡😡😡差评👍🏻👍🏻👍🏻👍🏻❤️❤️❤️❤️",
            "T_T好难吃:) ^_^ orz XD QAQ Orz",
            "sorzo 不是表情",
            "( ╯°□°)╯好气(╯°□°)╯︵┻━┻",
        ],
        expect![[r#"
            "好吃!下次还来?" => 好吃！下次还来？
            "good!!! see you" => good!!! see you
            "好好好好好好" => 好好好
            "!!!!!!" => !!!
            "哈哈哈哈哈，太好吃了！！！！！" => 哈哈哈，太好吃了！！！
            "等了1000000分钟" => 等了<ORDER>分钟
            "好吃。。。下次还来……真的..." => 好吃…下次还来…真的…
            "“好吃”「不错」‘还行’～～～～" => "好吃""不错"'还行'~~~
            "3.5分, 1,000元, 12:30到的." => 3.5分，1,000元，12:30到的。
            "一共38.下次再来" => 一共38。下次再来
            "味道好 ， 服务好 。" => 味道好，服务好。
            "😡😡😡😡😡差评👍🏻👍🏻👍🏻👍🏻❤\u{fe0f}❤\u{fe0f}❤\u{fe0f}❤\u{fe0f}" => 😡😡😡差评👍🏻👍🏻👍🏻❤️❤️❤️
            "T_T好难吃:) ^_^ orz XD QAQ Orz" => T_T好难吃:) ^_^ orz XD QAQ Orz
            "sorzo 不是表情" => sorzo 不是表情
            "( ╯°□°)╯好气(╯°□°)╯︵┻━┻" => ( ╯°□°)╯好气(╯°□°)╯︵┻━┻
        "#]],
    );
}

#[test]
fn pii_masking() {
    table(
        &Normalizer::default(),
        &[
            "我电话13812345678，有问题打给我",
            "电话 138-1234-5678 或 138 1234 5678",
            "+86 139 1234 5678 / +8613912345678 / 0086-13912345678",
            "打１３８１２３４５６７８找我",
            "座机010-12345678，0755 1234567，02112345678",
            "身份证11010519491231002X，另一个110105194912310021",
            "邮箱 Zhang.San@QQ.com 或 123456@163.com",
            "订单号:2023110112345678 单号：SN20231101 券码 AB12CD 优惠码是VIP2023",
            "流水号 1234567890123",
            "加我qq12345678或者微信 wx_abc123",
            "看https://www.example.com/a?b=1，还有 www.shop.cn 和 xx.com 以及t.cn/AbC12)",
            "银行卡 6222 0212 3456 7890 退款",
            "价格38元，买了2份，3.5分，等了40分钟，2023-11-01 12:30",
            "客服400-820-8820态度好，打了12315",
            "第1234567号桌，v1.2版本，a.jpg，3.1415926535",
            "订单 2份 订单128元",
            "电话一三八一二三四五六七八，一二三四五六七八九十个",
        ],
        expect![[r#"
            "我电话13812345678，有问题打给我" => 我电话<PHONE>，有问题打给我
            "电话 138-1234-5678 或 138 1234 5678" => 电话 <PHONE> 或 <PHONE>
            "+86 139 1234 5678 / +8613912345678 / 0086-13912345678" => <PHONE> / <PHONE> / <PHONE>
            "打１３８１２３４５６７８找我" => 打<PHONE>找我
            "座机010-12345678，0755 1234567，02112345678" => 座机<PHONE>，<PHONE>，<PHONE>
            "身份证11010519491231002X，另一个110105194912310021" => 身份证<ID>，另一个<ID>
            "邮箱 Zhang.San@QQ.com 或 123456@163.com" => 邮箱 <EMAIL> 或 <EMAIL>
            "订单号:2023110112345678 单号：SN20231101 券码 AB12CD 优惠码是VIP2023" => 订单号：<ORDER> 单号：<ORDER> 券码 <ORDER> 优惠码是<ORDER>
            "流水号 1234567890123" => 流水号 <ORDER>
            "加我qq12345678或者微信 wx_abc123" => 加我qq<PHONE>或者微信 <PHONE>
            "看https://www.example.com/a?b=1，还有 www.shop.cn 和 xx.com 以及t.cn/AbC12)" => 看<URL>，还有 <URL> 和 <URL> 以及<URL>)
            "银行卡 6222 0212 3456 7890 退款" => 银行卡 <ORDER> 退款
            "价格38元，买了2份，3.5分，等了40分钟，2023-11-01 12:30" => 价格38元，买了2份，3.5分，等了40分钟，2023-11-01 12:30
            "客服400-820-8820态度好，打了12315" => 客服<PHONE>态度好，打了12315
            "第1234567号桌，v1.2版本，a.jpg，3.1415926535" => 第1234567号桌，v1.2版本，a.jpg，3.<ORDER>
            "订单 2份 订单128元" => 订单 2份 订单128元
            "电话一三八一二三四五六七八，一二三四五六七八九十个" => 电话<PHONE>，一二三四五六七八九十个
        "#]],
    );
}

#[test]
fn pii_in_every_separator_bracket_and_digit_form() {
    table(
        &Normalizer::default(),
        &[
            "电话138.1234.5678 或 138  1234  5678 或 138—1234—5678 或 138–1234–5678",
            "(138)12345678，+86(138)1234-5678，1 3 8 1 2 3 4 5 6 7 8，138 - 1234 - 5678",
            "我电话幺三八 幺二三四 五六七八，幺三八，幺二三四，五六七八，幺三八、幺二三四、五六七八",
            "幺三八 嗯 幺二三四 就是说 五六七八，洞七五五 幺二三四五六七",
            "身份证110101 19900307 7777，110101-19900307-777X，110101.19900307.7777",
            "邮箱-zhangsan@163.com /lisi@qq.com =a@b.cn ~c@d.com &e@f.com +g@h.com _i@j.com .k@l.com m@n.com1",
            "座机010-12345678，(021)1234 5678，0755 1234567 转 8001，0755-1234567 ext 8001",
            "微信 zhangsan88 vx: abc_123 加我微信abc123 QQ 123456789 扣扣123456789",
            "卡号 6222 0212 3456 7890 123，6222-0212-3456-7890，１３８－１２３４－５６７８",
            "等了40分钟，2个汉堡，38元，12点半，2026-11-09，一个半小时，3号桌，营业时间10.00-22.00",
            "等了2749153分钟，编号不明的92716453，第1234567号桌，好评6666666",
        ],
        expect![[r#"
            "电话138.1234.5678 或 138  1234  5678 或 138—1234—5678 或 138–1234–5678" => 电话<PHONE> 或 <PHONE> 或 <PHONE> 或 <PHONE>
            "(138)12345678，+86(138)1234-5678，1 3 8 1 2 3 4 5 6 7 8，138 - 1234 - 5678" => <PHONE>，<PHONE>，<PHONE>，<PHONE>
            "我电话幺三八 幺二三四 五六七八，幺三八，幺二三四，五六七八，幺三八、幺二三四、五六七八" => 我电话<PHONE>，<PHONE>，<PHONE>
            "幺三八 嗯 幺二三四 就是说 五六七八，洞七五五 幺二三四五六七" => <PHONE>，<PHONE>
            "身份证110101 19900307 7777，110101-19900307-777X，110101.19900307.7777" => 身份证<ID>，<ID>，<ID>
            "邮箱-zhangsan@163.com /lisi@qq.com =a@b.cn ~c@d.com &e@f.com +g@h.com _i@j.com .k@l.com m@n.com1" => 邮箱-<EMAIL> /<EMAIL> =<EMAIL> ~<EMAIL> &<EMAIL> +<EMAIL> _<EMAIL> .<EMAIL> <EMAIL>
            "座机010-12345678，(021)1234 5678，0755 1234567 转 8001，0755-1234567 ext 8001" => 座机<PHONE>，<PHONE>，<PHONE>，<PHONE>
            "微信 zhangsan88 vx: abc_123 加我微信abc123 QQ 123456789 扣扣123456789" => 微信 <PHONE> vx: <PHONE> 加我微信<PHONE> qq <PHONE> 扣扣<PHONE>
            "卡号 6222 0212 3456 7890 123，6222-0212-3456-7890，１３８－１２３４－５６７８" => 卡号 <ORDER>
            "等了40分钟，2个汉堡，38元，12点半，2026-11-09，一个半小时，3号桌，营业时间10.00-22.00" => 等了40分钟，2个汉堡，38元，12点半，2026-11-09，一个半小时，3号桌，营业时间10.00-22.00
            "等了2749153分钟，编号不明的92716453，第1234567号桌，好评6666666" => 等了<ORDER>分钟，编号不明的<ORDER>，第1234567号桌，好评6666666
        "#]],
    );
}

#[test]
fn placeholders_and_squashed_runs_keep_their_origin() {
    let n = Normalizer::default();
    let raw = "電話:138-1234-5678哈哈哈哈哈!";
    let m = n.normalize(raw);
    expect![[r#"电=電 话=話 ：=: <=138-1234-5678 P=138-1234-5678 H=138-1234-5678 O=138-1234-5678 N=138-1234-5678 E=138-1234-5678 >=138-1234-5678 哈=哈 哈=哈 哈=哈哈哈 ！=!"#]]
    .assert_eq(&show_spans(raw, &m));
    let placeholder_at = m.as_str().chars().position(|c| c == '<').unwrap();
    assert_eq!(m.origin(placeholder_at..placeholder_at + PHONE.chars().count()), Span::new(3, 16));
    assert_eq!(m.original_len(), raw.chars().count());
}

#[test]
fn every_placeholder_is_produced() {
    let n = Normalizer::default();
    let out = n.normalize("13812345678 11010519491231002X a@b.com 订单号123456 http://x.cn").into_string();
    for p in [PHONE, ID_CARD, EMAIL, ORDER_NO, URL] {
        assert!(out.contains(p), "{p} missing in {out}");
    }
}

#[test]
fn options_turn_steps_off() {
    let all_off = NormalizeOptions::default()
        .with_fullwidth_to_halfwidth(false)
        .with_traditional_to_simplified(false)
        .with_lowercase(false)
        .with_unify_punctuation(false)
        .with_max_repeat(0)
        .with_mask_pii(false);
    let input = "薯條ＡＢＣ好好好好好!!!!!。。。13812345678 Hi";
    table(
        &Normalizer::new(all_off.clone()).unwrap(),
        &[input],
        expect![[r#"
            "薯條ＡＢＣ好好好好好!!!!!。。。13812345678 Hi" => 薯條ＡＢＣ好好好好好!!!!!。。。13812345678 Hi
        "#]],
    );
    let cases = [
        ("fullwidth", all_off.clone().with_fullwidth_to_halfwidth(true)),
        ("t2s", all_off.clone().with_traditional_to_simplified(true)),
        ("lowercase", all_off.clone().with_lowercase(true)),
        ("punct", all_off.clone().with_unify_punctuation(true)),
        ("repeat2", all_off.clone().with_max_repeat(2)),
        ("pii", all_off.clone().with_mask_pii(true)),
    ];
    let mut got = String::new();
    for (name, options) in cases {
        got.push_str(&format!("{name}: {}\n", Normalizer::new(options).unwrap().normalize(input).as_str()));
    }
    expect![[r#"
        fullwidth: 薯條ABC好好好好好!!!!!。。。13812345678 Hi
        t2s: 薯条ＡＢＣ好好好好好!!!!!。。。13812345678 Hi
        lowercase: 薯條ａｂｃ好好好好好!!!!!。。。13812345678 hi
        punct: 薯條ＡＢＣ好好好好好！！！！！…13812345678 Hi
        repeat2: 薯條ＡＢＣ好好!!。。13812345678 Hi
        pii: 薯條ＡＢＣ好好好好好!!!!!。。。<PHONE> Hi
    "#]]
    .assert_eq(&got);
}

#[test]
fn options_round_trip_through_json() {
    let options = NormalizeOptions::default().with_max_repeat(5).with_mask_pii(false);
    let json = serde_json::to_string(&options).unwrap();
    assert_eq!(serde_json::from_str::<NormalizeOptions>(&json).unwrap(), options);
    let partial: NormalizeOptions = serde_json::from_str(r#"{"lowercase": false}"#).unwrap();
    assert_eq!(partial, NormalizeOptions::default().with_lowercase(false));
    assert!(serde_json::from_str::<NormalizeOptions>(r#"{"lowercas": false}"#).is_err());
    let n = Normalizer::new(options.clone()).unwrap();
    assert_eq!(n.options(), &options);
}

#[test]
fn empty_and_blank_inputs() {
    let n = Normalizer::default();
    for input in ["", " ", "\u{3000}\n\t", "\u{200B}\u{FEFF}"] {
        let m = n.normalize(input);
        assert!(m.is_empty(), "{input:?} -> {:?}", m.as_str());
        assert_eq!(m.original_len(), input.chars().count());
    }
}

#[test]
fn public_types_are_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Normalizer>();
    check::<NormalizeOptions>();
}

/// Checks the `MappedText` invariants against the original text.
fn check_mapping(original: &str, m: &MappedText) -> Result<(), TestCaseError> {
    let n = original.chars().count();
    prop_assert_eq!(m.original_len(), n);
    prop_assert_eq!(m.spans().len(), m.as_str().chars().count());
    let mut last_start = 0;
    for s in m.spans() {
        prop_assert!(s.start <= s.end && s.end <= n, "span {:?} outside 0..{}", s, n);
        prop_assert!(s.start >= last_start, "spans go backwards: {:?}", m.spans());
        last_start = s.start;
    }
    Ok(())
}

/// Strings built from the pieces that exercise every scanner.
fn tricky() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "1",
        "3",
        "8",
        "0",
        "86",
        "+",
        "-",
        " ",
        "　",
        ".",
        "。",
        ",",
        "，",
        "!",
        "！",
        "?",
        ":",
        "@",
        "/",
        "x",
        "X",
        "T",
        "_",
        "^",
        "orz",
        "http://",
        "www.",
        ".com",
        ".cn",
        "qq",
        "订单号",
        "券码",
        "薯條",
        "好",
        "哈",
        "😡",
        "👍🏻",
        "\u{FE0F}",
        "\u{200D}",
        "…",
        "~",
        "“",
        "Ａ",
        "１",
        "\n",
        "\u{0}",
        "İ",
        "ß",
        "ǅ",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_on_any_unicode(s in "\\PC*") {
        let m = Normalizer::default().normalize(&s);
        check_mapping(&s, &m)?;
    }

    #[test]
    fn never_panics_on_any_chars(s in prop::collection::vec(any::<char>(), 0..60)) {
        let s: String = s.into_iter().collect();
        check_mapping(&s, &Normalizer::default().normalize(&s))?;
    }

    #[test]
    fn spans_are_sound_on_tricky_text(s in tricky(), repeat in 0usize..5) {
        for options in [NormalizeOptions::default().with_max_repeat(repeat), NormalizeOptions::default().with_mask_pii(false)] {
            let m = Normalizer::new(options).unwrap().normalize(&s);
            check_mapping(&s, &m)?;
            prop_assert!(!m.as_str().starts_with(' ') && !m.as_str().ends_with(' '));
            prop_assert!(!m.as_str().contains("  "));
        }
    }
}
