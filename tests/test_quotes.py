"""rag.ingest.quotes: quotations, their speakers and offsets; above all, never the wrong speaker."""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS, WIKINEWS
from rag.ingest.quotes import NAMED, PRONOUN, ROLE, UNCERTAIN, Quote, extract_quotes, speaker_matches

SEED = (CORPUS / "baonghean-putin-negotiations.txt").read_text(encoding="utf-8")
READY = "We are ready to negotiate with anyone who wants peace"


def only(text: str) -> Quote:
    """The one quotation in `text`, its offsets checked."""
    quotes = extract_quotes(text)
    assert len(quotes) == 1, quotes
    q = quotes[0]
    assert text[q.start : q.end] == q.text
    return q


def who(text: str) -> tuple[str | None, str]:
    q = only(text)
    return q.speaker, q.confidence


# --- where the attribution sits ------------------------------------------------------------------


def test_named_before_with_a_colon_expands_the_surname() -> None:
    text = f'Russian President Vladimir Putin spoke on Friday. Putin said: "{READY}."'
    q = only(text)
    assert (q.text, q.speaker, q.confidence) == (READY + ".", "Vladimir Putin", NAMED)
    assert text[q.sentence_start : q.sentence_end] == f'Putin said: "{READY}."'


def test_named_after() -> None:
    assert who(f'"{READY}," Putin said.') == ("Putin", NAMED)  # no full name in the text: left as given


def test_inversion_strips_titles_but_keeps_the_full_name() -> None:
    q = only(f'"{READY}," said Russian President Vladimir Putin.')
    assert (q.text, q.speaker, q.confidence) == (READY, "Vladimir Putin", NAMED)


def test_attribution_after_a_dash() -> None:
    assert who("“He signed it. We were ready to sign it,” – said Vladimir Putin.") == ("Vladimir Putin", NAMED)


def test_according_to_an_organisation() -> None:
    assert who('"The investigation must be independent and thorough," according to Amnesty International.') == (
        "Amnesty International", NAMED)


def test_colon_without_a_reporting_verb_takes_the_subject_opening_the_sentence() -> None:
    text = 'Prime Minister Jacinda Ardern addressed parliament on Tuesday: "They are us, and we will not be divided."'
    assert who(text) == ("Jacinda Ardern", NAMED)


def test_a_participle_takes_the_subject_of_its_clause() -> None:
    text = 'Biden criticized the move, arguing Trump was "sowing chaos and division in the country."'
    assert who(text) == ("Biden", NAMED)


def test_a_quotation_over_several_sentences_is_one_quote() -> None:
    text = 'Agnès Callamard said: "This is a travesty. The victims deserve better. We will keep pushing."'
    q = only(text)
    assert q.text == "This is a travesty. The victims deserve better. We will keep pushing."
    assert (q.speaker, q.confidence) == ("Agnès Callamard", NAMED)
    assert (q.sentence_start, q.sentence_end) == (0, len(text))


def test_a_split_quotation_is_two_quotes_by_the_same_speaker() -> None:
    text = '"What is so sad for me," Hatice Cengiz said, "is not seeing the punishment of the perpetrators."'
    quotes = extract_quotes(text)
    assert [(q.text, q.speaker, q.confidence) for q in quotes] == [
        ("What is so sad for me", "Hatice Cengiz", NAMED),
        ("is not seeing the punishment of the perpetrators.", "Hatice Cengiz", NAMED),
    ]


def test_an_appositive_name_is_the_speaker() -> None:
    text = 'The mayor of Paris, Anne Hidalgo, wrote on Twitter: "Paris is mourning its family this afternoon."'
    assert who(text) == ("Anne Hidalgo", NAMED)


def test_the_person_before_of_is_the_speaker_not_the_institution() -> None:
    text = 'Cardinal Marc Ouellet of the Holy See said, "Priests should follow certain strict rules."'
    assert who(text) == ("Marc Ouellet", NAMED)


# --- he / she / they ----------------------------------------------------------------------------


def test_pronoun_resolves_to_the_person_named_in_the_same_paragraph() -> None:
    text = ("Amnesty International's Agnès Callamard criticised the ruling. "
            '"This verdict is a travesty of justice for the victims," she said.')
    assert who(text) == ("Agnès Callamard", PRONOUN)


def test_pronoun_without_a_person_in_the_paragraph_is_uncertain() -> None:
    text = 'The report was published on Monday. "This verdict is a travesty of justice for the victims," she said.'
    assert who(text) == (None, UNCERTAIN)


def test_pronoun_never_resolves_across_paragraphs() -> None:
    text = ("Agnès Callamard criticised the ruling on Monday.\n"
            '"This verdict is a travesty of justice for the victims," she said.')
    assert who(text) == (None, UNCERTAIN)


def test_pronoun_after_two_people_is_uncertain() -> None:
    text = 'Putin met Zelensky in Paris. "We agreed on a full exchange of all prisoners," he said.'
    assert who(text) == (None, UNCERTAIN)


