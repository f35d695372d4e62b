//! Search-as-you-type over the menu: a precomputed index of dish names in
//! one language, asked once per keystroke.
//!
//! Names and queries go through the same [`fold`]: lower case, accents and
//! Arabic vowel marks dropped, the Arabic letter forms a customer may or may
//! not type (hamza seats, alef maqsura, ta marbuta, tatweel) collapsed, and
//! everything that is not a letter or digit turned into a single space. A
//! name matches when every word of the query occurs in it (anywhere, so
//! "goreng" finds "Nasi Goreng" and "gor" does too); results come best
//! first: names that start with the query, then names where every query
//! word starts a word, then the rest, each group in the order the names
//! were given (the menu's order).
//!
//! # Cost (design note)
//!
//! The kiosk asks on every keystroke, so one search must stay far inside a
//! 16 ms frame for 20,000 dishes. The index is one `String` holding every
//! folded name followed by `'\n'` (which [`fold`] never produces, so no
//! query word can match across two names) and the byte offset where each
//! name starts. A search:
//!
//! 1. folds the query (a few characters);
//! 2. scans the whole text once for its longest word with `str::find`
//!    (a two-way substring search, linear in the text: about 25 bytes a
//!    name, so ~500 KB for 20,000 names). After a hit it jumps to the
//!    start of the next name, so each name is looked at most once, and the
//!    name a hit belongs to is found by walking the offsets forward, not by
//!    searching them;
//! 3. checks the other query words only inside the names the scan found;
//! 4. buckets the hits by rank (three buckets, so no sort).
//!
//! The first two keys of a search are special: a single letter matches
//! most of the menu (13,000 of 20,000 names for "c") and is the keystroke
//! that also swaps the whole screen, and the second one is the first to
//! replace every card. Their answers, the best [`LETTER_TOP`] names and the
//! count, are worked out for every letter and every pair of letters in a
//! word while the index is built (one pass over the names), so
//! [`SearchIndex::top`] answers them without a scan.
//!
//! That is O(text + hits) per keystroke with no allocation beyond the
//! result and the folded query: a sub-millisecond linear scan natively and a
//! few milliseconds in wasm, the same order as the plain JavaScript substring
//! scan `FLOORS.md` measured (2 to 5 ms over 20,000 names). Building the
//! index folds every name once, O(total characters), and happens when the
//! menu or the language changes, not per keystroke. The benchmark
//! (`cargo xtask bench masterdata`) measures the real figure in the browser,
//! including painting the results.

use std::collections::BTreeMap;

/// A search index over names given in order; results are positions in that
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchIndex {
    /// Every folded name followed by `'\n'`.
    text: String,
    /// Byte offset in `text` where each name starts, then one entry for the
    /// end of the text, so name `i` is `text[starts[i]..starts[i + 1] - 1]`.
    starts: Vec<usize>,
    /// The answer to every one- and two-letter query, by its letters.
    letters: BTreeMap<Short, Letter>,
}

/// A query of one letter, or two letters of one word.
type Short = (char, Option<char>);

/// How many of the best matches of a one- or two-letter query are kept
/// ready.
pub const LETTER_TOP: usize = 24;

/// A one-letter query's answer: its best names by rank bucket (each
/// capped at [`LETTER_TOP`], so the best [`LETTER_TOP`] are among them) and
/// how many names hold the letter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Letter {
    ranked: [Vec<usize>; 3],
    count: usize,
}

/// Ends every folded name in the index; [`fold`] never outputs it.
const END: char = '\n';

impl Default for SearchIndex {
    /// An index of no names.
    fn default() -> Self {
        Self::new([])
    }
}

