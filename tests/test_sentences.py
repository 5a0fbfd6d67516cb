"""Sentence mode: long items split into sentences, an item in every theme its sentences belong to."""
from __future__ import annotations

import numpy as np
import pandas as pd

import feedmine as fm
from feedmine.embed import TfidfEmbedder
from feedmine.text.sentences import SentenceSplitter, weighted_length
from feedmine.schema import memberships
from feedmine.themes.units import distinct_theme_pairs, item_themes, unique_units


def test_splitter_splits_long_korean_and_english_and_keeps_short_items_whole():
    seg = SentenceSplitter()
    ko = seg.split("앱이 자꾸 꺼져요 결제도 안되고 환불은 언제 되나요 고객센터는 전화도 안 받고 정말 최악이에요 다시는 안 씁니다", "ko")
    assert len(ko) >= 2 and "꺼져요" in ko[0] and "고객센터" in " ".join(ko[1:])
    en = seg.split("The app crashes every time I open the camera. Also, please add a dark mode for night use!", "en")
    assert en == ["The app crashes every time I open the camera.", "Also, please add a dark mode for night use!"]
    assert seg.split("배송 빨라요 좋아요", "ko") == ["배송 빨라요 좋아요"]
    assert seg.split("Great app. Love it.", "en") == ["Great app. Love it."]  # short: one problem, whole


def test_tiny_fragments_are_glued_and_segments_capped():
    seg = SentenceSplitter(min_chars=10, min_sentence_chars=12, max_sentences=3)
    parts = seg.split("Bad. The login page never loads on my phone. Ok. Sync loses my notes every night. "
                      "Support never answers. Refund?", "en")
    assert len(parts) == 3 and parts[0].startswith("Bad. The login")
    assert weighted_length("배송") == 5.0


def test_item_themes_primary_covers_most_text_and_lists_all():
    unit_item = np.array([0, 0, 0, 1, 2, 2])
    texts = ["short one", "a much longer sentence about payments failing", "another payments failure here",
             "only one", "x" * 10, "y" * 10]
    unit_labels = np.array([3, 5, 5, 4, -1, -1])
    conf = np.array([0.9, 0.8, 0.7, 0.6, 0.0, 0.0])
    labels, confidence, reassigned, lists = item_themes(3, unit_item, texts, unit_labels, conf, np.zeros(6, bool))
    assert labels.tolist() == [5, 4, -1]
    assert lists == [[5, 3], [4], []]
    assert confidence[0] == 0.8
    m = memberships(pd.DataFrame({"theme_id": pd.array(labels, dtype="Int64"), "theme_ids": lists}))
    assert sorted(map(tuple, m.to_numpy().tolist())) == [(0, 3), (0, 5), (1, 4), (2, -1)]


def test_a_reassigned_segment_does_not_claim_a_second_theme():
    unit_item = np.array([0, 0, 1, 1])
    texts = ["the main complaint about payments failing", "stray remark", "payments fail", "login broken too"]
    labels = np.array([5, 3, 5, 4])
    reassigned = np.array([False, True, False, False])
    _, _, _, lists = item_themes(2, unit_item, texts, labels, np.ones(4), reassigned)
    assert lists == [[5], [4, 5]]  # item 1: both sentences are confident; the longer one is primary


def test_distinct_theme_pairs_uses_centred_centroids_and_the_median_pair():
    # every vector shares one big common direction, as e5's do, so raw cosines are all close to 1
    rng = np.random.default_rng(0)
    directions = rng.normal(size=(10, 32))
    directions[1] = directions[0] + 0.2 * rng.normal(size=32)  # theme 1 says almost what theme 0 says
    directions[2] = -directions[0]  # theme 2 is about the opposite
    labels = np.repeat(np.arange(10), 5)
    X = 30.0 + directions[labels] + rng.normal(0, 0.05, (50, 32))
    distinct = distinct_theme_pairs(X, labels)
    assert distinct[(0, 1)] is False and distinct[(1, 0)] is False
    assert distinct[(0, 2)] and distinct[(2, 0)]
    assert 0.4 <= np.mean(list(distinct.values())) <= 0.6  # the median pair splits them in half
    assert distinct_theme_pairs(X[:5], labels[:5]) == {}  # one theme: nothing to compare


