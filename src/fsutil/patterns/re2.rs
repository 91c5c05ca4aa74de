//! Go's regular-expression syntax (RE2 as `regexp.Compile` parses it, Go
//! 1.24) rewritten into the `regex` crate's syntax, for the expressions
//! patternmatcher's translation produces.
//!
//! The regex crate does the matching (linear time) and brings the Unicode
//! tables; this module only rewrites the places where the two syntaxes give
//! the same text a different meaning, and rejects what Go rejects:
//!
//! - **Character classes.** The regex crate nests classes (`[a[^/]]`) and
//!   has set operators (`&&`, `--`, `~~`); in Go a `[` inside a class is a
//!   plain character (only `[:name:]` is special) and so are `&`, `-` (out
//!   of a range) and `~`. This is reachable: a `*` inside brackets becomes
//!   `[^/]*`, so the pattern `[a*]` reaches the engine as `[a[^/]*]`, which
//!   Go reads as the class `[a[^/]`, a `*` and a literal `]`. Every class is
//!   therefore parsed the way Go parses it and written out item by item
//!   (Go also looks for the `:]` of `[:name:]` past the class's end).
//! - **ASCII classes.** `\d \s \w \b \B` are ASCII in Go and Unicode in the
//!   regex crate; Go's `\s` does not contain `\v`. They are written as
//!   the crate's POSIX classes (the same ASCII sets as Go's) or ranges, and
//!   `\b` as `(?-u:\b)`.
//! - **Unicode classes.** Go accepts `\pX`, `\p{Name}`, `\PX`, `\p{^Name}`
//!   with `Name` one of `Any`, its general categories or its script names,
//!   spelt exactly. The regex crate also takes aliases (`Letter`, `Grek`),
//!   loose spellings (`greek`), binary properties, `Cn` and `LC`, and
//!   resolves a bare script name to its Script_Extensions. Names are checked
//!   against Go's lists and written as `gc=` / `sc=` queries. Go's `C` is
//!   Cc, Cf, Co and Cs, without unassigned code points (the regex crate's
//!   `C` has them); Cs never matches a string.
//! - **Escapes.** Go has `\Q...\E` (up to `\E` or the end, so
//!   `\Qab` matches `ab$`: the closing `$` is quoted too) and octal
//!   (`\0`, `\12`, `\101`; a lone `\1`..`\7` is a back reference and an
//!   error); the regex crate has neither. It has `\<`, `\>` (word starts and
//!   ends; in Go the escaped characters themselves), `\u`, `\U`, `\b{..}`;
//!   Go rejects any escaped letter or digit it does not know. A code point in
//!   the surrogate range (`\x{D800}`) is valid in Go and never matches; the
//!   regex crate rejects it.
//! - **Repetitions.** The translation leaves `{`, `}` and `|` unescaped
//!   (see `should_escape`), so `a{2}*` repeats and `a|b*` alternates. A `{`
//!   that is not `{n}`, `{n,}` or `{n,m}` is a literal in Go and an error
//!   in the regex crate; Go caps counts at 1000 and rejects a repetition of
//!   a repetition (`*{2}`, `a{2}{3}`), which the regex crate accepts.
//!   Counted repetitions are parsed as Go parses them.
//! - **Negation.** Negated classes are written as differences
//!   (`[\x{0}-\x{10FFFF}--[..]]`): regex-syntax 0.8.12 negates a set that
//!   holds U+D7FF and U+E000 as separate ranges into one that holds them.
//!
//! Left as is: `( ) | * + ? .` and `^ $`, which mean the same with Go's
//! default flags and the regex crate's. Two differences are accepted: the
//! Unicode tables are Go 1.24's 15.0 upstream and 16.0 here (a character
//! first assigned in 16.0 matches `\pL` here and not upstream), and a
//! large counted repetition of a Unicode class (`\pL{1000}`) can exceed
//! the regex crate's size limit, making the pattern bad where Go compiles
//! it.

use std::fmt::Write;

/// Compiles the Go expression `expr`; `None` where Go's `regexp.Compile`
/// fails.
pub(super) fn compile(expr: &str) -> Option<regex::Regex> {
    regex::Regex::new(&to_rust(expr)?).ok()
}

/// A class item that matches nothing (an empty class is not expressible).
const NOTHING: &str = r"[^\x{0}-\x{10FFFF}]";

