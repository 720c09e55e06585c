//! Hand-written scanners for personal data: phone numbers, ID cards, e-mails, URLs, order codes.
//!
//! They run on the half-width text (after full-width conversion, before case folding), are
//! tried only where a token can start (an ASCII letter or digit, or `+`), and never backtrack
//! more than a few characters, so masking costs next to nothing on Chinese text.

use super::{EMAIL, ID_CARD, ORDER_NO, PHONE, URL};

/// Keywords after which an alphanumeric code (≥ 4 characters, at least one digit) is masked,
/// whatever its shape. Matched as a suffix of the text before the code (ASCII case-insensitive),
/// with up to three separators (`:`, `：`, space, `#`, `是`, `为`, `=`) in between.
const KEYWORDS: &[(&str, &str)] = &[
    ("单号", ORDER_NO), // 订单号 运单号 快递单号
    ("订单", ORDER_NO),
    ("编号", ORDER_NO),
    ("流水号", ORDER_NO),
    ("券码", ORDER_NO),
    ("券号", ORDER_NO),
    ("优惠码", ORDER_NO),
    ("兑换码", ORDER_NO),
    ("取餐码", ORDER_NO),
    ("取件码", ORDER_NO),
    ("提货码", ORDER_NO),
    ("核销码", ORDER_NO),
    ("验证码", ORDER_NO),
    ("密码", ORDER_NO),
    ("卡号", ORDER_NO),
    ("会员号", ORDER_NO),
    ("账号", ORDER_NO),
    ("order", ORDER_NO),
    ("order no", ORDER_NO),
    ("order id", ORDER_NO),
    ("order number", ORDER_NO),
    ("qq", PHONE),
    ("qq号", PHONE),
    ("微信", PHONE),
    ("微信号", PHONE),
    ("vx", PHONE),
    ("wx", PHONE),
    ("v信", PHONE),
    ("加v", PHONE),
    ("加微", PHONE),
];

/// Top-level domains that make a bare `name.tld` a URL.
const TLDS: &[&str] = &[
    "com", "cn", "net", "org", "io", "cc", "me", "top", "xyz", "info", "co", "app", "vip", "shop", "club", "site",
    "online", "tv", "hk", "tw", "jp", "us", "uk", "ly", "gl", "la", "ink", "ltd", "wang", "link", "store", "tech",
    "cloud", "fun", "live", "pro", "biz", "asia", "gov", "edu", "xin", "red", "mobi", "ai",
];

/// Tries every scanner at `i`; returns the length matched and the placeholder.
pub(super) fn detect(s: &[char], i: usize) -> Option<(usize, &'static str)> {
    let c = *s.get(i)?;
    let prev = i.checked_sub(1).map(|p| s[p]);
    if c == '+' {
        return plus_phone(s, i).map(|n| (n, PHONE));
    }
    if !c.is_ascii_alphanumeric() {
        return None;
    }
    let word_start = prev.is_none_or(|p| !(p.is_ascii_alphanumeric() || "._-@%+/&=~".contains(p)));
    if word_start {
        if let Some(n) = prefixed_url(s, i) {
            return Some((n, URL));
        }
        if let Some(n) = email(s, i) {
            return Some((n, EMAIL));
        }
    }
    if prev.is_none_or(|p| !p.is_ascii_digit()) {
        if let Some(placeholder) = keyword_before(s, i) {
            if let Some(n) = code(s, i) {
                return Some((n, placeholder));
            }
        }
    }
    // Not the decimals of 3.1415926535 nor the thousands of 1,000,000.
    let three_digits = is_digit_at(s, i + 2) && !is_digit_at(s, i + 3);
    let after_number = |p: usize| (s[p] == '.' || (s[p] == ',' && three_digits)) && p > 0 && s[p - 1].is_ascii_digit();
    if c.is_ascii_digit() && prev.is_none_or(|p| !p.is_ascii_digit()) && !(i > 0 && after_number(i - 1)) {
        if let Some(found) = number(s, i) {
            return Some(found);
        }
    }
    if word_start {
        if let Some(n) = bare_domain(s, i) {
            return Some((n, URL));
        }
    }
    None
}

/// A digit written as a Chinese numeral, as ASR spells out phone numbers (幺 = 1).
pub(super) fn chinese_digit(c: char) -> Option<char> {
    let d = match c {
        '零' | '〇' => '0',
        '一' | '幺' => '1',
        '二' => '2',
        '三' => '3',
        '四' => '4',
        '五' => '5',
        '六' => '6',
        '七' => '7',
        '八' => '8',
        '九' => '9',
        _ => return None,
    };
    Some(d)
}

