//! Quality checks: is a comment worth analysing? [`QualityChecker`] flags empty, too short,
//! non-Chinese, repetitive, gibberish, spam and duplicate comments.
//!
//! Each [`QualityFlag`] is a fact about the text, not a verdict: a lone `👍` is
//! [`TooShort`](QualityFlag::TooShort) and [`NoChinese`](QualityFlag::NoChinese) even though it
//! carries sentiment, and callers decide what to drop. [`Quality::ok`] is true when no flag is set.
//!
//! | flag | when |
//! |---|---|
//! | `empty` | nothing but whitespace after normalization (no other flag is set then) |
//! | `too_short` | fewer than [`min_chars`](QualityOptions::min_chars) *meaningful* characters: Han characters, letters and digits, placeholders (`<PHONE>` …), emoji and emoticons not counted |
//! | `no_chinese` | no Han character at all: Latin-only (`ok`, `good`), digits-only and emoji-only text |
//! | `repetitive` | in the **original** text (normalization squashes `哈哈哈哈哈` to `哈哈哈`), letters, digits, Han characters and emoji repeat with a period of 1 to 8 (`111111`, `啊啊啊啊`, `好吃好吃好吃`): at least 4 of them, the period repeated 3 times, and more than [`max_repeat_ratio`](QualityOptions::max_repeat_ratio) of them equal to the one a period earlier |
//! | `gibberish` | keyboard mashing or character soup making up at least half of the meaningful characters (and at least 4): Latin runs of 5+ letters along a keyboard row (`asdfg`, `qwerty`), without vowels (`sdfsdf`, `jjjjkkk`) or with 5 consonants in a row; Han characters outside the 6,000 most common ones (`lexicons/common_chars.txt`); or, in text without letters or Han characters, 4+ symbols or 6+ digits and symbols (`#$%@!`, `123456`) |
//! | `spam_link` | a URL (`<URL>` placeholder, `http://`, `www.`) or an advertising pattern of `lexicons/spam_patterns.txt` (`加微信`, `vx`, `qq群`, `代购`, `兼职`, `点击链接` …) or of [`spam_patterns`](QualityOptions::spam_patterns) |
//! | `duplicate` | only from [`QualityChecker::check_batch`] or a [`DuplicateIndex`]: the same text (ignoring punctuation, whitespace, emoji, sentence particles such as `的了吧哦`, intensifiers `很真超挺` and repeated characters) or a near copy ([`simhash`] within [`near_duplicate_distance`](QualityOptions::near_duplicate_distance) bits) seen before, for texts of at least [`duplicate_min_chars`](QualityOptions::duplicate_min_chars) meaningful characters |
//!
//! ```
//! use fankui::quality::{QualityChecker, QualityFlag};
//! let checker = QualityChecker::default();
//! assert!(checker.check("送餐快👍", "送餐快👍").ok);
//! assert_eq!(checker.check("哈哈哈哈哈哈哈", "哈哈哈").flags, [QualityFlag::Repetitive]);
//! assert_eq!(checker.check("加微信领红包", "加微信领红包").flags, [QualityFlag::SpamLink]);
//! ```

use crate::error::{Error, Result};
use crate::segment::{is_emoji, is_han, lexicon_lines, placeholder_len, Emoticons};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

const COMMON_CHARS: &str = include_str!("../lexicons/common_chars.txt");
const SPAM_PATTERNS: &str = include_str!("../lexicons/spam_patterns.txt");

/// Longest repetition period looked for (`太好吃了太好吃了太好吃了` has period 4).
const MAX_PERIOD: usize = 8;
/// Largest accepted [`QualityOptions::near_duplicate_distance`]: the index splits hashes
/// into `distance + 1` bands, and narrower bands make lookups scan more candidates.
const MAX_NEAR_DISTANCE: u32 = 16;

/// One quality problem of a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum QualityFlag {
    /// Nothing but whitespace.
    Empty,
    /// Fewer meaningful characters than [`QualityOptions::min_chars`].
    TooShort,
    /// No Han character.
    NoChinese,
    /// One character or a short sequence repeated (`好好好好好好`, `好吃好吃好吃`).
    Repetitive,
    /// Keyboard mashing, random symbols or rare-character soup.
    Gibberish,
    /// A link or an advertising / contact-solicitation pattern.
    SpamLink,
    /// The same or nearly the same text was seen before.
    Duplicate,
}

