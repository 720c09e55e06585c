//! Cleanup of ASR voice transcripts: fillers, stutters and missing punctuation.
//!
//! Speech-to-text output has no punctuation and keeps every hesitation:
//! `嗯那个就是说薯条吧味道不太对我我觉得是油的问题`. [`TranscriptCleaner::clean`] takes the
//! *normalized* transcript and returns `薯条吧，味道不太对，我觉得是油的问题`:
//!
//! 1. **Fillers** (`lexicons/voice_fillers.txt`) are removed:
//!    * `[filler]` hesitation sounds and empty phrases (嗯 呃 就是说 怎么说呢) anywhere;
//!    * `[initial]` interjections (啊 额 哦 唉 哎 喂) only at a clause start, so 好啊, 金额 and
//!      额外 are untouched;
//!    * `[demonstrative]` 那个/这个 when another filler follows, or at a clause start when a
//!      pronoun, a discourse marker, an opener, a pause or the end follows; never after 的
//!      (点的那个汉堡) and never before a noun (那个汉堡不好吃);
//!    * `[tag]` tag questions and empty connectors (对吧 你知道吗 然后呢), replaced by a break;
//!    * `[trailing]` connectors left hanging before a pause or at the end of a clause that
//!      has content (我想问一下就是 嗯 你们… → 我想问一下，你们…).
//!
//!    A clause start is the start of the text, or right after punctuation, a pause (space),
//!    a discourse marker (就是那个我… → 就是我…) or a filler removed at a clause start.
//!    Punctuation left dangling by a removed filler is dropped (嗯，好吃 → 好吃).
//! 2. **Stutters**: a `[stutter]` unit (pronouns, function words, 就是, 然后 …) immediately
//!    repeated collapses to one copy whose span covers the repeats (我我我 → 我, 就是就是 → 就是).
//!    Words of `lexicons/reduplication.txt` (看看 刚刚 怪怪的 的的确确) are copied untouched, and a
//!    doubling that straddles a `[guard]` word (现在在排队 = 现在 + 在排队) is kept. A word of 2–4
//!    characters (or a stutter unit) that ends a segment and starts the next one after a pause
//!    is a restart: 里面 里面有点软 → 里面有点软.
//! 3. **Breaks**: a `，` standing for no original character (an empty span) is inserted
//!    * before a discourse marker of `lexicons/discourse_markers.txt` (但是 不过 然后 所以 …)
//!      under the same conditions the clause splitter uses;
//!    * before an `[opener]` (我觉得 说实话 下次) when the clause so far has 2+ letters/Han and
//!      the character before is not in the opener's `prev!=` list, or, for openers without
//!      one, in `[no_break_after]` (我也觉得, 很希望 stay whole);
//!    * after a `[particle]` (吧 啊 呢 嘛 …) when a `[pronoun]` or `[subject]` follows
//!      (薯条吧味道不太对 → 薯条吧，味道不太对); 了 is not a particle here (给了我, 吃了这个).
//!
//!    A pause (a space between two non-ASCII characters) becomes a `，` keeping the space's
//!    span, except after a segment that is only a discourse marker (然后 嗯 没问题 → 然后没问题).
//!    Breaks never go inside a word of the lists, next to existing punctuation, or at either end.
//! 4. **Learned breaks** ([`VoiceOptions::learned_breaks`]): most clause boundaries of real
//!    speech have no marker, opener or particle (味道还不错服务员态度很差). A logistic model
//!    trained on typed reviews, where the writers' own punctuation is the label
//!    (`models/build/breaks.py`, `lexicons/voice_breaks.bin`, 1 MB), reads the characters
//!    around each gap of what is still a run without punctuation and breaks where a typist
//!    would have (味道还不错，服务员态度很差), keeping every clause at least 2 characters long
//!    and leaving runs under 16 characters whole. On real reviews of shops no training data
//!    comes from, read as voice transcripts (`models/build/evaluate_real.py`, real_dev): aspect
//!    sentiment 0.745 to 0.764 (typed: 0.778), topic micro-F1 0.816 to 0.822, binary sentiment
//!    0.903 to 0.897.
//!
//! ```
//! use fankui::{Normalizer, TranscriptCleaner};
//! let raw = "嗯那个就是说薯条吧味道不太对我我觉得是油的问题";
//! let cleaned = TranscriptCleaner::default().clean(&Normalizer::default().normalize(raw));
//! assert_eq!(cleaned.as_str(), "薯条吧，味道不太对，我觉得是油的问题");
//! ```

mod breaks;

