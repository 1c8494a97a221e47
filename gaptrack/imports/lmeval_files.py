"""lm-eval output folders (`lm_eval --output_path DIR --log_samples`): the files found,
read and checked. What the files mean is run/lmeval.py's business (the one module that
knows lm-eval's result format); this module finds them and checks they belong together."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from gaptrack.errors import GaptrackError
from gaptrack.imports.runs import ImportedTask, sha256_file
from gaptrack.run import lmeval


def results_files(path: Path) -> list[Path]:
    """The results JSONs a path holds: the file itself, or every `results_*.json` under a
    folder (the CLI writes them one level down, in a folder named after the model)."""
    if path.is_file():
        return [path] if path.suffix == ".json" else []
    return sorted(path.rglob("results_*.json"))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise GaptrackError(f"cannot read: {exc.strerror}", file=path) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise GaptrackError(f"not a JSON file ({exc})", file=path) from None
    if not isinstance(data, dict):
        raise GaptrackError("not an lm-eval results file (no JSON object)", file=path)
    return data


def is_lmeval_results(data: dict[str, Any]) -> bool:
    return isinstance(data.get("results"), dict) and "n-samples" in data and "config" in data


def read_samples(path: Path) -> list[dict[str, Any]]:
    """Every line of a samples JSONL; a line that is not a JSON object (a file cut short
    by a full disk or a killed copy) is one error naming the file and line."""
    if not path.is_file():
        raise GaptrackError(
            "missing: the run was not logged with --log_samples, or the file was not copied",
            file=path,
        )
    samples = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                sample = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                raise GaptrackError(
                    f"line {number} is not a JSON object (file truncated?)", file=path
                ) from None
            if not isinstance(sample, dict) or not {"doc_id", "prompt_hash"} <= sample.keys():
                raise GaptrackError(
                    f"line {number} is not an lm-eval sample (no doc_id or prompt_hash)",
                    file=path,
                )
            samples.append(sample)
    return samples


def _check_samples(
    path: Path, results_file: Path, task: str, samples: list[dict], results: dict
) -> None:
    """The samples file must hold exactly the documents the results count, and hash to
    the task hash the results state: otherwise it is not this run's file."""
    counts = results.get("n-samples", {}).get(task)
    effective = counts.get("effective") if isinstance(counts, dict) else None
    if effective is None:
        raise GaptrackError(f"no n-samples entry for task {task!r}", file=results_file)
    doc_ids = {int(s["doc_id"]) for s in samples}
    if len(doc_ids) != int(effective):
        raise GaptrackError(
            f"{len(doc_ids)} documents (doc ids), but {results_file.name} counts "
            f"{effective} for {task} (n-samples.effective)",
            file=path,
        )
    stated = results.get("task_hashes", {}).get(task)
    if stated and lmeval.lm_eval_task_hash({task: samples}) != stated:
        raise GaptrackError(
            f"its documents, prompts and targets do not hash to {results_file.name}'s "
            f"task_hashes.{task}: not the samples of this run",
            file=path,
        )


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read_results_file(results_file: Path) -> list[ImportedTask]:
    """Every top-level task of one lm-eval results file with its samples, checked."""
    results = _read_json(results_file)
    if not is_lmeval_results(results):
        raise GaptrackError(
            "not an lm-eval results file (no results, n-samples and config)", file=results_file
        )
    why = lmeval.unsupported_version(results)
    if why is not None:
        raise GaptrackError(why, file=results_file, field="lm_eval_version")
    results_sha = sha256_file(results_file)
    config = results.get("config", {})
    model_args = lmeval.run_model_args(results)
    model_name = (
        model_args.get("pretrained") or model_args.get("model") or results.get("model_name")
    )
    if not model_name:
        raise GaptrackError(
            "the run names no model (config.model_args has no pretrained)", file=results_file
        )
    revision = config.get("model_sha") or model_args.get("revision") or config.get("model_revision")
    limit = config.get("limit")
    if limit is not None and float(limit) != int(float(limit)):
        raise GaptrackError(
            f"limit {limit} is a fraction of each task: gaptrack stores item caps only",
            file=results_file,
            field="config.limit",
        )
    date = _number(results.get("date"))
    run_date = None if date is None else dt.datetime.fromtimestamp(date, dt.timezone.utc)
    generation = lmeval.run_generation(results)
    packages = {
        "lm_eval": results["lm_eval_version"],
        "transformers": str(results.get("transformers_version") or "not stated"),
    }
    imported = []
    for task in lmeval.top_level_tasks(results):
        samples = {}
        files = {results_file.name: results_sha}
        for leaf in lmeval.leaf_tasks(results, task):
            path = lmeval.samples_file(results_file, leaf)
            samples[leaf] = read_samples(path)
            _check_samples(path, results_file, leaf, samples[leaf], results)
            files[path.name] = sha256_file(path)
        try:
            outcome = lmeval.parse_results(lmeval.task_view(results, task, samples), task)
        except (KeyError, ValueError, TypeError) as exc:
            raise GaptrackError(
                f"task {task!r} cannot be read ({type(exc).__name__}: {exc})", file=results_file
            ) from None
        shots = results.get("n-shot", {}).get(task)
        imported.append(
            ImportedTask(
                file=results_file,
                harness="lm-eval",
                harness_version=results["lm_eval_version"],
                task=task,
                outcome=outcome,
                model_name=str(model_name),
                model_field="config.model_args.pretrained",
                revision=None if not revision or revision == "main" else str(revision),
                dtype=lmeval.run_dtype(results),
                backend=str(config.get("model") or "not stated"),
                task_fingerprint=(f"imported:lm-eval:{outcome.version}:{outcome.task_hash}"),
                num_fewshot=None if shots is None else int(shots),
                limit=None if limit is None else int(float(limit)),
                generation=generation,
                files=dict(sorted(files.items())),
                packages=packages,
                model_args=model_args,
                run_date=run_date,
                wall_time_s=_number(results.get("total_evaluation_time_seconds")) or 0.0,
                device=str(config.get("device") or "not stated"),
                batch_size=str(config.get("batch_size") or "not stated"),
            )
        )
    return imported
