"""Concurrent runs on one results folder share the work: each (model, task) key is
claimed with an OS file lock before it is evaluated, so it is evaluated exactly once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from gaptrack.api import Store, load_config
from gaptrack.store.locks import Locks


def test_a_claim_excludes_other_holders_until_released(tmp_path: Path) -> None:
    mine, theirs = Locks(tmp_path), Locks(tmp_path)
    assert mine.try_claim("k")
    assert not theirs.try_claim("k")
    mine.release("k")
    assert theirs.try_claim("k")


def test_a_killed_holder_releases_its_claim(tmp_path: Path) -> None:
    code = (
        "import sys, time; from gaptrack.store.locks import Locks; "
        f"claims = Locks({str(tmp_path)!r}); assert claims.try_claim('k'); "
        "print('held', flush=True); "
        "time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    assert not Locks(tmp_path).try_claim("k")
    holder.kill()
    holder.wait()
    assert Locks(tmp_path).try_claim("k")  # the OS dropped the lock: no timestamps


def test_four_concurrent_evals_evaluate_each_key_once(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    command = [sys.executable, "-m", "gaptrack", "eval", "--config", str(tiny_config), "--wait"]
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


def _held_elsewhere(tiny_config: Path, tmp_path: Path, then=None):
    """Every key of the config claimed by "another run" (a thread: a lock taken twice in
    one thread is refused as a deadlock), which calls `then(config, done)` with its results
    ready in a store of its own, and lets the keys go."""
    import threading

    from gaptrack.api import EvalRequest, evaluate, make_plan
    from tests.fakes import FakeRunner

    config = load_config(tiny_config)
    keys = [e.key.digest() for e in make_plan(config, EvalRequest(device="cpu")).entries]
    done = tmp_path / "their-results"
    evaluate(config, EvalRequest(device="cpu", results_dir=done), runner=FakeRunner())
    held, finish = threading.Event(), threading.Event()

    def other_run() -> None:
        theirs = Locks(config.results_dir)
        assert all(theirs.try_claim(k) for k in keys)
        held.set()
        finish.wait(60)
        if then is not None:
            then(config, done)
        theirs.release_all()

    thread = threading.Thread(target=other_run)
    thread.start()
    held.wait(60)
    return thread, finish


def test_no_wait_exits_3_when_the_work_is_elsewhere(tiny_config: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gaptrack.cli import app

    thread, finish = _held_elsewhere(tiny_config, tmp_path)
    result = CliRunner().invoke(app, ["eval", "--config", str(tiny_config), "--no-wait"])
    finish.set()
    thread.join()
    assert result.exit_code == 3, result.output
    assert "4 (model, task) pairs are being evaluated by another run" in result.output


def test_wait_blocks_until_the_other_run_stored_its_records(
    tiny_config: Path, tmp_path: Path
) -> None:
    import shutil
    import threading

    from typer.testing import CliRunner

    from gaptrack.cli import app

    def store_theirs(config, done) -> None:  # the other run stores its records
        for folder in ("items", "records"):
            shutil.copytree(done / folder, config.results_dir / folder, dirs_exist_ok=True)

    thread, finish = _held_elsewhere(tiny_config, tmp_path, store_theirs)
    threading.Timer(1.0, finish.set).start()
    result = CliRunner().invoke(app, ["eval", "--config", str(tiny_config), "--wait"])
    thread.join()
    assert result.exit_code == 0, result.output
    assert "waiting for another run to finish 4" in result.output
    assert "0 evaluated, 4 from the store, 0 failed" in result.output


def test_a_lock_file_symlink_is_refused_in_one_line(tiny_config: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gaptrack.api import EvalRequest, make_plan
    from gaptrack.cli import app

    config = load_config(tiny_config)
    key = make_plan(config, EvalRequest(device="cpu")).entries[0].key.digest()
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = config.results_dir / "locks" / f"{key}.lock"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    result = CliRunner().invoke(app, ["eval", "--config", str(tiny_config)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert f"error: {link}: a symbolic link, not a lock file" in result.output
    assert target.read_text() == "keep me" and link.is_symlink()
