//! Hand-written scanners for personal data: phone numbers, ID cards, e-mails, contact handles,
//! order and card numbers, URLs.
//!
//! [`find`] runs every scanner over the prepared text (half-width, Simplified, before case
//! folding) and returns the spans to mask, merged where they overlap. The scanners:
//!
//! * **digit runs**: digits (ASCII, full-width, other Unicode digit forms and Chinese numerals
//!   read one by one, 幺三八 洞七五五) in groups joined by short gaps of separators (spaces,
//!   `- . — – _ / · ~ , ， 、 ( ) * #`), fillers of speech (嗯, 就是说, 然后) and
//!   extension words (转, 分机, ext). A run of [`MIN_DIGITS`] or more digits is masked whatever
//!   it is: leaking a phone number is worse than masking a number that was not one. Kept are
//!   only what identifies no one or is plainly a quantity: a date at the start of a run
//!   (2026-11-09, 2026/11/9, 09.11.2026), a range of two decimals (10.00-22.00, 11.09-11.12),
//!   one digit repeated or counting (6666666, 123456789) unless a keyword names the number, and
//!   lists of small numbers: a run joined across list separators (`，` `、` `,` `.`) counts as one
//!   number only when it has the shape of one (mobile, landline, ID card, card in groups of 4),
//!   follows a keyword, or is at most 4 parts of 3+ digits; otherwise each part counts alone
//!   (公交118、45、15路, 1,234,567元). The placeholder says what the run looks like: a mobile
//!   (with +86/0086), a landline with its area code or a 400/800 number is [`PHONE`], an ID
//!   card (18 characters, the last may be X) is [`ID_CARD`], a run after a keyword takes the
//!   keyword's placeholder, anything else is [`ORDER_NO`];
//! * **e-mails**: `local@domain`, found from the `@`, whatever comes before or after;
//! * **codes after keywords**: 订单号/券码/… `<code>` → [`ORDER_NO`]; QQ/微信/vx/扣扣/… `<id>` →
//!   [`PHONE`] (a WeChat id may be letters only, 6 or more);
//! * **letter-digit words** with [`MIN_DIGITS`] or more digits between the letters (A1B2C3D4…);
//! * **URLs** (`http://`, `www.`) and bare domains with a known TLD → [`URL`].
//!
//! Every scanner is linear and looks only a few characters around a digit, `@` or ASCII
//! letter, so masking costs next to nothing on Chinese text.

use super::{EMAIL, ID_CARD, ORDER_NO, PHONE, URL};

/// A digit run of this many digits (separators removed) or more is always masked.
pub(super) const MIN_DIGITS: usize = 7;

/// A span of the prepared text `[start, end)` to replace by `placeholder`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Found {
    pub start: usize,
    pub end: usize,
    pub placeholder: &'static str,
}

/// What a keyword says about the code after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An order, coupon or account code: letters, digits, `-`, `_`, 4+ long with a digit.
    Code,
    /// A QQ/WeChat handle: a code, or 6+ letters (WeChat ids need no digit).
    Contact,
    /// Only names what a long digit run after it is (电话 → phone).
    Label,
}

/// Keywords before a code. Matched as a suffix of the text before the code (ASCII
/// case-insensitive), with up to three separators (`:`, `：`, space, `#`, `是`, `为`, `=`) in between.
const KEYWORDS: &[(&str, &str, Kind)] = &[
    ("单号", ORDER_NO, Kind::Code), // 订单号 运单号 快递单号
    ("订单", ORDER_NO, Kind::Code),
    ("编号", ORDER_NO, Kind::Code),
    ("流水号", ORDER_NO, Kind::Code),
    ("券码", ORDER_NO, Kind::Code),
    ("券号", ORDER_NO, Kind::Code),
    ("优惠码", ORDER_NO, Kind::Code),
    ("兑换码", ORDER_NO, Kind::Code),
    ("取餐码", ORDER_NO, Kind::Code),
    ("取件码", ORDER_NO, Kind::Code),
    ("提货码", ORDER_NO, Kind::Code),
    ("核销码", ORDER_NO, Kind::Code),
    ("验证码", ORDER_NO, Kind::Code),
    ("密码", ORDER_NO, Kind::Code),
    ("卡号", ORDER_NO, Kind::Code),
    ("会员号", ORDER_NO, Kind::Code),
    ("账号", ORDER_NO, Kind::Code),
    ("order", ORDER_NO, Kind::Code),
    ("order no", ORDER_NO, Kind::Code),
    ("order id", ORDER_NO, Kind::Code),
    ("order number", ORDER_NO, Kind::Code),
    ("qq", PHONE, Kind::Contact),
    ("qq号", PHONE, Kind::Contact),
    ("qq号码", PHONE, Kind::Contact),
    ("扣扣", PHONE, Kind::Contact),
    ("企鹅", PHONE, Kind::Contact),
    ("企鹅号", PHONE, Kind::Contact),
    ("微信", PHONE, Kind::Contact),
    ("微信号", PHONE, Kind::Contact),
    ("微信号码", PHONE, Kind::Contact),
    ("薇信", PHONE, Kind::Contact),
    ("威信", PHONE, Kind::Contact),
    ("vx", PHONE, Kind::Contact),
    ("wx", PHONE, Kind::Contact),
    ("v信", PHONE, Kind::Contact),
    ("weixin", PHONE, Kind::Contact),
    ("wechat", PHONE, Kind::Contact),
    ("加v", PHONE, Kind::Contact),
    ("加微", PHONE, Kind::Contact),
    ("加我", PHONE, Kind::Contact),
    ("电话", PHONE, Kind::Label),
    ("手机", PHONE, Kind::Label),
    ("手机号", PHONE, Kind::Label),
    ("座机", PHONE, Kind::Label),
    ("号码", PHONE, Kind::Label),
    ("联系方式", PHONE, Kind::Label),
    ("tel", PHONE, Kind::Label),
    ("call", PHONE, Kind::Label),
];

