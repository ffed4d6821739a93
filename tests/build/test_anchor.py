"""Quote anchoring: offsets, sentences, and the errors curators read."""

from __future__ import annotations

import pytest

from graph.build.anchor import (
    QuoteAmbiguousError,
    QuoteNotFoundError,
    SourceText,
    anchor_quote,
)
from graph.resources import sources_dir

DIPNOTE = sources_dir() / "dipnote-2019-06-06-french-us-communities-counter-radicalization.txt"


@pytest.fixture(scope="module")
def dipnote() -> SourceText:
    return SourceText(DIPNOTE.read_text(encoding="utf-8"))


def test_quote_with_line_break(dipnote: SourceText) -> None:
    quote = "an ISIS-inspired terrorist killed 49 people"
    anchor = anchor_quote(dipnote, quote)
    assert "\n" in anchor.exact  # the text breaks the line after "killed"
    assert dipnote.text[anchor.start : anchor.end] == anchor.exact
    assert " ".join(anchor.exact.split()) == quote


def test_quote_across_paragraph_break(dipnote: SourceText) -> None:
    anchor = anchor_quote(dipnote, "International Nisitor Leadership Program (IVLP)")
    assert anchor.exact.startswith("International Nisitor") and anchor.exact.endswith("(IVLP)")
    assert "\n\n" in anchor.exact


def test_offsets_count_characters_not_bytes() -> None:
    text = SourceText("Université Panthéon-Assas signed. Then Boston.")
    anchor = anchor_quote(text, "Then Boston")
    assert (anchor.start, anchor.end) == (34, 45)


def test_missing_quote_names_closest_passage(dipnote: SourceText) -> None:
    with pytest.raises(QuoteNotFoundError) as caught:
        anchor_quote(dipnote, "The Marseile delegation met Orlando Mayor")
    assert caught.value.closest == "The Marseille delegation met Orlando Mayor"
    assert "closest" in str(caught.value)


def test_ambiguous_quote_is_refused_until_a_prefix_picks_one(dipnote: SourceText) -> None:
    with pytest.raises(QuoteAmbiguousError) as caught:
        anchor_quote(dipnote, "The U.S. Embassy Paris")
    assert caught.value.count == 2
    anchor = anchor_quote(dipnote, "The U.S. Embassy Paris", prefix="Lebanon and Turkey. -")
    assert dipnote.text[anchor.end :].startswith(" facilitated")
    assert not anchor.unique and anchor.prefix.endswith("Turkey.\n- ".replace("\n", " "))


def test_sentence_survives_abbreviations(dipnote: SourceText) -> None:
    anchor = anchor_quote(dipnote, "facilitated the first visit")
    assert anchor.sentence.startswith("The U.S. Embassy Paris facilitated the first visit")
    assert "Dr. Erroll Southers" in anchor.sentence
    assert anchor.sentence.endswith("soft targets protection.")


def test_sentence_of_a_wrapped_bullet(dipnote: SourceText) -> None:
    anchor = anchor_quote(dipnote, "One World Strong has subsequently worked with survivors")
    assert anchor.sentence == (
        "One World Strong has subsequently worked with survivors of terrorist attacks "
        "in Nice and Paris."
    )


def test_wrong_prefix_of_a_unique_quote_is_refused(dipnote: SourceText) -> None:
    """A prefix says where the quote is: a wrong one is an error even when the quote occurs
    once (it is how a curator says which passage they read)."""
    quote = "Toulouse participated in a City Pair with Atlanta"
    assert anchor_quote(dipnote, quote, prefix="for all of our national security.").unique
    with pytest.raises(QuoteNotFoundError) as caught:
        anchor_quote(dipnote, quote, prefix="In Lyon,")
    assert caught.value.quote == f"In Lyon, {quote}"


def test_sentence_not_cut_at_blank_line_before_ivlp(dipnote: SourceText) -> None:
    """The text has a stray blank line inside a sentence ("… Leadership Program" / "(IVLP),
    and also …"): the sentence runs on across it, as a reader reads it."""
    anchor = anchor_quote(dipnote, "International Nisitor Leadership Program (IVLP)")
    assert anchor.sentence.startswith("Included in these efforts are traditional speaker")
    assert "Leadership Program (IVLP), and also new innovative initiatives" in anchor.sentence
    assert anchor.sentence.endswith("<u>Office for Civil Rights and Civil Liberties</u>.")
    later = anchor_quote(dipnote, "which is a partnership with the Department of Homeland")
    assert later.sentence == anchor.sentence


def test_blank_line_ends_a_finished_sentence_or_a_heading() -> None:
    text = SourceText(
        "A Short Heading\n\nLyon met New Orleans:\n\n- Boston learned\n\nabout Paris.\n\nEnd."
    )
    assert anchor_quote(text, "A Short").sentence == "A Short Heading"
    assert anchor_quote(text, "met New").sentence == "Lyon met New Orleans:"
    assert anchor_quote(text, "about Paris").sentence == "Boston learned about Paris."
