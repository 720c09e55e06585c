//! Normalization: the first text stage, raw comment → canonical [`MappedText`].
//!
//! [`Normalizer::normalize`] applies, in one left-to-right pass after a per-character
//! preparation step:
//!
//! 1. **Invisible characters** (control characters other than whitespace, zero-width space,
//!    BOM, direction marks, soft hyphen) are dropped; every whitespace character
//!    (including the ideographic space U+3000) becomes a space.
//! 2. **Full-width ASCII** (`Ａ１（`, U+FF01–U+FF5E) becomes half-width, except the Chinese
//!    clause punctuation `，！？；：` when punctuation is unified (it is already canonical).
//! 3. **Traditional → Simplified** per character with OpenCC's `TSCharacters` table
//!    (first candidate), after length-preserving OpenCC phrases (`回覆` → `回复`, `乾隆` stays).
//! 4. **PII masking**: mobile and landline numbers, QQ and WeChat handles → [`PHONE`], ID
//!    card numbers → [`ID_CARD`], e-mail addresses → [`EMAIL`], order, coupon and card
//!    numbers → [`ORDER_NO`], URLs and bare domains → [`URL`]. Numbers are found as digit
//!    groups (ASCII, full-width, other digit forms, Chinese numerals read one by one as ASR
//!    writes them: 幺三八) joined by any short run of separators, brackets or speech fillers
//!    (`138.1234.5678`, `+86(138)1234-5678`, `110101 19900307 7777`, `幺三八，幺二三四 嗯 五六七八`).
//!    Leaking personal data is worse than masking a number that was not: any run of 7 or more
//!    digits is masked, whatever it is; shorter quantities (`40分钟`, `38元`, `12315`), dates
//!    (`2026-11-09`), lists of small numbers (`118、45、15路`) and digits that identify no one
//!    (`6666666`) stay. A placeholder maps to the whole original span it replaces.
//! 5. **Emoticons** from `lexicons/emoticons.txt` (`:)` `T_T` `^_^` `orz` …) are copied verbatim;
//!    emoji are never changed.
//! 6. **Punctuation unification** to these canonical forms:
//!    * clause punctuation is Chinese: `，。！？；：`. ASCII `, . ! ? ; :` become Chinese when
//!      the character before or after is Chinese (Han or Chinese punctuation), except between
//!      two digits (`1,000`, `3.5`, `12:30`); in Latin-only text they stay ASCII;
//!    * every ellipsis (`...`, `。。。`, `……`, `⋯`) becomes one `…`;
//!    * tildes (`～`, `〜`, `∼`) become `~`; double quotes (`“”„「」『』`) become `"`, single
//!      quotes (`‘’`) become `'`; small and vertical forms (`﹐`, `︒`, …) their plain forms;
//!    * brackets and other symbols are plain ASCII after step 2 (`（）` → `()`).
//! 7. **Case folding** (`char::to_lowercase`), except inside emoticons and placeholders.
//! 8. **Whitespace** runs become one space, spaces next to Chinese punctuation and at both
//!    ends are dropped; **repeats** of one character (or one emoji with its modifiers)
//!    beyond `max_repeat` are squashed (`哈哈哈哈哈` → `哈哈哈`), ASCII digits excepted.
//!    The last kept character's span grows to cover the dropped run.
//!
//! ```
//! use fankui::normalize::{Normalizer, PHONE};
//! let n = Normalizer::default();
//! let out = n.normalize("薯條難吃！！！！！電話１３８-1234-5678");
//! assert_eq!(out.as_str(), "薯条难吃！！！电话<PHONE>");
//! // The placeholder (output characters 9..16) stands for the 13 original characters of the number.
//! assert_eq!(out.origin(9..16), fankui::Span::new(11, 24));
//! ```

pub(crate) mod chars;
pub(crate) mod lexicon;
mod pii;

use crate::error::Result;
use crate::text::{MappedText, Span};
use lexicon::{CharMap, LexiconError, WordMap};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Placeholder for a phone number (mobile or landline) or a contact handle (QQ, WeChat).
pub const PHONE: &str = "<PHONE>";
/// Placeholder for an ID card number.
pub const ID_CARD: &str = "<ID>";
/// Placeholder for an e-mail address.
pub const EMAIL: &str = "<EMAIL>";
/// Placeholder for an order, coupon, card or other long number or code.
pub const ORDER_NO: &str = "<ORDER>";
/// Placeholder for a URL or a bare domain (a spam signal: the quality stage looks for it).
pub const URL: &str = "<URL>";