def test_a_quotation_alone_after_an_attributed_one_continues_it() -> None:
    text = ('Vladimir Putin spoke on Friday. "We are ready. We have always been ready," Putin said. '
            '"The ball is in their court now."')
    first, second = extract_quotes(text)
    assert (first.speaker, first.confidence) == ("Vladimir Putin", NAMED)
    assert (second.text, second.speaker, second.confidence) == ("The ball is in their court now.", "Vladimir Putin", PRONOUN)
    assert second.sentence_start == first.sentence_start  # the attribution is part of its span


def test_a_quotation_left_open_goes_on_in_the_next_paragraph() -> None:
    text = 'Putin said: "The talks will go on.\n"We expect a result by Friday, not later."'
    first, second = extract_quotes(text)
    assert (first.text, first.speaker, first.confidence) == ("The talks will go on.", "Putin", NAMED)
    assert (second.text, second.speaker, second.confidence) == ("We expect a result by Friday, not later.", "Putin", PRONOUN)


# --- never the wrong person ---------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    'A spokesperson for Amnesty International said "the investigation must be independent and thorough".',
    'Smith and Jones said "the investigation must be independent and thorough".',
    'The ministry said "the investigation must be independent and thorough".',
    'Putin\'s spokesman called it "a provocation by the West and its allies".',
    'The Commission said "the investigation must be independent and thorough".',
])
def test_unnamed_or_ambiguous_speakers_are_uncertain(text: str) -> None:
    assert who(text) == (None, UNCERTAIN)


@pytest.mark.parametrize(("text", "expected"), [
    ('Russian President Vladimir Putin spoke on Friday. "We are ready," the Russian president said.',
     ("Vladimir Putin", ROLE)),
    ('Prime Minister Boris Johnson visited Leeds. The prime minister said "the plan will go ahead as promised".',
     ("Boris Johnson", ROLE)),
    ('Actress Denise Crosby, 65, spoke. The actress recalled the show as "a scrappy little stepchild of the lot".',
     ("Denise Crosby", ROLE)),
    ('Russian President Vladimir Putin met former Russian President Dmitry Medvedev. "We agree on the next '
     'steps," the Russian president said.', ("Vladimir Putin", ROLE)),  # the former one is not "the president"
    ('Governor Kay Ivey signed it. The governor tweeted her reasoning saying, "every life is a sacred gift".',
     ("Kay Ivey", ROLE)),
])
def test_a_role_is_resolved_to_the_one_person_the_article_gave_it(text: str, expected: tuple) -> None:
    assert who(text) == expected


@pytest.mark.parametrize("text", [
    # two presidents: "the president" could be either
    'President Vladimir Putin met President Joe Biden. "We are ready for the next round," the president said.',
    # nobody is given the title
    'Vladimir Putin spoke on Friday. "We are ready for the next round," the Russian president said.',
    # a role nobody in the article has
    'Prime Minister Boris Johnson spoke. "We are ready for the next round," the president said.',
])
def test_a_role_that_fits_nobody_or_two_people_stays_uncertain(text: str) -> None:
    assert who(text) == (None, UNCERTAIN)


def test_a_new_sentence_after_a_closed_quotation_is_not_its_attribution() -> None:
    text = ('Superintendent Yolanda Yu said at a press conference: "The officers\' lives were threatened." '
            "Amnesty International has called for an investigation into the shooting.")
    assert who(text) == ("Yolanda Yu", NAMED)


def test_a_quoted_term_is_not_attributed_to_whoever_mentions_it() -> None:
    text = 'Martin argues that since the term "natural born Citizen" is not defined, its meaning should prevail.'
    assert extract_quotes(text) == []


# --- scare quotes -------------------------------------------------------------------------------


def test_scare_quotes_are_dropped_unless_a_reporting_verb_attributes_them() -> None:
    text = 'The Kremlin "boss" sent a message. Trump called the sentence "unjust." Reports said it was "mild".'
    quotes = extract_quotes(text)
    assert [(q.text, q.speaker, q.confidence) for q in quotes] == [("unjust.", "Trump", NAMED)]


# --- the seed article ---------------------------------------------------------------------------


def test_seed_article() -> None:
    quotes = extract_quotes(SEED)
    for q in quotes:
        assert SEED[q.start : q.end] == q.text
    got = [(q.text[:30], q.speaker, q.confidence) for q in quotes]
    assert got == [
        ("Yes", "Vladimir Putin", NAMED),
        ("He signed it. We were ready to", "Vladimir Putin", NAMED),
        ("This ball can be rolled back a", "Vladimir Putin", NAMED),
        ("We have never refused to negot", "Vladimir Putin", ROLE),  # "the Russian president said"
        ("You should urge the current Uk", "Vladimir Putin", PRONOUN),  # continues it
        ("if you really want to stop the", "Vladimir Putin", ROLE),  # 'The Kremlin "boss" sent a message ... that'
    ]
    signed = quotes[1]
    assert signed.text.endswith("why should we make a fuss and correct other people's mistakes?")
    assert SEED[signed.sentence_start : signed.sentence_end].endswith("- President Putin told Carlson.")
    assert "boss" not in [q.text for q in quotes]