/// Top-level domains that make a bare `name.tld` a URL.
const TLDS: &[&str] = &[
    "com", "cn", "net", "org", "io", "cc", "me", "top", "xyz", "info", "co", "app", "vip", "shop", "club", "site",
    "online", "tv", "hk", "tw", "jp", "us", "uk", "ly", "gl", "la", "ink", "ltd", "wang", "link", "store", "tech",
    "cloud", "fun", "live", "pro", "biz", "asia", "gov", "edu", "xin", "red", "mobi", "ai",
];
/// Every span of `s` to mask, sorted and without overlaps.
pub(super) fn find(s: &[char]) -> Vec<Found> {
    let mut found = Vec::new();
    emails(s, &mut found);
    words(s, &mut found);
    numbers(s, &mut found);
    letter_digit_words(s, &mut found);
    merge(found)
}

/// Sorts `found` and merges overlapping spans; a merged span takes the placeholder of its
/// longest part (the first found on a tie).
fn merge(mut found: Vec<Found>) -> Vec<Found> {
    found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut out: Vec<(Found, usize)> = Vec::with_capacity(found.len());
    for f in found {
        match out.last_mut() {
            Some((last, longest)) if f.start < last.end => {
                if f.end - f.start > *longest {
                    last.placeholder = f.placeholder;
                    *longest = f.end - f.start;
                }
                last.end = last.end.max(f.end);
            }
            _ => out.push((f, f.end - f.start)),
        }
    }
    out.into_iter().map(|(f, _)| f).collect()
}

fn at(s: &[char], i: usize) -> Option<char> {
    s.get(i).copied()
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

// ---- digits ----

/// The value of a character that writes a digit: ASCII and full-width digits, other Unicode
/// digit forms (𝟏 ① ⑴ ⒈ ❶ ¹ ₁ ١ ۱ १) and Chinese numerals read digit by digit
/// (零 〇 ○ 洞 = 0, 一 幺 = 1, 二 两 = 2, … and the financial 壹 贰 叁 …).
pub(super) fn digit(c: char) -> Option<u8> {
    let cp = c as u32;
    let offset = |base: u32| Some((cp - base) as u8);
    match cp {
        0x30..=0x39 => offset(0x30),
        0xFF10..=0xFF19 => offset(0xFF10),
        0x1D7CE..=0x1D7FF => Some(((cp - 0x1D7CE) % 10) as u8),
        0x0660..=0x0669 => offset(0x0660),
        0x06F0..=0x06F9 => offset(0x06F0),
        0x0966..=0x096F => offset(0x0966),
        0x2080..=0x2089 => offset(0x2080),
        0x2070 => Some(0),
        0x00B9 => Some(1),
        0x00B2 => Some(2),
        0x00B3 => Some(3),
        0x2074..=0x2079 => offset(0x2070),
        0x2460..=0x2468 => Some((cp - 0x2460 + 1) as u8),
        0x2474..=0x247C => Some((cp - 0x2474 + 1) as u8),
        0x2488..=0x2490 => Some((cp - 0x2488 + 1) as u8),
        0x2776..=0x277E => Some((cp - 0x2776 + 1) as u8),
        0x2780..=0x2788 => Some((cp - 0x2780 + 1) as u8),
        0x278A..=0x2792 => Some((cp - 0x278A + 1) as u8),
        0x24EA | 0x24FF | 0x1F100 => Some(0),
        _ if cp < 0x80 => None,
        // Any other number character (Thai, Bengali, ... digits): its value is unknown here,
        // but it is a digit all the same.
        _ => chinese_digit(c).or_else(|| c.is_numeric().then_some((cp % 10) as u8)),
    }
}

/// A digit written as a Chinese numeral, as speech and ASR spell out numbers.
fn chinese_digit(c: char) -> Option<u8> {
    let d = match c {
        '零' | '〇' | '○' | '洞' => 0,
        '一' | '幺' | '壹' => 1,
        '二' | '两' | '兩' | '贰' | '貳' => 2,
        '三' | '叁' | '參' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    };
    Some(d)
}

fn is_digit_at(s: &[char], i: usize) -> bool {
    at(s, i).and_then(digit).is_some()
}

/// Characters that may stand between two digit groups of one number.
fn is_gap_char(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '_' | '/' | '\\' | '(' | ')' | '[' | ']' | '{' | '}' | '（' | '）' | '【' | '】' | '〔' | '〕'
            | '—' | '–' | '−' | '‐' | '‑' | '‒' | '―' | '─' | '━' | '~' | '～' | '〜' | '·' | '•' | '・' | '∙'
            | ',' | '，' | '、' | '。' | '｡' | '*' | '#' | '|' | '"' | '\'' | '“' | '”' | '‘' | '’'
            | '\u{3000}'
            // combining marks and variation selectors (1̲3̲8̲, keycaps 1️⃣)
            | '\u{0300}'..='\u{036F}' | '\u{20D0}'..='\u{20FF}' | '\u{FE00}'..='\u{FE0F}' | '\u{FE20}'..='\u{FE2F}'
            | '\u{180E}'
            // fillers of speech and words read for separators
            | '嗯' | '呃' | '额' | '啊' | '哦' | '噢' | '诶' | '欸' | '呀' | '杠' | '转'
    )
}

