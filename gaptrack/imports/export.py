"""`gaptrack export`: the store's records as lm-eval-style results JSON, one file per
model (the layout `lm_eval --output_path` writes), so others can read gaptrack's runs
with the tools they already have."""

from __future__ import annotations

import json
from pathlib import Path

from gaptrack.store import ResultRecord, Store


def export_results(results_dir: Path, out: Path, models: tuple[str, ...] = ()) -> list[Path]:
    """Write `<out>/<model id>/results_gaptrack.json` for every model of the store (or
    those named); returns the files written. Where a model has several records of a task
    (other limits or settings), the one with most items is written."""
    from gaptrack.publish.files import check_folder, write_files
    from gaptrack.run.lmeval import results_dict

    check_folder(out)
    by_model: dict[str, dict[str, ResultRecord]] = {}
    for record in Store(results_dir).records():
        if models and record.model.id not in models:
            continue
        tasks = by_model.setdefault(record.model.id, {})
        held = tasks.get(record.task.name)
        if held is None or (record.task.n_samples, record.key) > (held.task.n_samples, held.key):
            tasks[record.task.name] = record
    files = {}
    for model_id, tasks in sorted(by_model.items()):
        records = [tasks[name] for name in sorted(tasks)]
        text = json.dumps(results_dict(records), indent=2, default=str, ensure_ascii=False)
        files[out / model_id / "results_gaptrack.json"] = text + "\n"
    return write_files(files)  # all or none
