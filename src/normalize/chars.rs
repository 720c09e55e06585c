//! Character classes shared by the text stages (normalization, voice cleanup, clauses).

/// True for Han ideographs (CJK Unified Ideographs and their extensions, compatibility ideographs).
#[inline]
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x2_0000..=0x2_FFFF | 0x3_0000..=0x3_134F)
}

/// True for Chinese (full-width) punctuation: the CJK Symbols and Punctuation block (but not
/// the ideographic space), full-width punctuation and the Chinese quotes, dashes and ellipsis.
pub(crate) fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32, 0x3001..=0x303F | 0xFE10..=0xFE1F | 0xFE30..=0xFE6F)
        || matches!(
            c,
            '，' | '！'
                | '？'
                | '；'
                | '：'
                | '（'
                | '）'
                | '…'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '—'
                | '～'
                | '·'
                | '＂'
                | '＇'
                | '［'
                | '］'
                | '｛'
                | '｝'
                | '｡'
                | '､'
                | '｢'
                | '｣'
        )
}

/// Han ideograph or Chinese punctuation: the context in which ASCII punctuation becomes Chinese.
pub(crate) fn is_cjk(c: char) -> bool {
    is_han(c) || is_cjk_punct(c)
}

/// Emoji and pictographic symbols, including the invisible characters that modify or join them.
pub(crate) fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF      // mahjong, cards, enclosed, pictographs, emoticons, transport, ...
        | 0x2600..=0x27BF      // miscellaneous symbols, dingbats (☺ ✨ ❤)
        | 0x2B00..=0x2BFF      // stars and arrows (⭐)
        | 0x2300..=0x23FF      // technical (⌚ ⏰)
        | 0x2190..=0x21FF      // arrows
        | 0x3030 | 0x303D | 0x3297 | 0x3299
        | 0x00A9 | 0x00AE | 0x2122
        | 0xE0020..=0xE007F)
        || is_emoji_modifier(c)
}

/// Characters that modify the previous character (variation selectors, skin tones, keycap)
/// or join two emoji (zero-width joiner).
pub(crate) fn is_emoji_modifier(c: char) -> bool {
    matches!(c as u32, 0xFE0E | 0xFE0F | 0x200D | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F)
}

/// Characters dropped by normalization: control characters other than whitespace and
/// invisible formatting characters (zero-width space, BOM, direction marks, soft hyphen).
/// The zero-width joiner and variation selectors are kept: emoji sequences need them.
pub(crate) fn is_invisible(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(c as u32,
            0x00AD | 0x200B | 0x200C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2060..=0x2064
            | 0x2066..=0x2069 | 0xFEFF | 0xFFF9..=0xFFFB)
}

/// Full-width ASCII (U+FF01–U+FF5E) → ASCII; every other character unchanged.
pub(crate) fn halfwidth(c: char) -> char {
    if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
    } else {
        c
    }
}

/// Letters, digits and Han count as "content" (what a clause is made of); punctuation,
/// spaces, emoji and symbols do not.
#[inline]
pub(crate) fn is_content(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_han(c) || c.is_alphanumeric()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_han('薯') && is_han('𠀀') && !is_han('a') && !is_han('，'));
        assert!(is_cjk_punct('，') && is_cjk_punct('。') && is_cjk_punct('…') && !is_cjk_punct(','));
        assert!(!is_cjk_punct('\u{3000}'));
        assert!(is_emoji('😡') && is_emoji('👍') && is_emoji('❤') && is_emoji('\u{FE0F}') && !is_emoji('好'));
        assert!(
            is_invisible('\u{200B}') && is_invisible('\u{0007}') && !is_invisible('\n') && !is_invisible('\u{200D}')
        );
        assert_eq!(halfwidth('Ａ'), 'A');
        assert_eq!(halfwidth('１'), '1');
        assert_eq!(halfwidth('！'), '!');
        assert_eq!(halfwidth('好'), '好');
    }
}