/// Words that may stand between two digit groups: speech fillers (those of
/// `lexicons/voice_fillers.txt` that voice cleanup removes anywhere, and common connectors) and
/// extension words.
const GAP_WORDS: &[&str] = &[
    "我就是说",
    "怎么说呢",
    "怎么讲呢",
    "这么说吧",
    "就是说",
    "我是说",
    "那什么",
    "就是",
    "那个",
    "这个",
    "然后",
    "对吧",
    "是吧",
    "分机",
    "ext",
];

/// Length of the gap at `j`, 0 if none: at most 8 characters in at most 4 pieces (a run of
/// spaces is one piece). 一 between two Arabic digits is a dash (180一280).
fn gap(s: &[char], j: usize) -> usize {
    const MAX_CHARS: usize = 8;
    let ascii_digit = |k: usize| at(s, k).is_some_and(|c| c.is_ascii_digit());
    if at(s, j) == Some('一') && j > 0 && ascii_digit(j - 1) && ascii_digit(j + 1) {
        return 1;
    }
    let mut k = j;
    let mut pieces = 0;
    while pieces < 4 && k - j < MAX_CHARS {
        if at(s, k) == Some(' ') {
            while at(s, k) == Some(' ') {
                k += 1;
            }
        } else if at(s, k).is_some_and(is_gap_char) {
            k += 1;
        } else if let Some(w) = GAP_WORDS.iter().find(|w| starts_with_ci(s, k, w)) {
            k += w.chars().count();
        } else {
            break;
        }
        pieces += 1;
    }
    if k - j > MAX_CHARS {
        0
    } else {
        k - j
    }
}

/// Digit groups joined by gaps, from a digit at `start`.
struct Run {
    start: usize,
    end: usize,
    digits: Vec<u8>,
    groups: Vec<(usize, usize)>,
    /// The 18th character is an X (ID card check digit).
    x: bool,
}

impl Run {
    fn scan(s: &[char], start: usize) -> Run {
        let mut run = Run { start, end: start, digits: Vec::new(), groups: Vec::new(), x: false };
        let mut j = start;
        loop {
            let g = j;
            let chinese = at(s, j).is_some_and(|c| chinese_digit(c).is_some());
            while let Some(d) = at(s, j).filter(|&c| chinese_digit(c).is_some() == chinese).and_then(digit) {
                run.digits.push(d);
                j += 1;
            }
            run.groups.push((g, j));
            run.end = j;
            if run.digits.len() == 17 && matches!(at(s, j), Some('x' | 'X' | 'ｘ' | 'Ｘ')) {
                run.x = true;
                run.end = j + 1;
                break;
            }
            // A digit of the other script right after (138幺二三四) is a group of its own, but a
            // lone Chinese numeral next to Arabic digits is a word (老幺 555, 180一280元).
            let n = gap(s, j);
            if !is_digit_at(s, j + n) || is_complete(&run.digits) {
                break;
            }
            let next_chinese = chinese_digit(s[j + n]).is_some();
            let lone = |a: usize, chinese: bool| {
                chinese && s[a..].iter().take_while(|&&c| chinese_digit(c).is_some()).count() == 1
            };
            if next_chinese != chinese && (lone(g, chinese) || lone(j + n, next_chinese)) {
                break;
            }
            // Two long numbers, or a landline (with its extension) and another number starting
            // with 0: 010-12345678，0755 1234567 转 8001，021 87654321.
            let next_len = s[j + n..].iter().take_while(|&&c| digit(c).is_some()).count();
            let d = &run.digits;
            let landline = d[0] == 0 && d.get(1).is_some_and(|&x| x != 0) && d.len() >= 10;
            if (d.len() >= MIN_DIGITS && next_len >= MIN_DIGITS) || (landline && digit(s[j + n]) == Some(0)) {
                break;
            }
            j += n;
        }
        run
    }