/// The quality verdict of one comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quality {
    /// True when `flags` is empty.
    pub ok: bool,
    /// Problems found, in [`QualityFlag`] declaration order.
    pub flags: Vec<QualityFlag>,
}

impl Default for Quality {
    /// No flag, so `ok`.
    fn default() -> Self {
        Quality { ok: true, flags: Vec::new() }
    }
}

impl Quality {
    fn from_flags(flags: Vec<QualityFlag>) -> Self {
        Quality { ok: flags.is_empty(), flags }
    }
}

/// What [`QualityChecker`] flags.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct QualityOptions {
    /// Fewest meaningful characters (Han, letters, digits) of an acceptable comment (default 2).
    pub min_chars: usize,
    /// Highest share of characters equal to the one a period earlier before a text is
    /// repetitive, in `[0, 1]` (default 0.8; 1 never flags).
    pub max_repeat_ratio: f32,
    /// Largest SimHash Hamming distance of a near duplicate (default 3; 0 = exact duplicates
    /// only; at most 16).
    pub near_duplicate_distance: u32,
    /// Fewest meaningful characters of a text that can be a duplicate (default 8): short
    /// generic comments such as `好吃` from different customers are not copies.
    pub duplicate_min_chars: usize,
    /// Extra spam patterns, matched like those of `lexicons/spam_patterns.txt` (default none).
    pub spam_patterns: Vec<String>,
}

impl Default for QualityOptions {
    fn default() -> Self {
        QualityOptions {
            min_chars: 2,
            max_repeat_ratio: 0.8,
            near_duplicate_distance: 3,
            duplicate_min_chars: 8,
            spam_patterns: Vec::new(),
        }
    }
}

impl QualityOptions {
    /// Sets [`min_chars`](Self::min_chars).
    pub fn with_min_chars(mut self, min_chars: usize) -> Self {
        self.min_chars = min_chars;
        self
    }
    /// Sets [`max_repeat_ratio`](Self::max_repeat_ratio).
    pub fn with_max_repeat_ratio(mut self, ratio: f32) -> Self {
        self.max_repeat_ratio = ratio;
        self
    }
    /// Sets [`near_duplicate_distance`](Self::near_duplicate_distance).
    pub fn with_near_duplicate_distance(mut self, distance: u32) -> Self {
        self.near_duplicate_distance = distance;
        self
    }
    /// Sets [`duplicate_min_chars`](Self::duplicate_min_chars).
    pub fn with_duplicate_min_chars(mut self, min_chars: usize) -> Self {
        self.duplicate_min_chars = min_chars;
        self
    }
    /// Sets [`spam_patterns`](Self::spam_patterns).
    pub fn with_spam_patterns(mut self, patterns: Vec<String>) -> Self {
        self.spam_patterns = patterns;
        self
    }
}

/// Flags low-quality comments. Build once and share: it is `Send + Sync`.
#[derive(Debug)]
pub struct QualityChecker {
    options: QualityOptions,
    spam: Patterns,
    emoticons: Emoticons,
}

impl Default for QualityChecker {
    /// A checker with default options (always valid).
    fn default() -> Self {
        QualityChecker::new(QualityOptions::default()).expect("default options are valid")
    }
}

impl QualityChecker {
    /// A checker with `options`; fails with [`Error::InvalidOption`] when
    /// `max_repeat_ratio` is outside `[0, 1]`, `near_duplicate_distance` above 16,
    /// or a spam pattern empty.
    pub fn new(options: QualityOptions) -> Result<Self> {
        let ratio = options.max_repeat_ratio;
        if !(0.0..=1.0).contains(&ratio) {
            return Err(Error::InvalidOption {
                option: "max_repeat_ratio",
                reason: format!("{ratio} is not in [0, 1]"),
            });
        }
        if options.near_duplicate_distance > MAX_NEAR_DISTANCE {
            return Err(Error::InvalidOption {
                option: "near_duplicate_distance",
                reason: format!("{} is above {MAX_NEAR_DISTANCE}", options.near_duplicate_distance),
            });
        }
        if options.spam_patterns.iter().any(|p| p.trim().is_empty()) {
            return Err(Error::InvalidOption { option: "spam_patterns", reason: "a pattern is empty".into() });
        }
        let extra = options.spam_patterns.iter().map(|p| p.trim().to_lowercase());
        let spam = Patterns::new(lexicon_lines(SPAM_PATTERNS).map(str::to_lowercase).chain(extra));
        Ok(QualityChecker { options, spam, emoticons: Emoticons::new() })
    }

