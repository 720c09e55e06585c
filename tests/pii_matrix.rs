//! PII never reaches an output field: a matrix of written forms (phones, landlines, ID cards,
//! e-mails, WeChat/QQ handles, order and card numbers, spoken digits) in three contexts, typed
//! and as voice transcripts, plus a property test; and the quantities customers write
//! (等了40分钟, 38元, 2026-11-09) stay as they are.

use fankui::{Analysis, Analyzer, Input, PipelineConfig, Source};
use proptest::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| Analyzer::new(PipelineConfig::text_only()).expect("text-only analyzer"))
}

/// Chinese numerals that spell digits one by one (as ASR writes phone numbers).
const CHINESE_DIGITS: &str = "零〇○洞幺一二两兩三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖";

/// A character that writes a digit: any Unicode number character or a Chinese numeral digit.
fn is_digit_like(c: char) -> bool {
    c.is_numeric() || CHINESE_DIGITS.contains(c)
}

/// One written form of personal data and the strings of it (lowercase) that must not survive
/// besides its digits: the address of an e-mail, a WeChat id.
#[derive(Clone, Debug)]
struct Form {
    text: String,
    secrets: Vec<String>,
}

fn form(text: impl Into<String>) -> Form {
    Form { text: text.into(), secrets: Vec::new() }
}

fn secret(text: impl Into<String>, secrets: &[&str]) -> Form {
    Form { text: text.into(), secrets: secrets.iter().map(|s| s.to_lowercase()).collect() }
}

/// Every string of the serialized analysis: text, clause texts, keywords, flags, ...
fn strings(analysis: &Analysis) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            Value::Object(o) => o.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&serde_json::to_value(analysis).expect("analysis serializes"), &mut out);
    out
}

/// The strings of `analysis` that leak a digit or a secret of `form`.
fn leaks(analysis: &Analysis, form: &Form) -> Vec<String> {
    strings(analysis)
        .into_iter()
        .filter(|s| {
            let lower = s.to_lowercase();
            s.chars().any(is_digit_like) || form.secrets.iter().any(|x| lower.contains(x.as_str()))
        })
        .collect()
}

fn digits_344(d: &str, sep: &str) -> String {
    let c: Vec<char> = d.chars().collect();
    let part = |r: std::ops::Range<usize>| c[r].iter().collect::<String>();
    format!("{}{sep}{}{sep}{}", part(0..3), part(3..7), part(7..c.len()))
}

fn spaced(d: &str, sep: &str) -> String {
    d.chars().map(String::from).collect::<Vec<_>>().join(sep)
}

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
            ' ' => '\u{3000}',
            _ => c,
        })
        .collect()
}

fn spoken(d: &str, one: char) -> String {
    d.chars()
        .map(|c| match c {
            '0' => '零',
            '1' => one,
            '2' => '二',
            '3' => '三',
            '4' => '四',
            '5' => '五',
            '6' => '六',
            '7' => '七',
            '8' => '八',
            '9' => '九',
            other => other,
        })
        .collect()
}