# --- real Wikinews sentences (copied verbatim, so they run without ../shared) --------------------


def test_wikinews_pronoun_after_a_named_subject() -> None:
    text = ("Chinese University political scientist Ma Ngok said the turnout was seen as public support of the "
            "protesters who have demonstrated in Hong Kong since June. He noted, \"The government and the pro-Beijing "
            "camp have always claimed they have public support [...] But now [...] this is a big slap in the face "
            "because the public has showed their real position in record numbers.\"")  # wikinews-494c38be279b
    assert who(text) == ("Ma Ngok", PRONOUN)


def test_wikinews_he_is_not_the_man_the_quotation_is_about() -> None:
    text = ("The Iranian Revolutionary Guard Corps (IRGC), which includes the Quds Force, declared that Soleimani was "
            "\"martyred\" by the airstrike. Sayyid Ali Hosseini Khamenei, the Supreme Leader of Iran, ordered three days "
            "of public mourning after the strike. In his message, he appreciated Soleimani's lifepath: \"He was a stellar "
            "example of those educated and nurtured in Islam and the school of Imam Khomeini (ra).\"")  # wikinews-4ad5512fe8af
    assert who(text) == ("Sayyid Ali Hosseini Khamenei", PRONOUN)


def test_wikinews_descriptor_then_name() -> None:
    text = ("A member of the Tunisian Parliament, Samir Dilou said, \"Tunisia is facing terrorist attacks, so every "
            "measure which is led by security motives is understandable\".")  # wikinews-600250cf25bc
    assert who(text) == ("Samir Dilou", NAMED)


# --- speaker_matches ------------------------------------------------------------------------------


def test_speaker_matches() -> None:
    putin = Quote("Yes", 0, 3, "Vladimir Putin", NAMED, 0, 3)
    assert speaker_matches(putin, "Putin")
    assert speaker_matches(putin, "President Putin")
    assert speaker_matches(putin, "putin")
    assert speaker_matches(putin, "Vladimir Putin")
    assert not speaker_matches(putin, "Zelensky")
    assert not speaker_matches(putin, "Vladimir Zelensky")
    callamard = Quote("x", 0, 1, "Agnès Callamard", PRONOUN, 0, 1)
    assert speaker_matches(callamard, "Callamard")
    assert speaker_matches(callamard, "Agnes Callamard")
    surname_only = Quote("x", 0, 1, "Putin", NAMED, 0, 1)
    assert speaker_matches(surname_only, "Vladimir Putin")
    assert not speaker_matches(Quote("x", 0, 1, None, UNCERTAIN, 0, 1), "Putin")


def test_repr_is_one_short_line() -> None:
    r = repr(only(f'"{READY}," said Vladimir Putin.'))
    assert "\n" not in r and len(r) < 120 and "Vladimir Putin" in r and "named" in r


@pytest.mark.parametrize("text", ["", "No quotations here.", 'An "unclosed quotation mark', '"', '" "', '""', "\n\n\"\n"])
def test_odd_input_does_not_break(text: str) -> None:
    for q in extract_quotes(text):
        assert text[q.start : q.end] == q.text


# --- the whole Wikinews file -------------------------------------------------------------------


@pytest.fixture(scope="module")
def wikinews() -> list[dict]:
    if not WIKINEWS.exists():
        pytest.skip(f"{WIKINEWS} is missing (../shared is laid beside the repo in CI)")
    articles = [json.loads(line) for line in WIKINEWS.open(encoding="utf-8")]
    assert len(articles) == 293
    return articles


def test_every_wikinews_quotation_is_verbatim_and_well_formed(wikinews: list[dict]) -> None:
    total = 0
    for a in wikinews:
        text = a["text"]
        for q in extract_quotes(text):
            total += 1
            assert text[q.start : q.end] == q.text, a["id"]
            assert q.text == q.text.strip() and q.text
            assert q.sentence_start <= q.start < q.end <= q.sentence_end <= len(text)
            assert q.confidence in (NAMED, PRONOUN, ROLE, UNCERTAIN)
            assert (q.speaker is None) == (q.confidence == UNCERTAIN)
            assert q.speaker is None or q.speaker in text, (a["id"], q.speaker)
    assert total > 500


def test_wikinews_attributions_that_must_hold(wikinews: list[dict]) -> None:
    by_id = {a["id"]: a["text"] for a in wikinews}
    cengiz = [q for q in extract_quotes(by_id["wikinews-f3c9f47d0e91"]) if q.text.startswith("is not seeing the punishment")]
    assert [(q.speaker, q.confidence) for q in cengiz] == [("Hatice Cengiz", NAMED)]  # 'Cengiz said', expanded
    west = [q for q in extract_quotes(by_id["wikinews-ec0c9e990c97"]) if q.text == "special"]
    assert all(q.speaker != "Donald Trump" for q in west)  # 'He' is Kanye West, Trump is named in between
