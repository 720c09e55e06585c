//! The encoder's first n-gram layer, computed here instead of in ONNX Runtime.
//!
//! A model directory may hold `first_layer.bin` beside a `model.onnx` whose graph takes an
//! input `first_layer` float32 `[batch, seq, dim]` (`models/build/first_layer.py` writes both).
//! The first layer of each n-gram branch `(n, left)` of the encoder is
//!
//! ```text
//! h[t] = relu(Σ_{k<n} x[t − left + k] · W_k + b) + x[t]        (x = 0 outside the text)
//! ```
//!
//! where `x[t]` is the token table's row for the token at `t`. Each product `x[id] · W_k`
//! depends on one token id, so it is computed the first time that id is met and kept (per id:
//! one block of `block` values per branch and offset). The layer then costs additions per
//! token instead of an int8 matrix product over a window of `n` tokens in the graph, which
//! was about 30 % of the model's time.
//!
//! The graph's encoder sees the ids after `<unk>` fusion (ids ≥ the table's vocabulary map
//! to `<unk>` = 0, and an `<unk>` right after an `<unk>` is dropped, the kept tokens moving
//! left); [`FirstLayer::input`] does the same, so its rows line up with the graph's.

use std::sync::OnceLock;

/// The file name in a model directory.
pub(crate) const FILE: &str = "first_layer.bin";
const MAGIC: &[u8; 4] = b"FKFL";

#[derive(serde::Deserialize)]
struct Header {
    vocab: usize,
    dim: usize,
    block: usize,
    branches: Vec<BranchHeader>,
}

#[derive(serde::Deserialize)]
struct BranchHeader {
    n: usize,
    left: usize,
    start: usize,
}

struct Branch {
    n: usize,
    left: usize,
    /// First column of the branch in `x` and in the output.
    start: usize,
    /// `[n * block, block]`, row `k * block + i`: offset `k`, input `i`.
    w: Vec<f32>,
    b: Vec<f32>,
    /// Where this branch's `n` blocks sit in a row of `terms`.
    at: usize,
}

/// The token table and first-layer weights of `first_layer.bin`, with the per-id products
/// computed so far. `Send + Sync`.
pub(crate) struct FirstLayer {
    vocab: usize,
    dim: usize,
    block: usize,
    codes: Vec<u8>,
    scale: Vec<f32>,
    offset: Vec<f32>,
    branches: Vec<Branch>,
    /// Per id: `x[id] · W_k` for every branch and offset (Σ n × block values), once needed.
    terms: Vec<OnceLock<Box<[f32]>>>,
}

impl std::fmt::Debug for FirstLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstLayer").field("vocab", &self.vocab).field("dim", &self.dim).finish_non_exhaustive()
    }
}

/// Reads little-endian arrays one after the other.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.bytes.split_at_checked(n)?;
        self.bytes = rest;
        Some(head)
    }

    fn f32s(&mut self, n: usize) -> Option<Vec<f32>> {
        let raw = self.take(n.checked_mul(4)?)?;
        Some(raw.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes"))).collect())
    }
}

impl FirstLayer {
    /// Reads the contents of a `first_layer.bin`; the error says what is wrong with it.
    pub(crate) fn parse(bytes: &[u8]) -> std::result::Result<Self, String> {
        let truncated = || "truncated file".to_string();
        let mut r = Reader { bytes };
        if r.take(4) != Some(MAGIC.as_slice()) {
            return Err("not a first-layer file (no FKFL magic)".into());
        }
        let word = |r: &mut Reader<'_>| r.take(4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")));
        let version = word(&mut r).ok_or_else(truncated)?;
        if version != 1 {
            return Err(format!("version {version}; this fankui reads version 1"));
        }
        let len = word(&mut r).ok_or_else(truncated)? as usize;
        let header: Header =
            serde_json::from_slice(r.take(len).ok_or_else(truncated)?).map_err(|e| format!("bad header: {e}"))?;
        let (vocab, dim, block) = (header.vocab, header.dim, header.block);
        if vocab == 0 || block == 0 {
            return Err("empty table".into());
        }
        let codes = r.take(vocab.checked_mul(dim).ok_or_else(truncated)?).ok_or_else(truncated)?.to_vec();
        let scale = r.f32s(vocab).ok_or_else(truncated)?;
        let offset = r.f32s(vocab).ok_or_else(truncated)?;
        let mut branches = Vec::new();
        let mut at = 0;
        for h in &header.branches {
            if h.n == 0 || h.left >= h.n || h.start + block > dim {
                return Err(format!("bad branch n={} left={} start={}", h.n, h.left, h.start));
            }
            let w = r.f32s(h.n * block * block).ok_or_else(truncated)?;
            let b = r.f32s(block).ok_or_else(truncated)?;
            branches.push(Branch { n: h.n, left: h.left, start: h.start, w, b, at });
            at += h.n * block;
        }
        if !r.bytes.is_empty() {
            return Err(format!("{} bytes past the last array", r.bytes.len()));
        }
        let terms = (0..vocab).map(|_| OnceLock::new()).collect();
        Ok(FirstLayer { vocab, dim, block, codes, scale, offset, branches, terms })
    }