/// What [`Normalizer`] does. Every step can be turned off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct NormalizeOptions {
    /// Full-width ASCII letters, digits and symbols → half-width (default true).
    pub fullwidth_to_halfwidth: bool,
    /// Traditional Chinese → Simplified (default true).
    pub traditional_to_simplified: bool,
    /// Case folding of letters (default true). Emoticons and placeholders keep their case.
    pub lowercase: bool,
    /// Canonical punctuation (default true): see the [module docs](self).
    pub unify_punctuation: bool,
    /// Longest run of one repeated character kept (default 3; 0 = never squash).
    pub max_repeat: usize,
    /// Replace phone numbers, ID cards, e-mails, order numbers and URLs by placeholders (default true).
    pub mask_pii: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions {
            fullwidth_to_halfwidth: true,
            traditional_to_simplified: true,
            lowercase: true,
            unify_punctuation: true,
            max_repeat: 3,
            mask_pii: true,
        }
    }
}

impl NormalizeOptions {
    /// Sets [`fullwidth_to_halfwidth`](Self::fullwidth_to_halfwidth).
    pub fn with_fullwidth_to_halfwidth(mut self, on: bool) -> Self {
        self.fullwidth_to_halfwidth = on;
        self
    }
    /// Sets [`traditional_to_simplified`](Self::traditional_to_simplified).
    pub fn with_traditional_to_simplified(mut self, on: bool) -> Self {
        self.traditional_to_simplified = on;
        self
    }
    /// Sets [`lowercase`](Self::lowercase).
    pub fn with_lowercase(mut self, on: bool) -> Self {
        self.lowercase = on;
        self
    }
    /// Sets [`unify_punctuation`](Self::unify_punctuation).
    pub fn with_unify_punctuation(mut self, on: bool) -> Self {
        self.unify_punctuation = on;
        self
    }
    /// Sets [`max_repeat`](Self::max_repeat).
    pub fn with_max_repeat(mut self, max_repeat: usize) -> Self {
        self.max_repeat = max_repeat;
        self
    }
    /// Sets [`mask_pii`](Self::mask_pii).
    pub fn with_mask_pii(mut self, on: bool) -> Self {
        self.mask_pii = on;
        self
    }
}

/// Turns raw comments into canonical text. Build once, share freely (`Send + Sync`):
/// the conversion tables are parsed once per process and shared by every instance.
#[derive(Clone, Debug)]
pub struct Normalizer {
    options: NormalizeOptions,
    tables: &'static Tables,
}

impl Normalizer {
    /// A normalizer with `options`. Fails only if an embedded lexicon is malformed.
    pub fn new(options: NormalizeOptions) -> Result<Self> {
        let tables = TABLES.get_or_init(Tables::load).as_ref().map_err(crate::error::Error::from)?;
        Ok(Normalizer { options, tables })
    }

    /// The options this normalizer was built with.
    pub fn options(&self) -> &NormalizeOptions {
        &self.options
    }

