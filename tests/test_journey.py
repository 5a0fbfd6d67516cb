"""Journey stages: hand-checkable assignments with a fake embedder, cues, centring, theme tables, and real e5
on the defaults."""
import re
import zlib

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from feedmine.errors import FeedmineError
from feedmine.tagging.journey import (DEFAULT_STAGES, JourneyStageMapper, stage_phrases, stage_theme_table,
                              theme_stage)


class FakeEmbedder:
    """Looks each text up in a table of 3-d vectors, so every cosine can be worked out by hand."""

    model_id = "fake-3d"

    def __init__(self, table):
        self.table = table

    def transform(self, texts):
        return np.array([self.table[t] for t in texts], dtype=float)


FAKE = FakeEmbedder({"late": [1, 0, 0], "slow": [1, 1, 0], "refund": [0, 0, 1], "money back": [0, 0, 1]})
STAGES = {"delivery": ["late", "slow"], "payment": "refund, money back"}
class HashEmbedder:
    """A fixed pseudo-random unit vector per text: enough to fit the default stages and test their cues."""

    model_id = "hash-8d"

    def transform(self, texts):
        rows = [np.random.default_rng(zlib.crc32(t.encode())).normal(size=8) for t in texts]
        return np.array(rows) / np.linalg.norm(rows, axis=1, keepdims=True)


COS = 0.9239  # delivery's vector: the normalised mean of (1,0,0) and (1,1,0)/√2 is (0.924, 0.383, 0)


def unit(*rows):
    x = np.array(rows, dtype=float)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_custom_stages_replace_the_defaults_and_stage_vectors_are_normalised_means():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE).fit()
    assert mapper.stages_ == ["delivery", "payment"]
    assert mapper.phrases_ == {"delivery": ["late", "slow"], "payment": ["refund", "money back"]}
    assert mapper.names_ko_ == {"delivery": "delivery", "payment": "payment"}
    assert mapper.model_id_ == "fake-3d"
    mean = (np.array([1, 0, 0]) + np.array([1, 1, 0]) / np.sqrt(2)) / 2  # each phrase unit length first
    np.testing.assert_allclose(mapper.stage_vectors_[0], mean / np.linalg.norm(mean))
    assert mapper.stage_vectors_[0, 0] == pytest.approx(COS, abs=1e-4)
    np.testing.assert_allclose(mapper.stage_vectors_[1], [0, 0, 1])
    out = mapper.transform(unit([1, 0, 0], [0, 1, 1], [0.1, 0, 1]))
    assert out["journey_stage"].tolist() == ["delivery", "payment", "payment"]
    assert list(out["journey_stage"].cat.categories) == ["delivery", "payment", "unknown"]
    # (1,0,0) · stage vector = its first component; (0,1,1)/√2 · (0,0,1) = 1/√2
    np.testing.assert_allclose(out["journey_similarity"].iloc[:2], [mapper.stage_vectors_[0, 0], 1 / np.sqrt(2)])


def test_fit_argument_overrides_stages_and_the_estimator_clones():
    mapper = JourneyStageMapper(embedder=FAKE, min_similarity=0.5, margin=0.1)
    assert clone(mapper).get_params()["margin"] == 0.1
    assert mapper.fit({"only": ["refund"]}).stages_ == ["only"]


def test_unknown_below_min_similarity():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE, min_similarity=0.8).fit()
    # cosines to payment: 1, 0.6, 0 and to delivery: 0, 0.8·0.924 = 0.74, 0.924: the middle row is below 0.8
    out = mapper.transform(unit([0, 0, 1], [0.8, 0, 0.6], [1, 0, 0]))
    assert out["journey_stage"].tolist() == ["payment", "unknown", "delivery"]
    np.testing.assert_allclose(out["journey_similarity"], [1.0, 0.8 * COS, COS], atol=1e-4)


def test_unknown_when_the_best_stage_wins_by_less_than_the_margin():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE, margin=0.2).fit()
    # row 0: payment 0.714 vs delivery 0.7·0.924 = 0.647 → wins by 0.07 < 0.2; row 1: by 0.924 − 0
    out = mapper.transform(unit([0.7, 0, 0.714], [1, 0, 0]))
    assert out["journey_stage"].tolist() == ["unknown", "delivery"]
    assert JourneyStageMapper(stages=STAGES, embedder=FAKE, margin=0.0).fit().transform(
        unit([0.7, 0, 0.714]))["journey_stage"].tolist() == ["payment"]  # margin 0: always the best