    fn group_len(&self, k: usize) -> usize {
        self.groups.get(k).map_or(0, |&(a, b)| b - a)
    }

    fn value(&self, s: &[char], k: usize) -> u32 {
        let (a, b) = self.groups[k];
        s[a..b].iter().filter_map(|&c| digit(c)).fold(0u32, |v, d| v.saturating_mul(10).saturating_add(u32::from(d)))
    }

    /// The single character between group `k` and `k + 1`, if the gap is one character.
    fn sep(&self, s: &[char], k: usize) -> Option<char> {
        let (_, a) = *self.groups.get(k)?;
        let (b, _) = *self.groups.get(k + 1)?;
        (b == a + 1).then(|| s[a])
    }

    /// The end of a date that starts the run: 2026-11-09, 2026/11/9, 2026.11.09, 09.11.2026.
    fn leading_date(&self, s: &[char]) -> Option<usize> {
        if self.groups.len() < 3 {
            return None;
        }
        let sep = self.sep(s, 0)?;
        if !matches!(sep, '-' | '/' | '.') || self.sep(s, 1) != Some(sep) {
            return None;
        }
        let len = |k| self.group_len(k);
        let year = |k| len(k) == 4 && (1900..=2099).contains(&self.value(s, k));
        let month = |k| (1..=2).contains(&len(k)) && (1..=12).contains(&self.value(s, k));
        let day = |k| (1..=2).contains(&len(k)) && (1..=31).contains(&self.value(s, k));
        let ymd = year(0) && month(1) && day(2);
        let dmy = (day(0) && month(1) || month(0) && day(1)) && year(2);
        (ymd || dmy).then_some(self.groups[2].1)
    }

    /// Is the gap after group `k` a list separator (`,` `，` `、` `;` `。` `.`)? Numbers joined only
    /// by such gaps may be a list of small numbers (公交118、45、15路, 1,234,567元) rather than one.
    fn soft_gap(&self, s: &[char], k: usize) -> bool {
        let (Some(&(_, a)), Some(&(b, _))) = (self.groups.get(k), self.groups.get(k + 1)) else { return false };
        s[a..b].iter().any(|c| matches!(c, ',' | '，' | '、' | ';' | '；' | '。' | '｡' | '.'))
    }

    /// The runs between soft gaps: `(first group, last group)`.
    fn parts(&self, s: &[char]) -> Vec<(usize, usize)> {
        let mut parts = Vec::new();
        let mut first = 0;
        for k in 0..self.groups.len() {
            if k + 1 == self.groups.len() || self.soft_gap(s, k) {
                parts.push((first, k));
                first = k + 1;
            }
        }
        parts
    }

    /// The sub-run of groups `first..=last`.
    fn sub(&self, s: &[char], first: usize, last: usize) -> Run {
        let groups = self.groups[first..=last].to_vec();
        let digits = groups.iter().flat_map(|&(a, b)| s[a..b].iter().filter_map(|&c| digit(c))).collect();
        let x = self.x && last + 1 == self.groups.len();
        let end = if x { self.end } else { groups[groups.len() - 1].1 };
        Run { start: groups[0].0, end, digits, groups, x }
    }

    /// Digits that say nothing about anyone: one digit repeated (6666666, 一一一一一一一) or
    /// counting (123456789, 12345678910, 一二三四五六七八九, 9876543210).
    fn is_uninformative(&self) -> bool {
        let d = &self.digits;
        if d.windows(2).all(|p| p[0] == p[1]) || d.windows(2).all(|p| p[1] + 1 == p[0]) {
            return true;
        }
        [0u32, 1].iter().any(|&from| {
            let mut counted = Vec::with_capacity(d.len() + 2);
            let mut k = from;
            while counted.len() < d.len() {
                counted.extend(k.to_string().bytes().map(|b| b - b'0'));
                k += 1;
            }
            counted == *d
        })
    }

    /// Thousands separators: 1,234,567.
    fn is_thousands(&self, s: &[char]) -> bool {
        (1..=3).contains(&self.group_len(0))
            && (1..self.groups.len()).all(|k| self.group_len(k) == 3 && self.sep(s, k - 1) == Some(','))
    }

    /// Two decimals and nothing else: 10.00-22.00, 11.09-11.12, 3.5~4.5.
    fn is_decimal_range(&self, s: &[char]) -> bool {
        let len = |k| self.group_len(k);
        self.groups.len() == 4
            && self.sep(s, 0) == Some('.')
            && self.sep(s, 2) == Some('.')
            && matches!(self.sep(s, 1), Some('-' | '~' | '～' | '—' | '–'))
            && (1..=4).contains(&len(0))
            && (1..=2).contains(&len(1))
            && (1..=4).contains(&len(2))
            && (1..=2).contains(&len(3))
    }
}