    /// Normalizes `text`. Never panics; every output character maps back to the original
    /// characters it stands for.
    pub fn normalize(&self, text: &str) -> MappedText {
        let o = &self.options;
        let (s, pos, original_len) = self.prepare(text);
        let span_of = |a: usize, b: usize| Span::new(pos[a], pos[b - 1] + 1);
        let mut w = Writer::new(original_len, o.max_repeat);
        let pii = if o.mask_pii { pii::find(&s) } else { Vec::new() };
        let mut next_pii = 0;
        let mut i = 0;
        while i < s.len() {
            // Personal data first; nothing below consumes characters past its start.
            if let Some(found) = pii.get(next_pii).filter(|f| f.start <= i) {
                next_pii += 1;
                if found.end > i {
                    w.placeholder(found.placeholder, span_of(i, found.end));
                    i = found.end;
                }
                continue;
            }
            // Where the next masked span starts: no multi-character unit may run into it.
            let limit = pii.get(next_pii).map_or(s.len(), |f| f.start);
            let c = s[i];
            if c == ' ' {
                w.space(span_of(i, i + 1));
                i += 1;
                continue;
            }
            // Fast path for the common case: a Han character alone.
            if chars::is_han(c)
                && !self.tables.emoticons.starts_with_char(c)
                && !s.get(i + 1).is_some_and(|&m| chars::is_emoji_modifier(m))
            {
                w.unit(&[(c, span_of(i, i + 1))]);
                i += 1;
                continue;
            }
            if let Some((n, _)) = self.tables.emoticons.longest_at(&s, i).filter(|&(n, _)| i + n <= limit) {
                let alnum = |k: usize| s.get(k).is_some_and(|c| c.is_ascii_alphanumeric());
                let glued_before = s[i].is_ascii_alphanumeric() && i > 0 && alnum(i - 1);
                let glued_after = s[i + n - 1].is_ascii_alphanumeric() && alnum(i + n);
                let word_ok = !(glued_before || glued_after);
                if word_ok {
                    w.verbatim(&s[i..i + n], &pos[i..i + n]);
                    i += n;
                    continue;
                }
            }
            let mut c = c;
            if o.unify_punctuation {
                let n = ellipsis_len(&s, i).min(limit - i);
                if n > 0 {
                    w.unit(&[('…', span_of(i, i + n))]);
                    i += n;
                    continue;
                }
                let next = match s.get(i + 1) {
                    Some(' ') => s.get(i + 2),
                    other => other,
                };
                c = unify(c, w.ctx, next.copied());
            }
            // One unit: the character and the emoji modifiers that follow it.
            let mut unit = [('\0', Span::default()); 4];
            let mut len = 0;
            let span = span_of(i, i + 1);
            if o.lowercase && c.is_uppercase() {
                for l in c.to_lowercase() {
                    if len < unit.len() {
                        unit[len] = (l, span);
                        len += 1;
                    }
                }
            } else {
                unit[0] = (c, span);
                len = 1;
            }
            i += 1;
            while len < unit.len()
                && i < limit
                && s.get(i).is_some_and(|&m| chars::is_emoji_modifier(m) && m != '\u{200D}')
            {
                unit[len] = (s[i], span_of(i, i + 1));
                len += 1;
                i += 1;
            }
            w.unit(&unit[..len]);
        }
        w.finish()
    }

    /// Step 1–3: drops invisible characters, maps whitespace and full-width ASCII, converts
    /// Traditional to Simplified. Returns the characters, their original indices and the
    /// original length in characters.
    fn prepare(&self, text: &str) -> (Vec<char>, Vec<usize>, usize) {
        let o = &self.options;
        let mut s = Vec::with_capacity(text.len());
        let mut pos = Vec::with_capacity(text.len());
        let mut n = 0;
        for (i, c) in text.chars().enumerate() {
            n = i + 1;
            if chars::is_invisible(c) {
                continue;
            }
            let c = if c.is_whitespace() {
                ' '
            } else if o.fullwidth_to_halfwidth && !(o.unify_punctuation && is_clause_punct(c)) {
                chars::halfwidth(c)
            } else {
                c
            };
            s.push(c);
            pos.push(i);
        }
        if o.traditional_to_simplified {
            self.tables.t2s.convert(&mut s);
        }
        (s, pos, n)
    }
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new(NormalizeOptions::default()).expect("embedded lexicons are valid")
    }
}

/// Chinese clause punctuation, already canonical: kept full-width when punctuation is unified.
fn is_clause_punct(c: char) -> bool {
    matches!(c, '，' | '！' | '？' | '；' | '：')
}

/// Length of an ellipsis at `i` (0 if none): any run of `…`/`⋯`/`︙`, or a run of two or
/// more `.`/`。` (possibly followed by `…`).
fn ellipsis_len(s: &[char], i: usize) -> usize {
    let is_ell = |c: char| matches!(c, '…' | '⋯' | '︙');
    let is_dot = |c: char| matches!(c, '.' | '。' | '｡');
    let starts = match (s.get(i), s.get(i + 1)) {
        (Some(&c), _) if is_ell(c) => true,
        (Some(&c), Some(&d)) => is_dot(c) && is_dot(d),
        _ => false,
    };
    if !starts {
        return 0;
    }
    s[i..].iter().take_while(|&&c| is_ell(c) || is_dot(c)).count()
}

/// Canonical form of one punctuation character given the context characters around it.
fn unify(c: char, prev: Option<char>, next: Option<char>) -> char {
    if chars::is_content(c) {
        return c;
    }
    let cjk = prev.is_some_and(chars::is_cjk) || next.is_some_and(chars::is_cjk);
    let digits = prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
    match c {
        ',' if cjk && !digits => '，',
        '.' if cjk && !digits => '。',
        ':' if cjk && !digits => '：',
        '!' if cjk => '！',
        '?' if cjk => '？',
        ';' if cjk => '；',
        '“' | '”' | '„' | '‟' | '「' | '」' | '『' | '』' | '〝' | '〞' | '＂' | '｢' | '｣' | '﹁' | '﹂' => {
            '"'
        }
        '‘' | '’' | '‚' | '‛' | '＇' => '\'',
        '～' | '〜' | '∼' => '~',
        '｡' | '︒' => '。',
        '､' | '﹑' | '︑' => '、',
        '﹐' | '︐' => '，',
        '﹔' | '︔' => '；',
        '﹕' | '︓' => '：',
        '﹖' | '︖' => '？',
        '﹗' | '︕' => '！',
        _ => c,
    }
}

