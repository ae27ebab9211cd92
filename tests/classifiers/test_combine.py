"""Rules and the real encoder together (classifiers/combine.py): which side decides what.

New texts, written for these tests (not in the training corpus or any dev set)."""
from __future__ import annotations

from classifiers.base import CLAUSES
from classifiers.combine import REASONS
from classifiers.evaluate import EVAL_CATEGORIES
from connectors.items import Author, Item

from .conftest import categories, item


def by(name: str, text: str, *, is_account: bool = False, kind: str = "comment") -> Item:
    return Item(platform="facebook", platform_id="c1", account="lakeside-elementary-fb", kind=kind, text=text,  # type: ignore[arg-type]
                author=Author(name=name, is_account=is_account))


def no_name_or_text(reason: str, it: Item) -> bool:
    """No word of the author's name, and no three-word run of the text, appears in the reason."""
    words = reason.lower().split()
    runs = {" ".join(words[i:i + 3]) for i in range(len(words) - 2)}
    text = it.text.lower().split()
    return (not any(w.lower() in words for w in it.author.name.split() if len(w) > 3)
            and not any(" ".join(text[i:i + 3]) in runs for i in range(len(text) - 2)))


def findings(analyzer, it: Item):
    return analyzer.analyze([it])[0]


PERSONAL = ("Vote for my husband Greg on October 20th, he will finally clean up city hall! "
            "Also my pottery studio has 20% off this weekend, link in bio.")


def test_personal_use_is_found_on_the_accounts_own_post(analyzer) -> None:
    found = findings(analyzer, by("Lakeside Elementary", PERSONAL, is_account=True, kind="post"))
    personal = [f for f in found if f.category == "personal_use"]
    assert personal and personal[0].clause == CLAUSES["personal_use"] == "AP80-SM Representing the Division; AP193 2.2"
    assert personal[0].reason == REASONS["personal_use"]
    assert "personal_use" in EVAL_CATEGORIES


def test_personal_use_is_never_a_commenters(analyzer) -> None:
    # a commenter promoting themselves is not the account's use of itself
    assert "personal_use" not in categories(analyzer, by("Janine Roy", PERSONAL))


def test_school_news_is_not_personal_use(analyzer) -> None:
    news = "Reminder: picture day is Thursday for all grades. Retake day is November 14."
    assert "personal_use" not in categories(analyzer, by("Lakeside Elementary", news, is_account=True, kind="post"))


ASK = "Hi there, we're putting together a segment on school lunch programs for Thursday's show. Is anyone available to chat on camera?"


def test_media_inquiry_by_the_model_where_the_rules_are_silent(analyzer) -> None:
    it = by("Priya Das | CKWX Morning Drive", "Hello! Could your principal spare ten minutes tomorrow to talk about the new lunch program with our listeners?")
    found = [f for f in findings(analyzer, it) if f.category == "media_inquiry"]
    assert found


def test_the_display_name_decides_between_a_reporter_and_a_parent(analyzer) -> None:
    text = "Can someone from the school tell me what happened at dismissal today? I'd like to know more."
    assert "media_inquiry" in categories(analyzer, by("Leah Park | Cochrane Eagle newsroom", text))
    assert "media_inquiry" not in categories(analyzer, by("Leah Park", text))


def test_the_accounts_own_post_is_never_an_inquiry_to_itself(analyzer) -> None:
    assert "media_inquiry" not in categories(analyzer, by("Lakeside Elementary", ASK, is_account=True, kind="post"))


def test_bullying_without_a_swear_word_is_harassment(analyzer) -> None:
    assert "harassment" in categories(analyzer, item("honestly nobody would even notice if you stopped coming to school, you add nothing"))


def test_a_lesson_quoting_insults_stays_clear(analyzer) -> None:
    lesson = 'In our kindness lesson the Grade 4s listed hurtful words like "loser" and "freak" and wrote kinder ones instead.'
    assert "harassment" not in categories(analyzer, item(lesson, is_account=True))


def test_a_model_threat_is_high_severity(analyzer) -> None:
    found = [f for f in findings(analyzer, item("you better watch your back after school tomorrow, you won't see it coming")) if f.category == "harassment"]
    assert found and found[0].severity == "high"


def test_confidential_by_the_model_keeps_no_span(analyzer) -> None:
    it = by("Tom Becker", "FYI the vice principal is off on stress leave after the investigation, please keep that between staff.")
    found = [f for f in findings(analyzer, it) if f.category == "confidential"]
    assert found