    /// The options this checker was built with.
    pub fn options(&self) -> &QualityOptions {
        &self.options
    }

    /// Per-record checks (everything but [`Duplicate`](QualityFlag::Duplicate)).
    /// `original` is the raw text, `normalized` its normalized form; repetition is judged
    /// on `original` (on `normalized` when `original` is blank), everything else on `normalized`.
    pub fn check(&self, original: &str, normalized: &str) -> Quality {
        let text = normalized.trim();
        if text.is_empty() {
            return Quality::from_flags(vec![QualityFlag::Empty]);
        }
        let mut flags = Vec::new();
        let stats = self.scan(text);
        let meaningful = stats.meaningful();
        if meaningful < self.options.min_chars {
            flags.push(QualityFlag::TooShort);
        }
        if stats.han == 0 {
            flags.push(QualityFlag::NoChinese);
        }
        let source = if original.trim().is_empty() { text } else { original };
        if repeat_ratio(source).is_some_and(|r| r > self.options.max_repeat_ratio) {
            flags.push(QualityFlag::Repetitive);
        }
        if stats.is_gibberish() {
            flags.push(QualityFlag::Gibberish);
        }
        if self.spam.find_in(text) {
            flags.push(QualityFlag::SpamLink);
        }
        Quality::from_flags(flags)
    }

    /// Checks a batch of `(original, normalized)` pairs, exact and near duplicates within
    /// the batch included (the first occurrence of a text is not a duplicate).
    pub fn check_batch(&self, items: &[(&str, &str)]) -> Vec<Quality> {
        let mut index = DuplicateIndex::new(self.options.near_duplicate_distance, self.options.duplicate_min_chars);
        items
            .iter()
            .map(|(original, normalized)| {
                let mut quality = self.check(original, normalized);
                if index.check_and_insert(normalized) {
                    quality.flags.push(QualityFlag::Duplicate);
                    quality.ok = false;
                }
                quality
            })
            .collect()
    }

    /// Counts the character classes of `text` in one pass.
    fn scan(&self, text: &str) -> Stats {
        let common = common_chars();
        let mut stats = Stats::default();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            let c = rest.chars().next().expect("i is a char boundary");
            if c == '<' {
                if let Some(n) = placeholder_len(rest) {
                    i += n;
                    continue;
                }
            }
            if let Some(n) = self.emoticons.match_at(text, i) {
                stats.emoticons += 1;
                i += n;
                continue;
            }
            if c.is_ascii_alphabetic() {
                let run = bytes[i..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
                stats.letters += run;
                if is_mashing(&bytes[i..i + run]) {
                    stats.junk += run;
                }
                i += run;
                continue;
            }
            if is_han(c) {
                stats.han += 1;
                if !common.contains(c) {
                    stats.junk += 1;
                }
            } else if c.is_ascii_digit() {
                stats.digits += 1;
            } else if c.is_alphanumeric() {
                stats.letters += 1; // other scripts and digits
            } else if is_emoji(c) {
                stats.emoji += 1;
            } else if !c.is_whitespace() && !is_modifier(c) {
                stats.symbols += 1;
            }
            i += c.len_utf8();
        }
        stats
    }
}

/// Character counts of a normalized text (placeholders skipped).
#[derive(Debug, Default)]
struct Stats {
    han: usize,
    letters: usize,
    digits: usize,
    emoji: usize,
    emoticons: usize,
    symbols: usize,
    /// Letters in keyboard-mashing runs plus rare Han characters.
    junk: usize,
}

impl Stats {
    fn meaningful(&self) -> usize {
        self.han + self.letters + self.digits
    }

