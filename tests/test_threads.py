"""Tests for feedmine.analysis.threads: agreement replies as votes, and extractive summaries (short hand-written strings)."""
import logging

import numpy as np
import pandas as pd
import pytest

from feedmine.errors import ColumnNotFoundError, FeedmineError
from feedmine.analysis.threads import agreement_votes, extractive_summary, is_agreement, theme_votes, thread_summaries

AGREE = [
    "저도요", "저두요ㅠㅠ", "저도요!!!", "저도 같은 문제 있어요", "저도 그래요 ㅋㅋㅋ", "저도 같은 증상입니다ㅠㅠ", "동감",
    "공감합니다", "222", "3333", "ㄹㅇ", "ㄹㅇㅋㅋ", "인정", "나만 그런 게 아니었네", "나만 그런게 아니었군요ㅠ",
    "저도요 진짜 빨리 고쳐주세요ㅠㅠ", "저도 안돼요ㅠㅠ", "+1", "+100", "＋１", "same here", "Same here!!! 😭",
    "me too", "Me too!!", "same issue", "same problem", "same", "same lol", "this", "This!!!", "so much this",
    "agreed", "Agreed.", "^", "^ this", "I have the same issue", "having the same problem",
    "I'm having the same issue here", "+1 same here", "Same here, any update?",
]
NOT_AGREE = [
    # agreement that adds a problem
    "저도요, 그리고 결제 버튼도 안 눌려요", "same here, also the export is broken", "저도 결제가 안되네요",
    "Me too, and the login page freezes on Android",
    # negated, or bare words inside an ordinary sentence
    "not the same problem", "I don't have the same issue", "저도 그렇지 않아요", "this app keeps crashing",
    "I hate this!", "the same", "^^",
    # no agreement at all
    "앱이 자꾸 꺼져요", "하나도 안 돼요", "The app crashes on launch", "", "   ", None, 3.0,
]


@pytest.mark.parametrize("text", AGREE)
def test_pure_agreement(text):
    assert is_agreement(text)


@pytest.mark.parametrize("text", NOT_AGREE)
def test_not_pure_agreement(text):
    assert not is_agreement(text)


def test_extra_letters_threshold_is_a_parameter():
    assert is_agreement("me too, crashes")  # 7 extra letters: under the default 8
    assert not is_agreement("me too, crashes", max_extra_letters=5)
    assert not is_agreement("저도요 로그인 안돼요")  # 6 syllables weigh 15 letters
    assert is_agreement("저도요 로그인 안돼요", max_extra_letters=20)


def docs(**cols):
    cols["theme_id"] = pd.array(cols["theme_id"], dtype="Int64")
    return pd.DataFrame(cols)


def test_votes_follow_chains_to_the_original():
    d = docs(id=[1, 2, 3, 4, 5, 6],
             parent_id=[None, 1, 2, 3, 1, 5],
             text_clean=["App crashes when I open the camera", "+1", "me too", "저도요ㅠㅠ",
                         "Login also takes forever", "same here!!"],
             theme_id=[0, -1, -1, -1, 1, -1])
    out = agreement_votes(d)
    assert out["id"].tolist() == [2, 3, 4, 6]
    assert out["parent_id"].tolist() == [1, 2, 3, 5]  # the direct parent ...
    assert out["votes_for_theme"].tolist() == [0, 0, 0, 1]  # ... but the vote goes to the original
    assert str(out["votes_for_theme"].dtype) == "Int64"
    votes = theme_votes(d)
    assert votes.to_dict() == {0: 3, 1: 1}
    assert votes.index.name == "theme_id"


def test_agreement_that_adds_a_problem_gives_no_vote_and_stops_the_chain():
    d = docs(id=["a", "b", "c"], parent_id=[None, "a", "b"],
             text_clean=["결제가 안 돼요", "저도요, 그리고 로그인도 계속 튕겨요", "222"], theme_id=[0, 1, -1])
    out = agreement_votes(d)
    assert out["id"].tolist() == ["c"]
    assert out["votes_for_theme"].tolist() == [1]  # for b's theme (login), not a's
    assert theme_votes(d).to_dict() == {0: 0, 1: 1}