def test_a_secondary_theme_alike_to_the_primary_is_dropped():
    unit_item = np.array([0, 0, 1, 1])
    texts = ["the main complaint about payments failing", "same thing again, payments!",
             "the main complaint about payments failing", "and please add a dark mode"]
    labels = np.array([5, 6, 5, 7])
    distinct = {(5, 6): False, (6, 5): False, (5, 7): True, (7, 5): True, (6, 7): True, (7, 6): True}
    _, _, _, lists = item_themes(2, unit_item, texts, labels, np.ones(4), np.zeros(4, bool), distinct=distinct)
    assert lists == [[5], [5, 7]]


def test_unique_units_maps_repeats_to_one_row():
    distinct, source = unique_units(["a", "b", "a", "c", "b"])
    assert distinct == ["a", "b", "c"] and source.tolist() == [0, 1, 0, 2, 1]


def _multi_issue_table() -> pd.DataFrame:
    crash = ["The app crashes every time I open it.", "It keeps crashing on startup after the update.",
             "Crashes constantly when I open the camera.", "The app crashed again and I lost my work."]
    dark = ["Please add a dark mode for night reading.", "I wish there was a dark theme option.",
            "A dark mode would be really nice to have.", "Please give us a night mode with dark colours."]
    rows = [c for c in crash * 3] + [d for d in dark * 3]
    rows = [f"{r} (#{i})" for i, r in enumerate(rows)]
    both = [f"{c} Also, {d[0].lower()}{d[1:]}" for c, d in zip(crash, dark)]
    return pd.DataFrame({"text": rows + both, "rid": [f"r{i}" for i in range(len(rows) + len(both))]})


def test_sentence_mode_puts_multi_issue_items_in_both_themes_and_counts_items():
    table = _multi_issue_table()
    pipe = fm.Pipeline(embedder=TfidfEmbedder(n_components=16), clusterer=fm.ThemeClusterer(reducer=None),
                       unit="sentence", random_state=0, progress=False)
    res = pipe.run(table, text="text", id="rid")
    docs = res.documents
    assert docs["id"].tolist() == table["rid"].tolist()
    multi = docs.tail(4)
    assert (multi["n_sentences"] == 2).all()
    assert (multi["theme_ids"].map(len) == 2).all()  # crash theme and dark-mode theme
    assert all(row.theme_id == row.theme_ids[0] for row in multi.itertuples())
    # frequency counts items: every item counted once per theme it is in, never per sentence
    exploded = docs.explode("theme_ids")
    assert res.themes.set_index("theme_id")["size"].drop(-1, errors="ignore").sum() == \
        exploded["theme_ids"].dropna().shape[0]
    assert len(res.sentences) == int(docs["n_sentences"].sum())
    t = int(multi.iloc[0]["theme_ids"][1])
    assert multi.iloc[0]["id"] in set(res.theme(t)["id"])


def test_sentence_result_round_trips(tmp_path):
    res = fm.Pipeline(embedder=TfidfEmbedder(n_components=16), clusterer=fm.ThemeClusterer(reducer=None),
                      unit="sentence", random_state=0, progress=False).run(_multi_issue_table(), text="text")
    back = fm.load_result(res.save(tmp_path / "run"))
    assert back.sentences is not None and len(back.sentences) == len(res.sentences)
    assert back.documents["theme_ids"].tolist() == res.documents["theme_ids"].tolist()


def test_unknown_unit_is_a_clear_error():
    import pytest

    with pytest.raises(fm.FeedmineError, match="unit must be one of document, sentence"):
        fm.Pipeline(embedder=TfidfEmbedder(n_components=4), unit="paragraph", progress=False).run(
            pd.DataFrame({"text": ["a b c"] * 12}), text="text")