/// A run of 10 or more Chinese-numeral digits read one by one (一三八一二三四五六七八):
/// phone, ID card or order number like its Arabic form.
pub(super) fn chinese_number(s: &[char], i: usize) -> Option<(usize, &'static str)> {
    if i > 0 && chinese_digit(s[i - 1]).is_some() {
        return None;
    }
    let len = s[i..].iter().take_while(|&&c| chinese_digit(c).is_some()).count();
    if len < 10 {
        return None;
    }
    let digits: Vec<char> = s[i..i + len].iter().filter_map(|&c| chinese_digit(c)).collect();
    number(&digits, 0).filter(|&(n, _)| n == len)
}

fn at(s: &[char], i: usize) -> Option<char> {
    s.get(i).copied()
}

fn is_digit_at(s: &[char], i: usize) -> bool {
    at(s, i).is_some_and(|c| c.is_ascii_digit())
}

fn starts_with_ci(s: &[char], i: usize, word: &str) -> bool {
    let mut j = i;
    for w in word.chars() {
        match at(s, j) {
            Some(c) if c.to_ascii_lowercase() == w => j += 1,
            _ => return false,
        }
    }
    true
}

/// Is the text before `i` (skipping a few separators) one of [`KEYWORDS`]?
fn keyword_before(s: &[char], i: usize) -> Option<&'static str> {
    let mut k = i;
    let mut skipped = 0;
    while k > 0 && skipped < 3 && matches!(s[k - 1], ':' | '：' | ' ' | '#' | '是' | '为' | '=') {
        k -= 1;
        skipped += 1;
    }
    for &(kw, placeholder) in KEYWORDS {
        let n = kw.chars().count();
        if n > k || !starts_with_ci(s, k - n, kw) {
            continue;
        }
        // An ASCII keyword must be a whole word: "order" yes, "border" no.
        let ascii = kw.is_ascii();
        if ascii && k - n > 0 && s[k - n - 1].is_ascii_alphabetic() {
            continue;
        }
        // A keyword glued to the code must end in a non-ASCII char or be followed by a separator.
        if skipped == 0 && ascii && s[i].is_ascii_alphabetic() {
            continue;
        }
        return Some(placeholder);
    }
    None
}

/// An alphanumeric code: letters, digits and inner `-`/`_`, at least 4 long with a digit.
fn code(s: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    let mut digits = 0;
    while let Some(c) = at(s, j) {
        if c.is_ascii_alphanumeric() {
            digits += usize::from(c.is_ascii_digit());
            j += 1;
        } else if (c == '-' || c == '_') && at(s, j + 1).is_some_and(|d| d.is_ascii_alphanumeric()) {
            j += 1;
        } else {
            break;
        }
    }
    (j - i >= 4 && digits > 0).then_some(j - i)
}

/// Up to 6 digit groups separated by a single space or `-`: `138 1234 5678`, `010-12345678`.
fn digit_groups(s: &[char], i: usize) -> ([(usize, usize); 6], usize) {
    let mut groups = [(0usize, 0usize); 6];
    let mut n = 0;
    let mut j = i;
    loop {
        let start = j;
        while is_digit_at(s, j) {
            j += 1;
        }
        groups[n] = (start, j);
        n += 1;
        if n == groups.len() || !matches!(at(s, j), Some(' ' | '-')) || !is_digit_at(s, j + 1) {
            break;
        }
        j += 1;
    }
    (groups, n)
}

fn is_mobile_start(s: &[char], i: usize) -> bool {
    at(s, i) == Some('1') && at(s, i + 1).is_some_and(|c| ('3'..='9').contains(&c))
}

/// A mobile number made of the groups `g` (11 digits: `13812345678`, `138 1234 5678`, `138 12345678`).
/// Returns how many groups it uses.
fn mobile(s: &[char], g: &[(usize, usize)]) -> Option<usize> {
    let len = |k: usize| g.get(k).map_or(0, |(a, b)| b - a);
    if g.is_empty() || !is_mobile_start(s, g[0].0) {
        return None;
    }
    match (len(0), len(1), len(2)) {
        (11, _, _) => Some(1),
        (3, 4, 4) => Some(3),
        (3, 8, _) | (7, 4, _) => Some(2),
        _ => None,
    }
}

fn is_prefix_86(s: &[char], (a, b): (usize, usize)) -> bool {
    let digits: String = s[a..b].iter().collect();
    digits == "86" || digits == "0086"
}