impl SearchIndex {
    /// Indexes `names`; the `i`-th name is result `i`.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut text = String::new();
        let mut starts = vec![0];
        let mut letters = BTreeMap::<Short, Letter>::new();
        let mut seen: Vec<(Short, usize)> = Vec::new();
        for (entry, name) in names.into_iter().enumerate() {
            let start = text.len();
            fold_into(&mut text, name);
            seen.clear();
            let mut word_start = true;
            let mut chars = text[start..].char_indices().peekable();
            while let Some((at, letter)) = chars.next() {
                if letter == ' ' {
                    word_start = true;
                    continue;
                }
                // One rank per query and name: the first occurrence at a
                // word start is as good as that query gets in that name.
                let rank = match (at, word_start) {
                    (0, _) => 0,
                    (_, true) => 1,
                    (_, false) => 2,
                };
                word_start = false;
                let next = chars
                    .peek()
                    .map(|(_, next)| *next)
                    .filter(|next| *next != ' ');
                // Without a next letter in the word both are the letter
                // alone, and the second changes nothing.
                for short in [(letter, None), (letter, next)] {
                    match seen.iter_mut().find(|(held, _)| *held == short) {
                        Some((_, best)) => *best = rank.min(*best),
                        None => seen.push((short, rank)),
                    }
                }
            }
            for (short, rank) in &seen {
                let answer = letters.entry(*short).or_default();
                answer.count += 1;
                if answer.ranked[*rank].len() < LETTER_TOP {
                    answer.ranked[*rank].push(entry);
                }
            }
            text.push(END);
            starts.push(text.len());
        }
        Self {
            text,
            starts,
            letters,
        }
    }

    /// The best `limit` matches of `query` (as [`SearchIndex::search`] ranks
    /// them) and how many names match in all. A query of one letter, or
    /// two of one word, is answered from the table built with the index
    /// when `limit` is at most [`LETTER_TOP`].
    pub fn top(&self, query: &str, limit: usize) -> (Vec<usize>, usize) {
        let folded = fold(query);
        let mut letters = folded.chars();
        let short = match (letters.next(), letters.next(), letters.next()) {
            (Some(first), None, None) => Some((first, None)),
            (Some(first), Some(second), None) if second != ' ' => Some((first, Some(second))),
            _ => None,
        };
        if let (Some(short), true) = (short, limit <= LETTER_TOP) {
            let Some(answer) = self.letters.get(&short) else {
                return (Vec::new(), 0);
            };
            let top = answer
                .ranked
                .iter()
                .flatten()
                .copied()
                .take(limit)
                .collect();
            return (top, answer.count);
        }
        let mut all = self.search(query);
        let count = all.len();
        all.truncate(limit);
        (all, count)
    }

    /// How many names are indexed.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Whether no name is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Positions of the names matching `query`, best first (see the module
    /// docs). A query with no letter or digit matches nothing.
    pub fn search(&self, query: &str) -> Vec<usize> {
        let folded = fold(query);
        let words: Vec<&str> = folded.split(' ').filter(|word| !word.is_empty()).collect();
        // The longest word is the rarest one as a rule: scanning for it
        // leaves the fewest names to check the other words in.
        let Some(anchor) = words.iter().copied().max_by_key(|word| word.len()) else {
            return Vec::new();
        };
        let mut ranked: [Vec<usize>; 3] = Default::default();
        let (mut from, mut entry) = (0, 0);
        while let Some(offset) = self.text[from..].find(anchor) {
            let hit = from + offset;
            // Walk to the name holding the hit; hits only move forward.
            while self.starts[entry + 1] <= hit {
                entry += 1;
            }
            if let Some(rank) = rank(self.name(entry), &words) {
                ranked[rank].push(entry);
            }
            from = self.starts[entry + 1];
        }
        let [first, mut second, mut third] = ranked;
        let mut results = first;
        results.append(&mut second);
        results.append(&mut third);
        results
    }

    /// The folded name at position `entry`.
    fn name(&self, entry: usize) -> &str {
        &self.text[self.starts[entry]..self.starts[entry + 1] - END.len_utf8()]
    }
}

/// How well `name` (folded) matches every one of `words` (folded, at least
/// one): 0 when it starts with the first word and every word starts a word
/// of the name, 1 when every word starts a word, 2 when every word is only
/// somewhere inside; `None` when a word is missing.
fn rank(name: &str, words: &[&str]) -> Option<usize> {
    let mut all_at_word_starts = true;
    for word in words {
        let mut hits = name.match_indices(word).map(|(at, _)| at).peekable();
        hits.peek()?;
        all_at_word_starts &= hits.any(|at| at == 0 || name.as_bytes()[at - 1] == b' ');
    }
    let starts_with_first = words.first().is_some_and(|first| name.starts_with(first));
    Some(match (all_at_word_starts, starts_with_first) {
        (true, true) => 0,
        (true, false) => 1,
        (false, _) => 2,
    })
}

/// `text` the way the index compares it: lower case, without accents or
/// Arabic vowel marks, Arabic letter variants collapsed, Arabic-Indic
/// digits as ASCII, and each run of anything that is not a letter or digit
/// as one space (none at the ends).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(&mut out, text);
    out
}

/// Appends the folded `text` to `out` (see [`fold`]).
fn fold_into(out: &mut String, text: &str) {
    let start = out.len();
    // A space is owed before the next kept character: separators collapse
    // and never lead or trail.
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = fold_char(c);
        if matches!(folded, Folded::One(_) | Folded::Two(..)) && space {
            out.push(' ');
            space = false;
        }
        match folded {
            Folded::Drop => {}
            Folded::Space => space = out.len() > start,
            Folded::One(kept) => out.push(kept),
            Folded::Two(first, second) => {
                out.push(first);
                out.push(second);
            }
        }
    }
}