/// A mobile (with or without 86/0086) or an ID card: a run stops there, so that two numbers
/// next to each other (13812345678 110101199003077777) keep their own placeholders.
fn is_complete(d: &[u8]) -> bool {
    is_mobile(d)
        || (d.len() == 13 && d[..2] == [8, 6] && is_mobile(&d[2..]))
        || (d.len() == 15 && d[..4] == [0, 0, 8, 6] && is_mobile(&d[4..]))
        || (d.len() == 18 && is_id(d))
}

fn is_mobile(d: &[u8]) -> bool {
    d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1])
}

/// Mainland ID card number: 17 digits + digit or X, with a plausible region, birth year and month.
fn is_id(d: &[u8]) -> bool {
    d.len() >= 17
        && (1..=8).contains(&d[0])
        && matches!((d[6], d[7]), (1, 9) | (2, 0))
        && (1..=12).contains(&(d[10] * 10 + d[11]))
}

/// Long digit runs: phones, landlines, ID cards, card, order and other long numbers.
///
/// A run joined across list separators (`，` `、` `,` `.`) is one number when it has the shape
/// of one (a mobile, landline, ID card or card number in groups of 4), follows a keyword, or is
/// at most 4 parts of 3+ digits each (幺九三，四六五，七八二); otherwise each part counts alone,
/// so that lists of small numbers (公交118、45、15路, 350、500、800元) stay.
fn numbers(s: &[char], out: &mut Vec<Found>) {
    let mut i = 0;
    while i < s.len() {
        if !is_digit_at(s, i) {
            i += 1;
            continue;
        }
        let run = Run::scan(s, i);
        if let Some(end) = run.leading_date(s) {
            i = end;
            continue;
        }
        let parts = run.parts(s);
        let whole = parts.len() == 1
            || has_shape(&run)
            || keyword_before(s, run.start).is_some()
            || (parts.len() <= 4
                && !run.is_thousands(s)
                && parts.iter().all(|&(a, b)| run.sub(s, a, b).digits.len() >= 3));
        if whole {
            push_run(s, &run, out);
        } else {
            for (a, b) in parts {
                push_run(s, &run.sub(s, a, b), out);
            }
        }
        i = run.end.max(i + 1);
    }
}

/// Masks `run` when it has 7+ digits and is not a decimal range, nor uninformative unless a
/// keyword says what it is (电话 87654321).
fn push_run(s: &[char], run: &Run, out: &mut Vec<Found>) {
    if run.digits.len() >= MIN_DIGITS && !run.is_decimal_range(s) {
        let start = prefix_start(s, run);
        if run.is_uninformative() && keyword_before(s, start).is_none() {
            return;
        }
        out.push(Found { start, end: run.end, placeholder: classify(s, run, start) });
    }
}

/// A mobile, landline, ID card, or a card number in groups of 4.
fn has_shape(run: &Run) -> bool {
    let d = &run.digits;
    let n = run.groups.len();
    let card = (16..=19).contains(&d.len()) && (0..n - 1).all(|k| run.group_len(k) == 4);
    is_complete(d) || (run.x && d.len() == 17) || (d.len() >= 10 && d[0] == 0 && d[1] != 0) || card
}

/// Where a masked run starts: before a `+` and an opening bracket closed inside the run.
fn prefix_start(s: &[char], run: &Run) -> usize {
    let mut k = run.start;
    if k > 0 && s[k - 1] == '+' {
        k -= 1;
    }
    let closes = s[run.start..run.end].iter().any(|c| matches!(c, ')' | '）' | ']' | '】'));
    if closes && k > 0 && matches!(s[k - 1], '(' | '（' | '[' | '【') {
        k -= 1;
        if k > 0 && s[k - 1] == '+' {
            k -= 1;
        }
    }
    k
}

/// The placeholder for a run of 7+ digits starting (prefix included) at `start`.
fn classify(s: &[char], run: &Run, start: usize) -> &'static str {
    let d = &run.digits;
    if (run.x && d.len() == 17) || (d.len() == 18 && is_id(d)) {
        return ID_CARD;
    }
    let mobile = is_complete(d);
    let landline = d[0] == 0 && d[1] != 0 && (10..=16).contains(&d.len());
    let service = d.len() == 10 && (d[..3] == [4, 0, 0] || d[..3] == [8, 0, 0]);
    let plus = at(s, start) == Some('+');
    if mobile || landline || service || plus {
        return PHONE;
    }
    keyword_before(s, start).map_or(ORDER_NO, |(placeholder, _)| placeholder)
}

// ---- words: URLs and codes after keywords ----

