//! Text from AWS or from a snapshot file, made safe to show on a terminal or in a line-based log.
//!
//! Whoever can name a group, tag it, or shape an error message AWS echoes back chooses those characters.
//! Sent raw, an escape sequence clears the screen, retitles the window or plants a clickable link (OSC 8);
//! a line break forges a line of the audit log (`UNUSED sg-…`, which people pick deletion candidates
//! with); a bidi override makes `sg-1234` read as something else. [`printable`] is the one place that
//! neutralises all of these, for every report written for people (the table, the audit log) and for the
//! commands' own terminal output.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The text with every character that could drive a terminal or break a line written visibly instead, as
/// Rust writes it in a string literal: `\u{1b}` for ESC, `\u{a}` for a line feed, `\u{202e}` for a
/// right-to-left override. Those are: the C0 controls (U+0000–U+001F, tab and line breaks included), DEL
/// (U+007F), the C1 controls (U+0080–U+009F, which some terminals take as CSI, OSC...), the bidi controls
/// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators (U+2028,
/// U+2029). Everything else, other scripts and emoji included, is kept as it is.
///
/// Text that needs no change is borrowed, not copied. A `\` of the text is kept as it is, so a name that
/// spells `\u{1b}` shows the same as one holding ESC: the aim is a screen nobody's data can drive, not a
/// reversible encoding (the JSON report has every value exactly).
pub fn printable(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_unprintable) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_unprintable(c) {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether [`printable`] writes this character as an escape.
pub fn is_unprintable(c: char) -> bool {
    // `is_control` is the Unicode category Cc: exactly C0, DEL and C1.
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for text in ["", "web-prod", "sg-0123 (müller) 東京 🚀", "a\\u{1b}b", "tab\\t"] {
            assert!(matches!(printable(text), Cow::Borrowed(t) if t == text), "{text}");
        }
    }

    #[test]
    fn escape_sequences_lose_their_esc() {
        assert_eq!(printable("\x1b[2Jcleared"), "\\u{1b}[2Jcleared");
        assert_eq!(printable("\x1b]0;pwned\x07"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(
            printable("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"),
            "\\u{1b}]8;;https://evil.example/\\u{1b}\\click\\u{1b}]8;;\\u{1b}\\"
        );
        // C1 CSI and OSC, which some terminals honour as ESC [ and ESC ].
        assert_eq!(printable("\u{9b}2J\u{9d}0;t\u{9c}"), "\\u{9b}2J\\u{9d}0;t\\u{9c}");
    }

    #[test]
    fn every_control_is_escaped() {
        for c in (0u32..0x20).chain([0x7f]).chain(0x80..0xa0) {
            let c = char::from_u32(c).unwrap();
            let shown = printable(&c.to_string()).into_owned();
            assert_eq!(shown, format!("\\u{{{:x}}}", u32::from(c)));
            assert!(!shown.chars().any(is_unprintable));
        }
        assert_eq!(printable("a\tb\r\nc\0"), "a\\u{9}b\\u{d}\\u{a}c\\u{0}");
    }

    #[test]
    fn a_line_break_cannot_start_a_line() {
        let shown = printable("us-east-1\nUNUSED sg-0fake\u{2028}x\u{85}y\rz");
        assert_eq!(shown.lines().count(), 1);
        assert_eq!(shown, "us-east-1\\u{a}UNUSED sg-0fake\\u{2028}x\\u{85}y\\u{d}z");
    }

    #[test]
    fn bidi_controls_are_escaped() {
        for c in ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}']
            .into_iter()
            .chain(['\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}'])
        {
            let text = format!("sg-1{c}234");
            assert_eq!(printable(&text), format!("sg-1\\u{{{:x}}}234", u32::from(c)));
        }
        // Letters of right-to-left scripts are text, not controls.
        assert_eq!(printable("שלום مرحبا"), "שלום مرحبا");
    }
}