def test_thread_only_data_replies_go_to_the_thread_starter():
    # thread "t1": the row whose id is the thread id is the starter, even when it is not first in the table;
    # thread "x": no row has that id, so its earliest row starts it
    d = docs(id=["r1", "t1", "r2", "p", "q"], thread_id=["t1", "t1", "t1", "x", "x"],
             text_clean=["+1", "Sync fails every night", "same problem", "Dark mode please", "공감합니다"],
             theme_id=[-1, 4, -1, 7, -1])
    out = agreement_votes(d)
    assert out.set_index("id")["parent_id"].to_dict() == {"r1": "t1", "r2": "t1", "q": "p"}
    assert out.set_index("id")["votes_for_theme"].to_dict() == {"r1": 4, "r2": 4, "q": 7}


def test_parent_column_wins_over_thread_and_ids_match_across_types():
    d = docs(id=[1, 2, 3, 4], parent_id=[np.nan, np.nan, 2.0, np.nan], thread_id=[1, 1, 1, 1],
             text_clean=["Crash on start", "Export is slow", "me too", "동감"], theme_id=[0, 1, -1, -1])
    out = agreement_votes(d).set_index("id")
    assert out.loc[3, "parent_id"] == 2 and out.loc[3, "votes_for_theme"] == 1  # 2.0 is id 2
    assert out.loc[4, "parent_id"] == 1 and out.loc[4, "votes_for_theme"] == 0  # no parent: the thread starter


def test_missing_parent_is_warned_and_gives_no_vote(caplog):
    d = docs(id=[1, 2, 3], parent_id=[None, 99, 2], text_clean=["Crash", "+1", "+1"], theme_id=[0, -1, -1])
    with caplog.at_level(logging.WARNING, logger="feedmine.analysis.threads"):
        out = agreement_votes(d)
    assert "1 parent ids are not in the data (99)" in caplog.text
    assert out["id"].tolist() == [2, 3]  # both still reported
    assert out["votes_for_theme"].isna().all()  # 3 agrees with 2, which agrees with a missing item
    assert theme_votes(d).to_dict() == {0: 0}


def test_cycle_gives_no_vote_and_does_not_hang(caplog):
    d = docs(id=[1, 2], parent_id=[2, 1], text_clean=["+1", "me too"], theme_id=[0, 0])
    with caplog.at_level(logging.WARNING, logger="feedmine.analysis.threads"):
        out = agreement_votes(d)
    assert out["votes_for_theme"].isna().all() and "cycle" in caplog.text


def test_no_row_is_lost_and_input_is_untouched():
    d = docs(id=[1, 2, 3, 4, 5], parent_id=[None, 1, 1, 77, None],
             text_clean=["Crash", "+1", None, "저도요", "+1"], theme_id=[pd.NA, 0, -1, -1, -1])
    before = d.copy()
    out = agreement_votes(d)
    pd.testing.assert_frame_equal(d, before)
    assert out["id"].tolist() == [2, 4]  # 5 is an agreement but no reply; 3 has no text
    assert out["votes_for_theme"].isna().all()  # 1 has no theme (skipped), 77 is missing
    assert theme_votes(d).to_dict() == {0: 0}


def test_theme_with_no_theme_gives_vote_for_unassigned_but_not_counted():
    d = docs(id=[1, 2, 3], parent_id=[None, 1, None], text_clean=["Crash", "+1", "Slow"], theme_id=[-1, -1, 2])
    assert agreement_votes(d)["votes_for_theme"].tolist() == [-1]
    assert theme_votes(d).to_dict() == {2: 0}


def test_clear_errors():
    d = docs(id=[1], text_clean=["x"], theme_id=[0])
    with pytest.raises(FeedmineError, match="parent column"):
        agreement_votes(d)
    with pytest.raises(ColumnNotFoundError, match="theme_id"):
        agreement_votes(pd.DataFrame({"id": [1], "parent_id": [None], "text": ["x"]}))
    with pytest.raises(ColumnNotFoundError, match="text"):
        agreement_votes(pd.DataFrame({"id": [1], "parent_id": [None], "body": ["x"], "theme_id": [0]}))
    with pytest.raises(ColumnNotFoundError, match="thread"):
        thread_summaries(d)
    with pytest.raises(FeedmineError, match="n_sentences"):
        extractive_summary(["x"], n_sentences=0)