    /// Width of the graph input.
    pub(crate) fn dim(&self) -> usize {
        self.dim
    }

    /// The token table's row of `id` (the graph's dequantisation: code × scale + offset).
    fn x(&self, id: usize) -> impl Iterator<Item = f32> + '_ {
        let (s, o) = (self.scale[id], self.offset[id]);
        self.codes[id * self.dim..(id + 1) * self.dim].iter().map(move |&c| f32::from(c) * s + o)
    }

    /// `x[id] · W_k` for every branch and offset, computed once per id.
    fn terms(&self, id: usize) -> &[f32] {
        self.terms[id].get_or_init(|| {
            let x: Vec<f32> = self.x(id).collect();
            let width = self.branches.iter().map(|b| b.n * self.block).sum();
            let mut out = vec![0.0f32; width].into_boxed_slice();
            let bl = self.block;
            for br in &self.branches {
                for k in 0..br.n {
                    let dst = &mut out[br.at + k * bl..br.at + (k + 1) * bl];
                    for (i, &xi) in x[br.start..br.start + bl].iter().enumerate() {
                        let w = &br.w[(k * bl + i) * bl..(k * bl + i + 1) * bl];
                        for (d, &wv) in dst.iter_mut().zip(w) {
                            *d += xi * wv;
                        }
                    }
                }
            }
            out
        })
    }

    /// The encoder's ids of one row after `<unk>` fusion (see the module docs).
    fn fused(&self, ids: &[i64]) -> Vec<usize> {
        let mut out = Vec::with_capacity(ids.len());
        let mut prev_unk = false;
        for &id in ids {
            let id = usize::try_from(id).ok().filter(|&i| i < self.vocab).unwrap_or(0);
            let unk = id == 0;
            if !(unk && prev_unk) {
                out.push(id);
            }
            prev_unk = unk;
        }
        out
    }

    /// The graph input for a batch: `rows` rows of `width` ids, of which the first
    /// `lens[r]` are tokens (the rest padding). Returns `[rows, width, dim]`, row-major.
    pub(crate) fn input(&self, ids: &[i64], lens: &[usize], width: usize) -> Vec<f32> {
        let (dim, bl) = (self.dim, self.block);
        let mut out = vec![0.0f32; lens.len() * width * dim];
        let mut acc = vec![0.0f32; bl];
        for (r, &len) in lens.iter().enumerate() {
            let enc = self.fused(&ids[r * width..r * width + len.min(width)]);
            let terms: Vec<&[f32]> = enc.iter().map(|&id| self.terms(id)).collect();
            for (t, &id) in enc.iter().enumerate() {
                let row = &mut out[(r * width + t) * dim..(r * width + t + 1) * dim];
                for (d, x) in row.iter_mut().zip(self.x(id)) {
                    *d = x;
                }
                for br in &self.branches {
                    acc.copy_from_slice(&br.b);
                    for k in 0..br.n {
                        // x[t − left + k], when inside the text
                        let Some(p) = (t + k).checked_sub(br.left).filter(|&p| p < enc.len()) else { continue };
                        let term = &terms[p][br.at + k * bl..br.at + (k + 1) * bl];
                        for (a, &v) in acc.iter_mut().zip(term) {
                            *a += v;
                        }
                    }
                    for (h, &a) in row[br.start..br.start + bl].iter_mut().zip(&acc) {
                        *h += if a > 0.0 { a } else { 0.0 };
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file with `vocab` ids, dim 6, blocks of 2 and branches (n=2, left=0, start 0),
    /// (n=3, left=1, start 2); values from a small deterministic generator.
    fn file(vocab: usize) -> Vec<u8> {
        let mut seed = 7u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            ((seed >> 16) % 200) as f32 / 100.0 - 1.0
        };
        let header = r#"{"vocab": VOCAB, "dim": 6, "block": 2, "branches": [{"n": 2, "left": 0, "start": 0}, {"n": 3, "left": 1, "start": 2}]}"#
            .replace("VOCAB", &vocab.to_string());
        let mut b = MAGIC.to_vec();
        b.extend(1u32.to_le_bytes());
        b.extend((header.len() as u32).to_le_bytes());
        b.extend(header.as_bytes());
        b.extend((0..vocab * 6).map(|i| (i * 37 % 256) as u8));
        let mut floats = |n: usize, b: &mut Vec<u8>| (0..n).for_each(|_| b.extend(next().to_le_bytes()));
        floats(vocab, &mut b); // scale
        floats(vocab, &mut b); // offset
        floats(2 * 2 * 2 + 2, &mut b);
        floats(3 * 2 * 2 + 2, &mut b);
        b
    }

    /// The layer written out plainly: window sums over the fused ids, zero outside the text.
    fn plain(fl: &FirstLayer, enc: &[usize]) -> Vec<Vec<f32>> {
        let x: Vec<Vec<f32>> = enc.iter().map(|&id| fl.x(id).collect()).collect();
        (0..enc.len())
            .map(|t| {
                let mut h = x[t].clone();
                for br in &fl.branches {
                    for j in 0..fl.block {
                        let mut s = 0.0;
                        for k in 0..br.n {
                            let Some(p) = (t + k).checked_sub(br.left).filter(|&p| p < enc.len()) else { continue };
                            for i in 0..fl.block {
                                s += x[p][br.start + i] * br.w[(k * fl.block + i) * fl.block + j];
                            }
                        }
                        h[br.start + j] += (s + br.b[j]).max(0.0);
                    }
                }
                h
            })
            .collect()
    }

    #[test]
    fn the_layer_matches_its_plain_definition_with_unk_fusion_and_padding() {
        let fl = FirstLayer::parse(&file(9)).unwrap();
        // ids ≥ 9 are <unk>; runs of <unk> fuse; row 1 is padded after 2 tokens
        let width = 7;
        let ids = [3, 12, 0, 15, 5, 8, 1, /* row 1 */ 4, 2, 0, 0, 0, 0, 0];
        let lens = [7, 2];
        let out = fl.input(&ids, &lens, width);
        assert_eq!(fl.fused(&ids[..7]), [3, 0, 5, 8, 1]);
        for (r, enc) in [vec![3, 0, 5, 8, 1], vec![4, 2]].iter().enumerate() {
            let want = plain(&fl, enc);
            for t in 0..width {
                let got = &out[(r * width + t) * 6..(r * width + t + 1) * 6];
                match want.get(t) {
                    Some(w) => got
                        .iter()
                        .zip(w)
                        .for_each(|(g, w)| assert!((g - w).abs() <= 1e-5 * w.abs().max(1.0), "{got:?} vs {w:?}")),
                    None => assert!(got.iter().all(|&g| g == 0.0), "padding must be zero: {got:?}"),
                }
            }
        }
    }

    #[test]
    fn malformed_files_are_errors() {
        let good = file(4);
        assert!(FirstLayer::parse(&good).is_ok());
        for (bad, want) in [
            (good[..good.len() - 1].to_vec(), "truncated"),
            ([good.clone(), vec![0]].concat(), "past the last array"),
            (b"ONNX".to_vec(), "magic"),
            ([&good[..4], &2u32.to_le_bytes()[..], &good[8..]].concat(), "version 2"),
        ] {
            let err = FirstLayer::parse(&bad).unwrap_err();
            assert!(err.contains(want), "{err}");
        }
    }
}
