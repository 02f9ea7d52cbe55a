"""rag.ask.conversation: follow-up detection, the query searched, and what is taken from the history."""

from __future__ import annotations

import pytest

from rag.ask.conversation import CONTEXT_TURNS, context_for, is_followup, message_text, search_query, user_turns

Q1 = "Who was charged over the Christchurch shooting?"


def user(content, **extra):  # noqa: ANN001, ANN003
    return {"role": "user", "content": content, **extra}


def bot(content, **extra):  # noqa: ANN001, ANN003
    return {"role": "assistant", "content": content, **extra}


@pytest.mark.parametrize(
    "question",
    ["Where is he from?", "What did she say?", "When did they meet?", "And in Brazil?", "What about France?",
     "How old is him?", "Why did it happen?", "so what?", "Any more?",
     # a question that names a new thing but refers back to the story
     "After the Kurds struck a deal in response, which towns did the army enter?", "Who else was arrested as well?",
     "Which two winners came from that country?"],
)
def test_followups(question: str) -> None:
    assert is_followup(question)


@pytest.mark.parametrize(
    "question",
    [Q1, "What did Putin say about weapons supply?", "How many people died in the Magnitogorsk explosion?",
     "Which company makes the Boeing 737 MAX aircraft?"],
)
def test_standalone_questions(question: str) -> None:
    assert not is_followup(question)


def test_search_query_prefixes_a_followup_with_the_earlier_user_turn() -> None:
    history = [user(Q1), bot("Brenton Tarrant was charged with murder. [1] Judge Paul Kellar ordered it. [2]")]
    # ... and the names the last answer's first statement gave ("he" is Brenton Tarrant), not the rest of it
    assert search_query("Where is he from?", history) == f"{Q1} Brenton Tarrant Where is he from?"
    assert context_for("Where is he from?", history) == f"{Q1} Brenton Tarrant"


def test_search_query_leaves_a_standalone_question_alone() -> None:
    history = [user(Q1), bot("Brenton Tarrant. [1]")]
    q = "What did Putin say about weapons supply?"
    assert search_query(q, history) == q
    assert context_for(q, history) == ""


def test_search_query_without_history_is_the_question() -> None:
    assert search_query("Where is he from?", None) == "Where is he from?"
    assert search_query("Where is he from?", []) == "Where is he from?"


def test_only_the_last_user_turns_are_used() -> None:
    turns = ["First question about floods?", "Second question about storms?", "Third question about fires?"]
    history = [m for t in turns for m in (user(t), bot("An answer. [1]"))]
    expected = " ".join(turns[-CONTEXT_TURNS:])
    assert search_query("And then?", history) == f"{expected} And then?"
    assert "floods" not in search_query("And then?", history)


def test_of_assistant_turns_only_the_names_the_last_answer_gave_are_searched() -> None:
    history = [user(Q1), bot("Brenton Tarrant, an Australian. [1]"), bot("1. Mosque story", metadata={"title": "Sources"})]
    query = search_query("Where is he from?", history)
    assert "Brenton Tarrant" in query and "Mosque" not in query and "Australian" not in query
    assert "Tarrant" not in search_query("What did Putin say about weapons supply?", history)  # not a follow-up


def test_user_turns_strips_citation_markers_and_blank_turns() -> None:
    history = [user("Tell me about the fire [1] at the plant [12]?"), user("   "), user(""), bot("x [1]")]
    assert user_turns(history) == ["Tell me about the fire at the plant?"]


def test_user_turns_ignore_messages_with_a_metadata_title() -> None:
    history = [
        user(Q1),
        user("Source box that came back as a user message", metadata={"title": "Sources"}),
        user("Keeps an empty metadata", metadata={}),
        user("Keeps metadata without a title", metadata={"status": "done"}),
    ]
    assert user_turns(history) == [Q1, "Keeps an empty metadata", "Keeps metadata without a title"]


def test_user_turns_handle_gradio_list_of_parts_content() -> None:
    history = [
        user([{"type": "text", "text": "Who won"}, {"type": "text", "text": "the election? [2]"}]),
        user(["plain", "string parts"]),
        user({"type": "text", "text": "a single part"}),
        {"role": "user"},  # no content at all
    ]
    assert user_turns(history) == ["Who won the election?", "plain string parts", "a single part"]


def test_message_text() -> None:
    assert message_text({"content": "x"}) == "x"
    assert message_text({"content": [{"text": "a"}, "b", ("c", {"text": "d"})]}) == "a b c d"
    assert message_text({"content": {"path": "image.png"}}) == ""
    assert message_text({}) == ""


def test_user_turns_of_none() -> None:
    assert user_turns(None) == []