/// Writes the class item "anything but `items`". Not as `[^items]`:
/// regex-syntax 0.8's negation wrongly adds U+D7FF and U+E000 back when
/// the set holds both as separate ranges (it takes them for neighbours of
/// an empty gap, e.g. in `[^\pC\PC]`); its difference is right.
fn negated(out: &mut String, items: &str) {
    let _ = write!(out, r"[\x{{0}}-\x{{10FFFF}}--[{items}]]");
}

/// The regex crate's spelling of the Go expression `expr`.
fn to_rust(expr: &str) -> Option<String> {
    let s: Vec<char> = expr.chars().collect();
    let mut out = String::with_capacity(expr.len() * 2);
    // Go's checks around repetitions: there must be something to repeat
    // (not the start, `(` or `|`), and no repetition of a repetition.
    let mut operand = false;
    let mut repeated = false;
    let mut i = 0;
    while i < s.len() {
        let before = out.len();
        let (next, is_operand, is_repeat) = match s[i] {
            '[' => (class(&s, i, &mut out)?, true, false),
            '\\' => {
                let next = escape(&s, i, &mut out)?;
                // An empty `\Q\E` writes nothing and leaves the operand.
                (next, operand || out.len() > before, false)
            }
            c @ ('|' | '(') => {
                out.push(c);
                (i + 1, false, false)
            }
            c @ ('*' | '+' | '?') => {
                out.push(c);
                (
                    repetition(&s, i + 1, &mut out, operand, repeated)?,
                    true,
                    true,
                )
            }
            '{' => match counted(&s, i)? {
                Some((min, max, end)) => {
                    let _ = match max {
                        Some(max) if max == min => write!(out, "{{{min}}}"),
                        Some(max) => write!(out, "{{{min},{max}}}"),
                        None => write!(out, "{{{min},}}"),
                    };
                    (
                        repetition(&s, end, &mut out, operand, repeated)?,
                        true,
                        true,
                    )
                }
                // Not a repetition: a literal `{`, as in Go.
                None => {
                    literal(&mut out, '{' as u32);
                    (i + 1, true, false)
                }
            },
            c @ (')' | '.' | '^' | '$') => {
                out.push(c);
                (i + 1, true, false)
            }
            c => {
                literal(&mut out, c as u32);
                (i + 1, true, false)
            }
        };
        (i, operand, repeated) = (next, is_operand, is_repeat);
    }
    Some(out)
}

/// Checks a repetition operator just written (Go: "missing argument to
/// repetition operator", "invalid nested repetition operator") and takes a
/// non-greedy `?` at `s[j]`; returns where the operator ends.
fn repetition(
    s: &[char],
    j: usize,
    out: &mut String,
    operand: bool,
    repeated: bool,
) -> Option<usize> {
    if !operand || repeated {
        return None;
    }
    if s.get(j) == Some(&'?') {
        out.push('?');
        return Some(j + 1);
    }
    Some(j)
}