/// The matrix of forms.
fn forms() -> Vec<Form> {
    let mut f = Vec::new();
    let mobiles = ["13812345678", "15987654321", "18600001111", "17755553333", "19912340000"];
    // Mobiles in 3-4-4 groups with every separator customers (and evaders) use.
    let seps = [
        "", " ", "  ", "   ", "-", ".", "—", "–", "－", " - ", " — ", "_", "/", "·", "~", "、", "，", ",", " . ", "*",
        "  -  ", "\u{3000}", "—— ", "#", "|",
    ];
    for (k, sep) in seps.iter().enumerate() {
        f.push(form(digits_344(mobiles[k % mobiles.len()], sep)));
        f.push(form(digits_344(mobiles[(k + 2) % mobiles.len()], sep)));
    }
    for sep in [" ", "-", ".", "  ", "、"] {
        f.push(form(spaced(mobiles[0], sep)));
    }
    for d in &mobiles[..3] {
        f.push(form(format!("{} {}", &d[..3], &d[3..])));
        f.push(form(format!("{}-{}", &d[..7], &d[7..])));
    }
    for p in [
        "+86 13812345678",
        "+86-138-1234-5678",
        "+8613812345678",
        "86 138 1234 5678",
        "8613812345678",
        "0086 13812345678",
        "0086-138-1234-5678",
        "008613812345678",
        "(+86)13812345678",
        "(+86) 138 1234 5678",
        "+86(138)1234-5678",
        "+86 (138) 1234 5678",
        "(138)12345678",
        "(138) 1234 5678",
        "（138）1234-5678",
        "138(1234)5678",
        "[138]1234 5678",
        "+86 138.1234.5678",
        "138 - 1234 - 5678",
        "1 3 8 1 2 3 4 5 6 7 8",
        "138　1234　5678",
    ] {
        f.push(form(p));
    }
    // Full-width and other digit forms.
    f.push(form(fullwidth("13812345678")));
    f.push(form(fullwidth("138-1234-5678")));
    f.push(form(fullwidth("+86 138 1234 5678")));
    f.push(form(fullwidth("(138)1234 5678")));
    f.push(form("𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖"));
    f.push(form("①③⑧①②③④⑤⑥⑦⑧"));
    f.push(form("๑๓๘๑๒๓๔๕๖๗๘"));
    f.push(form("১৩৮-১২৩৪-৫৬৭৮"));
    // Landlines with area codes and extensions; service numbers.
    for l in [
        "010-12345678",
        "01012345678",
        "010 1234 5678",
        "(010)87654321",
        "(021)1234 5678",
        "（021）6123-4567",
        "021—6123 4567",
        "0755 1234567",
        "0755-1234567",
        "0755 1234567 转 8001",
        "0755-1234567转8001",
        "0755-1234567-8001",
        "0755 1234567 ext 8001",
        "0755-1234567 分机 801",
        "0571.8888.6666",
        "+86 10 8765 4321",
        "+86-755-1234567",
        "82716453",
        "8271-6453",
        "400-820-8820",
        "400 820 8820",
        "800-810-1234",
    ] {
        f.push(form(l));
    }
    // ID cards.
    for id in [
        "110101199003077777",
        "11010519491231002X",
        "11010519491231002x",
        "110101 19900307 7777",
        "110101-19900307-7777",
        "110101.19900307.7777",
        "110101 19900307 777X",
        "110101-19491231-002X",
        "110101 1990 0307 7777",
        "1101 0119 9003 0777 77",
        "110101  19900307  7777",
        "110101—19900307—7777",
        "440305200012311234",
        "44030520001231123X",
    ] {
        f.push(form(id));
    }
    f.push(form(fullwidth("110101 19900307 777X")));
    // E-mails after every character that might glue to them, and followed by letters or digits.
    let emails = [
        "zhangsan@163.com",
        "li.si_88@qq.com",
        "wang-wu+tag@gmail.com",
        "a1b2c3@foxmail.com",
        "test.user@sub.example.com.cn",
    ];
    for (k, before) in ["", "-", "/", "=", "~", "&", "+", "_", ".", ":", "@"].iter().enumerate() {
        for e in [emails[k % emails.len()], emails[(k + 3) % emails.len()]] {
            let local = &e[..e.find('@').unwrap()];
            f.push(secret(format!("{before}{e}"), &[e, local]));
        }
    }
    for (e, after) in
        [("zhangsan@163.com", "1"), ("zhangsan@163.com", "ok"), ("lisi@qq.com", "abc"), ("wangwu@126.com", "2024")]
    {
        f.push(secret(format!("{e}{after}"), &[e, &e[..e.find('@').unwrap()]]));
    }
    f.push(secret(fullwidth("zhangsan@163.com"), &["zhangsan"]));
    f.push(secret("ZhangSan@QQ.COM", &["zhangsan"]));
    f.push(secret("zhangsan＠163.com", &["zhangsan"]));
    f.push(secret("zhangsan @ corp.cn", &["zhangsan"]));
    f.push(secret("zhangsan@company。com", &["zhangsan", "company"]));
    f.push(form("1\u{332}3\u{332}8\u{332}1\u{332}2\u{332}3\u{332}4\u{332}5\u{332}6\u{332}7\u{332}8\u{332}"));
    f.push(form("1️⃣3️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣"));
    // WeChat and QQ handles.
    for (text, id) in [
        ("微信 zhangsan88", "zhangsan88"),
        ("微信 wx_abc123", "wx_abc123"),
        ("加我qq12345678", "12345678"),
        ("微信 zhangsan_wx", "zhangsan_wx"),
        ("vx: abc_123", "abc_123"),
        ("VX：abc-123", "abc-123"),
        ("加我微信abc123", "abc123"),
        ("微信号：wxid_abc123", "wxid_abc123"),
        ("wx：zhang_san", "zhang_san"),
        ("v信 hello_world9", "hello_world9"),
        ("加v abc888", "abc888"),
        ("威信 abcd1234", "abcd1234"),
        ("薇信 lucky_cat", "lucky_cat"),
        ("QQ 123456789", "123456789"),
        ("qq:12345", "12345"),
        ("QQ号 1234567890", "1234567890"),
        ("扣扣123456789", "123456789"),
        ("企鹅 82716453", "82716453"),
        ("电话 87654321", "87654321"),
        ("wechat: happy_day88", "happy_day88"),
        ("weixin zhangsan", "zhangsan"),
    ] {
        f.push(secret(text, &[id]));
    }
    // Order, coupon and card numbers.
    for o in [
        "订单号 2023110112345678",
        "订单号：E20231101-8888",
        "单号SN20231101123",
        "流水号 1234 5678 9012",
        "取餐码 A123",
        "券码 AB12CD34",
        "2023110112345678",
        "SN20231101123456",
        "A1B2C3D4E5F6G7H8",
        "6222 0212 3456 7890",
        "6222-0212-3456-7890-123",
        "6222021234567890123",
        "6217 0000 1111 2222 333",
        "6222.0212.3456.7890",
        "银行卡 6222 0212 3456 7890",
        "2749153",
        "274 9153",
        "274.9153",
    ] {
        f.push(form(o));
    }
    // Spoken digits (voice transcripts), grouped by pauses, commas, fillers; mixed with Arabic.
    for s in [
        "幺三八 幺二三四 五六七八",
        "幺三八，幺二三四，五六七八",
        "幺三八、幺二三四、五六七八",
        "幺三八幺二三四五六七八",
        "一三八一二三四五六七八",
        "幺三八  幺二三四  五六七八",
        "幺三八 嗯 幺二三四 嗯 五六七八",
        "幺三八，就是说，幺二三四，五六七八",
        "幺三八 然后 幺二三四 然后 五六七八",
        "幺三八杠幺二三四杠五六七八",
        "幺八六 零零零零 幺幺幺幺",
        "幺 三 八 幺 二 三 四 五 六 七 八",
        "138 幺二三四 五六七八",
        "幺三八 1234 5678",
        "零七五五 幺二三四五六七",
        "洞七五五 幺二三四五六七",
        "零幺零 八七六五四三二幺",
        "幺幺零幺零幺 幺九九零零三零七 七七七七",
        "壹叁捌壹贰叁肆伍陆柒捌",
        "幺三八 两三四五 六七八九",
        "八六 幺三八 幺二三四 五六七八",
        "幺二九四五六七",
        "幺三八 怎么说呢 幺二三四 这个 五六七八",
        "幺三八 幺三八 幺二三四 五六七八",
        "幺三八幺二三四 那个 五六七八",
        "138幺二三四五六七八",
    ] {
        f.push(form(s));
    }
    f.push(form(spoken("13912345678", '一')));
    f.push(form(spoken("110101199003077777", '幺')));
    f.push(form(digits_344(&spoken("15987654321", '幺'), "，")));
    f
}