use crate::clause::{is_separator, Markers};
use crate::error::Result;
use crate::normalize::chars;
use crate::normalize::lexicon::{self, CharMap, Entry, LexiconError, WordMap};
use crate::text::{MappedText, Span};
use breaks::BreakModel;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What [`TranscriptCleaner`] does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct VoiceOptions {
    /// Remove fillers such as 嗯, 那个, 就是说 (default true).
    pub remove_fillers: bool,
    /// Collapse stutters such as 我我我 → 我 (default true).
    pub collapse_stutters: bool,
    /// Insert `，` at likely clause boundaries of run-on speech (default true).
    pub insert_breaks: bool,
    /// With [`insert_breaks`](Self::insert_breaks), also break where the learned clause-break
    /// model (`src/voice/breaks.rs`) finds a boundary the rules do not (default true).
    pub learned_breaks: bool,
}

impl Default for VoiceOptions {
    fn default() -> Self {
        VoiceOptions { remove_fillers: true, collapse_stutters: true, insert_breaks: true, learned_breaks: true }
    }
}

impl VoiceOptions {
    /// Sets [`remove_fillers`](Self::remove_fillers).
    pub fn with_remove_fillers(mut self, on: bool) -> Self {
        self.remove_fillers = on;
        self
    }
    /// Sets [`collapse_stutters`](Self::collapse_stutters).
    pub fn with_collapse_stutters(mut self, on: bool) -> Self {
        self.collapse_stutters = on;
        self
    }
    /// Sets [`insert_breaks`](Self::insert_breaks).
    pub fn with_insert_breaks(mut self, on: bool) -> Self {
        self.insert_breaks = on;
        self
    }
    /// Sets [`learned_breaks`](Self::learned_breaks).
    pub fn with_learned_breaks(mut self, on: bool) -> Self {
        self.learned_breaks = on;
        self
    }
}

/// Cleans voice transcripts. Build once, share freely (`Send + Sync`).
#[derive(Clone, Debug)]
pub struct TranscriptCleaner {
    options: VoiceOptions,
    lex: &'static VoiceLexicon,
    markers: &'static Markers,
    breaks: &'static BreakModel,
}

/// The break inserted between clauses.
const BREAK: char = '，';

impl TranscriptCleaner {
    /// A cleaner with `options`. Fails only if an embedded lexicon is malformed.
    pub fn new(options: VoiceOptions) -> Result<Self> {
        let lex = VOICE.get_or_init(VoiceLexicon::load).as_ref().map_err(crate::error::Error::from)?;
        let breaks = BreakModel::get().map_err(crate::error::Error::from)?;
        Ok(TranscriptCleaner { options, lex, markers: Markers::get()?, breaks })
    }

    /// The options this cleaner was built with.
    pub fn options(&self) -> &VoiceOptions {
        &self.options
    }

    /// Cleans a normalized transcript. Never panics; spans keep pointing at the original text.
    pub fn clean(&self, text: &MappedText) -> MappedText {
        let o = &self.options;
        if !(o.remove_fillers || o.collapse_stutters || o.insert_breaks) {
            return text.clone();
        }
        let s: Vec<char> = text.as_str().chars().collect();
        let cleaned = self.remove(&s, text.spans());
        let mut out = text.empty_like();
        if self.options.insert_breaks {
            self.insert_breaks(&cleaned, &mut out);
            if self.options.learned_breaks {
                out = self.learned_breaks(out);
            }
        } else {
            for &(c, span) in &cleaned {
                out.push(c, span);
            }
        }
        out
    }