def test_vectors_are_renormalised_and_zero_vectors_are_unknown():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE).fit()
    out = mapper.transform(np.array([[0, 0, 5.0], [0, 0, 0]]))
    assert out["journey_stage"].tolist() == ["payment", "unknown"]
    assert out["journey_similarity"].iloc[0] == pytest.approx(1.0)
    empty = mapper.transform(np.zeros((0, 3)))
    assert out["journey_cue"].tolist() == ["similarity", "default"]
    assert list(empty.columns) == ["journey_stage", "journey_similarity", "journey_cue"] and len(empty) == 0


def test_wrong_dimension_vectors_give_a_clear_error():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE).fit()
    with pytest.raises(FeedmineError, match=r"shape \(2, 4\).*fake-3d.*3 dimensions.*semantic_vectors"):
        mapper.transform(np.ones((2, 4)))
    with pytest.raises(FeedmineError, match="shape"):
        mapper.transform(np.ones(3))


def test_bad_stage_definitions_are_refused():
    with pytest.raises(FeedmineError, match="no example phrases"):
        JourneyStageMapper(stages={"a": ["late"], "b": " , "}, embedder=FAKE).fit()
    with pytest.raises(FeedmineError, match="reserved"):
        JourneyStageMapper(stages={"unknown": ["late"]}, embedder=FAKE).fit()
    with pytest.raises(FeedmineError, match="non-empty dict"):
        JourneyStageMapper(stages=["late"], embedder=FAKE).fit()
    with pytest.raises(FeedmineError, match="margin"):
        JourneyStageMapper(stages=STAGES, embedder=FAKE, margin=-1).fit()


def test_default_stages_are_bilingual_and_named_in_korean():
    assert list(DEFAULT_STAGES) == ["awareness", "consideration", "purchase/activation", "use", "repurchase/referral"]
    assert [s["name_ko"] for s in DEFAULT_STAGES.values()] == ["인식", "고려", "구매/활성화", "사용", "재구매/추천"]
    for spec in DEFAULT_STAGES.values():
        phrases = stage_phrases(spec)
        assert sum(bool(re.search("[가-힣]", p)) for p in phrases) >= 3
        assert sum(bool(re.fullmatch(r"[A-Za-z' ]+", p)) for p in phrases) >= 3
    assert stage_phrases("a; b\nc, d ") == ["a", "b", "c", "d"] and stage_phrases(["x ", ""]) == ["x"]


def test_stage_theme_table_counts_an_item_in_two_themes_in_both():
    docs = pd.DataFrame({"theme_id": [0, 0, 1, 1, -1],
                         "journey_stage": ["use", "use", "purchase/activation", "unknown", "use"]},
                        index=list("abcde"))  # positions, not labels, link memberships to documents
    memberships = pd.DataFrame({"row": [0, 1, 1, 2, 3, 4], "theme_id": [0, 0, 1, 1, 1, -1]})
    table = stage_theme_table(docs, memberships)
    assert list(table.columns) == ["n_items", "n_purchase/activation", "n_use", "n_unknown",
                                   "share_purchase/activation", "share_use", "share_unknown"]
    assert table.loc[1, ["n_purchase/activation", "n_use", "n_unknown"]].tolist() == [1, 1, 1]
    assert table.loc[0, "n_use"] == 2 and table["n_items"].to_dict() == {-1: 1, 0: 2, 1: 3}
    np.testing.assert_allclose(table.filter(like="share_").sum(axis=1), 1.0)
    assert table.loc[1, "share_use"] == pytest.approx(1 / 3)
    # tie in theme 1 (one each): the earlier journey stage wins
    assert theme_stage(docs, memberships).to_dict() == {-1: "use", 0: "use", 1: "purchase/activation"}
    # without memberships each item counts once, in its own theme
    assert stage_theme_table(docs)["n_items"].to_dict() == {-1: 1, 0: 2, 1: 2}


def test_stage_theme_table_keeps_categorical_order_and_skips_items_without_a_theme():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE).fit()
    docs = pd.DataFrame({"theme_id": [3.0, 3.0, np.nan]})
    docs["journey_stage"] = mapper.transform(unit([0, 0, 1], [0, 0, 1], [1, 0, 0]))["journey_stage"]
    table = stage_theme_table(docs)
    assert table.index.tolist() == [3]
    assert table.loc[3, ["n_delivery", "n_payment", "n_unknown"]].tolist() == [0, 2, 0]
    assert theme_stage(docs).to_dict() == {3: "payment"}
    with pytest.raises(FeedmineError, match="journey_stage"):
        stage_theme_table(docs.drop(columns="journey_stage"))
    with pytest.raises(FeedmineError, match="positions"):
        stage_theme_table(docs, pd.DataFrame({"row": [5], "theme_id": [3]}))


