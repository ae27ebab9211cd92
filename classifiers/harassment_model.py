"""The trained harassment text model: TF-IDF word + char n-grams and logistic regression.

Stored as gzipped JSON (vocabulary, idf, weights) rather than a pickle so loading it cannot run
code. `train_harassment.py` writes it; `HarassmentModel.load()` rebuilds the vectorizers.
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

MODEL_PATH = Path(__file__).parent / "models" / "harassment.json.gz"

_USER = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+|\bURL\b")


def normalize(text: str) -> str:
    """Same cleaning at training and run time: handles and links carry no abuse signal."""
    text = _USER.sub("@user", text)
    text = _URL.sub("http", text)
    return text.lower()


def make_vectorizers(max_word: int | None = None, max_char: int | None = None) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    word = TfidfVectorizer(preprocessor=normalize, ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=max_word, token_pattern=r"(?u)\b\w+\b|[^\w\s]")
    char = TfidfVectorizer(preprocessor=normalize, analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=max_char)
    return word, char


class HarassmentModel:
    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer, coef: np.ndarray, intercept: float) -> None:
        self.word = word
        self.char = char
        self.coef = coef
        self.intercept = intercept

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """P(offensive) for every text, vectorized over the whole batch."""
        if not texts:
            return np.zeros(0)
        features = sparse.hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()
        logits = features @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def save(self, path: Path = MODEL_PATH, meta: dict | None = None) -> None:
        data = {
            "meta": meta or {},
            "word_vocab": {k: int(v) for k, v in self.word.vocabulary_.items()},
            "word_idf": [round(float(x), 5) for x in self.word.idf_],
            "char_vocab": {k: int(v) for k, v in self.char.vocabulary_.items()},
            "char_idf": [round(float(x), 5) for x in self.char.idf_],
            "coef": [round(float(x), 5) for x in self.coef],
            "intercept": float(self.intercept),
        }
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            json.dump(data, fh)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "HarassmentModel":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        word, char = make_vectorizers()
        for vec, key in ((word, "word"), (char, "char")):
            vec.vocabulary_ = data[f"{key}_vocab"]
            vec.idf_ = np.asarray(data[f"{key}_idf"])
        return cls(word, char, np.asarray(data["coef"]), float(data["intercept"]))
