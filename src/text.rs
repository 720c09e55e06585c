//! [`MappedText`]: a derived string that remembers where each of its characters came from.
//!
//! Every text stage (normalization, transcript cleanup) turns one `MappedText` into
//! another. Each character of the result carries the span of *original* characters
//! it stands for, so a clause found in cleaned text can always be located in the
//! customer's raw comment.
//!
//! Offsets are **character** offsets (Unicode scalar values), the same indices a
//! Python `str` uses, not byte offsets.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// A half-open range `[start, end)` of character offsets into the original text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First character (inclusive).
    pub start: usize,
    /// One past the last character (exclusive).
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }

    /// Number of original characters covered.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no character.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn union(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// Text plus, for every character, the span of original characters it came from.
///
/// Invariant: `spans.len() == text.chars().count()` and spans never decrease
/// (a character's span starts at or after the previous one's start).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MappedText {
    text: String,
    spans: Vec<Span>,
    original_len: usize,
}

impl MappedText {
    /// The original text itself: character `i` maps to span `[i, i+1)`.
    pub fn identity(original: &str) -> Self {
        let spans: Vec<Span> = (0..original.chars().count()).map(|i| Span::new(i, i + 1)).collect();
        MappedText { text: original.to_owned(), original_len: spans.len(), spans }
    }

    /// An empty text derived from an original of `original_len` characters.
    pub fn with_original_len(original_len: usize) -> Self {
        MappedText { text: String::new(), spans: Vec::new(), original_len }
    }

    /// An empty text derived from the same original as `self`, with room for `self`'s length.
    pub fn empty_like(&self) -> Self {
        MappedText {
            text: String::with_capacity(self.text.len()),
            spans: Vec::with_capacity(self.spans.len()),
            original_len: self.original_len,
        }
    }

    /// Length of the original text, in characters.
    pub fn original_len(&self) -> usize {
        self.original_len
    }

    /// The derived text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Consumes `self`, returning the derived text.
    pub fn into_string(self) -> String {
        self.text
    }

    /// Number of characters in the derived text.
    pub fn char_len(&self) -> usize {
        self.spans.len()
    }

    /// True when the derived text is empty.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Per-character origin spans (one per character of [`as_str`](Self::as_str)).
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// Iterates over `(char, origin span)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (char, Span)> + '_ {
        self.text.chars().zip(self.spans.iter().copied())
    }

    /// Appends one character that stands for `span` of the original.
    pub fn push(&mut self, c: char, span: Span) {
        debug_assert!(span.end <= self.original_len);
        self.text.push(c);
        self.spans.push(span);
    }

    /// Appends a string whose characters all stand for `span` (e.g. a `<PHONE>` placeholder).
    pub fn push_str(&mut self, s: &str, span: Span) {
        for c in s.chars() {
            self.push(c, span);
        }
    }

    /// Span of the original covered by the derived characters `range` (character indices).
    ///
    /// An empty `range` yields an empty span at the position where it would start.
    pub fn origin(&self, range: Range<usize>) -> Span {
        if range.start >= range.end || range.start >= self.spans.len() {
            let at =
                self.spans.get(range.start).map(|s| s.start).or_else(|| self.spans.last().map(|s| s.end)).unwrap_or(0);
            return Span::new(at, at);
        }
        let end = range.end.min(self.spans.len());
        let first = self.spans[range.start];
        self.spans[range.start..end].iter().fold(first, |acc, s| acc.union(*s))
    }

    /// The derived characters `range` (character indices) as a new `MappedText`.
    pub fn slice(&self, range: Range<usize>) -> MappedText {
        let end = range.end.min(self.spans.len());
        let start = range.start.min(end);
        let text: String = self.text.chars().skip(start).take(end - start).collect();
        MappedText { text, spans: self.spans[start..end].to_vec(), original_len: self.original_len }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_maps_each_char_to_itself() {
        let m = MappedText::identity("薯条a😡");
        assert_eq!(m.char_len(), 4);
        assert_eq!(m.original_len(), 4);
        assert_eq!(m.origin(1..3), Span::new(1, 3));
        assert_eq!(m.slice(2..4).as_str(), "a😡");
    }

    #[test]
    fn placeholder_chars_share_one_span() {
        let mut m = MappedText::with_original_len(13);
        m.push('电', Span::new(0, 1));
        m.push_str("<PHONE>", Span::new(1, 12));
        m.push('!', Span::new(12, 13));
        assert_eq!(m.as_str(), "电<PHONE>!");
        assert_eq!(m.origin(1..8), Span::new(1, 12));
        assert_eq!(m.origin(3..3), Span::new(1, 1));
        assert_eq!(m.origin(9..9), Span::new(13, 13));
    }
}