    fn is_gibberish(&self) -> bool {
        if self.junk >= 4 && 2 * self.junk >= self.meaningful() {
            return true;
        }
        self.han + self.letters == 0
            && self.emoji + self.emoticons == 0
            && (self.symbols >= 4 || self.symbols + self.digits >= 6)
    }
}

/// Variation selectors, zero-width joiner, skin tones: parts of an emoji, not symbols.
fn is_modifier(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{200D}' | '\u{20E3}' | '\u{1F3FB}'..='\u{1F3FF}')
}

/// True for a run of ASCII letters that looks like keyboard mashing rather than a word,
/// an abbreviation (`kfc`, `yyds`, `xswl`) or laughter (`hhhhh`, which is repetition).
fn is_mashing(run: &[u8]) -> bool {
    if run.len() < 5 || run.iter().all(|b| b.eq_ignore_ascii_case(&run[0])) {
        return false;
    }
    let is_vowel = |b: u8| matches!(b.to_ascii_lowercase(), b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    if !run.iter().any(|&b| is_vowel(b)) {
        return true;
    }
    let mut consonants = 0;
    for &b in run {
        consonants = if is_vowel(b) { 0 } else { consonants + 1 };
        if consonants >= 5 {
            return true;
        }
    }
    keyboard_chain(run) >= 5
}

/// Longest stretch of letters that walk along one keyboard row in one direction (`asdfg`, `poiuy`).
fn keyboard_chain(run: &[u8]) -> usize {
    const ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    let key = |b: u8| {
        let b = b.to_ascii_lowercase();
        ROWS.iter().enumerate().find_map(|(r, row)| row.iter().position(|&k| k == b).map(|p| (r, p as i32)))
    };
    let (mut best, mut len, mut dir) = (1, 1, 0);
    for pair in run.windows(2) {
        let step = match (key(pair[0]), key(pair[1])) {
            (Some((r1, p1)), Some((r2, p2))) if r1 == r2 && (p2 - p1).abs() == 1 => p2 - p1,
            _ => 0,
        };
        if step != 0 && (len == 1 || step == dir) {
            len += 1;
        } else if step != 0 {
            len = 2;
        } else {
            len = 1;
        }
        dir = step;
        best = best.max(len);
    }
    best
}

/// The highest share, over periods 1..=8, of letters/digits/Han/emoji equal to the one a
/// period earlier; `None` when the text is too short to call repetitive (fewer than 4 such
/// characters, or no period that repeats 3 times).
fn repeat_ratio(text: &str) -> Option<f32> {
    let mut ring = ['\0'; MAX_PERIOD];
    let mut matches = [0usize; MAX_PERIOD + 1];
    let mut n = 0usize;
    for c in text.chars().filter(|&c| c.is_alphanumeric() || is_emoji(c)) {
        for (p, m) in matches.iter_mut().enumerate().skip(1).take(n.min(MAX_PERIOD)) {
            if ring[(n - p) % MAX_PERIOD] == c {
                *m += 1;
            }
        }
        ring[n % MAX_PERIOD] = c;
        n += 1;
    }
    if n < 4 {
        return None;
    }
    (1..=MAX_PERIOD.min(n / 3)).map(|p| matches[p] as f32 / (n - p) as f32).reduce(f32::max)
}

/// Bitset of the common Han characters of `lexicons/common_chars.txt` (U+4E00–U+9FFF).
struct CharSet(Vec<u64>);

impl CharSet {
    fn contains(&self, c: char) -> bool {
        let Some(i) = (c as usize).checked_sub(0x4E00) else { return false };
        self.0.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
}

fn common_chars() -> &'static CharSet {
    static SET: OnceLock<CharSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut bits = vec![0u64; (0xA000 - 0x4E00) / 64];
        for c in lexicon_lines(COMMON_CHARS).flat_map(str::chars) {
            if let Some(i) = (c as usize).checked_sub(0x4E00).filter(|i| *i < bits.len() * 64) {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        CharSet(bits)
    })
}

/// Substring patterns bucketed by first character, so a text is scanned once.
#[derive(Debug)]
struct Patterns {
    /// Sorted by first character; each list longest first.
    by_first: Vec<(char, Vec<Box<str>>)>,
}

impl Patterns {
    fn new(patterns: impl Iterator<Item = String>) -> Self {
        let mut by_first: Vec<(char, Vec<Box<str>>)> = Vec::new();
        for p in patterns {
            let Some(c) = p.chars().next() else { continue };
            let c = c.to_ascii_lowercase();
            match by_first.iter_mut().find(|(f, _)| *f == c) {
                Some((_, list)) => list.push(p.into()),
                None => by_first.push((c, vec![p.into()])),
            }
        }
        for (_, list) in &mut by_first {
            list.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
            list.dedup();
        }
        by_first.sort_by_key(|(c, _)| *c);
        Patterns { by_first }
    }

    /// True when a pattern occurs in `text` (ASCII case-insensitively), respecting
    /// word boundaries at ASCII letters and digits.
    fn find_in(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        for (i, c) in text.char_indices() {
            let Ok(k) = self.by_first.binary_search_by_key(&c.to_ascii_lowercase(), |(f, _)| *f) else { continue };
            for p in &self.by_first[k].1 {
                let p = p.as_bytes();
                let Some(candidate) = bytes.get(i..i + p.len()) else { continue };
                if !candidate.eq_ignore_ascii_case(p) {
                    continue;
                }
                let alnum = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
                let before = i.checked_sub(1).and_then(|j| bytes.get(j));
                if (p[0].is_ascii_alphanumeric() && alnum(before))
                    || (p[p.len() - 1].is_ascii_alphanumeric() && alnum(bytes.get(i + p.len())))
                {
                    continue;
                }
                return true;
            }
        }
        false
    }
}

/// 64-bit SimHash of `text` over character 2- and 3-shingles of its letters, digits and Han
/// characters (ASCII lowercased; punctuation, whitespace and emoji ignored). Near-identical
/// texts have hashes a few bits apart; compare with `(a ^ b).count_ones()`.
pub fn simhash(text: &str) -> u64 {
    let mut votes = BitVotes::default();
    let (mut a, mut b) = (None::<u64>, None::<u64>);
    let mut n = 0;
    for c in key_chars(text) {
        let c = c as u64;
        if let Some(b) = b {
            votes.add(mix64((b << 21 | c) << 1));
            if let Some(a) = a {
                votes.add(mix64((a << 42 | b << 21 | c) << 1 | 1));
            }
        }
        (a, b) = (b, Some(c));
        n += 1;
    }
    if n == 1 {
        votes.add(mix64(b.unwrap_or(0) << 22));
    }
    votes.majority()
}

/// `SPREAD[b]` has byte `i` set to bit `i` of `b`: adding it counts 8 bits at once.
const SPREAD: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            table[b] |= ((b as u64 >> i) & 1) << (8 * i);
            i += 1;
        }
        b += 1;
    }
    table
};

