//! Clause splitting: one comment → the clauses it is made of, each located in the original text.
//!
//! [`ClauseSplitter::split`] cuts the (normalized) text
//!
//! * at clause punctuation `，。！？；…~` and their ASCII forms (`,` `.` `~` not between two
//!   digits, `.` only when it ends a sentence), at line breaks, and at spaces between two
//!   non-ASCII characters (`好吃 下次还来`, but not `iphone 15 好用` or `电话 <PHONE>`);
//! * before discourse markers from `lexicons/discourse_markers.txt` (但是 不过 就是 而且 …) when
//!   they follow clause content: `送餐很快但是薯条凉了` → `送餐很快` | `但是薯条凉了`. The marker
//!   opens the following clause.
//!
//! Then it tidies up: emoji that open a piece right after the punctuation
//! (`好难吃！😡下次不来了`) are moved to the clause they end, a piece that is only a discourse
//! marker (`然后，薯条凉了`) joins the next piece, and pieces with fewer than
//! [`min_chars`](ClauseOptions::min_chars) letters/digits/Han characters are merged into the
//! previous clause (or the next one when there is no previous). A merged clause's text is the
//! contiguous stretch of normalized text, so it keeps the punctuation between its parts
//! (`好，很好吃`); a clause's text never starts or ends with separating punctuation or spaces.
//!
//! ```
//! use fankui::{ClauseSplitter, MappedText};
//! let splitter = ClauseSplitter::default();
//! let clauses = splitter.split(&MappedText::identity("汉堡还可以，就是薯条味道怪怪的"));
//! let texts: Vec<&str> = clauses.iter().map(|c| c.text.as_str()).collect();
//! assert_eq!(texts, ["汉堡还可以", "就是薯条味道怪怪的"]);
//! assert_eq!((clauses[1].start, clauses[1].end), (6, 15));
//! ```

use crate::error::Result;
use crate::normalize::chars;
use crate::normalize::lexicon::{self, Entry, LexiconError, WordMap};
use crate::text::MappedText;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// One clause of a comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    /// The normalized clause text (trimmed, without the punctuation that separates it from its neighbours).
    pub text: String,
    /// First character of the clause in the **original** text (character offset).
    pub start: usize,
    /// One past the last character of the clause in the original text (character offset).
    pub end: usize,
}

/// How [`ClauseSplitter`] splits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ClauseOptions {
    /// Also split before discourse markers such as 但是, 不过, 就是 (default true).
    pub split_on_markers: bool,
    /// Pieces with fewer letters/digits/Han characters than this merge into a neighbour (default 2).
    pub min_chars: usize,
}

impl Default for ClauseOptions {
    fn default() -> Self {
        ClauseOptions { split_on_markers: true, min_chars: 2 }
    }
}

impl ClauseOptions {
    /// Sets [`split_on_markers`](Self::split_on_markers).
    pub fn with_split_on_markers(mut self, on: bool) -> Self {
        self.split_on_markers = on;
        self
    }
    /// Sets [`min_chars`](Self::min_chars).
    pub fn with_min_chars(mut self, min_chars: usize) -> Self {
        self.min_chars = min_chars;
        self
    }
}

/// Splits texts into clauses. Build once, share freely (`Send + Sync`).
#[derive(Clone, Debug)]
pub struct ClauseSplitter {
    options: ClauseOptions,
    markers: &'static Markers,
}

impl ClauseSplitter {
    /// A splitter with `options`. Fails only if the embedded marker list is malformed.
    pub fn new(options: ClauseOptions) -> Result<Self> {
        Ok(ClauseSplitter { options, markers: Markers::get()? })
    }

    /// The options this splitter was built with.
    pub fn options(&self) -> &ClauseOptions {
        &self.options
    }