CAMERA = ["The app crashes when I open the camera.", "Crashes every time I open the camera, please fix.",
          "Opening the camera makes the app crash.", "I love the new colour scheme, great job team!"]


def test_summary_prefers_the_representative_sentence():
    top = extractive_summary(CAMERA, n_sentences=1)
    assert len(top) == 1 and "camera" in top[0]
    three = extractive_summary(CAMERA, n_sentences=4)
    assert three[-1].startswith("I love")  # the off-topic one ranks last


def test_summary_does_not_repeat_near_duplicates():
    texts = ["The app crashes when I open the camera.", "The app crashes when I open the camera!",
             "the app crashes when i open the camera", "The app crashes whenever I open the camera.",
             "Login takes forever on slow networks."]
    out = extractive_summary(texts, n_sentences=3)
    assert sum("camera" in s for s in out) == 1
    assert out[1] == "Login takes forever on slow networks."
    assert len(out) == 2  # nothing else is left that is not a repeat


def test_summary_splits_sentences_skips_short_ones_and_is_deterministic():
    texts = ["Sync fails every night. Ugh! Sync also fails on wifi.", "ok", "Sync fails every night."]
    out = extractive_summary(texts, n_sentences=3, lang="en")
    assert "Ugh!" not in out and "ok" not in out
    assert set(out) == {"Sync fails every night.", "Sync also fails on wifi."}
    assert all(extractive_summary(texts, n_sentences=3, lang="en") == out for _ in range(3))
    assert extractive_summary(["ok", None, ""], n_sentences=2) == ["ok"]  # short sentences are a last resort
    assert extractive_summary([], n_sentences=2) == []


def test_summary_splits_korean_with_kiwi():
    texts = ["앱이 자꾸 꺼져요 결제도 안되고", "앱이 계속 꺼져서 못 쓰겠어요", "디자인은 예뻐요"]
    out = extractive_summary(texts, n_sentences=4, lang="ko")
    # the unpunctuated first item was split into its two sentences; the app-crash ones rank first
    assert set(out) == {"앱이 자꾸 꺼져요", "결제도 안되고", "앱이 계속 꺼져서 못 쓰겠어요", "디자인은 예뻐요"}
    assert set(out[:2]) == {"앱이 자꾸 꺼져요", "앱이 계속 꺼져서 못 쓰겠어요"}
    assert extractive_summary(texts, n_sentences=4) == out  # detected language, same split


def test_summary_uses_given_vectors():
    seen = []

    def embed(sentences):
        seen.append(list(sentences))
        # pretend a model thinks everything is about colours except one sentence
        return np.array([[0.0, 1.0] if "colour" in s else [1.0, 0.1 * i] for i, s in enumerate(sentences)])

    out = extractive_summary(CAMERA, vectors=embed, n_sentences=1)
    assert seen and out[0] != CAMERA[3]
    with pytest.raises(FeedmineError, match="one row each"):
        extractive_summary(CAMERA, vectors=lambda s: np.zeros((1, 2)))
    with pytest.raises(FeedmineError, match="embedder"):
        extractive_summary(CAMERA, vectors=np.zeros((4, 2)))


def test_thread_summaries():
    d = pd.DataFrame({
        "thread_id": ["b", "a", "b", "b", None, "a"],
        "text_clean": ["Export to CSV drops the last column.", "Push notifications arrive twice.",
                       "I have the same issue", "Exporting to CSV loses the last column for me too.",
                       "orphan row without a thread", "Notifications come twice on Android."]})
    out = thread_summaries(d, n_sentences=1)
    assert out["thread_id"].tolist() == ["b", "a"] and out["n_items"].tolist() == [3, 2]
    assert "CSV" in out.loc[0, "summary"] and "same issue" not in out.loc[0, "summary"]
    assert "twice" in out.loc[1, "summary"]
    two = thread_summaries(d, n_sentences=2)
    assert two.loc[0, "summary"].count(" / ") == 1