/// Go's `parseRepeat` at `s[i] == '{'`: `Some(Some((min, max, end)))` for
/// `{n}`, `{n,}` or `{n,m}` (`max` `None` for no bound), `Some(None)` if it
/// is none of them (a literal `{`), `None` if the counts are out of Go's
/// range.
fn counted(s: &[char], i: usize) -> Option<Option<(u32, Option<u32>, usize)>> {
    // A decimal without leading zeros; `u32::MAX` stands for too big.
    let int = |j: usize| -> Option<(u32, usize)> {
        let digits = s[j..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || (digits > 1 && s[j] == '0') {
            return None;
        }
        let n = s[j..j + digits]
            .iter()
            .try_fold(0u32, |n, c| n.checked_mul(10)?.checked_add(c.to_digit(10)?))
            .unwrap_or(u32::MAX);
        Some((n, j + digits))
    };
    let Some((min, mut j)) = int(i + 1) else {
        return Some(None);
    };
    let mut max = Some(min);
    if s.get(j) == Some(&',') {
        j += 1;
        if s.get(j) == Some(&'}') {
            max = None;
        } else {
            let Some((m, k)) = int(j) else {
                return Some(None);
            };
            (max, j) = (Some(m), k);
        }
    }
    if s.get(j) != Some(&'}') {
        return Some(None);
    }
    if min > 1000 || max.is_some_and(|m| m > 1000 || m < min) {
        return None;
    }
    Some(Some((min, max, j + 1)))
}

/// An escape outside a class, at `s[i] == '\\'`; returns where it ends.
fn escape(s: &[char], i: usize, out: &mut String) -> Option<usize> {
    let assertion = match s.get(i + 1)? {
        'A' => r"\A",
        'z' => r"\z",
        'b' => r"(?-u:\b)",
        'B' => r"(?-u:\B)",
        'C' => return None,
        'Q' => {
            let rest = &s[i + 2..];
            let end = rest.windows(2).position(|w| w == ['\\', 'E']);
            for &c in &rest[..end.unwrap_or(rest.len())] {
                literal(out, c as u32);
            }
            return Some(end.map_or(s.len(), |e| i + 2 + e + 2));
        }
        _ => {
            let mut set = String::new();
            let next = match class_escape(s, i, &mut set)? {
                Some(next) => next,
                None => {
                    let (c, next) = char_escape(s, i)?;
                    literal(out, c);
                    return Some(next);
                }
            };
            out.push('[');
            out.push_str(&set);
            out.push(']');
            return Some(next);
        }
    };
    out.push_str(assertion);
    Some(i + 2)
}

/// A bracketed class at `s[i] == '['`, parsed as Go's `parseClass` does;
/// returns where it ends.
fn class(s: &[char], i: usize, out: &mut String) -> Option<usize> {
    let mut j = i + 1;
    let negated = s.get(j) == Some(&'^');
    if negated {
        j += 1;
    }
    let mut body = String::new();
    let mut first = true;
    loop {
        let c = *s.get(j)?;
        if c == ']' && !first {
            j += 1;
            break;
        }
        first = false;
        if c == '[' && s.get(j + 1) == Some(&':') && j + 2 < s.len() {
            let rest = &s[j + 2..];
            if let Some(k) = rest.windows(2).position(|w| w == [':', ']']) {
                let name: String = rest[..k].iter().collect();
                let bare = name.strip_prefix('^').unwrap_or(&name);
                if !POSIX_CLASSES.split(' ').any(|n| n == bare) {
                    return None;
                }
                let _ = write!(body, "[:{name}:]");
                j += 2 + k + 2;
                continue;
            }
        }
        if let Some(next) = class_escape(s, j, &mut body)? {
            j = next;
            continue;
        }
        let (lo, next) = class_char(s, j)?;
        j = next;
        let mut hi = lo;
        if s.get(j) == Some(&'-') && s.get(j + 1).is_some_and(|&n| n != ']') {
            let (h, next) = class_char(s, j + 1)?;
            if h < lo {
                return None;
            }
            hi = h;
            j = next;
        }
        range(&mut body, lo, hi);
    }
    if body.is_empty() {
        body.push_str(NOTHING);
    }
    if negated {
        self::negated(out, &body);
    } else {
        let _ = write!(out, "[{body}]");
    }
    Some(j)
}

fn class_char(s: &[char], j: usize) -> Option<(u32, usize)> {
    match *s.get(j)? {
        '\\' => char_escape(s, j),
        c => Some((c as u32, j + 1)),
    }
}

/// A Unicode (`\pL`, `\p{Greek}`) or Perl (`\d`) class escape at `s[i]`,
/// written as class items: `Some(Some(end))`, `Some(None)` if `s[i]`
/// starts none, `None` for a bad one.
fn class_escape(s: &[char], i: usize, out: &mut String) -> Option<Option<usize>> {
    if s.get(i) != Some(&'\\') {
        return Some(None);
    }
    let Some(&kind) = s.get(i + 1) else {
        return Some(None);
    };
    if perl_class(kind, out) {
        return Some(Some(i + 2));
    }
    if kind != 'p' && kind != 'P' {
        return Some(None);
    }
    let (name, next): (String, usize) = match *s.get(i + 2)? {
        '{' => {
            let end = i + s[i..].iter().position(|&c| c == '}')?;
            (s[i + 3..end].iter().collect(), end + 1)
        }
        c => (c.to_string(), i + 3),
    };
    let (name, flip) = match name.strip_prefix('^') {
        Some(n) => (n, true),
        None => (name.as_str(), false),
    };
    let items = if name == "Any" {
        r"\x{0}-\x{10FFFF}".to_string()
    } else if name == "C" {
        // Go's C: Cc, Cf, Co and Cs (no surrogate is in a string).
        r"\p{gc=Cc}\p{gc=Cf}\p{gc=Co}".to_string()
    } else if name == "Cs" {
        NOTHING.to_string()
    } else if GO_CATEGORIES.contains(&name) {
        format!(r"\p{{gc={name}}}")
    } else if GO_SCRIPTS.split(' ').any(|n| n == name) {
        format!(r"\p{{sc={name}}}")
    } else {
        return None;
    };
    if (kind == 'P') != flip {
        negated(out, &items);
    } else {
        out.push_str(&items);
    }
    Some(Some(next))
}

/// A single-character escape at `s[i] == '\\'` (Go's `parseEscape`): the
/// code point and where the escape ends.
fn char_escape(s: &[char], i: usize) -> Option<(u32, usize)> {
    let c = *s.get(i + 1)?;
    let mut j = i + 2;
    let octal = |c: Option<&char>| c.and_then(|c| c.to_digit(8));
    let r = match c {
        // A lone \1..\7 would be a back reference.
        '1'..='7' if octal(s.get(j)).is_none() => return None,
        '0'..='7' => {
            let mut r = c as u32 - '0' as u32;
            for _ in 1..3 {
                let Some(d) = octal(s.get(j)) else { break };
                r = r * 8 + d;
                j += 1;
            }
            r
        }
        'x' => {
            let c = *s.get(j)?;
            j += 1;
            if c != '{' {
                let lo = s.get(j)?.to_digit(16)?;
                return Some((c.to_digit(16)? * 16 + lo, j + 1));
            }
            let mut r = 0u32;
            let mut digits = 0;
            loop {
                let c = *s.get(j)?;
                j += 1;
                if c == '}' {
                    break;
                }
                r = r * 16 + c.to_digit(16)?;
                if r > 0x10ffff {
                    return None;
                }
                digits += 1;
            }
            if digits == 0 {
                return None;
            }
            r
        }
        'a' => 0x07,
        'f' => 0x0c,
        'n' => 0x0a,
        'r' => 0x0d,
        't' => 0x09,
        'v' => 0x0b,
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => c as u32,
        _ => return None,
    };
    Some((r, j))
}

/// One character outside a class.
fn literal(out: &mut String, c: u32) {
    match char::from_u32(c) {
        Some(c) if c.is_ascii_alphanumeric() || !c.is_ascii() => out.push(c),
        Some(_) => {
            let _ = write!(out, r"\x{{{c:X}}}");
        }
        None => out.push_str(NOTHING),
    }
}

/// `lo-hi` as class items, its ends moved out of the surrogates the regex
/// crate refuses (a range across them is fine).
fn range(out: &mut String, lo: u32, hi: u32) {
    let lo = if (0xd800..0xe000).contains(&lo) {
        0xe000
    } else {
        lo
    };
    let hi = if (0xd800..0xe000).contains(&hi) {
        0xd7ff
    } else {
        hi
    };
    if lo <= hi {
        let _ = write!(out, r"\x{{{lo:X}}}-\x{{{hi:X}}}");
    }
}

/// Go's `\s`: ASCII white space without `\v`.
const SPACE: &str = r"\x{9}\x{A}\x{C}\x{D}\x{20}";

/// Writes `\d \D \s \S \w \W` as class items; false for another letter.
fn perl_class(c: char, out: &mut String) -> bool {
    match c {
        'd' => out.push_str("[:digit:]"),
        'D' => out.push_str("[:^digit:]"),
        'w' => out.push_str("[:word:]"),
        'W' => out.push_str("[:^word:]"),
        's' => out.push_str(SPACE),
        'S' => negated(out, SPACE),
        _ => return false,
    }
    true
}

/// The POSIX classes Go knows; the regex crate's `[:name:]` are the same
/// ASCII sets.
const POSIX_CLASSES: &str =
    "alnum alpha ascii blank cntrl digit graph lower print punct space upper word xdigit";

/// Go's `unicode.Categories` (C and Cs are handled before).
const GO_CATEGORIES: &[&str] = &[
    "Cc", "Cf", "Co", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl",
    "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl",
    "Zp", "Zs",
];

/// Go 1.24's `unicode.Scripts` (Unicode 15.0), separated by spaces.
const GO_SCRIPTS: &str = "\
    Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak \
    Bengali Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian \
    Caucasian_Albanian Chakma Cham Cherokee Chorasmian Common Coptic Cuneiform Cypriot \
    Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs \
    Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi \
    Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic \
    Inherited Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana \
    Kawi Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha \
    Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean \
    Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive \
    Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari \
    Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki \
    Old_Hungarian Old_Italic Old_North_Arabian Old_Permic Old_Persian Old_Sogdian \
    Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage Osmanya Pahawh_Hmong Palmyrene \
    Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra \
    Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese \
    Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut \
    Telugu Thaana Thai Tibetan Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho \
    Warang_Citi Yezidi Yi Zanabazar_Square";

#[cfg(test)]
mod tests {
    use super::*;

    fn m(expr: &str, text: &str) -> Option<bool> {
        compile(expr).map(|re| re.is_match(text))
    }

    #[test]
    fn differences_from_the_regex_crate() {
        // Classes do not nest: `[a[^/]` is a class, then `*` and `]`.
        assert_eq!(m(r"^[a[^/]*]$", "a]"), Some(true));
        assert_eq!(m(r"^[a[^/]*]$", "[^]"), Some(true));
        assert_eq!(m(r"^[a[^/]*]$", "b"), Some(false));
        assert_eq!(m(r"^[a&&b]$", "&"), Some(true));
        // ASCII Perl classes; Go's \s has no \v.
        assert_eq!(m(r"^\d$", "\u{661}"), Some(false));
        assert_eq!(m(r"^\s$", "\x0b"), Some(false));
        assert_eq!(m(r"^[[:space:]]$", "\x0b"), Some(true));
        assert_eq!(m(r"^\w\b", "é"), Some(false));
        // Unicode classes by Go's names only; Go's C has no unassigned.
        assert_eq!(m(r"^\pL\p{Greek}$", "aα"), Some(true));
        assert_eq!(m(r"^\P{^Greek}$", "α"), Some(true));
        assert_eq!(m(r"^\pC$", "\u{378}"), Some(false));
        assert_eq!(m(r"^\pC$", "\u{ad}"), Some(true));
        assert_eq!(m(r"^\p{greek}$", "α"), None);
        assert_eq!(m(r"^\p{Letter}$", "a"), None);
        // Escapes.
        assert_eq!(m(r"^\x41\x{3b1}\101$", "AαA"), Some(true));
        assert_eq!(m(r"^\Qa.b$", "a.b$"), Some(true));
        assert_eq!(m(r"^\<$", "<"), Some(true));
        assert_eq!(m(r"^\1$", "\x01"), None);
        assert_eq!(m(r"^\u0041$", "A"), None);
        assert_eq!(m(r"^\x{D800}$", "a"), Some(false));
        assert_eq!(m(r"^[\x{D7FF}-\x{E000}]$", "\u{e000}"), Some(true));
        assert_eq!(m(r"^[^\pC\PC]$", "\u{e000}"), Some(false));
        assert_eq!(
            m(r"^[^\x00-\x{D7FF}\x{E000}-\x{10FFFF}]$", "\u{d7ff}"),
            Some(false)
        );
        // Repetitions.
        assert_eq!(m(r"^a{2}$", "aa"), Some(true));
        assert_eq!(m(r"^a{,2}$", "a{,2}"), Some(true));
        assert_eq!(m(r"^a{02}$", "a{02}"), Some(true));
        assert_eq!(m(r"^a{1001}$", "a"), None);
        assert_eq!(m(r"^a*{2}$", "a"), None);
        assert_eq!(m(r"^a{2}{2}$", "a"), None);
        assert_eq!(m(r"^a|{2}$", "a"), None);
        assert_eq!(m(r"^a*?b$", "aab"), Some(true));
    }

    /// Compares with Go 1.24's regexp.Compile/MatchString, recorded in
    /// tests/fixtures/filesync/patterns.json.
    #[test]
    fn recorded_go_results() {
        let fixture: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/filesync/patterns.json"
        ))
        .unwrap();
        let texts: Vec<&str> = fixture["regexps"]["texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let mut failures = Vec::new();
        for case in fixture["regexps"]["cases"].as_array().unwrap() {
            let (expr, want) = (case[0].as_str().unwrap(), case[1].as_str().unwrap());
            let got: String = match compile(expr) {
                Some(re) => texts
                    .iter()
                    .map(|t| if re.is_match(t) { '1' } else { '0' })
                    .collect(),
                None => "e".into(),
            };
            if got != want {
                failures.push(format!("{expr:?}: got {got}, want {want}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