/// Per-bit counts of ones over many 64-bit feature hashes, kept as 64 byte counters in
/// 8 words (8 table additions per hash instead of 64 bit tests) and flushed every 255 hashes.
struct BitVotes {
    lanes: [u64; 8],
    pending: u32,
    ones: [u32; 64],
    total: u32,
}

impl Default for BitVotes {
    fn default() -> Self {
        BitVotes { lanes: [0; 8], pending: 0, ones: [0; 64], total: 0 }
    }
}

impl BitVotes {
    fn add(&mut self, h: u64) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            *lane += SPREAD[(h >> (8 * k)) as u8 as usize];
        }
        self.pending += 1;
        self.total += 1;
        if self.pending == 255 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            for i in 0..8 {
                self.ones[8 * k + i] += ((*lane >> (8 * i)) & 0xFF) as u32;
            }
            *lane = 0;
        }
        self.pending = 0;
    }

    /// Bit `i` set when more than half of the hashes have bit `i` set.
    fn majority(mut self) -> u64 {
        self.flush();
        self.ones.iter().enumerate().fold(0, |h, (bit, &ones)| if 2 * ones > self.total { h | 1 << bit } else { h })
    }
}

/// The characters duplicates are judged on: letters, digits and Han characters, ASCII
/// lowercased, without sentence particles and intensifiers (`的了吗呢吧啊呀哦嘛啦哈…`, `很真超挺`)
/// and with runs of one character collapsed: copies padded with `哦` or `很` are still copies.
fn key_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut last = '\0';
    text.chars()
        .filter(|c| c.is_alphanumeric() && !is_filler(*c))
        .map(|c| c.to_ascii_lowercase())
        .filter(move |&c| std::mem::replace(&mut last, c) != c)
}