/// URLs and bare domains at word starts, codes after keywords.
fn words(s: &[char], out: &mut Vec<Found>) {
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if !c.is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let prev = i.checked_sub(1).map(|p| s[p]);
        let word_start = prev.is_none_or(|p| !(p.is_ascii_alphanumeric() || "._-@%+/&=~".contains(p)));
        let mut push = |n: usize, placeholder| {
            out.push(Found { start: i, end: i + n, placeholder });
            n
        };
        // A keyword right before another (加我qq123456): the second one names the code.
        let keyword_here = || {
            KEYWORDS.iter().any(|&(kw, _, _)| {
                kw.is_ascii()
                    && starts_with_ci(s, i, kw)
                    && !at(s, i + kw.len()).is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '-')
            })
        };
        let n = if let Some(n) = prefixed_url(s, i).filter(|_| word_start) {
            push(n, URL)
        } else if let Some((placeholder, n)) = keyword_before(s, i)
            .filter(|_| prev.is_none_or(|p| !p.is_ascii_digit()) && !keyword_here())
            .and_then(|(p, kind)| {
                let n = code(s, i, kind)?;
                Some((p, n))
            })
        {
            push(n, placeholder)
        } else if let Some(n) = bare_domain(s, i).filter(|_| word_start) {
            push(n, URL)
        } else {
            1
        };
        i += n;
    }
}

