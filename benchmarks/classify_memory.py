"""Peak memory of `hallwatch classify` over 100,000 comments (issue 11: <= 1 GB).

    .venv/bin/python benchmarks/classify_memory.py              # 100,000 comments
    .venv/bin/python benchmarks/classify_memory.py --n 20000

Writes the speed benchmark's synthetic comments (benchmarks/classifier_speed.py, a fixed seed) as
classify input to a temporary file, runs `hallwatch classify` on them as a child process with
every model (spaCy, TF-IDF, the encoder), and reports the child's peak resident set size
(getrusage RUSAGE_CHILDREN ru_maxrss), its wall time and the lines it wrote.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from classifier_speed import comments  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--config", type=Path, default=ROOT.parent / "shared" / "data" / "school" / "roster")
    args = parser.parse_args()
    hallwatch = shutil.which("hallwatch", path=str(Path(sys.executable).parent)) or "hallwatch"
    with tempfile.TemporaryDirectory() as tmp:
        items = Path(tmp) / "items.jsonl"
        with open(items, "w", encoding="utf-8") as fh:
            for i, text in enumerate(comments(args.n, seed=5)):
                fh.write(json.dumps({"id": f"m{i}", "platform": "facebook", "kind": "comment", "account": "maple-ridge-elementary-fb",
                                     "author": {"name": "a parent", "is_account": False}, "text": text}) + "\n")
        out = Path(tmp) / "findings.jsonl"
        start = time.perf_counter()
        done = subprocess.run([hallwatch, "classify", "--config", str(args.config), "--input", str(items), "--output", str(out)],
                              capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        seconds = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if done.returncode != 0:
            print(done.stderr[-3000:])
            return 1
        lines = sum(1 for _ in open(out, encoding="utf-8"))
    print(f"hallwatch classify, {args.n} comments: peak RSS {peak_kib / 1024:.0f} MiB ({peak_kib / 1024 / 1024:.2f} GiB), "
          f"{seconds:.0f} s ({args.n / seconds:.0f} docs/s), {lines} lines written; target <= 1 GB")
    return 0 if lines == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