def test_sentences_carry_their_own_tags_and_items_roll_them_up():
    table = _multi_issue_table()
    for tagger in (None, fm.LexiconTagger()):  # the default FeedbackTagger, and a user's swap
        res = fm.Pipeline(embedder=TfidfEmbedder(n_components=16), clusterer=fm.ThemeClusterer(reducer=None),
                          tagger=tagger, unit="sentence", random_state=0, progress=False).run(table, text="text", id="rid")
        seg, docs = res.sentences, res.documents.set_index("id")
        assert {"sentiment", "severity", "severity_cue", "is_request"} <= set(seg.columns)
        for rid, rows in seg.groupby("id"):
            levels = rows["severity"].astype(str).map(["low", "medium", "high", "critical"].index)
            assert docs.loc[rid, "severity"] == rows["severity"].astype(str).iloc[int(levels.to_numpy().argmax())]
            assert bool(docs.loc[rid, "is_request"]) == bool(rows["is_request"].any())
        both = docs.tail(4)
        assert both["is_request"].all()  # "Also, please add a dark mode" is in the second sentence
        assert (both["severity"].astype(str) == "high").all()  # the crash sentence


def test_replies_that_only_agree_count_as_votes_for_their_parents_theme():
    table = _multi_issue_table().head(24)  # 12 crash reports, 12 dark-mode requests
    replies = pd.DataFrame({"text": ["저도요", "+1", "same here!!", "저도 같은 문제ㅠㅠ", "me too, and the login is broken too",
                                     "222"],
                            "rid": [f"reply{i}" for i in range(6)],
                            "parent": ["r0", "r1", "r13", "reply0", "r2", "r14"]})
    data = pd.concat([table.assign(parent=None), replies], ignore_index=True)
    res = fm.analyze(data, text="text", id="rid", parent="parent", embedder=TfidfEmbedder(n_components=16),
                     clusterer=fm.ThemeClusterer(reducer=None), progress=False)
    docs = res.documents.set_index("id")
    theme_of = docs["theme_id"]
    assert docs.loc[["reply0", "reply1", "reply2", "reply3"], "agreement_vote"].all()
    assert not docs.loc["reply4", "agreement_vote"]  # it adds a problem of its own
    assert theme_of["reply0"] == theme_of["r0"] and theme_of["reply1"] == theme_of["r1"]
    assert theme_of["reply2"] == theme_of["r13"]
    assert theme_of["reply3"] == theme_of["r0"]  # an agreement with an agreement counts for the original
    # "+1" and "222" have no letters: outside a discussion they are skipped, here they are votes
    assert theme_of["reply5"] == theme_of["r14"] and docs.loc["reply5", "agreement_vote"]
    assert pd.isna(docs.loc["reply1", "skip_reason"])
    assert len(res.documents) == len(data)


def test_sentences_cut_in_one_call_equal_those_cut_one_by_one():
    from feedmine.text.sentences import SentenceSplitter, raw_sentences

    texts = ["배송이 너무 늦어요. 환불해 주세요! 다시는 안 삽니다", "It crashes. Every time!", "앱 좋아요 but slow. 진짜로",
             "짧음", "No end mark here"]
    langs = ["ko", "en", "mixed", "ko", "en"]
    splitter = SentenceSplitter()
    assert raw_sentences(texts, langs) == [splitter._sentences(t, lg) for t, lg in zip(texts, langs)]
    assert raw_sentences([], []) == []


def test_summary_from_sentences_cut_before_equals_the_summary_that_cuts_them():
    from feedmine.analysis.threads import extractive_summary
    from feedmine.text.sentences import raw_sentences

    texts = ["배송이 너무 늦어요. 환불해 주세요!", "배송이 늦어서 화가 나요. 환불 원합니다.", "The app crashes on launch. Love it though.",
             None, "   "]
    langs = ["ko", "ko", "en", "en", "en"]
    cut = raw_sentences([t or "" for t in texts], langs)
    assert extractive_summary(texts, lang=langs, sentences=cut) == extractive_summary(texts, lang=langs)
