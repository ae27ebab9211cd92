"""The committed encoder: loads offline without torch, scores in batches, names a bad file."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from classifiers.encoder import HEADS, MAX_TOKENS, META_FILE, MODEL_DIR, MODEL_FILE, TOKENIZER_FILE, Encoder, ModelError, encoder_input, load_encoder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return load_encoder()


def test_committed_model_is_within_the_size_budget() -> None:
    assert (MODEL_DIR / MODEL_FILE).stat().st_size <= 40 * 1024 * 1024
    meta = json.loads((MODEL_DIR / META_FILE).read_text(encoding="utf-8"))
    assert tuple(meta["heads"]) == HEADS


def test_one_pass_gives_every_head_a_probability(encoder: Encoder) -> None:
    probs = encoder.score([("someone", "what time is the concert tonight?"), ("Dana Whitfield | Prairie Post", "Could the principal comment for our story?")])
    assert probs.shape == (2, len(HEADS))
    assert np.all((probs >= 0) & (probs <= 1))
    assert encoder.score([]).shape == (0, len(HEADS))


def test_the_display_name_is_read_with_the_text() -> None:
    assert encoder_input("Dana Whitfield | Prairie Post", "Hello") == "Dana Whitfield | Prairie Post [SEP] Hello"
    assert encoder_input(None, "Hello") == " [SEP] Hello"
    # a display name cannot crowd out the text
    assert len(encoder_input("x" * 5000, "Hello")) < 100


def test_the_name_changes_what_the_model_reads(encoder: Encoder) -> None:
    text = "Can someone tell me when the new bell times start?"
    a, b = encoder.score([("Prairie Post Newsroom", text), ("Renata Oyelaran", text)])
    assert not np.allclose(a, b)


def test_batch_order_does_not_change_results_beyond_quantization_noise(encoder: Encoder) -> None:
    pairs = [("someone", t) for t in ("ur so ugly nobody likes u", "Lovely photos!", "the wifi password is Falcons22!",
                                      "Hi, I'm a reporter with the Valley Times, could the principal comment?")]
    together = encoder.score(pairs)
    alone = np.vstack([encoder.score([p]) for p in pairs])
    reversed_ = encoder.score(pairs[::-1])[::-1]
    # int8 activations are quantized per batch, so neighbours move a probability a little
    # (classifiers/models/ENCODER.md, quantization); the same batch always gives the same result
    assert np.abs(together - alone).max() < 0.12
    assert np.abs(together - reversed_).max() < 1e-6


def test_long_text_is_truncated_not_rejected(encoder: Encoder) -> None:
    ids = encoder.encode([("someone", "word " * 20000)])
    assert len(ids[0]) == MAX_TOKENS
    assert encoder.score([("someone", "word " * 20000 + "\x00 \ud83d")]).shape == (1, len(HEADS))


def _copy(tmp_path: Path) -> Path:
    for name in (MODEL_FILE, TOKENIZER_FILE, META_FILE):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    return tmp_path


def test_missing_model_file_is_named(tmp_path: Path) -> None:
    _copy(tmp_path)
    (tmp_path / MODEL_FILE).unlink()
    with pytest.raises(ModelError, match=str(tmp_path / MODEL_FILE)):
        Encoder(tmp_path)
    with pytest.raises(ModelError, match="missing"):
        Encoder(tmp_path / "nowhere")


def test_truncated_model_file_is_named(tmp_path: Path) -> None:
    _copy(tmp_path)
    data = (tmp_path / MODEL_FILE).read_bytes()
    (tmp_path / MODEL_FILE).write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelError, match=f"{tmp_path / MODEL_FILE}: not a valid ONNX model"):
        Encoder(tmp_path)


def test_corrupt_tokenizer_and_description_are_named(tmp_path: Path) -> None:
    _copy(tmp_path)
    (tmp_path / TOKENIZER_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match=str(tmp_path / TOKENIZER_FILE)):
        Encoder(tmp_path)
    _copy(tmp_path)
    (tmp_path / META_FILE).write_text("[]", encoding="utf-8")
    with pytest.raises(ModelError, match=str(tmp_path / META_FILE)):
        Encoder(tmp_path)


@pytest.mark.parametrize("field, value", [("harassment_encoder_weight", 1.5), ("harassment_encoder_weight", "1"),
                                          ("thresholds", {"personal_use": -0.1}), ("thresholds", {"confidential": None})])
def test_out_of_range_settings_in_the_description_are_named(tmp_path: Path, field: str, value) -> None:
    _copy(tmp_path)
    meta = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))
    meta[field] = value
    (tmp_path / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match=f"{tmp_path / META_FILE}: .*must be a number from 0 to 1"):
        Encoder(tmp_path)


def test_classify_runs_offline_without_torch(tmp_path: Path) -> None:
    """A fresh install classifies with no network and no torch: nothing is fetched, nothing imports it."""
    assert importlib.util.find_spec("torch") is None, "torch must not be installed in the test venv"
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "a1", "platform": "facebook", "kind": "comment", "account": "maple-ridge-elementary-fb",
                                 "author": {"name": "Dana Whitfield | Prairie Post", "is_account": False},
                                 "text": "Could the principal give us a statement on the bell times for tomorrow's paper?"}) + "\n",
                     encoding="utf-8")
    code = ("import sys, builtins\n"
            "real = builtins.__import__\n"
            "def guard(name, *a, **k):\n"
            "    if name.split('.')[0] in ('torch', 'transformers', 'huggingface_hub'):\n"
            "        raise ImportError('run time must not import ' + name)\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = guard\n"
            "from monitor.cli import main\n"
            "sys.argv = ['hallwatch', 'classify', '--config', sys.argv[1], '--input', sys.argv[2], '--output', '-']\n"
            "main()\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HOME": str(tmp_path / "no-hub"),
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    roster = Path(os.environ.get("HALLWATCH_SHARED", ROOT.parent / "shared")) / "data" / "school" / "roster"
    done = subprocess.run([sys.executable, "-c", code, str(roster), str(items)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["id"] == "a1"
    assert "media_inquiry" in {f["category"] for f in out["findings"]}
    assert not (tmp_path / "no-hub").exists()


def test_tfidf_model_files_missing_or_corrupt_are_named(tmp_path: Path) -> None:
    from classifiers.harassment_text import LinearTextModel

    with pytest.raises(ModelError, match=str(tmp_path / "harassment.npz")):
        LinearTextModel.load(tmp_path)
    shutil.copy(MODEL_DIR / "harassment.npz", tmp_path / "harassment.npz")
    (tmp_path / "harassment.json").write_text('{"meta": {}, "vocab": {', encoding="utf-8")
    with pytest.raises(ModelError, match=str(tmp_path / "harassment.json")):
        LinearTextModel.load(tmp_path)
    (tmp_path / "harassment.npz").write_bytes((MODEL_DIR / "harassment.npz").read_bytes()[:500])
    with pytest.raises(ModelError, match=str(tmp_path / "harassment.npz")):
        LinearTextModel.load(tmp_path)


# Written for this test (2026-12-02), in no training or benchmark file: clear cases either way.
NAME_PROBE_HARASSMENT = (
    "nobody at this school can stand you, just transfer already",
    "lol look at her trying to sing, my ears are bleeding 🤢",
    "you smell like a wet dog every single day",
    "that teacher is a creep and everyone knows why he left his last job",
    "walk home a different way tomorrow if you know what's good for you",
    "imagine being this poor, your shoes are older than you",
    "ur the reason ur parents split up",
    "she should be fired, she's too stupid to teach kindergarten",
    "go cry to your mommy, freak",
    "everyone vote @jaylen.r ugliest in the grade 😂",
    "people like his family don't belong in this town",
    "keep posting and i'll send the screenshots to the whole school",
)
NAME_PROBE_NONE = (
    "what time does the bus leave for the band trip?",
    "congrats to the senior girls on the win last night!",
    "this math test absolutely destroyed me lol",
    "I disagree with the new phone policy and will raise it at the council meeting.",
    "my little brother says the cafeteria pizza is the best day of the week",
    "thank you to the custodians for keeping the gym so clean for the tournament",
    "can someone share the link to the parent-teacher booking page?",
    "omg the art show was so good, the ceramics were insane 😍",
    "the referee missed three calls in the second half, brutal",
    "please be kind online, bullying hurts real people",
    "happy retirement Mrs. Lachance, you will be missed",
    "anyone know if school is closed tomorrow for the storm?",
)
PROBE_NAMES = ("", "anon", "lilbit.xo", "Gordon Pratt", "Mom of twins")


def test_the_authors_name_does_not_decide_harassment(encoder: Encoder) -> None:
    """An insult is one whoever signs it (benchmarks/RESULTS-encoder.md, round 4: the model shipped
    before it flipped its verdict with the author's name on 35% of development texts)."""
    from classifiers.harassment import HARASSMENT_THRESHOLD

    column = encoder.head("harassment")
    texts = NAME_PROBE_HARASSMENT + NAME_PROBE_NONE
    scores = np.stack([encoder.score([(name, t) for t in texts])[:, column] for name in PROBE_NAMES], axis=1)
    verdicts = scores >= HARASSMENT_THRESHOLD
    flips = int((verdicts.any(1) & ~verdicts.all(1)).sum())
    assert flips <= 3, f"{flips} of {len(texts)} verdicts change with the author's name"
    gold = np.asarray([True] * len(NAME_PROBE_HARASSMENT) + [False] * len(NAME_PROBE_NONE))
    for column_of_name, name in enumerate(PROBE_NAMES):
        right = int((verdicts[:, column_of_name] == gold).sum())
        assert right >= len(texts) - 3, (name, right)
