//! Learned clause breaks for speech without punctuation.
//!
//! The rules of [`TranscriptCleaner`](super::TranscriptCleaner) break a transcript before
//! discourse markers, openers and after particles; most clause boundaries of real speech have
//! none of those ("味道还不错服务员态度很差"). This model, trained on typed reviews whose writers'
//! own punctuation is the label (`models/build/breaks.py`, `lexicons/voice_breaks.bin`), reads
//! the characters around each gap of a run without punctuation and gives the probability that a
//! typist would have put a break there.
//!
//! Features of the gap before `s[i]` (`s`: the run's content characters, ASCII digits read as
//! `0` and ASCII letters as `a`): the 1–3 characters on each side, the pair and the two triples
//! across the gap, and the gap's distance from the run's start and end (1..8, 8 = 8 or more).
//! Each feature's name (`l1:味`, `lrr:道还不`, `ds:3`, ...) is hashed with CRC-32 into a table of
//! 2^bits int8 weights; P(break) = sigmoid(bias + scale × Σ weights).
//!
//! A gap becomes a break when its probability reaches the model's threshold (0.5, chosen on
//! the train shops' labelled units read as voice), taking the most probable gaps first and
//! keeping every clause at least [`MIN_CLAUSE`] characters long. Runs shorter than
//! [`MIN_RUN`] characters are left whole.

use crate::normalize::lexicon::LexiconError;
use std::sync::OnceLock;

const NAME: &str = "voice_breaks.bin";
const MAGIC: &[u8] = b"FKBRK1";
/// Distances from a run's ends are capped here (the trainer's `MAX_DIST`; in training a "run"
/// is a whole text with its punctuation taken out).
const MAX_DIST: usize = 8;
/// The fewest content characters a learned break leaves on either side.
pub(crate) const MIN_CLAUSE: usize = 2;
/// Runs shorter than this (content characters) are left whole: a short utterance is mostly
/// one clause, and cutting it detaches the object from what is said of it (藤椒鸡腿堡 /
/// 麻麻的很过瘾). On the train shops' labelled units read as voice, aspect sentiment is the
/// same with 8, 12 or 16 (0.8887, 0.8887, 0.8888).
pub(crate) const MIN_RUN: usize = 16;
const _: () = assert!(MIN_RUN >= 2 * MIN_CLAUSE);

/// The hashed logistic model of `lexicons/voice_breaks.bin`.
pub(crate) struct BreakModel {
    mask: u32,
    bias: f32,
    /// The threshold as a logit: a gap breaks when its score reaches it.
    min_logit: f32,
    scale: f32,
    weights: &'static [u8],
}

impl std::fmt::Debug for BreakModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BreakModel").field("weights", &self.weights.len()).field("min_logit", &self.min_logit).finish()
    }
}

static MODEL: OnceLock<Result<BreakModel, LexiconError>> = OnceLock::new();

impl BreakModel {
    /// The embedded model, parsed once.
    pub(crate) fn get() -> Result<&'static BreakModel, &'static LexiconError> {
        MODEL.get_or_init(|| BreakModel::parse(include_bytes!("../../lexicons/voice_breaks.bin"))).as_ref()
    }

    fn parse(bytes: &'static [u8]) -> Result<BreakModel, LexiconError> {
        let bad = |why: &str| LexiconError::new(NAME, 0, why.to_string());
        let rest = bytes.strip_prefix(MAGIC).ok_or_else(|| bad("not a break model (bad magic)"))?;
        let (header, weights) = rest.split_at_checked(16).ok_or_else(|| bad("truncated header"))?;
        let word = |k: usize| [header[k], header[k + 1], header[k + 2], header[k + 3]];
        let bits = u32::from_le_bytes(word(0));
        let float = |k| f32::from_le_bytes(word(k));
        let (bias, threshold, scale) = (float(4), float(8), float(12));
        if !(1..=24).contains(&bits) || weights.len() != 1 << bits {
            return Err(bad("the weight table does not match its size"));
        }
        if threshold <= 0.0 || threshold >= 1.0 || threshold.is_nan() || !scale.is_finite() || !bias.is_finite() {
            return Err(bad("bad bias, threshold or scale"));
        }
        let min_logit = (threshold / (1.0 - threshold)).ln();
        Ok(BreakModel { mask: (1 << bits) - 1, bias, min_logit, scale, weights })
    }

    /// The model's reading of a character: ASCII digits and letters by class, CJK ideographs
    /// as themselves, anything else (emoji, symbols) not at all. The ideographs are the two
    /// blocks `breaks.py`'s `content()` reads, not `chars::is_han`'s wider set: the hashed
    /// features must be the ones the weights were trained on.
    pub(crate) fn content(c: char) -> Option<char> {
        match c {
            '0'..='9' => Some('0'),
            'a'..='z' | 'A'..='Z' => Some('a'),
            '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' => Some(c),
            _ => None,
        }
    }

