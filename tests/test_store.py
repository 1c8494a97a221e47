"""The store is kill-safe: a crash mid-write leaves the old record, a killed run leaves
whole records only, and the next run finishes just what is missing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gaptrack.api import Store, evaluate, load_config
from gaptrack.store import atomic
from tests.fakes import FakeRunner


def test_crash_mid_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "record.json"
    atomic.write_text_atomic(target, '{"version": 1}')

    def crash(*_args):
        raise OSError("disk gone")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        atomic.write_text_atomic(target, '{"version": 2}')
    assert json.loads(target.read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]  # no temporary left


def test_sigkill_midway_leaves_whole_records_and_resumes(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    records = config.results_dir / "records"
    process = subprocess.Popen(
        [sys.executable, "-m", "gaptrack", "eval", "--config", str(tiny_config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 120
    while (
        not any(records.glob("*.json")) and process.poll() is None and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()

    written = sorted(records.glob("*.json"))
    assert written, "the run was killed before its first record"
    # The kill landed mid-run: the process did not exit by itself, and work was left.
    assert process.returncode == -signal.SIGKILL, "the run finished before the kill"
    assert len(written) < 4, "every record was written before the kill"
    for path in written:  # every file is a whole, valid record
        Store(config.results_dir).get(path.stem)
    # A kill during a write may leave a hidden temporary file; it is never read as a record.

    resumed = FakeRunner()
    evaluate(config, runner=resumed)
    assert len(resumed.ran) == 4 - len(written)
    assert len(list(Store(config.results_dir).records())) == 4