    /// Pass 1: fillers, tags, stutters and pauses.
    fn remove(&self, s: &[char], spans: &[Span]) -> Vec<(char, Span)> {
        let o = &self.options;
        let mut out: Vec<(char, Span)> = Vec::with_capacity(s.len());
        // At a clause start (see the module docs).
        let mut at_start = true;
        // A removed tag asks for a break before the next content.
        let mut pending_break = false;
        // The last character of `out` is a space or a pause break (dropped if nothing follows).
        let mut synthetic = false;
        // Something was removed since the last character was pushed.
        let mut removed = false;
        // Content characters since the last punctuation or pause, and whether they are only a
        // discourse marker (然后 / 就是 followed by a pause joins the next segment).
        let mut segment = 0;
        let mut marker_only = false;
        let mut i = 0;
        while i < s.len() {
            let c = s[i];
            if c.is_whitespace() {
                // A word repeated across a pause is a restart: 里面 里面有点软 → 里面有点软.
                if let Some(n) = self.repeat_across_pause(&out, segment, s, i + 1) {
                    if let Some((_, last)) = out.last_mut() {
                        last.end = last.end.max(spans[i + n].end);
                    }
                    i += 1 + n;
                    continue;
                }
                if marker_only {
                    i += 1;
                    continue;
                }
                // A space between two non-ASCII characters is a pause: a break when breaks are
                // inserted. Other spaces stay, but never at either end or twice in a row.
                let (prev, next) = (out.last().map(|&(l, _)| l), s.get(i + 1).copied());
                if let (Some(p), Some(n), false) = (prev, next, synthetic || prev.is_some_and(char::is_whitespace)) {
                    let pause = o.insert_breaks && !is_boundary(p) && !is_boundary(n) && !p.is_ascii() && !n.is_ascii();
                    out.push((if pause { BREAK } else { ' ' }, spans[i]));
                    synthetic = true;
                    if pause {
                        segment = 0;
                    }
                }
                (pending_break, at_start) = (false, true);
                i += 1;
                continue;
            }
            if is_separator(s, i) {
                if std::mem::take(&mut synthetic) {
                    out.pop();
                }
                // No punctuation left dangling by a removed filler (嗯，好吃 / 好吃，嗯，下次).
                if !(removed && out.last().is_none_or(|&(l, _)| is_boundary(l))) {
                    out.push((c, spans[i]));
                    removed = false;
                }
                (pending_break, at_start, segment, marker_only) = (false, true, 0, false);
                i += 1;
                continue;
            }
            if o.remove_fillers {
                if let Some((n, kind)) = self.filler_at(s, i, at_start, segment > 0) {
                    removed = true;
                    if kind == Kind::Tag {
                        (pending_break, at_start, segment, marker_only) = (o.insert_breaks, true, 0, false);
                    }
                    i += n;
                    continue;
                }
            }
            // Content from here on: a protected reduplication, a collapsed stutter, a
            // discourse marker or one character. `take` = characters kept, `skip` = consumed.
            let (take, skip, opens) = if let Some((n, _)) = self.lex.reduplication.longest_at(s, i) {
                (n, n, false)
            } else if let Some((n, copies)) = self.stutter_at(s, i).filter(|_| o.collapse_stutters) {
                (n, n * copies, self.markers.opens_at(s, i) == Some(n))
            } else if let Some(n) = self.markers.opens_at(s, i).or_else(|| self.markers.before_pause(s, i)) {
                (n, n, true)
            } else {
                (1, 1, false)
            };
            if std::mem::take(&mut pending_break) && out.last().is_some_and(|&(l, _)| !is_boundary(l)) {
                out.push((BREAK, Span::new(spans[i].start, spans[i].start)));
            }
            out.extend((i..i + take).map(|k| (s[k], spans[k])));
            if let Some((_, last)) = out.last_mut() {
                // The kept copy of a stutter stands for the dropped copies too.
                last.end = last.end.max(spans[i + skip - 1].end);
            }
            marker_only = opens && (segment == 0 || marker_only);
            segment += s[i..i + take].iter().filter(|&&c| chars::is_content(c)).count();
            (synthetic, removed, at_start) = (false, false, opens);
            i += skip;
        }
        // No pause at the end, nor a comma left hanging by a removed filler (好吃，嗯).
        if synthetic || (removed && out.last().is_some_and(|&(l, _)| matches!(l, '，' | ',' | '、'))) {
            out.pop();
        }
        out
    }

    /// The length of the word that ends `out` (within the current segment of `segment` content
    /// characters) and starts again at `s[j]`: 2–4 characters, or a single stutter unit.
    fn repeat_across_pause(&self, out: &[(char, Span)], segment: usize, s: &[char], j: usize) -> Option<usize> {
        if !self.options.collapse_stutters {
            return None;
        }
        (1..=segment.min(4)).rev().find(|&n| {
            let tail = &out[out.len().saturating_sub(n)..];
            let again = s.get(j..j + n);
            tail.len() == n
                && tail.iter().all(|&(c, _)| chars::is_content(c))
                && again.is_some_and(|a| a.iter().zip(tail).all(|(a, (b, _))| a == b))
                && (n >= 2 || self.lex.stutters.longest_at(s, j).is_some_and(|(m, _)| m == 1))
        })
    }

    /// A filler at `s[i]`: its length and kind.
    fn filler_at(&self, s: &[char], i: usize, at_start: bool, has_content: bool) -> Option<(usize, Kind)> {
        let prev = i.checked_sub(1).map(|p| s[p]);
        for (n, (kind, entry)) in self.lex.fillers.matches_at(s, i) {
            let next = s.get(i + n).copied();
            if !entry.allowed(prev, next) {
                continue;
            }
            let is_filler = match kind {
                Kind::Filler | Kind::Tag => true,
                Kind::Initial => at_start,
                Kind::Demonstrative => self.demonstrative_is_filler(s, i + n, at_start),
                Kind::Trailing => has_content && next.is_none_or(char::is_whitespace),
            };
            if is_filler {
                return Some((n, *kind));
            }
        }
        None
    }

