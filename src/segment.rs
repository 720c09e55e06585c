//! Word segmentation and keywords: [`Segmenter`], a thin layer over [jieba-rs].
//!
//! The segmenter expects *normalized* text (Simplified, lowercase, half-width, PII
//! replaced by placeholders such as `<PHONE>`) and adds what feedback needs on top
//! of jieba:
//!
//! * a **food-service dictionary** (`lexicons/food_dict.txt`: menu items of fast-food,
//!   Chinese, tea, bakery and hot-pot chains, delivery and service words, taste
//!   complaints) loaded on top of jieba's default dictionary, plus any user dictionaries;
//! * **placeholders** (`<PHONE>`, `<ID>`, `<EMAIL>`, `<ORDER>`, `<URL>`: `<` + capital
//!   letters or `_` + `>`) stay one token, where jieba would cut `<`, `PHONE`, `>`;
//! * **emoji** come out one token per emoji, modifiers included (`👍🏻`, `👨‍👩‍👧`, flags),
//!   and **emoticons** from `lexicons/emoticons.txt` (`T_T`, `^_^`, `:)`) one token each:
//!   both carry sentiment;
//! * [`words`](Segmenter::words) drops whitespace, punctuation, emoji, emoticons,
//!   placeholders and (by default) the stop words of `lexicons/stop_words.txt`;
//! * [`keywords`](Segmenter::keywords) ranks words by TF-IDF with jieba's IDF table,
//!   corrected for feedback by `lexicons/food_idf.txt`.
//!
//! ```
//! use fankui::segment::Segmenter;
//! let seg = Segmenter::default();
//! assert_eq!(seg.cut("麦旋风化了<PHONE>👍🏻"), ["麦旋风", "化了", "<PHONE>", "👍🏻"]);
//! assert_eq!(seg.words("骑手送餐太慢了，外卖都凉了"), ["骑手", "送餐", "太慢", "外卖", "凉了"]);
//! assert!(seg.keywords("汉堡还可以就是薯条味道怪怪的").contains(&"薯条".to_string()));
//! ```
//!
//! [jieba-rs]: https://github.com/messense/jieba-rs

use crate::error::{Error, Result};
use jieba_rs::{Jieba, KeywordExtract, KeywordExtractConfig, TfIdf};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::io::BufRead;
use std::path::PathBuf;

const FOOD_DICT: &str = include_str!("../lexicons/food_dict.txt");
const FOOD_IDF: &str = include_str!("../lexicons/food_idf.txt");
const STOP_WORDS: &str = include_str!("../lexicons/stop_words.txt");
const EMOTICONS: &str = include_str!("../lexicons/emoticons.txt");

/// Names of the placeholders the normalizer writes (`<PHONE>` …), kept out of keywords.
const PLACEHOLDER_NAMES: &[&str] = &["PHONE", "ID", "EMAIL", "ORDER", "URL"];

/// Keywords asked of jieba beyond `top_k`, so that dropping numbers and symbols still
/// leaves `top_k` (a second, unlimited request covers the rare case where it does not).
const KEYWORD_SLACK: usize = 4;

/// What [`Segmenter`] does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct SegmentOptions {
    /// Extra jieba-format dictionaries (`word [freq] [tag]` per line, `#` comments),
    /// loaded after the bundled ones when the segmenter is built (default none).
    pub user_dicts: Vec<PathBuf>,
    /// Let jieba's HMM join characters into words missing from the dictionaries (default true).
    pub hmm: bool,
    /// Drop stop words from [`words`](Segmenter::words) and
    /// [`keywords`](Segmenter::keywords) (default true). [`cut`](Segmenter::cut) keeps everything.
    pub remove_stop_words: bool,
    /// How many keywords [`keywords`](Segmenter::keywords) returns at most (default 5).
    pub keywords: usize,
}

impl Default for SegmentOptions {
    fn default() -> Self {
        SegmentOptions { user_dicts: Vec::new(), hmm: true, remove_stop_words: true, keywords: 5 }
    }
}

impl SegmentOptions {
    /// Sets [`user_dicts`](Self::user_dicts).
    pub fn with_user_dicts(mut self, paths: Vec<PathBuf>) -> Self {
        self.user_dicts = paths;
        self
    }
    /// Sets [`hmm`](Self::hmm).
    pub fn with_hmm(mut self, on: bool) -> Self {
        self.hmm = on;
        self
    }
    /// Sets [`remove_stop_words`](Self::remove_stop_words).
    pub fn with_remove_stop_words(mut self, on: bool) -> Self {
        self.remove_stop_words = on;
        self
    }
    /// Sets [`keywords`](Self::keywords).
    pub fn with_keywords(mut self, top_k: usize) -> Self {
        self.keywords = top_k;
        self
    }
}