/// Particles and intensifiers ignored by duplicate detection.
fn is_filler(c: char) -> bool {
    matches!(
        c,
        '的' | '了'
            | '吗'
            | '呢'
            | '吧'
            | '啊'
            | '呀'
            | '哦'
            | '嘛'
            | '啦'
            | '哈'
            | '噢'
            | '喔'
            | '哇'
            | '咯'
            | '呗'
            | '嗯'
            | '哟'
            | '很'
            | '真'
            | '超'
            | '挺'
    )
}

/// SplitMix64's finalizer: a fast, well-spread 64-bit mix.
fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Hasher for keys that are already hashes (or band values): one multiply-xorshift.
#[derive(Default)]
struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        let h = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^ (h >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x100_0000_01B3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Prehashed = BuildHasherDefault<PrehashedHasher>;

/// Bits of band `b` of `hash` split into `count` bands (the last takes the remaining bits).
fn band(hash: u64, b: u32, count: u32) -> u64 {
    let width = 64 / count;
    let shift = b * width;
    let bits = if b + 1 == count { 64 - shift } else { width };
    (hash >> shift) & (u64::MAX >> (64 - bits))
}

/// Exact and near-duplicate index over normalized texts; it persists across the chunks of
/// a stream. `Send + Sync`.
///
/// Exact duplicates are found by a 64-bit hash of the text's letters, digits and Han
/// characters; near duplicates by [`simhash`]: the hash is split into `distance + 1`
/// bands, and two hashes within `distance` bits agree on at least one band, so a lookup
/// only compares the texts sharing a band with it (4 bands of 16 bits by default).
/// Memory is about 90 bytes per recorded text (measured over 0.9 million).
#[derive(Debug, Clone)]
pub struct DuplicateIndex {
    distance: u32,
    min_chars: usize,
    exact: HashSet<u64, Prehashed>,
    /// (band number << 32 | band value) → SimHashes of the recorded texts with that band,
    /// stored whole so a lookup scans contiguous memory.
    bands: HashMap<u64, Vec<u64>, Prehashed>,
    band_count: u32,
}

impl DuplicateIndex {
    /// An empty index finding near duplicates within `near_duplicate_distance` bits
    /// (0: exact duplicates only) among texts of at least `min_chars` letters, digits
    /// and Han characters. Distances above 63 are treated as 63.
    pub fn new(near_duplicate_distance: u32, min_chars: usize) -> Self {
        let distance = near_duplicate_distance.min(63);
        DuplicateIndex {
            distance,
            min_chars,
            exact: HashSet::default(),
            bands: HashMap::default(),
            band_count: distance + 1,
        }
    }

    /// Returns true when `normalized` duplicates (exactly or nearly) a text seen before;
    /// records it otherwise. Texts shorter than the index's `min_chars` are never
    /// duplicates and are not recorded.
    pub fn check_and_insert(&mut self, normalized: &str) -> bool {
        let mut hasher = std::hash::DefaultHasher::new();
        let mut n = 0;
        for c in key_chars(normalized) {
            hasher.write_u32(c as u32);
            n += 1;
        }
        if n < self.min_chars {
            return false;
        }
        let exact = hasher.finish();
        if self.exact.contains(&exact) {
            return true;
        }
        if self.distance == 0 {
            self.exact.insert(exact);
            return false;
        }
        let hash = simhash(normalized);
        let count = self.band_count;
        let keys = (0..count).map(move |b| (b as u64) << 32 | band(hash, b, count));
        for key in keys.clone() {
            if let Some(ids) = self.bands.get(&key) {
                if ids.iter().any(|&other| (other ^ hash).count_ones() <= self.distance) {
                    return true;
                }
            }
        }
        self.exact.insert(exact);
        for key in keys {
            self.bands.entry(key).or_default().push(hash);
        }
        false
    }

    /// Number of distinct texts recorded.
    pub fn len(&self) -> usize {
        self.exact.len()
    }

    /// True when no text has been recorded.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mashing_runs() {
        for junk in ["asdfghjkl", "jjjjjkkkk", "sdfsdfsdf", "qwerty", "zxcvbnm", "dfghj", "xcvbn"] {
            assert!(is_mashing(junk.as_bytes()), "{junk}");
        }
        for word in ["good", "delicious", "mcdonalds", "property", "hhhhhhh", "yyds", "xswl", "strength", "nihao"] {
            assert!(!is_mashing(word.as_bytes()), "{word}");
        }
    }

    #[test]
    fn repetition() {
        assert_eq!(repeat_ratio("好吃好吃好吃"), Some(1.0));
        assert_eq!(repeat_ratio("好好好"), None);
        assert!(repeat_ratio("汉堡还可以，就是薯条味道怪怪的").unwrap() < 0.2);
    }

    #[test]
    fn common_char_table() {
        let set = common_chars();
        assert!("汉堡薯条的了是蛳焗".chars().all(|c| set.contains(c)));
        assert!(!set.contains('龘') && !set.contains('㐀') && !set.contains('a'));
    }

    #[test]
    fn bands_cover_all_bits() {
        for d in [1, 3, 5, 16] {
            let index = DuplicateIndex::new(d, 1);
            let hash = 0xDEAD_BEEF_0123_4567u64;
            let mut rebuilt = 0u64;
            let width = 64 / index.band_count;
            for b in 0..index.band_count {
                rebuilt |= band(hash, b, index.band_count) << (b * width);
            }
            assert_eq!(rebuilt, hash, "distance {d}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// The banded index answers exactly like comparing with every recorded text.
        /// Texts are edits of a few long bases, so that near duplicates are common.
        #[test]
        fn index_matches_brute_force(
            bases in proptest::collection::vec("[汉堡薯条凉了好吃慢骑手送餐外卖味道怪a1]{20,120}", 1..4),
            edits in proptest::collection::vec((0usize..4, 0usize..120, 0usize..3, "[汉堡薯条凉好吃慢]"), 1..80),
            distance in 0u32..6,
        ) {
            let mut index = DuplicateIndex::new(distance, 8);
            let mut seen: Vec<(String, u64)> = Vec::new();
            for (base, at, kind, c) in &edits {
                let mut chars: Vec<char> = bases[base % bases.len()].chars().collect();
                let at = at % chars.len();
                match kind {
                    0 => chars[at] = c.chars().next().unwrap(),
                    1 => chars.insert(at, c.chars().next().unwrap()),
                    _ => {}
                }
                let text: String = chars.into_iter().collect();
                let key: String = key_chars(&text).collect();
                let hash = simhash(&text);
                let expected = key.chars().count() >= 8
                    && seen.iter().any(|(k, h)| *k == key || (distance > 0 && (h ^ hash).count_ones() <= distance));
                proptest::prop_assert_eq!(index.check_and_insert(&text), expected, "{}", text);
                if key.chars().count() >= 8 && !expected {
                    seen.push((key, hash));
                }
            }
            proptest::prop_assert_eq!(index.len(), seen.len());
        }
    }

    /// The bit-sliced vote counting equals a plain per-bit sum.
    #[test]
    fn simhash_votes_match_naive_sum() {
        let naive = |hashes: &[u64]| {
            let mut w = [0i32; 64];
            for h in hashes {
                for (bit, w) in w.iter_mut().enumerate() {
                    *w += ((h >> bit) & 1) as i32 * 2 - 1;
                }
            }
            w.iter().enumerate().fold(0u64, |acc, (bit, &w)| if w > 0 { acc | 1 << bit } else { acc })
        };
        for n in [1usize, 2, 3, 64, 254, 255, 256, 700] {
            let hashes: Vec<u64> = (0..n as u64).map(|i| mix64(i * 7 + n as u64)).collect();
            let mut votes = BitVotes::default();
            hashes.iter().for_each(|&h| votes.add(h));
            assert_eq!(votes.majority(), naive(&hashes), "{n} hashes");
        }
    }

    #[test]
    fn prehashed_keys_spread() {
        let h = |x: u64| {
            let mut s = PrehashedHasher::default();
            s.write_u64(x);
            s.finish()
        };
        assert_ne!(h(1) >> 57, h(2) >> 57);
    }
}