/// Mainland ID card number: 17 digits + digit or X, with a plausible region and birth year.
fn is_id(s: &[char], a: usize) -> bool {
    let d = |k: usize| at(s, a + k).and_then(|c| c.to_digit(10)).unwrap_or(99);
    (1..=8).contains(&d(0)) && matches!((d(6), d(7)), (1, 9) | (2, 0)) && (d(10) * 10 + d(11)) <= 12
}

/// Digit-based personal data starting at `i`: phones, ID cards, long numbers and card numbers.
fn number(s: &[char], i: usize) -> Option<(usize, &'static str)> {
    let (groups, n) = digit_groups(s, i);
    let g = &groups[..n];
    let len = |k: usize| g[k].1 - g[k].0;
    let end = |k: usize| g[k].1 - i;
    let first = len(0);
    // Mobile, with or without a separate 86 / 0086 prefix group.
    if let Some(k) = mobile(s, g) {
        return Some((end(k - 1), PHONE));
    }
    if n > 1 && is_prefix_86(s, g[0]) {
        if let Some(k) = mobile(s, &g[1..]) {
            return Some((end(k), PHONE));
        }
    }
    if first == 13 && s[i] == '8' && s[i + 1] == '6' && is_mobile_start(s, i + 2)
        || first == 15 && starts_with_ci(s, i, "0086") && is_mobile_start(s, i + 4)
    {
        return Some((end(0), PHONE));
    }
    // ID card: 18 digits, or 17 digits and an X.
    let next_after = |p: usize| at(s, p).is_some_and(|c| c.is_ascii_alphanumeric());
    if first == 18 && is_id(s, i) {
        return Some((18, ID_CARD));
    }
    if first == 17 && matches!(at(s, g[0].1), Some('x' | 'X')) && !next_after(g[0].1 + 1) && is_id(s, i) {
        return Some((18, ID_CARD));
    }
    // Bank or member card numbers written in groups: 6222 0212 3456 7890.
    if n >= 3 && (0..n).all(|k| (3..=6).contains(&len(k))) && (0..n).map(len).sum::<usize>() >= 12 {
        return Some((end(n - 1), ORDER_NO));
    }
    // Landlines: 010-12345678, 0755 1234567, 02112345678.
    let leading_zero = s[i] == '0' && at(s, i + 1) != Some('0');
    if leading_zero && n > 1 && (3..=4).contains(&first) && (7..=8).contains(&len(1)) {
        return Some((end(1), PHONE));
    }
    if leading_zero && (10..=12).contains(&first) {
        return Some((end(0), PHONE));
    }
    // Any other run of 10+ digits (with letters glued after it) is an order or coupon number.
    if first >= 10 {
        let mut j = g[0].1;
        while at(s, j).is_some_and(|c| c.is_ascii_alphanumeric()) {
            j += 1;
        }
        return Some((j - i, ORDER_NO));
    }
    None
}

/// `+86 138 1234 5678`, `+8613812345678`, `+86-138-1234-5678`.
fn plus_phone(s: &[char], i: usize) -> Option<usize> {
    if at(s, i + 1) != Some('8') || at(s, i + 2) != Some('6') {
        return None;
    }
    let mut j = i + 3;
    if matches!(at(s, j), Some(' ' | '-')) {
        j += 1;
    }
    if !is_digit_at(s, j) {
        return None;
    }
    let (groups, n) = digit_groups(s, j);
    let k = mobile(s, &groups[..n])?;
    Some(groups[k - 1].1 - i)
}

fn is_url_char(c: char) -> bool {
    c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
}

/// Consumes URL characters from `j`, then gives back trailing punctuation.
fn url_tail(s: &[char], start: usize, mut j: usize) -> usize {
    while at(s, j).is_some_and(is_url_char) {
        j += 1;
    }
    let has_open = s[start..j].contains(&'(');
    while j > start {
        match s[j - 1] {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | ']' | '}' => j -= 1,
            ')' if !has_open => j -= 1,
            _ => break,
        }
    }
    j
}

/// `http://…`, `https://…`, `www.…`.
fn prefixed_url(s: &[char], i: usize) -> Option<usize> {
    let prefix = ["https://", "http://", "www."].into_iter().find(|p| starts_with_ci(s, i, p))?;
    let body = i + prefix.len();
    let end = url_tail(s, i, body);
    (end > body && s[body].is_ascii_alphanumeric()).then_some(end - i)
}