/// Segments normalized feedback into words and picks its keywords.
///
/// Building one loads jieba's dictionary and IDF table (about a quarter of a second):
/// build it once and share it, it is `Send + Sync`.
pub struct Segmenter {
    options: SegmentOptions,
    jieba: Jieba,
    tfidf: TfIdf,
    stop_words: HashSet<Box<str>>,
    emoticons: Emoticons,
}

impl fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Segmenter")
            .field("options", &self.options)
            .field("stop_words", &self.stop_words.len())
            .finish_non_exhaustive()
    }
}

impl Default for Segmenter {
    /// A segmenter with default options. The bundled data is checked by the tests, so this cannot fail.
    fn default() -> Self {
        Segmenter::new(SegmentOptions::default()).expect("bundled lexicons are valid")
    }
}

/// What a token of [`Segmenter::cut`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// Has a letter, digit or Han character.
    Word,
    /// `<PHONE>` and the like.
    Placeholder,
    /// One emoji with its modifiers.
    Emoji,
    /// An entry of `lexicons/emoticons.txt`.
    Emoticon,
    /// Whitespace.
    Space,
    /// Punctuation and other symbols.
    Symbol,
}

impl Segmenter {
    /// A segmenter with jieba's default dictionary, the bundled food-service dictionary
    /// and the user dictionaries of `options`.
    ///
    /// Fails with [`Error::Io`] when a user dictionary cannot be read and with
    /// [`Error::Lexicon`] when one of its lines is malformed.
    pub fn new(options: SegmentOptions) -> Result<Self> {
        let mut jieba = Jieba::new();
        for entry in parse_dict(FOOD_DICT.as_bytes(), "food_dict.txt")? {
            entry.add_to(&mut jieba);
        }
        for path in &options.user_dicts {
            let file = std::fs::File::open(path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("user dictionary {}: {e}", path.display())))?;
            for entry in parse_dict(std::io::BufReader::new(file), &path.display().to_string())? {
                entry.add_to(&mut jieba);
            }
        }

