"""Concurrent runs on one results folder share the work: each (model, task) key is
claimed with an OS file lock before it is evaluated, so it is evaluated exactly once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from gaptrack.api import Store, load_config
from gaptrack.store.claims import Claims


def test_a_claim_excludes_other_holders_until_released(tmp_path: Path) -> None:
    mine, theirs = Claims(tmp_path), Claims(tmp_path)
    assert mine.try_claim("k")
    assert not theirs.try_claim("k")
    mine.release("k")
    assert theirs.try_claim("k")


def test_a_killed_holder_releases_its_claim(tmp_path: Path) -> None:
    code = (
        "import sys, time; from gaptrack.store.claims import Claims; "
        f"claims = Claims({str(tmp_path)!r}); assert claims.try_claim('k'); "
        "print('held', flush=True); "
        "time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    assert not Claims(tmp_path).try_claim("k")
    holder.kill()
    holder.wait()
    assert Claims(tmp_path).try_claim("k")  # the OS dropped the lock: no timestamps


def test_four_concurrent_evals_evaluate_each_key_once(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    command = [sys.executable, "-m", "gaptrack", "eval", "--config", str(tiny_config)]
    runs = [
        subprocess.Popen(
            [*command, "--limit", "3"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=os.environ.copy(),
        )
        for _ in range(4)
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    evaluated = [int(re.search(r"(\d+) evaluated, ", out).group(1)) for out in outputs]
    assert sum(evaluated) == 4, outputs  # 2 models x 2 tasks, each exactly once
    records, problems = Store(config.results_dir).scan()
    assert len(records) == 4 and problems == []