const CONTEXTS: [(&str, &str); 3] =
    [("", "是我的电话，薯条凉了"), ("汉堡太咸了，有问题联系我", "谢谢你们"), ("送餐太慢了，找我", "ok!")];

#[test]
fn no_form_leaks_in_any_context_or_source() {
    let forms = forms();
    assert!(forms.len() >= 150, "only {} forms", forms.len());
    let mut failures = Vec::new();
    let mut leaking_forms = 0;
    let mut runs = 0;
    for form in &forms {
        let before_form = failures.len();
        for (before, after) in CONTEXTS {
            let text = format!("{before}{}{after}", form.text);
            for source in [Source::Text, Source::Voice] {
                runs += 1;
                let analysis = analyzer().analyze(&Input::new(&text).with_source(source)).expect("analyzed");
                let leaked = leaks(&analysis, form);
                if !leaked.is_empty() {
                    failures.push(format!("{source:?} {text:?} -> {leaked:?}"));
                }
            }
        }
        leaking_forms += usize::from(failures.len() > before_form);
    }
    eprintln!(
        "{} forms × {} contexts × 2 sources: {} leaks ({} runs, {} forms leak)",
        forms.len(),
        CONTEXTS.len(),
        failures.len(),
        runs,
        leaking_forms
    );
    assert!(failures.is_empty(), "{} leaks:\n{}", failures.len(), failures.join("\n"));
}