    /// Splits `text` into clauses with offsets into the original text. Empty or
    /// punctuation-only text gives no clause. Never panics.
    pub fn split(&self, text: &MappedText) -> Vec<Clause> {
        let s: Vec<char> = text.as_str().chars().collect();
        let pieces = self.pieces(&s);
        let pieces = attach_leading_emoji(&s, pieces);
        let ranges = merge_short(&s, pieces, self.options.min_chars, |a, b| self.markers.is_exactly(&s[a..b]));
        ranges
            .into_iter()
            .map(|(a, b)| {
                let span = text.origin(a..b);
                Clause { text: s[a..b].iter().collect(), start: span.start, end: span.end }
            })
            .collect()
    }

    /// Trimmed, non-empty ranges between separators and before markers.
    fn pieces(&self, s: &[char]) -> Vec<(usize, usize)> {
        let mut pieces = Vec::new();
        let mut push = |a: usize, b: usize| {
            let (a, b) = trim(s, a, b);
            if a < b {
                pieces.push((a, b));
            }
        };
        let mut start = 0;
        let mut content = 0;
        let mut i = 0;
        while i < s.len() {
            if is_separator(s, i) {
                push(start, i);
                i += 1;
                while i < s.len() && is_separator(s, i) {
                    i += 1;
                }
                start = i;
                content = 0;
                continue;
            }
            if self.options.split_on_markers && content > 0 {
                if let Some(n) = self.markers.split_at(s, i, content) {
                    push(start, i);
                    start = i;
                    content = 0;
                    i += n;
                    continue;
                }
            }
            content += usize::from(chars::is_content(s[i]));
            i += 1;
        }
        push(start, s.len());
        pieces
    }
}

impl Default for ClauseSplitter {
    fn default() -> Self {
        ClauseSplitter::new(ClauseOptions::default()).expect("embedded lexicons are valid")
    }
}

/// Shrinks `[a, b)` past whitespace at both ends.
fn trim(s: &[char], mut a: usize, mut b: usize) -> (usize, usize) {
    while a < b && s[a].is_whitespace() {
        a += 1;
    }
    while b > a && s[b - 1].is_whitespace() {
        b -= 1;
    }
    (a, b)
}

/// Is `s[i]` punctuation (or a space) that ends a clause?
pub(crate) fn is_separator(s: &[char], i: usize) -> bool {
    let prev = i.checked_sub(1).and_then(|p| s.get(p)).copied();
    let next = s.get(i + 1).copied();
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let between_digits = digit(prev) && digit(next);
    match s[i] {
        '，' | '。' | '！' | '？' | '；' | '…' | '⋯' | '!' | '?' | ';' | '\n' | '\r' => true,
        ',' | '~' | '～' => !between_digits,
        '.' => {
            !between_digits
                && (next.is_none_or(|n| n.is_whitespace() || chars::is_cjk(n) || n == '.')
                    || prev.is_some_and(chars::is_cjk))
        }
        c if c.is_whitespace() => {
            // Look a few characters each way (a longer run of spaces separates anyway).
            let before = s[i.saturating_sub(8)..i].iter().rev().find(|c| !c.is_whitespace());
            let after = s[i + 1..].iter().take(8).find(|c| !c.is_whitespace());
            !(before.is_some_and(|c| c.is_ascii()) || after.is_some_and(|c| c.is_ascii()))
        }
        _ => false,
    }
}

/// Moves emoji that open a piece (right after the punctuation) to the end of the previous piece.
fn attach_leading_emoji(s: &[char], mut pieces: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    for k in 1..pieces.len() {
        let (a, b) = pieces[k];
        let mut e = a;
        while e < b && (chars::is_emoji(s[e]) || s[e].is_whitespace()) {
            e += 1;
        }
        if e > a && e < b && pieces[k - 1].1 == previous_end(s, a) {
            let (a2, _) = trim(s, e, b);
            let (_, end) = trim(s, a, e);
            pieces[k - 1].1 = end;
            pieces[k].0 = a2;
        }
    }
    pieces
}