        let stop_words: HashSet<Box<str>> = lexicon_lines(STOP_WORDS).map(Box::from).collect();
        let emoticons = Emoticons::new();
        let mut keyword_stops: BTreeSet<String> = PLACEHOLDER_NAMES.iter().map(|s| s.to_string()).collect();
        keyword_stops.extend(emoticons.entries().map(str::to_string));
        if options.remove_stop_words {
            keyword_stops.extend(stop_words.iter().map(|s| s.to_string()));
        }
        let config = KeywordExtractConfig::builder()
            .set_stop_words(keyword_stops)
            .use_hmm(options.hmm)
            .min_keyword_length(2)
            .build();
        let tfidf = feedback_tfidf(config)?;
        Ok(Segmenter { options, jieba, tfidf, stop_words, emoticons })
    }

    /// The options this segmenter was built with.
    pub fn options(&self) -> &SegmentOptions {
        &self.options
    }

    /// Adds a jieba-format user dictionary (`word [freq] [tag]` per line; blank lines and
    /// lines starting with `#` are skipped). A missing frequency is jieba's suggestion,
    /// just enough for the word to stay whole.
    ///
    /// The dictionary is checked before any of it is used: on error nothing is added.
    /// A line with more than three fields, a frequency that is not a whole number, a bad tag,
    /// or a word with a character jieba never joins (anything but Han characters, ASCII
    /// letters and digits, and `+#&._%-`) is an [`Error::Lexicon`] with its line number.
    ///
    /// ```
    /// # use fankui::segment::Segmenter;
    /// let mut seg = Segmenter::default();
    /// seg.add_dict("椒麻鸡腿堡 2000 n\n".as_bytes())?;
    /// assert_eq!(seg.cut("椒麻鸡腿堡不错"), ["椒麻鸡腿堡", "不错"]);
    /// # Ok::<(), fankui::Error>(())
    /// ```
    pub fn add_dict<R: BufRead>(&mut self, reader: R) -> Result<()> {
        for entry in parse_dict(reader, "user dictionary")? {
            entry.add_to(&mut self.jieba);
        }
        Ok(())
    }

    /// All tokens of `text`, punctuation and whitespace included: their concatenation is `text`.
    pub fn cut<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut out = Vec::with_capacity(text.len() / 3 + 1);
        self.each_token(text, |token, _| out.push(token));
        out
    }

    /// The content words of `text`: tokens with a letter, digit or Han character, minus
    /// placeholders, emoticons and (with [`remove_stop_words`](SegmentOptions::remove_stop_words))
    /// stop words. Emoji are left out too; [`cut`](Self::cut) has them.
    pub fn words(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.each_token(text, |token, kind| {
            if kind == TokenKind::Word && !(self.options.remove_stop_words && self.is_stop_word(token)) {
                out.push(token.to_owned());
            }
        });
        out
    }

    /// Up to [`keywords`](SegmentOptions::keywords) keywords of `text`, best first: words of
    /// two or more characters ranked by TF-IDF, without stop words (when removed), placeholders,
    /// emoticons, or tokens with no letter or Han character (numbers, symbols).
    pub fn keywords(&self, text: &str) -> Vec<String> {
        let top_k = self.options.keywords;
        if top_k == 0 {
            return Vec::new();
        }
        let ask = top_k.saturating_add(KEYWORD_SLACK);
        let found = self.tfidf.extract_keywords(&self.jieba, text, ask, Vec::new());
        let complete = found.len() < ask;
        let mut out: Vec<String> = found.into_iter().map(|k| k.keyword).filter(|k| is_keyword(k)).take(top_k).collect();
        if out.len() < top_k && !complete {
            // Numbers or symbols crowded out real words: ask for all of them.
            let all = self.tfidf.extract_keywords(&self.jieba, text, usize::MAX, Vec::new());
            out = all.into_iter().map(|k| k.keyword).filter(|k| is_keyword(k)).take(top_k).collect();
        }
        out
    }

    /// True when `word` is in the stop-word list (`lexicons/stop_words.txt`).
    pub fn is_stop_word(&self, word: &str) -> bool {
        self.stop_words.contains(word)
    }

    /// Calls `f` with every token of `text` and its kind, in order.
    pub(crate) fn each_token<'a>(&self, text: &'a str, mut f: impl FnMut(&'a str, TokenKind)) {
        let tokens = self.jieba.cut(text, self.options.hmm);
        let mut i = 0;
        while i < tokens.len() {
            let token = &tokens[i];
            let start = token.byte_start;
            let rest = &text[start..];
            let first = rest.chars().next().expect("tokens are not empty");
            let (end, kind) = if let Some(n) = (first == '<').then(|| placeholder_len(rest)).flatten() {
                (start + n, TokenKind::Placeholder)
            } else if let Some(n) = self.emoticons.match_at(text, start) {
                (start + n, TokenKind::Emoticon)
            } else if is_emoji(first) {
                (start + emoji_len(rest), TokenKind::Emoji)
            } else {
                (token.byte_end, classify(token.word))
            };
            f(&text[start..end], kind);
            i += 1;
            // Skip the jieba tokens the special token covered; one that straddles its
            // end (an emoticon ending inside a jieba word) leaves its tail as a token.
            while let Some(next) = tokens.get(i) {
                if next.byte_end <= end {
                    i += 1;
                } else {
                    if next.byte_start < end {
                        let tail = &text[end..next.byte_end];
                        f(tail, classify(tail));
                        i += 1;
                    }
                    break;
                }
            }
        }
    }
}

/// A TF-IDF extractor with jieba's IDF table corrected by `lexicons/food_idf.txt`.
fn feedback_tfidf(config: KeywordExtractConfig) -> Result<TfIdf> {
    let mut tfidf = TfIdf::default();
    *tfidf.config_mut() = config;
    // Words missing from the table get the median IDF, but jieba-rs recomputes the
    // median over each loaded file alone. Measure the default one on a word that is
    // in no table, and load it back after our corrections as a one-line table whose
    // only word (two control characters) jieba never emits as a token.
    let probe = "qxzjv";
    let median = tfidf.extract_keywords(&Jieba::empty(), probe, 1, Vec::new()).first().map(|k| k.weight);
    for (i, line) in FOOD_IDF.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |reason: &str| Error::Lexicon { name: "food_idf.txt".into(), line: i + 1, reason: reason.into() };
        let mut fields = line.split_whitespace();
        let (Some(_word), Some(idf), None) = (fields.next(), fields.next(), fields.next()) else {
            return Err(bad("expected `word idf`"));
        };
        if !idf.parse::<f64>().is_ok_and(|v| v.is_finite() && v > 0.0) {
            return Err(bad("idf is not a positive number"));
        }
    }
    tfidf.load_dict(&mut FOOD_IDF.as_bytes())?;
    if let Some(median) = median {
        tfidf.load_dict(&mut format!("\u{1}\u{1} {median}\n").as_bytes())?;
    }
    Ok(tfidf)
}