    /// Is 那个/这个 ending at `j` a filler? Yes before another filler; at a clause start also
    /// before the end, punctuation, a pronoun, a discourse marker or an opener.
    fn demonstrative_is_filler(&self, s: &[char], j: usize, at_start: bool) -> bool {
        if self
            .lex
            .fillers
            .longest_at(s, j)
            .is_some_and(|(_, (k, _))| matches!(k, Kind::Filler | Kind::Tag | Kind::Demonstrative))
        {
            return true;
        }
        at_start
            && (j >= s.len()
                || s[j].is_whitespace()
                || is_separator(s, j)
                || self.lex.pronouns.longest_at(s, j).is_some()
                || self.markers.starts_at(s, j)
                || self.lex.openers.longest_at(s, j).is_some())
    }

    /// A stutter at `s[i]`: the unit length and how many copies follow each other.
    fn stutter_at(&self, s: &[char], i: usize) -> Option<(usize, usize)> {
        for (n, _) in self.lex.stutters.matches_at(s, i) {
            let unit = &s[i..i + n];
            let mut copies = 1;
            while s.get(i + copies * n..).is_some_and(|rest| rest.starts_with(unit)) {
                copies += 1;
            }
            if copies < 2 || (n == 1 && self.lex.guard_ends_at(s, i)) {
                continue;
            }
            return Some((n, copies));
        }
        None
    }

    /// Pass 2: breaks before markers and openers, after particles.
    fn insert_breaks(&self, cleaned: &[(char, Span)], out: &mut MappedText) {
        let s: Vec<char> = cleaned.iter().map(|&(c, _)| c).collect();
        let lex = self.lex;
        let mut content = 0;
        let brk = |out: &mut MappedText, at: usize| {
            if out.as_str().chars().next_back().is_some_and(|l| !is_boundary(l)) {
                out.push(BREAK, Span::new(at, at));
            }
        };
        let mut i = 0;
        while i < s.len() {
            let (c, span) = cleaned[i];
            if c.is_whitespace() || is_separator(&s, i) {
                out.push(c, span);
                content = 0;
                i += 1;
                continue;
            }
            if content > 0 {
                let marker = self.markers.split_at(&s, i, content);
                let opener = || {
                    let (n, entry) = lex.openers.longest_at(&s, i)?;
                    let prev = s[i - 1];
                    // Openers with their own `prev!=` list use it instead of [no_break_after].
                    let shared_ok = !entry.prev_not.is_empty() || !lex.no_break_after.contains_key(&prev);
                    let ok = content >= 2 && shared_ok && entry.allowed(Some(prev), s.get(i + n).copied());
                    ok.then_some(n)
                };
                if let Some(n) = marker.or_else(opener) {
                    brk(out, span.start);
                    for &(c, span) in &cleaned[i..i + n] {
                        out.push(c, span);
                    }
                    content = 0;
                    i += n;
                    continue;
                }
            }
            out.push(c, span);
            content += usize::from(chars::is_content(c));
            i += 1;
            if content >= 2 {
                if let Some(entry) = lex.particles.get(&c) {
                    let next = s.get(i).copied();
                    let subject = lex.pronouns.longest_at(&s, i).is_some() || lex.subjects.longest_at(&s, i).is_some();
                    let prev = i.checked_sub(2).map(|p| s[p]);
                    if subject && entry.allowed(prev, next) {
                        brk(out, cleaned[i].1.start);
                        content = 0;
                    }
                }
            }
        }
    }
}