/// Builds the output, collapsing spaces and squashing repeats.
struct Writer {
    out: MappedText,
    /// The last character, not yet pushed so that its span can still grow.
    pending: Option<(char, Span)>,
    /// Whitespace seen since the last character.
    space: Option<Span>,
    /// The last character written (space included).
    last: Option<char>,
    /// The last letter, digit or punctuation written: context for punctuation rules.
    ctx: Option<char>,
    /// The last unit written and how many times in a row.
    unit: [char; 4],
    unit_len: usize,
    run: usize,
    max_repeat: usize,
}

impl Writer {
    fn new(original_len: usize, max_repeat: usize) -> Self {
        Writer {
            out: MappedText::with_original_len(original_len),
            pending: None,
            space: None,
            last: None,
            ctx: None,
            unit: ['\0'; 4],
            unit_len: 0,
            run: 0,
            max_repeat,
        }
    }

    fn flush(&mut self) {
        if let Some((c, span)) = self.pending.take() {
            self.out.push(c, span);
        }
    }

    fn set_pending(&mut self, c: char, span: Span) {
        self.flush();
        self.pending = Some((c, span));
        self.last = Some(c);
    }

    fn space(&mut self, span: Span) {
        self.space = Some(self.space.map_or(span, |s| s.union(span)));
    }

    /// Emits the pending space before `next`, unless at the start or next to Chinese punctuation.
    fn before(&mut self, next: char) {
        if let Some(span) = self.space.take() {
            let keep = self.last.is_some_and(|l| !chars::is_cjk_punct(l)) && !chars::is_cjk_punct(next);
            if keep {
                self.set_pending(' ', span);
                self.unit_len = 0;
                self.run = 0;
            }
        }
    }

    fn unit(&mut self, items: &[(char, Span)]) {
        let Some(&(first, _)) = items.first() else { return };
        self.before(first);
        let same = self.unit_len == items.len() && items.iter().zip(&self.unit).all(|((c, _), u)| c == u);
        if same && !first.is_ascii_digit() {
            self.run += 1;
            if self.max_repeat > 0 && self.run > self.max_repeat {
                if let (Some((_, span)), Some(&(_, dropped))) = (self.pending.as_mut(), items.last()) {
                    span.end = span.end.max(dropped.end);
                }
                return;
            }
        } else {
            self.run = 1;
            self.unit_len = items.len();
            for (u, &(c, _)) in self.unit.iter_mut().zip(items) {
                *u = c;
            }
        }
        for &(c, span) in items {
            self.set_pending(c, span);
        }
        if chars::is_content(first) || first.is_ascii_punctuation() || chars::is_cjk_punct(first) {
            self.ctx = Some(first);
        }
    }

    fn placeholder(&mut self, placeholder: &str, span: Span) {
        self.before('<');
        self.flush();
        self.out.push_str(placeholder, span);
        self.last = Some('>');
        self.unit_len = 0;
        self.run = 0;
    }

    fn verbatim(&mut self, s: &[char], pos: &[usize]) {
        if let Some(&c) = s.first() {
            self.before(c);
        }
        for (&c, &p) in s.iter().zip(pos) {
            self.set_pending(c, Span::new(p, p + 1));
        }
        self.unit_len = 0;
        self.run = 0;
    }

    fn finish(mut self) -> MappedText {
        self.flush();
        self.out
    }
}

/// The embedded tables, parsed once per process.
#[derive(Debug)]
struct Tables {
    t2s: T2s,
    emoticons: WordMap<()>,
}

static TABLES: OnceLock<std::result::Result<Tables, LexiconError>> = OnceLock::new();

impl Tables {
    fn load() -> std::result::Result<Tables, LexiconError> {
        let t2s = T2s::load(include_str!("../lexicons/t2s_chars.txt"), include_str!("../lexicons/t2s_phrases.txt"))?;
        let mut emoticons = WordMap::default();
        for (_, entry, _) in lexicon::parse("emoticons.txt", include_str!("../lexicons/emoticons.txt"))? {
            emoticons.insert(&entry.word, ());
            let half: Vec<char> = entry.word.iter().map(|&c| chars::halfwidth(c)).collect();
            emoticons.insert(&half, ());
        }
        Ok(Tables { t2s, emoticons })
    }
}