    /// Where a run of content characters (as [`BreakModel::content`] reads them) should break:
    /// indices `i` (a break before `s[i]`), ascending.
    pub(crate) fn cuts(&self, s: &[char]) -> Vec<usize> {
        let n = s.len();
        if n < MIN_RUN {
            return Vec::new();
        }
        let mut gaps: Vec<(f32, usize)> = (MIN_CLAUSE..=n - MIN_CLAUSE)
            .map(|i| (self.logit(s, i), i))
            .filter(|&(z, _)| z >= self.min_logit)
            .collect();
        gaps.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        // Linear in the run's length: a cut is taken unless one within MIN_CLAUSE already is.
        let mut taken = vec![false; n + 1];
        for (_, i) in gaps {
            if !taken[i + 1 - MIN_CLAUSE..i + MIN_CLAUSE].contains(&true) {
                taken[i] = true;
            }
        }
        (0..=n).filter(|&i| taken[i]).collect()
    }

    /// The score (logit) of a break before `s[i]`, `0 < i < s.len()`.
    fn logit(&self, s: &[char], i: usize) -> f32 {
        let n = s.len();
        let mut sum = 0i32;
        let mut add = |prefix: &str, chars: &[char]| sum += i32::from(self.weight(prefix, chars) as i8);
        add("l1:", &s[i - 1..i]);
        add("r1:", &s[i..i + 1]);
        add("lr:", &s[i - 1..i + 1]);
        if i >= 2 {
            add("l2:", &s[i - 2..i]);
            add("llr:", &s[i - 2..i + 1]);
        }
        if i >= 3 {
            add("l3:", &s[i - 3..i]);
        }
        if i + 2 <= n {
            add("r2:", &s[i..i + 2]);
            add("lrr:", &s[i - 1..i + 2]);
        }
        if i + 3 <= n {
            add("r3:", &s[i..i + 3]);
        }
        let digit = |d: usize| char::from(b'0' + d.min(MAX_DIST) as u8);
        add("ds:", &[digit(i)]);
        add("de:", &[digit(n - i)]);
        self.bias + self.scale * sum as f32
    }

    fn weight(&self, prefix: &str, chars: &[char]) -> u8 {
        let mut h = crc32fast::Hasher::new();
        h.update(prefix.as_bytes());
        let mut buf = [0u8; 4];
        for c in chars {
            h.update(c.encode_utf8(&mut buf).as_bytes());
        }
        self.weights[(h.finalize() & self.mask) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str) -> String {
        let s: Vec<char> = text.chars().filter_map(BreakModel::content).collect();
        let cuts = BreakModel::get().unwrap().cuts(&s);
        let mut out = String::new();
        for (i, c) in s.iter().enumerate() {
            if cuts.contains(&i) {
                out.push('，');
            }
            out.push(*c);
        }
        out
    }

    #[test]
    fn the_embedded_model_parses() {
        let m = BreakModel::get().unwrap();
        assert!(m.min_logit.is_finite() && m.scale > 0.0);
    }

    #[test]
    fn breaks_between_two_complaints_and_not_inside_a_clause() {
        assert_eq!(cut("味道还不错就是上菜太慢了服务员态度也很差"), "味道还不错，就是上菜太慢了，服务员态度也很差");
        assert_eq!(cut("这家店的牛肉面味道不错价格也很实惠"), "这家店的牛肉面味道不错，价格也很实惠");
        // short runs stay whole
        assert_eq!(cut("藤椒鸡腿堡麻麻的很过瘾"), "藤椒鸡腿堡麻麻的很过瘾");
    }

    #[test]
    fn clauses_keep_their_minimum_length() {
        let s: Vec<char> = "好吃好吃好吃好吃好吃好吃好吃好吃好吃好吃".chars().collect();
        let cuts = BreakModel::get().unwrap().cuts(&s);
        let mut edges = vec![0];
        edges.extend(&cuts);
        edges.push(s.len());
        assert!(edges.windows(2).all(|w| w[1] - w[0] >= MIN_CLAUSE), "{cuts:?}");
    }

    #[test]
    fn a_long_run_is_cut_in_linear_time() {
        // 200,000 characters of run-on speech: quadratic work here would not finish
        let s: Vec<char> = "味道还不错就是上菜太慢了服务员态度也很差".chars().cycle().take(200_000).collect();
        let cuts = BreakModel::get().unwrap().cuts(&s);
        assert!(cuts.len() > 10_000, "{}", cuts.len());
        assert!(cuts.windows(2).all(|w| w[1] - w[0] >= MIN_CLAUSE));
    }

    #[test]
    fn a_malformed_file_is_an_error() {
        assert!(BreakModel::parse(b"FKBRK1").is_err());
        assert!(BreakModel::parse(b"NOPE").is_err());
        let mut bytes = b"FKBRK1".to_vec();
        for v in [2u32.to_le_bytes(), 0f32.to_le_bytes(), 0.5f32.to_le_bytes(), 1f32.to_le_bytes()] {
            bytes.extend(v);
        }
        bytes.extend([0u8; 3]);
        let leaked: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        assert!(BreakModel::parse(leaked).is_err());
    }
}