/// Quantities, prices, times and dates the model needs: never masked, typed or spoken.
const KEPT: &[(&str, &str)] = &[
    ("等了40分钟才上菜", "40分钟"),
    ("点了2个汉堡", "2个汉堡"),
    ("套餐38元有点贵", "38元"),
    ("12点半到的", "12点半"),
    ("2026-11-09那天点的", "2026-11-09"),
    ("等了一个半小时", "一个半小时"),
    ("3号桌没人管", "3号桌"),
    ("给3.5分", "3.5分"),
    ("12:30下单，13:45才到", "12:30"),
    ("2026/11/09晚上", "2026/11/09"),
    ("2026.11.09去的", "2026.11.09"),
    ("2026-11-09 12:30下单", "2026-11-09 12:30"),
    ("营业时间10.00-22.00", "10.00-22.00"),
    ("活动11.09-11.12", "11.09-11.12"),
    ("打了12315投诉", "12315"),
    ("花了1,000元", "1,000元"),
    ("38.5元一份", "38.5元"),
    ("第2次来了", "2次"),
    ("给5星", "5星"),
    ("100块两个人", "100块"),
    ("等了三四十分钟", "三四十分钟"),
    ("10点到11点之间", "10点到11点"),
    ("200克的牛排", "200克"),
    ("4个人吃", "4个人"),
    ("第12345号", "12345"),
    ("送了1/2份", "1/2"),
    ("99.9%的好评", "99.9%"),
    ("二零二六年十一月九日", "二零二六年十一月九日"),
    ("两个汉堡三杯可乐", "两个汉堡三杯可乐"),
    ("等了10-20分钟", "10-20分钟"),
    ("iphone15下单", "iphone15"),
    ("买了3份 2杯", "3份 2杯"),
    ("会员卡积分2000分", "2000分"),
    ("公交118、45、15路", "118、45、15路"),
    ("坐18.19.23.25路都到", "18.19.23.25路"),
    ("价格350、500、800、1000、1200元", "350、500、800、1000、1200元"),
    ("花了1,234,567元", "1,234,567元"),
    ("好评6666666", "6666666"),
    ("第1234567号桌", "1234567"),
];

#[test]
fn quantities_prices_times_and_dates_stay() {
    let mut masked = Vec::new();
    for &(raw, kept) in KEPT {
        for source in [Source::Text, Source::Voice] {
            let analysis = analyzer().analyze(&Input::new(raw).with_source(source)).expect("analyzed");
            if !analysis.text.contains(kept) || analysis.text.contains('<') {
                masked.push(format!("{source:?} {raw:?} -> {:?} (want {kept:?} kept)", analysis.text));
            }
        }
    }
    eprintln!("{} quantities × 2 sources: {} masked", KEPT.len(), masked.len());
    assert!(masked.is_empty(), "{}", masked.join("\n"));
}

/// Long digit runs are masked even when nothing says what they are (leaking is worse than
/// masking a number that was not personal).
#[test]
fn long_unknown_digit_runs_are_masked() {
    for raw in ["等了1000000分钟", "第2749153号桌", "编码 92716453 不对", "数字 12 39 56 7 看看", "8271.6453"]
    {
        let analysis = analyzer().analyze(&Input::new(raw)).expect("analyzed");
        assert!(!analysis.text.chars().any(|c| c.is_ascii_digit()), "{raw:?} -> {:?}", analysis.text);
    }
}

// ---- property test ----