def test_model_findings_carry_plain_reasons_without_names_or_text(analyzer) -> None:
    texts = [by("Priya Das | CKWX Morning Drive", ASK), by("Lakeside Elementary", PERSONAL, is_account=True, kind="post"),
             item("honestly nobody would even notice if you stopped coming to school, you add nothing")]
    for it, found in zip(texts, analyzer.analyze(texts)):
        for f in found:
            # rule findings get their reasons from the rule modules; the model's come from REASONS
            assert no_name_or_text(f.reason, it)
    model_made = [f for found in analyzer.analyze(texts) for f in found if f.reason in REASONS.values()]
    assert model_made and all(no_name_or_text(f.reason, it) for it in texts for f in model_made)


def test_the_harassment_mix_follows_the_models_weight() -> None:
    import numpy as np

    from classifiers.combine import DEFAULT_ENCODER_WEIGHT, Scores, encoder_weight, harassment_probability, mix
    from classifiers.encoder import load_encoder

    tfidf, enc = np.asarray([0.2, 0.9]), np.asarray([0.8, 0.1])
    assert np.allclose(mix(tfidf, enc, 0.5), [0.5, 0.5])
    assert np.allclose(mix(tfidf, enc, 1.0), enc) and np.allclose(mix(tfidf, enc, 0.0), tfidf)
    encoder = load_encoder()
    shipped = encoder.meta.get("harassment_encoder_weight")
    assert shipped is not None and 0.0 <= shipped <= 1.0  # the model card's choice is stored with the model
    probabilities = np.zeros((2, len(encoder.heads)), dtype=np.float32)
    probabilities[:, encoder.head("harassment")] = enc
    scores = Scores(encoder, probabilities)
    assert np.allclose(harassment_probability(tfidf, scores), mix(tfidf, enc, shipped))
    saved = dict(encoder.meta)
    try:
        del encoder.meta["harassment_encoder_weight"]
        assert encoder_weight(encoder) == DEFAULT_ENCODER_WEIGHT == 0.5
    finally:
        encoder.meta.clear()
        encoder.meta.update(saved)


def test_with_the_encoder_alone_the_tfidf_model_is_not_run(analyzer, monkeypatch) -> None:
    """Weight 1 leaves the TF-IDF model out of the verdict, so the pipeline does not spend time on it;
    below 1 it is run once per batch."""
    from classifiers import pipeline

    calls: list[int] = []
    real = pipeline.text_scores
    monkeypatch.setattr(pipeline, "text_scores", lambda docs: calls.append(len(docs)) or real(docs))
    it = by("someone", "@rory.vb nobody at this school wants you here")
    saved = analyzer.encoder.meta.get("harassment_encoder_weight")
    try:
        analyzer.encoder.meta["harassment_encoder_weight"] = 1.0
        alone = findings(analyzer, it)
        assert calls == []
        analyzer.encoder.meta["harassment_encoder_weight"] = 0.5
        findings(analyzer, it)
        assert calls == [1]
    finally:
        analyzer.encoder.meta["harassment_encoder_weight"] = saved
    assert [f.category for f in alone if f.category == "harassment"] == ["harassment"]


def test_a_rumour_asked_as_a_question_is_known_by_its_opening() -> None:
    """The model may call it confidential only when sure (combine.model_categories); the rule must
    tell a question about a rumour from the same news stated, or asked about only afterwards."""
    from classifiers.confidential import asks_a_rumour

    assert asks_a_rumour("Is Mr. Okonkwo on leave? Haven't seen him since October")
    assert asks_a_rumour("did the vp really get suspended??")
    assert asks_a_rumour("Is it true the music teacher was let go?")
    assert not asks_a_rumour("Between us, Mr. Okonkwo is on stress leave until spring")
    assert not asks_a_rumour("Mr. Okonkwo is on leave. Is that why the band trip is off?")
    assert not asks_a_rumour("Is it true Mr. Okonkwo was let go")  # no question mark: a statement as worded
    assert not asks_a_rumour("Where do I find the staff meeting link?")  # a question, but no rumour opening


def test_a_reader_citing_the_coverage_is_not_media_by_the_models_sureness_alone() -> None:
    """Round 7, rule 8: above SURE the model may call an inquiry without a signature, unless the text
    says where the writer saw the coverage; a writer who signs as media is media either way."""
    from classifiers.combine import SURE, presents_as_media

    reader = by("Lena Moreau", "Saw it on the Global News at six, can someone from the school explain what happened?")
    assert presents_as_media(reader, SURE) is False
    assert presents_as_media(by("Lena Moreau", "It was in the paper this morning. Will the school be making a statement?"), 0.99) is False
    # the same question without saying where it was seen: the model's sureness decides
    assert presents_as_media(by("Lena Moreau", "Can someone from the school explain what happened at pickup?"), SURE) is True
    # a reporter who saw it elsewhere still presents as media, by name or by saying so
    assert presents_as_media(by("Lena Moreau | Prairie Ledger", "Saw it on the Global News at six, can the school comment?")) is True
    assert presents_as_media(by("Lena Moreau", "I'm a reporter with the Prairie Ledger; saw this on CTV news. Could we get a comment?")) is True
