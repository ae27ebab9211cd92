"""The harassment text model: TF-IDF word + char n-grams and a linear classifier, without pickle.

`train_harassment.py` fits and saves it; `LinearTextModel.load()` rebuilds the vectorizers from
the saved vocabulary and IDF, so loading the artifact cannot run code.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from classifiers.errors import ModelError

MODEL_DIR = Path(__file__).parent / "models"
STEM = "harassment"

_USER = re.compile(r"@\w[\w.]*|@user\b", re.I)
_URL = re.compile(r"https?://\S+|www\.\S+|\bURL\b")
_ELONGATED = re.compile(r"(.)\1{2,}")
_MASKED = re.compile(r"\b(\w)[*@#$!]+(\w*)")  # f***ing, b*tch: the star hides the word from n-grams


def normalize(text: str) -> str:
    """Same cleaning at training and run time: handles and links carry no abuse signal,
    'sooooo' and 'so' are one word, and tweets' '#' is only markup."""
    text = _USER.sub(" @user ", text)
    text = _URL.sub(" url ", text)
    text = text.lower().replace("#", " ").replace("’", "'")
    text = _ELONGATED.sub(r"\1\1", text)
    return _MASKED.sub(r"\1*\2", text)


def make_vectorizers(max_word: int | None = None, max_char: int | None = None) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    word = TfidfVectorizer(preprocessor=normalize, ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                           max_features=max_word, token_pattern=r"(?u)[\w*']+|[^\w\s]", dtype=np.float32)
    char = TfidfVectorizer(preprocessor=normalize, analyzer="char_wb", ngram_range=(2, 5), min_df=3,
                           sublinear_tf=True, max_features=max_char, dtype=np.float32)
    return word, char


class LinearTextModel:
    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer, coef: np.ndarray, intercept: float, meta: dict | None = None) -> None:
        self.word, self.char = word, char
        self.coef, self.intercept = coef, intercept
        self.meta = meta or {}

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """P(abusive) for every text, one transform over the whole batch."""
        if not texts:
            return np.zeros(0)
        x = sparse.hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))

    def save(self, out: Path = MODEL_DIR, meta: dict | None = None) -> list[Path]:
        out.mkdir(parents=True, exist_ok=True)
        arrays = out / f"{STEM}.npz"
        vocab = out / f"{STEM}.json"
        np.savez_compressed(arrays, word_idf=self.word.idf_.astype(np.float32), char_idf=self.char.idf_.astype(np.float32),
                            coef=self.coef.astype(np.float32), intercept=np.asarray([self.intercept]))
        terms = {key: [t for t, _ in sorted(vec.vocabulary_.items(), key=lambda kv: kv[1])]
                 for key, vec in (("word", self.word), ("char", self.char))}
        vocab.write_text(json.dumps({"meta": meta or {}, "vocab": terms}, ensure_ascii=False), encoding="utf-8")
        return [arrays, vocab]

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> "LinearTextModel":
        arrays_path, vocab_path = directory / f"{STEM}.npz", directory / f"{STEM}.json"
        path = arrays_path
        try:
            arrays = np.load(arrays_path, allow_pickle=False)
            path = vocab_path
            saved = json.loads(vocab_path.read_text(encoding="utf-8"))
            word, char = make_vectorizers()
            for key, vec in (("word", word), ("char", char)):
                vec.vocabulary_ = {t: i for i, t in enumerate(saved["vocab"][key])}
                path = arrays_path
                vec.idf_ = arrays[f"{key}_idf"]
            return cls(word, char, arrays["coef"], float(arrays["intercept"][0]), saved["meta"])
        except FileNotFoundError as exc:
            raise ModelError(f"{exc.filename or path}: model file missing (a hallwatch install ships it; reinstall or restore it)") from exc
        except (OSError, ValueError, KeyError, TypeError, IndexError, zipfile.BadZipFile) as exc:
            raise ModelError(f"{path}: not a valid harassment text model ({type(exc).__name__})") from exc