@pytest.mark.slow
def test_real_e5_maps_clear_feedback_to_the_default_stage_in_both_languages():
    from feedmine.embed import E5Embedder, HybridEmbedder, TfidfEmbedder
    from feedmine.tagging.heads import semantic_vectors

    expected = {"앱이 자꾸 튕겨요": "use", "결제가 안 돼요": "purchase/activation",
                "친구한테 추천했어요": "repurchase/referral", "구독 해지할게요": "repurchase/referral",
                "광고 보고 설치했어요": "awareness", "가격이 너무 비싸요 다른 데랑 비교 중": "consideration",
                "the app keeps crashing": "use", "payment failed at checkout": "purchase/activation",
                "I recommended it to my friends": "repurchase/referral", "I saw an ad on Instagram": "awareness",
                "is the premium plan worth the price?": "consideration"}
    texts = list(expected)
    e5 = E5Embedder(cache_dir=False, progress=False)
    # as in the pipeline: the default hybrid embedding, with the e5 block taken back out of it
    hybrid = HybridEmbedder(semantic=e5, lexical=TfidfEmbedder(n_components=4, random_state=0), progress=False)
    X = semantic_vectors(hybrid, hybrid.fit_transform(texts), e5.model_id)
    mapper = JourneyStageMapper(embedder=e5).fit()
    out = mapper.transform(X, texts=texts)
    assert dict(zip(texts, out["journey_stage"].astype(str))) == expected
    assert not out["journey_cue"].isin(["similarity", "default"]).any()  # every one names its stage
    assert out["journey_similarity"].between(0.8, 1.0).all()  # 11 items: too few to centre
    # without the texts: these textbook phrasings mostly lead by 0.02 even uncentred, but not all
    # (real reviews almost never do): those go to the default, "use"
    plain = mapper.transform(X)
    by_similarity = (plain["journey_cue"] == "similarity").to_numpy()
    assert set(plain["journey_cue"]) == {"similarity", "default"}
    assert (plain.loc[~by_similarity, "journey_stage"] == "use").all()
    assert plain.loc[by_similarity, "journey_stage"].tolist() == [expected[t] for t, s in zip(texts, by_similarity) if s]
    # with margin 0 every item goes to its nearest stage, as before cues existed
    nearest = JourneyStageMapper(embedder=e5, margin=0.0).fit().transform(X)
    assert dict(zip(texts, nearest["journey_stage"].astype(str))) == expected


CUED = {"delivery": {"description": ["late", "slow"], "cues": ["배송", "delivery", "courier"]},
        "payment": {"description": "refund, money back", "cues": ["환불", "refund"]}}


def test_a_cue_wins_over_similarity():
    mapper = JourneyStageMapper(stages=CUED, embedder=FAKE).fit()
    X = unit([1, 0, 0], [1, 0, 0], [1, 0, 0])  # all clearly delivery by similarity
    out = mapper.transform(X, texts=["I want a REFUND", "환불해 주세요", "no cue here"])
    assert out["journey_stage"].tolist() == ["payment", "payment", "delivery"]
    assert out["journey_cue"].tolist() == ["REFUND", "환불", "similarity"]  # the phrase as written
    # journey_similarity is the cosine to the stage given, not to the nearest one
    np.testing.assert_allclose(out["journey_similarity"], [0.0, 0.0, COS], atol=1e-4)
    # the most distinct cues win: two delivery cues beat one payment cue, whatever the vector says
    two = mapper.transform(unit([0, 0, 1]), texts=["delivery by courier, then a refund"])
    assert two["journey_stage"].tolist() == ["delivery"] and two["journey_cue"].tolist() == ["delivery"]
    # a repeated cue counts once: "refund refund" is one hit against one delivery hit, a tie
    hits, first = mapper.cue_hits(["refund refund delivery", None])
    assert hits.tolist() == [[1, 1], [0, 0]] and first.tolist() == [["delivery", "refund"], ["", ""]]
    with pytest.raises(FeedmineError, match="one text per vector"):
        mapper.transform(X, texts=["only one"])