/// Keeps keywords with a letter or Han character: numbers and symbol runs are not keywords.
fn is_keyword(word: &str) -> bool {
    word.chars().any(char::is_alphabetic)
}

/// The kind of an ordinary jieba token.
fn classify(token: &str) -> TokenKind {
    if token.chars().any(char::is_alphanumeric) {
        TokenKind::Word
    } else if token.chars().all(char::is_whitespace) {
        TokenKind::Space
    } else {
        TokenKind::Symbol
    }
}

/// Length in bytes of the placeholder (`<` + `A`–`Z`/`_` + `>`) at the start of `s`, if any.
pub(crate) fn placeholder_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() != Some(&b'<') {
        return None;
    }
    let name = b[1..].iter().take(16).take_while(|c| c.is_ascii_uppercase() || **c == b'_').count();
    (name > 0 && b.get(1 + name) == Some(&b'>')).then_some(name + 2)
}

/// True for characters that start an emoji (pictographs, dingbats, flags' regional indicators…).
pub(crate) fn is_emoji(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1FAFF}'
        | '\u{2600}'..='\u{27BF}'
        | '\u{2300}'..='\u{23FF}'
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{2190}'..='\u{21FF}'
        | '\u{25A0}'..='\u{25FF}'
        | '\u{2934}' | '\u{2935}' | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}'
        | '\u{00A9}' | '\u{00AE}' | '\u{203C}' | '\u{2049}' | '\u{2122}' | '\u{2139}')
}

/// Characters that modify the emoji before them: variation selectors, skin tones, keycap, tags.
fn is_emoji_modifier(c: char) -> bool {
    matches!(c, '\u{FE0E}' | '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{20E3}' | '\u{E0020}'..='\u{E007F}')
}

fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

/// Length in bytes of the emoji at the start of `s` (which starts with one), with its
/// modifiers, zero-width-joined parts, or the second regional indicator of a flag.
pub(crate) fn emoji_len(s: &str) -> usize {
    let mut chars = s.char_indices().peekable();
    let Some((_, first)) = chars.next() else { return 0 };
    let mut end = first.len_utf8();
    if is_regional_indicator(first) {
        if let Some(&(i, c)) = chars.peek() {
            if is_regional_indicator(c) {
                return i + c.len_utf8();
            }
        }
        return end;
    }
    while let Some((i, c)) = chars.next() {
        if is_emoji_modifier(c) {
            end = i + c.len_utf8();
        } else if c == '\u{200D}' {
            match chars.peek() {
                Some(&(j, next)) if is_emoji(next) => {
                    chars.next();
                    end = j + next.len_utf8();
                }
                _ => break,
            }
        } else {
            break;
        }
    }
    end
}

/// The non-empty, non-comment lines of a bundled lexicon, trimmed.
pub(crate) fn lexicon_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The emoticons of `lexicons/emoticons.txt`, grouped by first character, longest first.
#[derive(Debug)]
pub(crate) struct Emoticons {
    /// Sorted by first character.
    by_first: Vec<(char, Vec<&'static str>)>,
    /// The largest first character: anything above (every Han character) is rejected at once.
    max_first: char,
}

impl Emoticons {
    pub(crate) fn new() -> Self {
        let mut all: Vec<&'static str> = lexicon_lines(EMOTICONS).collect();
        all.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        all.dedup();
        let mut by_first: Vec<(char, Vec<&'static str>)> = Vec::new();
        for e in all {
            let c = e.chars().next().expect("lines are not empty");
            match by_first.iter_mut().find(|(f, _)| *f == c) {
                Some((_, list)) => list.push(e),
                None => by_first.push((c, vec![e])),
            }
        }
        by_first.sort_by_key(|(c, _)| *c);
        let max_first = by_first.last().map_or('\0', |(c, _)| *c);
        Emoticons { by_first, max_first }
    }

    fn entries(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_first.iter().flat_map(|(_, list)| list.iter().copied())
    }

    /// Length in bytes of the longest emoticon starting at byte `start` of `text`. An
    /// emoticon that begins (ends) with an ASCII letter or digit must not follow
    /// (be followed by) another one: `orz` matches in `orz了`, not in `orzo`.
    pub(crate) fn match_at(&self, text: &str, start: usize) -> Option<usize> {
        let rest = &text[start..];
        let first = rest.chars().next()?;
        if first > self.max_first {
            return None;
        }
        let i = self.by_first.binary_search_by_key(&first, |(c, _)| *c).ok()?;
        let before = text[..start].chars().next_back();
        self.by_first[i].1.iter().find_map(|e| {
            if !rest.starts_with(e) {
                return None;
            }
            let after = rest[e.len()..].chars().next();
            let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            let starts_alnum = first.is_ascii_alphanumeric();
            let ends_alnum = alnum(e.chars().next_back());
            if (starts_alnum && alnum(before)) || (ends_alnum && alnum(after)) {
                return None;
            }
            Some(e.len())
        })
    }
}

/// One parsed dictionary line.
struct DictEntry {
    word: String,
    freq: Option<usize>,
    tag: Option<String>,
}

impl DictEntry {
    fn add_to(&self, jieba: &mut Jieba) {
        jieba.add_word(&self.word, self.freq, self.tag.as_deref());
    }
}

/// Han characters: the CJK Unified Ideographs blocks (and compatibility ideographs) jieba knows.
pub(crate) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}')
}

