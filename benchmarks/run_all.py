"""Run every benchmark in turn (`make bench`); each prints its own table and the command that made it.

Results are copied into BENCHMARKS.md by hand after a run, with the date: they are measurements,
not something the test suite checks.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["classifier_accuracy.py", "pii_vs_presidio.py", "classifier_speed.py", "pipeline_equivalence.py", "encoder_dev.py", "encoder_names.py", "connector_calls.py",
           "queue_scale.py"]


def main() -> int:
    failed = []
    for script in SCRIPTS:
        path = HERE / script
        if not path.exists():
            print(f"== {script}: missing", flush=True)
            failed.append(script)
            continue
        print(f"== {script}", flush=True)
        if subprocess.run([sys.executable, str(path)], cwd=HERE.parent).returncode != 0:
            failed.append(script)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