def test_a_cue_tie_is_broken_by_similarity():
    mapper = JourneyStageMapper(stages=CUED, embedder=FAKE).fit()
    text = "the delivery was late so I asked for a refund"
    out = mapper.transform(unit([0, 0, 1], [1, 0, 0], [0.7, 0, 0.714]), texts=[text] * 3)
    assert out["journey_stage"].tolist() == ["payment", "delivery", "payment"]
    assert out["journey_cue"].tolist() == ["refund", "delivery", "refund"]
    # in a tie, similarity decides even where its margin is below ``margin``
    close = JourneyStageMapper(stages=CUED, embedder=FAKE, margin=0.5).fit()
    assert close.transform(unit([0.7, 0, 0.714]), texts=[text])["journey_stage"].tolist() == ["payment"]
    assert close.transform(unit([0.7, 0, 0.714]))["journey_cue"].tolist() == ["default"]


def test_user_cues_replace_the_default_cues_of_a_stage():
    emb = HashEmbedder()
    stages = {"use": {"description": "app crashes", "cues": ["먹통", "hangs"]},
              "repurchase/referral": "I recommend it",  # no cues given: keeps the default ones
              "pricing": {"description": "too expensive", "cues": "pricey; costs"},  # a string splits like phrases
              "other": {"description": "something else", "cues": []}}
    mapper = JourneyStageMapper(stages=stages, embedder=emb).fit()
    assert mapper.cues_["use"] == ["먹통", "hangs"] and mapper.cues_["pricing"] == ["pricey", "costs"]
    assert mapper.cues_["repurchase/referral"] == DEFAULT_STAGES["repurchase/referral"]["cues"]
    assert mapper.cues_["other"] == [] and mapper.cue_patterns_["other"] is None
    texts = ["앱이 먹통이에요", "it hangs on start", "the app crashed", "환불해 주세요", "way too pricey"]
    hits, _ = mapper.cue_hits(texts)
    assert hits.tolist() == [[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
    out = mapper.transform(emb.transform(texts), texts=texts)
    assert out["journey_cue"].tolist()[:2] == ["먹통", "hangs"] and out["journey_cue"].iloc[2] != "crashed"
    with pytest.raises(FeedmineError, match="list of strings"):
        JourneyStageMapper(stages={"a": {"description": "x", "cues": [1]}}, embedder=emb).fit()


def test_without_a_cue_a_small_margin_gives_the_default_stage():
    table = dict(FAKE.table, **{"crash": [0, 1, 0]})
    stages = {"delivery": ["late", "slow"], "payment": ["refund"], "use": ["crash"]}
    mapper = JourneyStageMapper(stages=stages, embedder=FakeEmbedder(table), default_stage="use").fit()
    assert mapper.margin == 0.02 and mapper.default_stage_ == "use"
    # row 0: payment 0.707 vs delivery 0.653, clear; row 1: payment 0.7 vs delivery 0.7·0.924+0.1·0.383 = 0.685
    out = mapper.transform(unit([0.7, 0, 0.707], [0.7, 0.1, 0.7]))
    assert out["journey_stage"].tolist() == ["payment", "use"]
    assert out["journey_cue"].tolist() == ["similarity", "default"]
    # the default's similarity is the cosine to the default stage, (0,1,0) here
    assert out["journey_similarity"].iloc[1] == pytest.approx(0.1 / np.linalg.norm([0.7, 0.1, 0.7]))
    # None: "unknown" instead; a default that is no stage is an error, but the built-in "use" falls
    # back to "unknown" for stages without one
    none = JourneyStageMapper(stages=stages, embedder=FakeEmbedder(table), default_stage=None).fit()
    assert none.transform(unit([0.7, 0.1, 0.7]))["journey_stage"].tolist() == ["unknown"]
    assert JourneyStageMapper(stages=STAGES, embedder=FAKE).fit().default_stage_ == "unknown"
    with pytest.raises(FeedmineError, match="default_stage 'shipping'"):
        JourneyStageMapper(stages=STAGES, embedder=FAKE, default_stage="shipping").fit()


def test_centring_on_the_batch_mean_changes_a_decision():
    # every item shares one big direction (z), as e5 vectors do; "generic" is almost that direction,
    # "specific" is y. The target item differs from the others only by y.
    emb = FakeEmbedder({"generic": [0, 0, 1], "specific": [0, 1, 0.5]})
    mapper = JourneyStageMapper(stages={"generic": ["generic"], "specific": ["specific"]}, embedder=emb).fit()
    target = [0, 0.3, 1]
    others = [[0.3, 0, 1], [-0.3, 0, 1]] * 10
    small = mapper.transform(unit(target, *others[:4]))  # 5 items: too few to centre
    assert small["journey_stage"].iloc[0] == "generic"
    assert small["journey_similarity"].iloc[0] == pytest.approx(1 / np.sqrt(1.09))  # the raw cosine
    large = mapper.transform(unit(target, *others[:19]))  # 20 items: centred
    assert large["journey_stage"].iloc[0] == "specific" and large["journey_cue"].iloc[0] == "similarity"
    centred = mapper.similarities(unit(target, *others[:19]), center=True)
    assert centred.loc[0, "specific"] > 0.8 > 0 > centred.loc[0, "generic"]
    np.testing.assert_allclose(large["journey_similarity"].iloc[0], centred.loc[0, "specific"])
    # similarities() itself stays uncentred unless asked
    raw = mapper.similarities(unit(target, *others[:19]))
    assert raw.loc[0, "generic"] > raw.loc[0, "specific"]


def test_default_cues_find_korean_and_english_feedback():
    mapper = JourneyStageMapper(embedder=HashEmbedder()).fit()
    cases = {"광고 보고 깔았어요": ("awareness", "광고 보고"), "가격이 좀 비싸요": ("consideration", "가격"),
             "회원가입이 계속 실패해요": ("purchase/activation", "회원가입"), "앱이 자꾸 튕겨요": ("use", "튕"),
             "구독 해지할게요": ("repurchase/referral", "구독 해지"), "친구한테 추천했어요": ("repurchase/referral", "친구한테"),
             "I saw an ad on Instagram": ("awareness", "saw an ad"), "Is the premium plan worth the money?":
             ("consideration", "premium plan"), "payment failed at checkout": ("purchase/activation", "payment"),
             "it keeps crashing": ("use", "crashing"), "It doesn’t work": ("use", "doesn't work"),
             "ｃｒａｓｈｅｓ daily": ("use", "crashes"), "I'd recommend it": ("repurchase/referral", "recommend"),
             "uninstalled it": ("repurchase/referral", "uninstalled")}
    texts = list(cases)
    out = mapper.transform(HashEmbedder().transform(texts), texts=texts)
    # cues are read after NFKC (full-width letters) with curly apostrophes made straight
    assert dict(zip(texts, zip(out["journey_stage"].astype(str), out["journey_cue"]))) == cases
    hits, _ = mapper.cue_hits(["회원가입", "병이 심해지네요", "말이 안 되는 전개", "travel plans", "install", "uninstall"])
    purchase, use, referral = (mapper.stages_.index(s) for s in ("purchase/activation", "use", "repurchase/referral"))
    assert hits[0, purchase] == 1  # 회원가입 is one hit, not also 가입
    assert hits[1].sum() == hits[2].sum() == hits[3].sum() == 0  # -해지다, "makes no sense", travel plans
    assert hits[4, purchase] == 1 and hits[5, purchase] == 0 and hits[5, referral] == 1
    assert hits[:, use].sum() == 0
    # negation is not handled: a cue names the topic, whatever happened to it
    assert mapper.transform(HashEmbedder().transform(["no bugs at all"]), texts=["no bugs at all"])[
        "journey_stage"].tolist() == ["use"]


# --- your own labelled examples: from_examples and n_nearest ------------------------------------------
EXAMPLES = FakeEmbedder({"card late": [1, 0, 0], "activate card": [0, 1, 0], "pin help": [0.6, 0.8, 0],
                         "declined": [0, 0, 1], "double charge": [0, 0.28, 0.96]})


def test_from_examples_groups_texts_by_stage_in_first_seen_order_without_default_cues():
    mapper = JourneyStageMapper.from_examples(["card late", "declined", "activate card", "double charge"],
                                              ["activation", "use", "activation", "use"], embedder=EXAMPLES).fit()
    assert mapper.stages_ == ["activation", "use"]
    assert mapper.phrases_ == {"activation": ["card late", "activate card"], "use": ["declined", "double charge"]}
    assert mapper.n_nearest == 3
    # the generic app-review cues are off: "결제" would otherwise overrule the examples
    assert mapper.cues_ == {"activation": [], "use": []}
    hits, _ = mapper.cue_hits(["결제가 안 돼요, the app crashes"])
    assert hits.sum() == 0
    assert clone(mapper).get_params()["stages"] == mapper.stages


def test_n_nearest_is_the_mean_cosine_to_the_closest_examples_not_to_their_mean():
    texts = ["card late", "activate card", "pin help", "declined", "double charge"]
    stages = ["activation", "activation", "activation", "use", "use"]
    item = unit([1, 0, 0.9])  # close to one activation example (card late), far from its mean
    nearest1 = JourneyStageMapper.from_examples(texts, stages, n_nearest=1, embedder=EXAMPLES, margin=0).fit()
    sims = nearest1.similarities(item).iloc[0]
    # cosines: card late 1/√1.81 = 0.743; declined 0.9/√1.81 = 0.669; double charge 0.864/√1.81 = 0.642
    assert sims["activation"] == pytest.approx(1 / np.sqrt(1.81), abs=1e-6)
    assert sims["use"] == pytest.approx(0.9 / np.sqrt(1.81), abs=1e-6)
    assert nearest1.transform(item)["journey_stage"].tolist() == ["activation"]
    nearest2 = JourneyStageMapper.from_examples(texts, stages, n_nearest=2, embedder=EXAMPLES, margin=0).fit()
    # the two closest activation examples: card late 0.743, pin help 0.6/√1.81 = 0.446 → mean 0.595
    assert nearest2.similarities(item).iloc[0]["activation"] == pytest.approx(0.8 / np.sqrt(1.81), abs=1e-6)
    # the mean of the activation examples points between them, and "use" wins there
    centroid = JourneyStageMapper.from_examples(texts, stages, n_nearest=None, embedder=EXAMPLES, margin=0).fit()
    assert centroid.transform(item)["journey_stage"].tolist() == ["use"]
    # a stage with fewer examples than n_nearest averages all of them
    many = JourneyStageMapper.from_examples(texts, stages, n_nearest=10, embedder=EXAMPLES, margin=0).fit()
    assert many.similarities(item).iloc[0]["use"] == pytest.approx((0.9 + 0.864) / 2 / np.sqrt(1.81), abs=1e-6)


def test_from_examples_rejects_bad_examples_with_the_reason():
    with pytest.raises(FeedmineError, match="one stage per example"):
        JourneyStageMapper.from_examples(["a", "b"], ["x"])
    with pytest.raises(FeedmineError, match=r"examples \[1\] have an empty"):
        JourneyStageMapper.from_examples(["a", " "], ["x", "y"])
    with pytest.raises(FeedmineError, match="no examples"):
        JourneyStageMapper.from_examples(["a"], ["x"], cues={"y": ["z"]})
    with pytest.raises(FeedmineError, match="n_nearest must be a positive int"):
        JourneyStageMapper(stages=STAGES, embedder=FAKE, n_nearest=0).fit()
    assert JourneyStageMapper.from_examples(["a"], ["x"], cues={"x": ["zz"]}).stages["x"]["cues"] == ["zz"]


def test_analyze_takes_a_table_of_examples_and_says_what_is_missing(tmp_path):
    from feedmine.api import journey_mapper

    table = pd.DataFrame({"text": ["card late", "declined", None], "stage": ["activation", "use", "use"]})
    mapper = journey_mapper(table)
    assert mapper.stages == {"activation": {"examples": ["card late"], "cues": []},
                             "use": {"examples": ["declined"], "cues": []}}
    path = tmp_path / "stages.csv"
    table.to_csv(path, index=False)
    assert journey_mapper(str(path)).stages == mapper.stages
    assert journey_mapper(None) is None and journey_mapper(True).stages is None
    with pytest.raises(FeedmineError, match=r"lack column\(s\) \['stage'\]; they have \['text', 'label'\]"):
        journey_mapper(table.rename(columns={"stage": "label"}))
    with pytest.raises(FeedmineError, match="got int"):
        journey_mapper(3)
    with pytest.raises(FeedmineError, match="does not exist"):
        journey_mapper(str(tmp_path / "missing.csv"))


def test_nearest_examples_in_blocks_match_one_pass(monkeypatch):
    import feedmine.tagging.journey as journey

    texts = ["card late", "activate card", "pin help", "declined", "double charge"]
    mapper = JourneyStageMapper.from_examples(texts, ["a", "a", "a", "u", "u"], n_nearest=2, embedder=EXAMPLES).fit()
    items = np.random.default_rng(0).normal(size=(25, 3))
    whole = mapper.similarities(items, center=True)
    monkeypatch.setattr(journey, "_BLOCK", 4)
    pd.testing.assert_frame_equal(mapper.similarities(items, center=True), whole)