/// Is the text before `i` (skipping a few separators) one of [`KEYWORDS`]? The longest wins.
fn keyword_before(s: &[char], i: usize) -> Option<(&'static str, Kind)> {
    let mut k = i;
    let mut skipped = 0;
    while k > 0 && skipped < 3 && matches!(s[k - 1], ':' | '：' | ' ' | '#' | '是' | '为' | '=' | '-') {
        k -= 1;
        skipped += 1;
    }
    let mut best: Option<(usize, &'static str, Kind)> = None;
    for &(kw, placeholder, kind) in KEYWORDS {
        let n = kw.chars().count();
        if n > k || !starts_with_ci(s, k - n, kw) || best.is_some_and(|(m, _, _)| m >= n) {
            continue;
        }
        // An ASCII keyword must be a whole word: "order" yes, "border" no.
        let ascii = kw.is_ascii();
        if ascii && k - n > 0 && s[k - n - 1].is_ascii_alphabetic() {
            continue;
        }
        // A keyword glued to the code must end in a non-ASCII char or be followed by a separator.
        if skipped == 0 && ascii && at(s, i).is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        best = Some((n, placeholder, kind));
    }
    best.map(|(_, p, kind)| (p, kind))
}

/// A code after a keyword: letters, digits and inner `-`/`_`, at least 4 long with a digit;
/// after a contact keyword also 6+ characters starting with a letter (a WeChat id).
fn code(s: &[char], i: usize, kind: Kind) -> Option<usize> {
    if kind == Kind::Label {
        return None;
    }
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
    let n = j - i;
    let wechat = kind == Kind::Contact && n >= 6 && s[i].is_ascii_alphabetic();
    ((n >= 4 && digits > 0) || wechat).then_some(n)
}

/// Letter-digit words with [`MIN_DIGITS`] digits or more in two groups or more (A1B2C3D4E5F6G7).
fn letter_digit_words(s: &[char], out: &mut Vec<Found>) {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut i = 0;
    while i < s.len() {
        if !word(s[i]) {
            i += 1;
            continue;
        }
        let end = i + s[i..].iter().take_while(|&&c| word(c)).count();
        let w = &s[i..end];
        let digits = w.iter().filter(|c| c.is_ascii_digit()).count();
        let groups = w.windows(2).filter(|p| !p[0].is_ascii_digit() && p[1].is_ascii_digit()).count()
            + usize::from(w[0].is_ascii_digit());
        if digits >= MIN_DIGITS && groups >= 2 {
            out.push(Found { start: i, end, placeholder: ORDER_NO });
        }
        i = end;
    }
}

// ---- e-mails ----

/// Mail providers written without their TLD (zhangsan@qq).
const MAIL_HOSTS: &[&str] = &[
    "qq", "163", "126", "gmail", "foxmail", "sina", "sohu", "outlook", "hotmail", "yahoo", "icloud", "aliyun", "139",
    "yeah",
];

/// `local@domain` around every `@`: the local part is taken back to the first character that
/// cannot be in one, then forward to its first letter or digit; the domain is every label after.
fn emails(s: &[char], out: &mut Vec<Found>) {
    let local = |c: char| c.is_ascii_alphanumeric() || "._%+-~!$'*^`{|}".contains(c);
    for (at_sign, _) in s.iter().enumerate().filter(|&(_, &c)| c == '@' || c == '＠') {
        // One space may stand on either side of the @ (zhangsan @ qq.com).
        let mut a = at_sign;
        if a > 1 && s[a - 1] == ' ' && local(s[a - 2]) {
            a -= 1;
        }
        let before_space = a;
        while a > 0 && local(s[a - 1]) {
            a -= 1;
        }
        while a < at_sign && !s[a].is_ascii_alphanumeric() {
            a += 1;
        }
        if a >= before_space {
            continue;
        }
        let after = at_sign + 1 + usize::from(at(s, at_sign + 1) == Some(' '));
        if let Some(end) = mail_domain(s, after) {
            out.push(Found { start: a, end, placeholder: EMAIL });
        }
    }
}

/// The end of the mail domain at `i`: two labels or more, or a known provider alone.
fn mail_domain(s: &[char], i: usize) -> Option<usize> {
    let label = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let mut j = i;
    let mut labels = 0;
    loop {
        let start = j;
        while at(s, j).is_some_and(label) {
            j += 1;
        }
        if j == start {
            if labels == 0 {
                return None;
            }
            j -= 1; // the dot before: not part of the domain
            break;
        }
        labels += 1;
        // A dot, or the Chinese full stop an IME types for one (zhangsan@company。com).
        let ime_dot = at(s, j) == Some('。') && at(s, j + 1).is_some_and(|c| c.is_ascii_alphabetic());
        if at(s, j) == Some('.') || ime_dot {
            j += 1;
        } else {
            break;
        }
    }
    if labels >= 2 {
        return Some(j);
    }
    let host: String = s[i..j].iter().map(|c| c.to_ascii_lowercase()).collect();
    MAIL_HOSTS.contains(&host.as_str()).then_some(j)
}

// ---- URLs ----

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

    fn spans(text: &str) -> Vec<(String, &'static str)> {
        let s: Vec<char> = text.chars().collect();
        find(&s).into_iter().map(|f| (s[f.start..f.end].iter().collect(), f.placeholder)).collect()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("电话13812345678谢谢", &[("13812345678", PHONE)]),
            ("138-1234-5678", &[("138-1234-5678", PHONE)]),
            ("138 1234 5678 好", &[("138 1234 5678", PHONE)]),
            ("138.1234.5678。", &[("138.1234.5678", PHONE)]),
            ("138  1234  5678", &[("138  1234  5678", PHONE)]),
            ("138—1234—5678", &[("138—1234—5678", PHONE)]),
            ("138 - 1234 - 5678", &[("138 - 1234 - 5678", PHONE)]),
            ("1 3 8 1 2 3 4 5 6 7 8", &[("1 3 8 1 2 3 4 5 6 7 8", PHONE)]),
            ("(138)12345678", &[("(138)12345678", PHONE)]),
            ("+86(138)1234-5678", &[("+86(138)1234-5678", PHONE)]),
            ("(+86) 138 1234 5678", &[("(+86) 138 1234 5678", PHONE)]),
            ("+86 13812345678", &[("+86 13812345678", PHONE)]),
            ("+86-138-1234-5678", &[("+86-138-1234-5678", PHONE)]),
            ("86 138 1234 5678", &[("86 138 1234 5678", PHONE)]),
            ("8613812345678", &[("8613812345678", PHONE)]),
            ("010-12345678", &[("010-12345678", PHONE)]),
            ("(021)1234 5678", &[("(021)1234 5678", PHONE)]),
            ("0755 1234567 转 8001", &[("0755 1234567 转 8001", PHONE)]),
            ("0755-1234567 ext 8001", &[("0755-1234567 ext 8001", PHONE)]),
            ("075512345678", &[("075512345678", PHONE)]),
            ("400-820-8820", &[("400-820-8820", PHONE)]),
            ("11010519491231002X号", &[("11010519491231002X", ID_CARD)]),
            ("110105194912310021", &[("110105194912310021", ID_CARD)]),
            ("110101 19900307 7777", &[("110101 19900307 7777", ID_CARD)]),
            ("110101-19900307-777X", &[("110101-19900307-777X", ID_CARD)]),
            ("a.b-c@qq.com", &[("a.b-c@qq.com", EMAIL)]),
            ("123456@163.com。", &[("123456@163.com", EMAIL)]),
            ("邮箱-zhangsan@163.com", &[("zhangsan@163.com", EMAIL)]),
            ("x=zhangsan@163.com1", &[("zhangsan@163.com1", EMAIL)]),
            ("zhangsan@qq谢谢", &[("zhangsan@qq", EMAIL)]),
            ("邮箱 zhangsan @ corp.cn 好", &[("zhangsan @ corp.cn", EMAIL)]),
            ("zhangsan@company。com。", &[("zhangsan@company。com", EMAIL)]),
            ("1\u{332}3\u{332}8\u{332}12345678", &[("1\u{332}3\u{332}8\u{332}12345678", PHONE)]),
            ("看https://x.cn/a?b=1，", &[("https://x.cn/a?b=1", URL)]),
            ("www.abc.com.", &[("www.abc.com", URL)]),
            ("去xx.com买", &[("xx.com", URL)]),
            ("t.cn/Abc12)", &[("t.cn/Abc12", URL)]),
            ("订单号:2023110112345678", &[("2023110112345678", ORDER_NO)]),
            ("券码 AB12CD", &[("AB12CD", ORDER_NO)]),
            ("order#A1234", &[("A1234", ORDER_NO)]),
            ("加我qq12345678", &[("12345678", PHONE)]),
            ("QQ 12345", &[("12345", PHONE)]),
            ("扣扣123456789", &[("123456789", PHONE)]),
            ("加V：dx5566", &[("dx5566", PHONE)]),
            ("vx: abc_123", &[("abc_123", PHONE)]),
            ("微信 zhangsan", &[("zhangsan", PHONE)]),
            ("2023110112345678", &[("2023110112345678", ORDER_NO)]),
            ("6222 0212 3456 7890", &[("6222 0212 3456 7890", ORDER_NO)]),
            ("A1B2C3D4E5F6G7", &[("A1B2C3D4E5F6G7", ORDER_NO)]),
            ("电话一三八一二三四五六七八", &[("一三八一二三四五六七八", PHONE)]),
            ("幺三九零零零零幺幺幺幺", &[("幺三九零零零零幺幺幺幺", PHONE)]),
            ("我电话幺三八 幺二三四 五六七八", &[("幺三八 幺二三四 五六七八", PHONE)]),
            ("幺三八，嗯，幺二三四、五六七八", &[("幺三八，嗯，幺二三四、五六七八", PHONE)]),
            ("１３８１２３４５６７８", &[("１３８１２３４５６７８", PHONE)]),
            ("2749153", &[("2749153", ORDER_NO)]),
            ("3.1415926535", &[("1415926535", ORDER_NO)]),
            ("1211、1212号铺", &[("1211、1212", ORDER_NO)]),
            ("幺九三，四六五，七八二", &[("幺九三，四六五，七八二", ORDER_NO)]),
            ("6222，0212，3456，7890，123", &[("6222，0212，3456，7890，123", ORDER_NO)]),
            ("1，3，8，1，2，3，4，5，6，7，8", &[("1，3，8，1，2，3，4，5，6，7，8", PHONE)]),
            ("2016.8.11一", &[]),
            ("180一280元 袁老幺 555555555 一 1234 5678", &[]),
            ("138一1234一5678", &[("138一1234一5678", PHONE)]),
            // not personal data
            ("一二三四五六", &[]),
            ("一二三四五六七八九十", &[]),
            ("1234567 6666666 一一一一一一一 12345678910 9876543", &[]),
            ("电话 87654321", &[("87654321", PHONE)]),
            ("公交118、45、15路，129,753,758,768,777路，350、500、800、1000、1200元", &[]),
            ("1,234,567元 18.19.23.25.27路", &[]),
            ("13812345678 11010519491231002X", &[("13812345678", PHONE), ("11010519491231002X", ID_CARD)]),
            ("+8613912345678 / 0086-13912345678", &[("+8613912345678", PHONE), ("0086-13912345678", PHONE)]),
            ("微信 wx_abc123", &[("wx_abc123", PHONE)]),
            ("010-12345678，0755 1234567", &[("010-12345678", PHONE), ("0755 1234567", PHONE)]),
            ("一个一个", &[]),
            ("38元2份", &[]),
            ("3.5分", &[]),
            ("2023-11-01 12:30", &[]),
            ("2026/11/9 2026.11.09 09.11.2026", &[]),
            ("10.00-22.00", &[]),
            ("12315", &[]),
            ("v1.2", &[]),
            ("a.jpg", &[]),
            ("订单 2份", &[]),
            ("border1234", &[]),
            ("微信 支付", &[]),
            ("微信 app", &[]),
            ("等了三四十分钟", &[]),
        ];
        for (text, want) in cases {
            let want: Vec<(String, &str)> = want.iter().map(|(a, b)| (a.to_string(), *b)).collect();
            assert_eq!(spans(text), want, "{text}");
        }
    }

    #[test]
    fn digit_forms() {
        for (c, d) in [
            ('7', 7),
            ('７', 7),
            ('𝟕', 7),
            ('⑦', 7),
            ('❼', 7),
            ('⁷', 7),
            ('₇', 7),
            ('٧', 7),
            ('七', 7),
            ('幺', 1),
            ('洞', 0),
            ('两', 2),
        ] {
            assert_eq!(digit(c), Some(d), "{c}");
        }
        assert!(digit('๓').is_some() && digit('৩').is_some(), "other digit scripts");
        for c in ['a', '十', '百', '个', ' ', '-'] {
            assert_eq!(digit(c), None, "{c}");
        }
    }

    #[test]
    fn merge_keeps_the_longest_placeholder() {
        let f = |start, end, placeholder| Found { start, end, placeholder };
        let merged = merge(vec![f(5, 8, PHONE), f(0, 4, ORDER_NO), f(3, 10, EMAIL), f(12, 13, URL)]);
        assert_eq!(merged, vec![f(0, 10, EMAIL), f(12, 13, URL)]);
    }
}