impl TranscriptCleaner {
    /// Pass 3: a break wherever the learned model finds one in a run without punctuation
    /// (see `breaks.rs`). The inserted `，` stands for no original character (an empty span).
    fn learned_breaks(&self, text: MappedText) -> MappedText {
        // Shorter texts and runs than the model cuts are passed over before anything is built.
        if text.as_str().chars().count() < breaks::MIN_RUN {
            return text;
        }
        let chars: Vec<(char, Span)> = text.iter().collect();
        let mut cuts = Vec::new();
        let mut start = 0;
        for run in chars.split_inclusive(|&(c, _)| is_boundary(c)) {
            if run.len() >= breaks::MIN_RUN {
                // The run's content characters as the model reads them, and where each one sits.
                let (s, at): (Vec<char>, Vec<usize>) =
                    run.iter().enumerate().filter_map(|(k, &(c, _))| Some((BreakModel::content(c)?, k))).unzip();
                cuts.extend(self.breaks.cuts(&s).into_iter().map(|i| start + at[i]));
            }
            start += run.len();
        }
        if cuts.is_empty() {
            return text;
        }
        let mut out = text.empty_like();
        let mut cuts = cuts.into_iter().peekable();
        for (k, &(c, span)) in chars.iter().enumerate() {
            if cuts.next_if_eq(&k).is_some() {
                out.push(BREAK, Span::new(span.start, span.start));
            }
            out.push(c, span);
        }
        out
    }
}

impl Default for TranscriptCleaner {
    fn default() -> Self {
        TranscriptCleaner::new(VoiceOptions::default()).expect("embedded lexicons are valid")
    }
}

/// Punctuation or space: where no break is needed.
fn is_boundary(c: char) -> bool {
    c.is_whitespace() || chars::is_cjk_punct(c) || c.is_ascii_punctuation()
}

/// The kind of a filler entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Filler,
    Initial,
    Demonstrative,
    Tag,
    Trailing,
}

/// The parsed `voice_fillers.txt` and `reduplication.txt`.
struct VoiceLexicon {
    fillers: WordMap<(Kind, Entry)>,
    stutters: WordMap<()>,
    /// Guard words keyed by their last character.
    guards: CharMap<Vec<Box<[char]>>>,
    reduplication: WordMap<()>,
    pronouns: WordMap<()>,
    subjects: WordMap<()>,
    particles: CharMap<Entry>,
    openers: WordMap<Entry>,
    no_break_after: CharMap<()>,
}

static VOICE: OnceLock<std::result::Result<VoiceLexicon, LexiconError>> = OnceLock::new();

impl std::fmt::Debug for VoiceLexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VoiceLexicon")
    }
}

impl VoiceLexicon {
    fn load() -> std::result::Result<VoiceLexicon, LexiconError> {
        const NAME: &str = "voice_fillers.txt";
        let mut lex = VoiceLexicon {
            fillers: WordMap::default(),
            stutters: WordMap::default(),
            guards: CharMap::default(),
            reduplication: WordMap::default(),
            pronouns: WordMap::default(),
            subjects: WordMap::default(),
            particles: CharMap::default(),
            openers: WordMap::default(),
            no_break_after: CharMap::default(),
        };
        for (section, entry, line) in lexicon::parse(NAME, include_str!("../../lexicons/voice_fillers.txt"))? {
            let word = entry.word.clone();
            let single = |what: &str| match *word {
                [c] => Ok(c),
                _ => Err(LexiconError::new(NAME, line, format!("{what} must be one character"))),
            };
            match section.as_str() {
                "filler" => lex.fillers.insert(&word, (Kind::Filler, entry)),
                "initial" => lex.fillers.insert(&word, (Kind::Initial, entry)),
                "demonstrative" => lex.fillers.insert(&word, (Kind::Demonstrative, entry)),
                "tag" => lex.fillers.insert(&word, (Kind::Tag, entry)),
                "trailing" => lex.fillers.insert(&word, (Kind::Trailing, entry)),
                "stutter" => lex.stutters.insert(&word, ()),
                "guard" => {
                    if let Some(&last) = word.last() {
                        lex.guards.entry(last).or_default().push(word);
                    }
                }
                "pronoun" => lex.pronouns.insert(&word, ()),
                "subject" => lex.subjects.insert(&word, ()),
                "particle" => {
                    lex.particles.insert(single("a particle")?, entry);
                }
                "opener" => lex.openers.insert(&word, entry),
                "no_break_after" => {
                    lex.no_break_after.insert(single("a no_break_after entry")?, ());
                }
                other => return Err(LexiconError::new(NAME, line, format!("unknown section [{other}]"))),
            }
        }
        const REDUP: &str = "reduplication.txt";
        for (section, entry, line) in lexicon::parse(REDUP, include_str!("../../lexicons/reduplication.txt"))? {
            if !section.is_empty() {
                return Err(LexiconError::new(REDUP, line, "this list has no sections"));
            }
            lex.reduplication.insert(&entry.word, ());
        }
        Ok(lex)
    }

    /// Does a guard word end at `s[i]` (inclusive)?
    fn guard_ends_at(&self, s: &[char], i: usize) -> bool {
        self.guards.get(&s[i]).is_some_and(|words| words.iter().any(|w| s[..=i].ends_with(w)))
    }
}
