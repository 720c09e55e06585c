//! Parsing of the embedded word lists and a fast "which words start here" lookup.
//!
//! Every list in `lexicons/` is plain UTF-8: `#` starts a comment line, `[name]` starts a
//! section, and every other non-blank line is one entry: a word, then optional
//! whitespace-separated conditions:
//!
//! * `prev!=CHARS` — the entry does not apply right after one of `CHARS`;
//! * `next!=CHARS` — the entry does not apply right before one of `CHARS`;
//! * `min=N` — (discourse markers) the clause before the entry needs at least `N` content characters.

use crate::error::Error;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A lexicon error that can be stored in a `OnceLock` and turned into [`Error::Lexicon`] on demand.
#[derive(Clone, Debug)]
pub(crate) struct LexiconError {
    name: &'static str,
    line: usize,
    reason: String,
}

impl LexiconError {
    pub(crate) fn new(name: &'static str, line: usize, reason: impl Into<String>) -> Self {
        LexiconError { name, line, reason: reason.into() }
    }
}

impl From<&LexiconError> for Error {
    fn from(e: &LexiconError) -> Self {
        Error::Lexicon { name: e.name.to_string(), line: e.line, reason: e.reason.clone() }
    }
}

/// One entry of a sectioned lexicon.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Entry {
    /// The word.
    pub word: Box<[char]>,
    /// Characters after which the entry does not apply.
    pub prev_not: Box<[char]>,
    /// Characters before which the entry does not apply.
    pub next_not: Box<[char]>,
    /// Minimum number of content characters before the entry (markers), if given.
    pub min: Option<usize>,
}

impl Entry {
    /// True when the conditions allow the entry between `prev` and `next`.
    pub(crate) fn allowed(&self, prev: Option<char>, next: Option<char>) -> bool {
        !prev.is_some_and(|p| self.prev_not.contains(&p)) && !next.is_some_and(|n| self.next_not.contains(&n))
    }
}

/// Parses a sectioned lexicon into `(section, entry, line number)` triples.
///
/// Entries before any `[section]` header belong to the section `""`.
pub(crate) fn parse(name: &'static str, text: &str) -> Result<Vec<(String, Entry, usize)>, LexiconError> {
    let mut out = Vec::new();
    let mut section = String::new();
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let Some(s) = rest.strip_suffix(']') else {
                return Err(LexiconError::new(name, line_no, "unclosed section header"));
            };
            section = s.trim().to_string();
            continue;
        }
        let mut fields = line.split_whitespace();
        let word: Box<[char]> = fields.next().unwrap_or_default().chars().collect();
        let mut entry = Entry { word, ..Entry::default() };
        for field in fields {
            if let Some(v) = field.strip_prefix("prev!=") {
                entry.prev_not = v.chars().collect();
            } else if let Some(v) = field.strip_prefix("next!=") {
                entry.next_not = v.chars().collect();
            } else if let Some(v) = field.strip_prefix("min=") {
                let m = v.parse().map_err(|_| LexiconError::new(name, line_no, format!("bad number in `{field}`")))?;
                entry.min = Some(m);
            } else {
                return Err(LexiconError::new(name, line_no, format!("unknown condition `{field}`")));
            }
        }
        out.push((section.clone(), entry, line_no));
    }
    Ok(out)
}

/// Parses `KEY<TAB>VALUE` lines (comments and blank lines skipped).
pub(crate) fn parse_pairs(name: &'static str, text: &str) -> Result<Vec<(String, String)>, LexiconError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('\t') else {
            return Err(LexiconError::new(name, n + 1, "expected KEY<TAB>VALUE"));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || v.is_empty() {
            return Err(LexiconError::new(name, n + 1, "empty key or value"));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// A hasher for `char` keys: one multiplication, no SipHash rounds.
#[derive(Default, Clone, Copy)]
pub(crate) struct CharHasher(u64);

impl Hasher for CharHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

/// `HashMap` keyed by `char` with [`CharHasher`].
pub(crate) type CharMap<V> = HashMap<char, V, BuildHasherDefault<CharHasher>>;

/// A set of words, looked up by position in a `&[char]`: "which of my words start at `i`?".
///
/// A 64 Ki-bit bitmap of first characters answers "none" for most positions without hashing.
pub(crate) struct WordMap<V> {
    first_bmp: Box<[u64]>,
    by_first: CharMap<Vec<(Box<[char]>, V)>>,
}

impl<V> Default for WordMap<V> {
    fn default() -> Self {
        WordMap { first_bmp: vec![0u64; 1024].into_boxed_slice(), by_first: CharMap::default() }
    }
}

impl<V> std::fmt::Debug for WordMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordMap").field("first_chars", &self.by_first.len()).finish()
    }
}