/// Traditional → Simplified conversion: a dense table over the main Han block, a hash map
/// for the rest, and length-preserving phrases tried first.
struct T2s {
    /// `DENSE_START + i` → simplified char (`'\0'` = unchanged).
    dense: Box<[char]>,
    other: CharMap<char>,
    phrases: WordMap<Box<[char]>>,
}

const DENSE_START: u32 = 0x3400;
const DENSE_END: u32 = 0xA000;

impl std::fmt::Debug for T2s {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("T2s").field("other", &self.other.len()).finish_non_exhaustive()
    }
}

impl T2s {
    fn load(chars_txt: &str, phrases_txt: &str) -> std::result::Result<T2s, LexiconError> {
        let mut dense = vec!['\0'; (DENSE_END - DENSE_START) as usize].into_boxed_slice();
        let mut other = CharMap::default();
        for (n, (k, v)) in lexicon::parse_pairs("t2s_chars.txt", chars_txt)?.into_iter().enumerate() {
            let mut kc = k.chars();
            let mut vc = v.chars();
            let (Some(k), None, Some(v), None) = (kc.next(), kc.next(), vc.next(), vc.next()) else {
                return Err(LexiconError::new("t2s_chars.txt", n + 1, "expected one character on each side"));
            };
            if (DENSE_START..DENSE_END).contains(&(k as u32)) {
                dense[(k as u32 - DENSE_START) as usize] = v;
            } else {
                other.insert(k, v);
            }
        }
        let mut phrases = WordMap::default();
        for (k, v) in lexicon::parse_pairs("t2s_phrases.txt", phrases_txt)? {
            let k: Vec<char> = k.chars().collect();
            let v: Box<[char]> = v.chars().collect();
            if k.len() != v.len() {
                return Err(LexiconError::new("t2s_phrases.txt", 0, format!("phrase {k:?} changes length")));
            }
            phrases.insert(&k, v);
        }
        Ok(T2s { dense, other, phrases })
    }

    fn char(&self, c: char) -> char {
        let cp = c as u32;
        if cp < DENSE_START {
            return c;
        }
        if cp < DENSE_END {
            let s = self.dense[(cp - DENSE_START) as usize];
            return if s == '\0' { c } else { s };
        }
        if cp >= 0xF900 {
            if let Some(&s) = self.other.get(&c) {
                return s;
            }
        }
        c
    }

    fn convert(&self, s: &mut [char]) {
        let mut i = 0;
        while i < s.len() {
            if (s[i] as u32) < DENSE_START {
                i += 1;
                continue;
            }
            if let Some((n, simplified)) = self.phrases.longest_at(s, i) {
                s[i..i + n].copy_from_slice(simplified);
                i += n;
                continue;
            }
            s[i] = self.char(s[i]);
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Normalizer::default().normalize(s).into_string()
    }

    #[test]
    fn tables_load() {
        let t = TABLES.get_or_init(Tables::load).as_ref().unwrap();
        assert_eq!(t.t2s.char('條'), '条');
        assert_eq!(t.t2s.char('条'), '条');
        assert!(!t.emoticons.is_empty());
    }

    #[test]
    fn basics() {
        assert_eq!(norm("薯條"), "薯条");
        assert_eq!(norm("回覆很慢，乾隆"), "回复很慢，乾隆");
        assert_eq!(norm("  ＡＢＣ　１２３  "), "abc 123");
        assert_eq!(norm("好好好好好好"), "好好好");
        assert_eq!(norm("等了40分钟"), "等了40分钟");
        // Long digit runs are masked, whatever they are: see the module docs.
        assert_eq!(norm("等了30000000分钟"), "等了<ORDER>分钟");
        assert_eq!(norm("好吃..."), "好吃…");
        assert_eq!(norm("好吃!下次"), "好吃！下次");
        assert_eq!(norm("good!"), "good!");
        assert_eq!(norm("3.5分,1,000元"), "3.5分，1,000元");
        assert_eq!(norm("T_T好难吃:)"), "T_T好难吃:)");
    }

    #[test]
    fn squash_extends_span() {
        let m = Normalizer::default().normalize("哈哈哈哈哈!");
        assert_eq!(m.as_str(), "哈哈哈！");
        assert_eq!(m.spans()[2], Span::new(2, 5));
        assert_eq!(m.spans()[3], Span::new(5, 6));
    }
}