/// What one lower-case character becomes.
enum Folded {
    /// A mark on the previous letter: gone.
    Drop,
    /// Not a letter or digit: separates words.
    Space,
    /// A letter or digit, as the index stores it.
    One(char),
    /// A ligature, as its two letters (`æ` is `ae`).
    Two(char, char),
}

fn fold_char(c: char) -> Folded {
    let code = u32::from(c);
    if is_mark(code) {
        return Folded::Drop;
    }
    match c {
        'ß' => Folded::Two('s', 's'),
        'æ' => Folded::Two('a', 'e'),
        'œ' => Folded::Two('o', 'e'),
        'þ' => Folded::Two('t', 'h'),
        'ø' => Folded::One('o'),
        'ð' | 'đ' => Folded::One('d'),
        'ħ' => Folded::One('h'),
        'ı' => Folded::One('i'),
        'ł' => Folded::One('l'),
        'ŋ' => Folded::One('n'),
        'ſ' => Folded::One('s'),
        // Arabic: the seats of hamza and madda on alef, and the wasla.
        'آ' | 'أ' | 'إ' | 'ٱ' => Folded::One('ا'),
        // Hamza on waw and on ya, alef maqsura: written with or without.
        'ؤ' => Folded::One('و'),
        'ئ' | 'ى' => Folded::One('ي'),
        // Ta marbuta is often typed as ha.
        'ة' => Folded::One('ه'),
        // Arabic-Indic and Eastern Arabic-Indic digits.
        '\u{0660}'..='\u{0669}' => digit(code - 0x0660),
        '\u{06F0}'..='\u{06F9}' => digit(code - 0x06F0),
        _ => match latin_base(code) {
            Some(base) => Folded::One(base),
            None if c.is_alphanumeric() => Folded::One(c),
            None => Folded::Space,
        },
    }
}

fn digit(value: u32) -> Folded {
    Folded::One(char::from_digit(value, 10).unwrap_or('0'))
}

/// Combining marks and Arabic tashkeel: they sit on the letter before and
/// a customer rarely types them.
fn is_mark(code: u32) -> bool {
    matches!(code,
        0x0300..=0x036F       // combining diacritical marks
        | 0x0610..=0x061A     // Arabic signs above and below
        | 0x0640              // tatweel (stretching, not a letter)
        | 0x064B..=0x065F     // harakat, shadda, sukun
        | 0x0670              // superscript alef
        | 0x06D6..=0x06DC
        | 0x06DF..=0x06E8
        | 0x06EA..=0x06ED     // Quranic marks
    )
}

/// The base letter of an accented Latin letter, by code point: one byte per
/// code point, `.` where there is none. Made from Unicode's canonical
/// decompositions (the first character of each code point's NFD, lower
/// case, when it is an ASCII letter).
const LATIN_1_TO_EXTENDED_B: (u32, &[u8]) = (
    0x00C0,
    b"aaaaaa.ceeeeiiii.nooooo..uuuuy..aaaaaa.ceeeeiiii.nooooo..uuuuy.y\
      aaaaaaccccccccdd..eeeeeeeeeegggggggghh..iiiiiiiii...jjkk.llllll.\
      ...nnnnnn...oooooo..rrrrrrsssssssstttt..uuuuuuuuuuuuwwyyyzzzzzz.\
      ................................oo.............uu...............\
      .............aaiioouuuuuuuuuu.aaaa....ggkkoooo..j...gg..nnaa....\
      aaaaeeeeiiiioooorrrruuuusstt..hh......aaeeooooooooyy............\
      ................",
);

/// The same for Latin Extended Additional (Vietnamese and others).
const LATIN_EXTENDED_ADDITIONAL: (u32, &[u8]) = (
    0x1E00,
    b"aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm\
      mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv\
      wwwwwwwwwwxxxxyyzzzzzzhtwy......aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee\
      eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy......",
);

fn latin_base(code: u32) -> Option<char> {
    [LATIN_1_TO_EXTENDED_B, LATIN_EXTENDED_ADDITIONAL]
        .into_iter()
        .find_map(|(first, table)| {
            let index = usize::try_from(code.checked_sub(first)?).ok()?;
            table.get(index).copied()
        })
        .filter(|base| *base != b'.')
        .map(char::from)
}

#[cfg(test)]
mod tests;
