//! Folding examples in the kiosk's three languages, ranking examples, and
//! the index agreeing with a plain filter over any names and query.

use super::*;
use proptest::prelude::*;

fn index(names: &[&str]) -> SearchIndex {
    SearchIndex::new(names.iter().copied())
}

#[test]
fn folding_ignores_case_accents_and_punctuation() {
    assert_eq!(fold("Crème Brûlée"), "creme brulee");
    assert_eq!(fold("  Nasi-Goreng   SPESIAL!! "), "nasi goreng spesial");
    assert_eq!(fold("Phở bò"), "pho bo");
    assert_eq!(
        fold("Straße, Smørrebrød, Æbleskiver"),
        "strasse smorrebrod aebleskiver"
    );
    assert_eq!(
        fold("Cafe\u{301} au lait"),
        "cafe au lait",
        "a decomposed accent"
    );
    assert_eq!(fold("İstanbul Kebab"), "istanbul kebab");
    assert_eq!(fold("Es Teh 🍹 Manis"), "es teh manis");
    assert_eq!(fold(""), "");
    assert_eq!(fold("—!?"), "");
}

#[test]
fn folding_collapses_arabic_marks_and_letter_forms() {
    // With and without harakat, shadda and tatweel.
    assert_eq!(fold("شَايٌ مُثَلَّج"), fold("شاي مثلج"));
    assert_eq!(fold("شـــاي"), fold("شاي"));
    // Hamza seats, alef maqsura, ta marbuta.
    assert_eq!(fold("أرز"), fold("ارز"));
    assert_eq!(fold("إفطار"), fold("افطار"));
    assert_eq!(fold("آيس كريم"), fold("ايس كريم"));
    assert_eq!(fold("حلوى"), fold("حلوي"));
    assert_eq!(fold("قهوة"), fold("قهوه"));
    assert_eq!(fold("٣ قطع"), "3 قطع");
    assert_eq!(fold("۷"), "7");
}

#[test]
fn every_query_word_must_occur_in_any_order() {
    let index = index(&["Nasi Goreng", "Mie Goreng", "Nasi Uduk", "Es Teh Manis"]);
    assert_eq!(index.search("goreng"), [0, 1]);
    assert_eq!(index.search("GORENG nasi"), [0]);
    assert_eq!(index.search("nas"), [0, 2]);
    assert_eq!(index.search("ore"), [0, 1]);
    assert_eq!(index.search("teh es"), [3]);
    assert!(index.search("rendang").is_empty());
    assert!(index.search("nasi rendang").is_empty());
}

#[test]
fn an_empty_or_blank_query_matches_nothing() {
    let index = index(&["Nasi Goreng"]);
    assert!(index.search("").is_empty());
    assert!(index.search("   ").is_empty());
    assert!(index.search("!?").is_empty());
}

#[test]
fn results_rank_prefixes_then_word_starts_then_the_rest() {
    let index = index(&[
        "Iced Tea",       // 0: "tea" starts a word
        "Steamed Buns",   // 1: "tea" only inside a word
        "Tea Latte",      // 2: the name starts with "tea"
        "Green Tea",      // 3: "tea" starts a word
        "Teapot Special", // 4: the name starts with "tea"
    ]);
    assert_eq!(index.search("tea"), [2, 4, 0, 3, 1]);
}

#[test]
fn a_word_never_matches_across_two_names() {
    let index = index(&["Soto", "Ayam"]);
    assert!(index.search("toay").is_empty());
    assert!(index.search("soto ayam").is_empty());
}

#[test]
fn diacritics_and_case_are_ignored_on_both_sides() {
    let index = index(&["Crème Brûlée", "CREME caramel", "Café"]);
    assert_eq!(index.search("creme"), [0, 1]);
    assert_eq!(index.search("CRÈME"), [0, 1]);
    assert_eq!(index.search("cafe"), [2]);
}

#[test]
fn arabic_names_are_found_without_marks() {
    let index = index(&["شَايٌ مُثَلَّج", "قهوة عربية", "أرز بالدجاج"]);
    assert_eq!(index.search("شاي"), [0]);
    assert_eq!(index.search("قهوه"), [1]);
    assert_eq!(index.search("ارز"), [2]);
    assert_eq!(index.search("دجاج"), [2]);
}

#[test]
fn the_index_knows_its_size() {
    assert!(SearchIndex::default().is_empty());
    let index = index(&["a", "", "b"]);
    assert_eq!(index.len(), 3);
    assert_eq!(index.search("b"), [2], "a blank name still holds its place");
}

/// Names from a small alphabet (with accents, spaces and punctuation) so
/// that random queries hit often.
fn name() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[abcé É-]{0,12}").expect("a valid pattern")
}

proptest! {
    #[test]
    fn the_index_finds_exactly_what_a_plain_filter_finds(
        names in proptest::collection::vec(name(), 0..40),
        query in "[abcéÉ ]{0,4}",
    ) {
        let index = SearchIndex::new(names.iter().map(String::as_str));
        let mut found = index.search(&query);
        let words: Vec<String> = fold(&query).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect();
        let expected: Vec<usize> = if words.is_empty() {
            Vec::new()
        } else {
            (0..names.len())
                .filter(|&i| {
                    let folded = fold(&names[i]);
                    words.iter().all(|word| folded.contains(word.as_str()))
                })
                .collect()
        };
        let before_sort = found.clone();
        found.sort_unstable();
        found.dedup();
        prop_assert_eq!(found.len(), before_sort.len(), "no name twice");
        prop_assert_eq!(found, expected);
    }

    #[test]
    fn folding_is_idempotent_and_never_has_loose_spaces(text in "\\PC{0,24}") {
        let once = fold(&text);
        prop_assert_eq!(fold(&once), once.clone());
        prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
        prop_assert!(!once.contains("  ") && !once.contains('\n'));
    }
}

proptest! {
    /// The table answering one-letter queries agrees with the scan, order
    /// and count, for every letter and any limit it serves.
    #[test]
    fn the_top_matches_are_the_first_of_the_full_search(
        names in proptest::collection::vec(name(), 0..80),
        query in "[abcéÉ -]{0,3}",
        limit in 0..=LETTER_TOP,
    ) {
        let index = SearchIndex::new(names.iter().map(String::as_str));
        let all = index.search(&query);
        let (top, count) = index.top(&query, limit);
        prop_assert_eq!(count, all.len());
        prop_assert_eq!(&top[..], &all[..limit.min(all.len())]);
    }
}

#[test]
fn one_and_two_letter_queries_are_answered_from_the_table() {
    let names: Vec<String> = (0..100).map(|n| format!("Soto {n}")).collect();
    let index = SearchIndex::new(names.iter().map(String::as_str));
    assert_eq!(index.top("S", 3), (vec![0, 1, 2], 100));
    assert_eq!(index.top("t", 2), (vec![0, 1], 100), "inside a word");
    assert_eq!(
        index.top("7", 2),
        (vec![7, 70], 19),
        "digits too; a word starting with it first"
    );
    assert_eq!(index.top("x", 5), (Vec::new(), 0));
    assert_eq!(
        index.top("OT", 2),
        (vec![0, 1], 100),
        "two letters of a word"
    );
    assert_eq!(index.top("o 1", 1).1, 19, "across words the scan answers");
    assert_eq!(
        index.top("s", LETTER_TOP + 1).0.len(),
        LETTER_TOP + 1,
        "past the table the scan answers"
    );
}