/// Where the piece before position `a` ends: `a` minus the separators and spaces before it.
fn previous_end(s: &[char], a: usize) -> usize {
    let mut j = a;
    while j > 0 && (s[j - 1].is_whitespace() || is_separator(s, j - 1)) {
        j -= 1;
    }
    j
}

/// Merges pieces with fewer than `min` content characters into the previous piece (or the next
/// when there is none), and pieces that are only a discourse marker (然后，…) into the next.
fn merge_short(
    s: &[char],
    pieces: Vec<(usize, usize)>,
    min: usize,
    only_marker: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    let weight = |a: usize, b: usize| s[a..b].iter().filter(|&&c| chars::is_content(c)).count();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(pieces.len());
    let mut carry: Option<usize> = None;
    let last = pieces.len().saturating_sub(1);
    for (k, &(a, b)) in pieces.iter().enumerate() {
        if k < last && only_marker(a, b) {
            carry = Some(carry.unwrap_or(a));
            continue;
        }
        let short = weight(a, b) < min || only_marker(a, b);
        match (short, out.last_mut()) {
            (true, Some(prev)) if carry.is_none() => prev.1 = b,
            (true, _) if k < last => carry = Some(carry.unwrap_or(a)),
            _ => out.push((carry.take().unwrap_or(a), b)),
        }
    }
    out
}

/// Discourse markers that open a clause (shared with the voice-transcript cleaner).
pub(crate) struct Markers {
    words: WordMap<Entry>,
}

static MARKERS: OnceLock<std::result::Result<Markers, LexiconError>> = OnceLock::new();

impl std::fmt::Debug for Markers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Markers")
    }
}

impl Markers {
    /// The embedded marker list, parsed once per process.
    pub(crate) fn get() -> Result<&'static Markers> {
        MARKERS.get_or_init(Markers::load).as_ref().map_err(crate::error::Error::from)
    }

    fn load() -> std::result::Result<Markers, LexiconError> {
        const NAME: &str = "discourse_markers.txt";
        let mut words = WordMap::default();
        for (section, entry, line) in lexicon::parse(NAME, include_str!("../lexicons/discourse_markers.txt"))? {
            if !section.is_empty() {
                return Err(LexiconError::new(NAME, line, "this list has no sections"));
            }
            words.insert(&entry.word.clone(), entry);
        }
        Ok(Markers { words })
    }

    /// True when some marker starts at `s[i]`, whatever its conditions.
    pub(crate) fn starts_at(&self, s: &[char], i: usize) -> bool {
        self.words.longest_at(s, i).is_some()
    }

    /// True when `s` is exactly one marker.
    pub(crate) fn is_exactly(&self, s: &[char]) -> bool {
        self.words.longest_at(s, 0).is_some_and(|(n, _)| n == s.len())
    }

    /// The length of a marker at `s[i]` followed by a space or the end (a marker said before a pause).
    pub(crate) fn before_pause(&self, s: &[char], i: usize) -> Option<usize> {
        let (n, _) = self.words.longest_at(s, i)?;
        s.get(i + n).is_none_or(|c| c.is_whitespace()).then_some(n)
    }

    /// If a discourse marker starts at `s[i]`, its conditions hold and content follows, its length
    /// (whatever comes before it).
    pub(crate) fn opens_at(&self, s: &[char], i: usize) -> Option<usize> {
        self.split_at(s, i, usize::MAX)
    }

    /// If a discourse marker starts at `s[i]` and may open a new clause there (given
    /// `content` letters/digits/Han characters since the last boundary), its length.
    pub(crate) fn split_at(&self, s: &[char], i: usize, content: usize) -> Option<usize> {
        let (n, entry) = self.words.longest_at(s, i)?;
        let prev = i.checked_sub(1).map(|p| s[p]);
        let next = s.get(i + n).copied();
        let followed = next.is_some_and(chars::is_content);
        (followed && content >= entry.min.unwrap_or(2) && entry.allowed(prev, next)).then_some(n)
    }
}