impl<V> WordMap<V> {
    /// Adds a word (ignored when empty). Words are tried longest first.
    pub(crate) fn insert(&mut self, word: &[char], value: V) {
        let Some(&first) = word.first() else { return };
        let cp = first as usize;
        if cp < 0x1_0000 {
            self.first_bmp[cp >> 6] |= 1 << (cp & 63);
        }
        let list = self.by_first.entry(first).or_default();
        let pos = list.iter().position(|(w, _)| w.len() < word.len()).unwrap_or(list.len());
        list.insert(pos, (word.into(), value));
    }

    /// True when some word starts with `c`.
    #[inline]
    pub(crate) fn starts_with_char(&self, c: char) -> bool {
        let cp = c as usize;
        if cp < 0x1_0000 {
            self.first_bmp[cp >> 6] & (1 << (cp & 63)) != 0
        } else {
            self.by_first.contains_key(&c)
        }
    }

    /// Every word that occurs at `s[i..]`, longest first, with its value.
    #[inline]
    pub(crate) fn matches_at<'a>(&'a self, s: &'a [char], i: usize) -> impl Iterator<Item = (usize, &'a V)> + 'a {
        let list = match s.get(i) {
            Some(&c) if self.starts_with_char(c) => self.by_first.get(&c).map(Vec::as_slice).unwrap_or(&[]),
            _ => &[],
        };
        let rest = s.get(i..).unwrap_or(&[]);
        list.iter().filter(move |(w, _)| rest.starts_with(w)).map(|(w, v)| (w.len(), v))
    }

    /// The longest word at `s[i..]`.
    #[inline]
    pub(crate) fn longest_at<'a>(&'a self, s: &[char], i: usize) -> Option<(usize, &'a V)> {
        let rest = s.get(i..)?;
        let &c = rest.first()?;
        if !self.starts_with_char(c) {
            return None;
        }
        self.by_first.get(&c)?.iter().find(|(w, _)| rest.starts_with(w)).map(|(w, v)| (w.len(), v))
    }

    /// True when no word was inserted.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.by_first.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_and_conditions() {
        let text = "# header\n[a]\n但是\n不过  prev!=说比 next!=去来\n[b]\n就是 min=4\n";
        let got = parse("t", text).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].0, "a");
        assert_eq!(&*got[1].1.prev_not, &['说', '比']);
        assert_eq!(&*got[1].1.next_not, &['去', '来']);
        assert_eq!(got[2].1.min, Some(4));
        assert!(got[1].1.allowed(Some('很'), None));
        assert!(!got[1].1.allowed(Some('说'), None));
        assert!(parse("t", "[a\n").is_err());
        assert!(parse("t", "x foo=1\n").is_err());
    }

    #[test]
    fn word_map_longest_first() {
        let mut m = WordMap::default();
        for w in ["不过", "只不过", "只"] {
            m.insert(&w.chars().collect::<Vec<_>>(), w);
        }
        let s: Vec<char> = "只不过还行".chars().collect();
        assert_eq!(m.longest_at(&s, 0), Some((3, &"只不过")));
        assert_eq!(m.matches_at(&s, 0).count(), 2);
        assert_eq!(m.longest_at(&s, 1), Some((2, &"不过")));
        assert_eq!(m.longest_at(&s, 3), None);
        assert_eq!(m.longest_at(&s, 99), None);
    }
}