/// `label(.label)+` starting at `i`; returns the end and the start of the last label.
fn domain(s: &[char], i: usize) -> Option<(usize, usize)> {
    let is_label = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let mut j = i;
    let mut last;
    let mut labels = 0;
    loop {
        let start = j;
        while at(s, j).is_some_and(is_label) {
            j += 1;
        }
        if j == start {
            return None;
        }
        labels += 1;
        last = start;
        if at(s, j) == Some('.') && at(s, j + 1).is_some_and(|c| c.is_ascii_alphanumeric()) && labels < 12 {
            j += 1;
        } else {
            break;
        }
    }
    (labels >= 2).then_some((j, last))
}

/// `name@domain.tld`.
fn email(s: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    while at(s, j).is_some_and(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c)) {
        j += 1;
    }
    if at(s, j) != Some('@') || j == i {
        return None;
    }
    let (end, last) = domain(s, j + 1)?;
    let tld_ok = end - last >= 2 && s[last..end].iter().all(|c| c.is_ascii_alphabetic());
    tld_ok.then_some(end - i)
}

/// A bare domain with a known TLD: `xx.com`, `t.cn/abc`, `shop.example.com.cn`.
fn bare_domain(s: &[char], i: usize) -> Option<usize> {
    let (end, last) = domain(s, i)?;
    if matches!(at(s, end), Some('@' | '_')) {
        return None;
    }
    let tld: String = s[last..end].iter().map(|c| c.to_ascii_lowercase()).collect();
    if !TLDS.contains(&tld.as_str()) || !s[i..last].iter().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = if matches!(at(s, end), Some('/' | ':' | '?' | '#')) { url_tail(s, i, end) } else { end };
    Some(end - i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<(String, &'static str)> {
        let s: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < s.len() {
            if let Some((n, p)) = detect(&s, i).or_else(|| chinese_number(&s, i)) {
                out.push((s[i..i + n].iter().collect(), p));
                i += n;
            } else {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("电话13812345678谢谢", &[("13812345678", PHONE)]),
            ("138-1234-5678", &[("138-1234-5678", PHONE)]),
            ("138 1234 5678 好", &[("138 1234 5678", PHONE)]),
            ("+86 13812345678", &[("+86 13812345678", PHONE)]),
            ("+86-138-1234-5678", &[("+86-138-1234-5678", PHONE)]),
            ("86 138 1234 5678", &[("86 138 1234 5678", PHONE)]),
            ("8613812345678", &[("8613812345678", PHONE)]),
            ("010-12345678", &[("010-12345678", PHONE)]),
            ("075512345678", &[("075512345678", PHONE)]),
            ("11010519491231002X号", &[("11010519491231002X", ID_CARD)]),
            ("110105194912310021", &[("110105194912310021", ID_CARD)]),
            ("a.b-c@qq.com", &[("a.b-c@qq.com", EMAIL)]),
            ("123456@163.com。", &[("123456@163.com", EMAIL)]),
            ("看https://x.cn/a?b=1，", &[("https://x.cn/a?b=1", URL)]),
            ("www.abc.com.", &[("www.abc.com", URL)]),
            ("去xx.com买", &[("xx.com", URL)]),
            ("t.cn/Abc12)", &[("t.cn/Abc12", URL)]),
            ("订单号:2023110112345678", &[("2023110112345678", ORDER_NO)]),
            ("券码 AB12CD", &[("AB12CD", ORDER_NO)]),
            ("order#A1234", &[("A1234", ORDER_NO)]),
            ("加我qq12345678", &[("12345678", PHONE)]),
            ("加V：dx5566", &[("dx5566", PHONE)]),
            ("2023110112345678", &[("2023110112345678", ORDER_NO)]),
            ("6222 0212 3456 7890", &[("6222 0212 3456 7890", ORDER_NO)]),
            ("电话一三八一二三四五六七八", &[("一三八一二三四五六七八", PHONE)]),
            ("幺三九零零零零幺幺幺幺", &[("幺三九零零零零幺幺幺幺", PHONE)]),
            // not personal data
            ("一二三四五六七八九十", &[]),
            ("一个一个", &[]),
            ("38元2份", &[]),
            ("3.5分", &[]),
            ("2023-11-01 12:30", &[]),
            ("400-820-8820", &[]),
            ("1234567", &[]),
            ("3.1415926535", &[]),
            ("v1.2", &[]),
            ("a.jpg", &[]),
            ("订单 2份", &[]),
            ("border1234", &[]),
            ("12345678901", &[("12345678901", ORDER_NO)]),
        ];
        for (text, want) in cases {
            let want: Vec<(String, &str)> = want.iter().map(|(a, b)| (a.to_string(), *b)).collect();
            assert_eq!(find(text), want, "{text}");
        }
    }
}