/// Chinese filler text without any digit or numeral.
fn chinese_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "薯条",
        "汉堡",
        "凉了",
        "太慢",
        "服务员",
        "态度",
        "很好",
        "电话",
        "联系我",
        "是",
        "，",
        "。",
        "！",
        " ",
        "的",
        "微信支付",
        "送餐",
        "味道",
        "怪怪的",
        "嗯",
        "那个",
        "就是",
        "然后",
        "打给我",
        "邮箱",
        "号码",
        "ok",
        "a",
        "(",
        ")",
        "-",
        ":",
        "：",
        "~",
    ]);
    prop::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
}

fn separator() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", " ", "  ", "-", ".", "—", "–", " - ", "_", "/", "·", "~", "、", "，", "*"])
        .prop_map(String::from)
}

/// Digits of `d` cut into groups of the given sizes (cycled), joined by `sep`.
fn grouped(d: &str, sizes: &[usize], sep: &str) -> String {
    let chars: Vec<char> = d.chars().collect();
    let mut parts = Vec::new();
    let mut i = 0;
    let mut k = 0;
    while i < chars.len() {
        let n = sizes[k % sizes.len()].max(1).min(chars.len() - i);
        parts.push(chars[i..i + n].iter().collect::<String>());
        i += n;
        k += 1;
    }
    parts.join(sep)
}

fn pii_form() -> impl Strategy<Value = Form> {
    let mobile = (
        "1[3-9][0-9]{9}",
        separator(),
        prop::sample::select(vec![vec![3, 4, 4], vec![3, 8], vec![7, 4], vec![1], vec![11], vec![4]]),
        prop::sample::select(vec!["", "+86", "+86 ", "86 ", "0086-", "(+86)"]),
    )
        .prop_map(|(d, sep, sizes, prefix)| form(format!("{prefix}{}", grouped(&d, &sizes, &sep))));
    let id = (
        "[1-8][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])[0-9]{3}[0-9X]",
        separator(),
        prop::sample::select(vec![vec![6, 8, 4], vec![18], vec![6, 4, 4, 4], vec![4]]),
    )
        .prop_map(|(d, sep, sizes)| form(grouped(&d, &sizes, &sep)));
    let card = ("62[0-9]{14,17}", separator(), prop::sample::select(vec![vec![4], vec![19], vec![6, 13]]))
        .prop_map(|(d, sep, sizes)| form(grouped(&d, &sizes, &sep)));
    let landline = ("0[1-9][0-9]{1,2}", "[2-8][0-9]{6,7}", prop::sample::select(vec!["-", " ", "", ")", "—"]))
        .prop_map(|(area, local, sep)| {
            form(if sep == ")" { format!("({area}){local}") } else { format!("{area}{sep}{local}") })
        });
    let email = (
        prop::sample::select(vec!["", "-", "/", "=", "~", "&", "+", "_", ".", "@", "a"]),
        "[a-z][a-z0-9._-]{2,10}[a-z0-9]",
        prop::sample::select(vec!["163.com", "qq.com", "gmail.com", "126.com", "sina.com.cn", "corp-mail.example.org"]),
        prop::sample::select(vec!["", "1", "ok", "x9", "。", "!"]),
    )
        .prop_map(|(before, local, domain, after)| {
            let e = format!("{local}@{domain}");
            secret(format!("{before}{e}{after}"), &[&e, &local])
        });
    let spoken_phone = (
        "1[3-9][0-9]{9}",
        prop::sample::select(vec![" ", "，", "、", "", " 嗯 "]),
        prop::sample::select(vec!['幺', '一']),
    )
        .prop_map(|(d, sep, one)| form(digits_344(&spoken(&d, one), sep)));
    prop_oneof![mobile, id, card, landline, email, spoken_phone]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn embedded_pii_never_reaches_any_field(
        before in chinese_text(),
        pii in pii_form(),
        after in chinese_text(),
        voice in any::<bool>(),
    ) {
        let text = format!("{before}{}{after}", pii.text);
        let source = if voice { Source::Voice } else { Source::Text };
        let analysis = analyzer().analyze(&Input::new(&text).with_source(source)).expect("analyzed");
        let leaked = leaks(&analysis, &pii);
        prop_assert!(leaked.is_empty(), "{:?} {:?} leaks {:?}", source, text, leaked);
    }
}