/// Characters jieba can put inside a word (its default "Han" class).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-') || is_han(c)
}

/// Parses a whole jieba-format dictionary, so that a bad line rejects all of it.
fn parse_dict<R: BufRead>(mut reader: R, name: &str) -> Result<Vec<DictEntry>> {
    let mut entries = Vec::new();
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        number += 1;
        let bad = |reason: String| Error::Lexicon { name: name.to_owned(), line: number, reason };
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Err(bad("not valid UTF-8".into())),
            Err(e) => return Err(e.into()),
        }
        let text = line.trim_start_matches('\u{FEFF}').trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() > 3 {
            return Err(bad(format!("expected `word [freq] [tag]`, found {} fields", fields.len())));
        }
        let word = fields[0];
        if let Some(c) = word.chars().find(|c| !is_word_char(*c)) {
            return Err(bad(format!(
                "`{word}` contains `{c}`: jieba only joins Han characters, ASCII letters and digits, and `+#&._%-`"
            )));
        }
        let is_freq = |f: &str| f.bytes().all(|b| b.is_ascii_digit());
        let is_tag = |t: &str| t.len() <= 8 && t.bytes().all(|b| b.is_ascii_alphabetic());
        let (freq, tag) = match fields[1..] {
            [] => (None, None),
            [x] if is_freq(x) => (Some(x), None),
            [x] if is_tag(x) => (None, Some(x)),
            [x] => return Err(bad(format!("`{x}` is neither a frequency nor a part-of-speech tag"))),
            [f, t] => {
                if !is_freq(f) {
                    return Err(bad(format!("frequency `{f}` is not a whole number")));
                }
                if !is_tag(t) {
                    return Err(bad(format!("tag `{t}` is not a part-of-speech tag (ASCII letters)")));
                }
                (Some(f), Some(t))
            }
            _ => unreachable!("at most three fields"),
        };
        let freq = match freq {
            Some(f) => Some(f.parse::<usize>().map_err(|e| bad(format!("frequency `{f}`: {e}")))?),
            None => None,
        };
        entries.push(DictEntry { word: word.to_owned(), freq, tag: tag.map(str::to_owned) });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert_eq!(placeholder_len("<PHONE>x"), Some(7));
        assert_eq!(placeholder_len("<ID>"), Some(4));
        assert_eq!(placeholder_len("<phone>"), None);
        assert_eq!(placeholder_len("<>"), None);
        assert_eq!(placeholder_len("<PHONE"), None);
        assert_eq!(placeholder_len("<3"), None);
    }

    #[test]
    fn emoji_clusters() {
        fn len(s: &str) -> &str {
            &s[..emoji_len(s)]
        }
        assert_eq!(len("👍🏻好"), "👍🏻");
        assert_eq!(len("👨\u{200d}👩\u{200d}👧!"), "👨\u{200d}👩\u{200d}👧");
        assert_eq!(len("🇨🇳🇨🇳"), "🇨🇳");
        assert_eq!(len("❤\u{fe0f}❤"), "❤\u{fe0f}");
        assert_eq!(len("😀\u{200d}好"), "😀");
    }

    #[test]
    fn emoticon_boundaries() {
        let e = Emoticons::new();
        assert_eq!(e.match_at("orz了", 0), Some(3));
        assert_eq!(e.match_at("orzo", 0), None);
        assert_eq!(e.match_at("好T_T", 3), Some(3));
        assert_eq!(e.match_at("<30", 0), None);
        assert_eq!(e.match_at("<3", 0), Some(2));
        assert_eq!(e.match_at("好", 0), None);
    }

    #[test]
    fn bundled_idf_keeps_jieba_median() {
        let seg = Segmenter::default();
        let probe = seg.tfidf.extract_keywords(&Jieba::empty(), "zzkqv", 1, Vec::new());
        assert!((probe[0].weight - 11.9547675029).abs() < 1e-6, "{}", probe[0].weight);
    }
}
