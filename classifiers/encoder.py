"""The learned text layer: a fine-tuned MiniLM encoder with one sigmoid head per category.

    model = load_encoder()                       # once per process
    probs = model.score(pairs)                   # pairs: [(author display name, text), ...]
    probs[:, model.head("harassment")]           # P(harassment) for every text

One forward pass per text serves every head (HEADS). The model reads the author's display name
together with the text, "Dana Whitfield | Prairie Post [SEP] text", because who writes often
decides the category (an outlet's page asking for a statement is a media inquiry; a parent asking
the same thing is not); `encoder_input` builds that string, in training and here alike.

Run time is ONNX Runtime and the `tokenizers` library only (no torch): the int8 model and its
tokenizer are committed under classifiers/models/ (ENCODER.md is the model card) and nothing is
ever downloaded. Texts are scored in batches sorted by length (little padding), truncated to
MAX_TOKENS. A missing or corrupt file raises ModelError naming the file.
classifiers/train_encoder.py trains and exports it.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from classifiers.errors import ModelError

MODEL_DIR = Path(__file__).parent / "models"
MODEL_FILE = "encoder.int8.onnx"
TOKENIZER_FILE = "encoder-tokenizer.json"
META_FILE = "encoder.json"
HEADS = ("harassment", "threat", "media_inquiry", "confidential", "personal_use")
MAX_TOKENS = 128
BATCH_SIZE = 64
MAX_NAME_CHARS = 80


def is_validation(item_id: str) -> bool:
    """The fixed fifth of the training corpus that training never sees (thresholds are chosen on it),
    by a hash of the item's id, whatever order or batch the files were written in."""
    return int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % 5 == 0


def encoder_input(name: str | None, text: str) -> str:
    """What the encoder reads: the author's display name, a separator, the text."""
    name = " ".join((name or "").split())[:MAX_NAME_CHARS]
    # a lone surrogate (a cut emoji in hostile JSON) is not text the tokenizer accepts
    return f"{name} [SEP] {text}".encode("utf-8", "replace").decode("utf-8")


class Encoder:
    def __init__(self, directory: Path = MODEL_DIR, model_file: str = MODEL_FILE, threads: int | None = None) -> None:
        # imported here so that importing classifiers costs nothing until a model is needed
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.path = directory / model_file
        tokenizer_path = directory / TOKENIZER_FILE
        meta_path = directory / META_FILE
        for path in (self.path, tokenizer_path, meta_path):
            if not path.is_file():
                raise ModelError(f"{path}: model file missing (a hallwatch install ships it; reinstall or restore it)")
        try:
            self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
            self.heads: tuple[str, ...] = tuple(self.meta["heads"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{meta_path}: not a valid encoder description ({exc})") from exc
        # the decision settings are probabilities; a wrong one would move every verdict silently
        settings = {f"thresholds.{k}": v for k, v in (self.meta.get("thresholds") or {}).items()}
        if "harassment_encoder_weight" in self.meta:
            settings["harassment_encoder_weight"] = self.meta["harassment_encoder_weight"]
        for name, value in settings.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ModelError(f"{meta_path}: {name} must be a number from 0 to 1, not {value!r}")
        try:
            self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise ModelError(f"{tokenizer_path}: not a valid tokenizer file ({exc})") from exc
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or int(os.environ.get("HALLWATCH_ENCODER_THREADS", "0")) or 0
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf types
            raise ModelError(f"{self.path}: not a valid ONNX model ({type(exc).__name__}: {exc})") from exc
        outputs = self.session.get_outputs()
        if len(outputs) != 1 or outputs[0].shape[-1] != len(self.heads):
            raise ModelError(f"{self.path}: outputs {[(o.name, o.shape) for o in outputs]} do not match the heads {self.heads} in {meta_path}")
        self._lock = threading.Lock()
        self.texts_scored = 0
        self.tokens_scored = 0

    def head(self, name: str) -> int:
        return self.heads.index(name)

    def threshold(self, name: str, default: float = 0.5) -> float:
        return float(self.meta.get("thresholds", {}).get(name, default))

    def encode(self, pairs: Sequence[tuple[str | None, str]]) -> list[list[int]]:
        """Token ids for every (name, text), truncated to MAX_TOKENS (the final [SEP] kept)."""
        encodings = self.tokenizer.encode_batch([encoder_input(name, text) for name, text in pairs])
        return [e.ids for e in encodings]

    def score(self, pairs: Sequence[tuple[str | None, str]]) -> np.ndarray:
        """Probabilities, shape (len(pairs), len(heads)), in the order given."""
        out = np.zeros((len(pairs), len(self.heads)), dtype=np.float32)
        if not pairs:
            return out
        ids = self.encode(pairs)
        order = np.argsort([len(x) for x in ids], kind="stable")
        with self._lock:
            for start in range(0, len(order), BATCH_SIZE):
                chunk = order[start:start + BATCH_SIZE]
                width = max(len(ids[i]) for i in chunk)
                batch = np.zeros((len(chunk), width), dtype=np.int64)
                mask = np.zeros((len(chunk), width), dtype=np.int64)
                for row, i in enumerate(chunk):
                    batch[row, :len(ids[i])] = ids[i]
                    mask[row, :len(ids[i])] = 1
                out[chunk] = self.session.run(None, {"input_ids": batch, "attention_mask": mask})[0]
                self.tokens_scored += int(mask.sum())
            self.texts_scored += len(pairs)
        return out


_ENCODERS: dict[tuple[Path, str], Encoder] = {}
_LOAD_LOCK = threading.Lock()


def load_encoder(directory: Path = MODEL_DIR, model_file: str = MODEL_FILE) -> Encoder:
    """The encoder, loaded once per process."""
    key = (directory, model_file)
    with _LOAD_LOCK:
        if key not in _ENCODERS:
            _ENCODERS[key] = Encoder(directory, model_file)
        return _ENCODERS[key]
