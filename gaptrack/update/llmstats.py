"""The one reader of the LLMStats compilation (github.com/JonathanChavezTamales/LLMStats,
CC-BY 4.0: one `models/<org>/<model>/model.json` per model): its developer-reported
scores of US and Chinese models on the benchmarks the frontier charts use, as rows of
evidence/llmstats.csv, with gaptrack's corrections (evidence/sources/llmstats/
corrections.json) applied.

Both makers of that file call it: the maintenance script
evidence/sources/extract_llmstats.py (from a git copy of the repository) and
`gaptrack update` (from the repository's zip archive, source `llmstats`), so a fetched
copy is read by exactly the rules that made the shipped file."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath

from gaptrack.paths import shipped
from gaptrack.update.convert import ConvertProblem, slug

REPO = "JonathanChavezTamales/LLMStats"
ORGS = {
    "openai": ("OpenAI", "US"),
    "anthropic": ("Anthropic", "US"),
    "google": ("Google", "US"),
    "meta": ("Meta", "US"),
    "xai": ("xAI", "US"),
    "deepseek": ("DeepSeek", "CN"),
    "qwen": ("Alibaba", "CN"),
    "moonshotai": ("Moonshot AI", "CN"),
}
"""The repository's organisation folders read, with organisation and origin."""
FAMILIES = [
    ("gemma", "Gemma"),
    ("gemini", "Gemini"),
    ("llama", "Llama"),
    ("qwq", "Qwen"),
    ("qvq", "Qwen"),
    ("qwen", "Qwen"),
    ("deepseek", "DeepSeek"),
    ("kimi", "Kimi"),
    ("claude", "Claude"),
    ("grok", "Grok"),
    ("gpt", "GPT"),
    ("o1", "o-series"),
    ("o3", "o-series"),
    ("o4", "o-series"),
]
"""Model folder substring -> family, first match wins (`gemma` before `gemini`)."""
BENCH = {
    "MMLU": "mmlu",
    "MMLU-Pro": "mmlu_pro",
    "GPQA": "gpqa_diamond",
    "MATH": "math",
    "MATH-500": "math_500",
    "HumanEval": "humaneval",
    "LiveCodeBench": "livecodebench",
    "AIME 2024": "aime_2024",
    "AIME 2025": "aime_2025",
    "MMMU": "mmmu",
}
"""LLMStats dataset name -> gaptrack benchmark id."""
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def corrections_file():
    return shipped("evidence") / "sources" / "llmstats" / "corrections.json"


def model_file(path: str) -> bool:
    """A `models/<org>/<model>/model.json` of an organisation read here."""
    parts = path.split("/")
    return (
        len(parts) == 4 and parts[0] == "models" and parts[3] == "model.json" and (parts[1] in ORGS)
    )


def value_of(score: float) -> str:
    # the file stores fractions; percent with the file's own digits (no float noise)
    return f"{round(score * 100, 6):g}"


def used_metrics(data: Mapping, path: str = "") -> list[dict]:
    """The developer-reported (`is_self_reported`) scores on the benchmarks read."""
    metrics = data.get("qualitative_metrics", [])
    if not isinstance(metrics, list):
        raise ConvertProblem(f"{path}: qualitative_metrics is not a list")
    used = []
    for n, m in enumerate(metrics):
        if not isinstance(m, dict):
            raise ConvertProblem(f"{path}: qualitative_metrics[{n}] is not an object")
        if m.get("is_self_reported") and m.get("dataset_name") in BENCH:
            score = m.get("score")
            if isinstance(score, bool) or not isinstance(score, (int, float)):
                raise ConvertProblem(
                    f"{path}: qualitative_metrics[{n}] ({m['dataset_name']}) score is "
                    f"{score!r}, not a number"
                )
            used.append(m)
    return used


def model_rows(path: str, data: Mapping, digest: str, locator: str) -> list[dict]:
    """Rows of one model.json (`path` relative to the repository), uncorrected."""
    org, origin = ORGS[path.split("/")[1]]
    used = used_metrics(data, path)
    if not used:
        return []
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise ConvertProblem(f"{path}: no model name (the file's layout changed?)")
    folder = path.split("/")[2]
    licence = (data.get("license") or "").strip()
    open_w = "" if not licence else ("false" if licence.lower() == "proprietary" else "true")
    family = next((f for k, f in FAMILIES if k in folder), "")
    params = data.get("param_count")
    rows, seen = [], set()
    for m in used:
        bench = BENCH[m["dataset_name"]]
        method = m.get("analysis_method") or ""
        key = f"{slug(folder)}.{bench}"
        n = 2
        while key in seen:
            key = f"{slug(folder)}.{bench}.{n}"
            n += 1
        seen.add(key)
        note = f"LLMStats dataset '{m['dataset_name']}'"
        if bench == "gpqa_diamond" and "diamond" not in method.lower():
            note += (
                "; subset not stated in the file (developers of this period report the Diamond set)"
            )
        rows.append(
            {
                "id": f"llmstats.{key}",
                "quantity": "score",
                "model": data["name"],
                "organisation": org,
                "origin": origin,
                "family": family,
                "released": data.get("release_date") or "",
                "open_weights": open_w,
                "params_b": f"{params / 1e9:g}" if params else "",
                "benchmark": bench,
                "metric": method,
                "value": value_of(m["score"]),
                "published": m.get("date_recorded") or "",
                "source": m.get("source_link") or f"https://github.com/{REPO}",
                "source_kind": "secondary",
                "note": note,
                "status": "verified",
                "excerpt": f'"dataset_name": "{m["dataset_name"]}", "score": {m["score"]}',
                "locator": locator,
                "reporter": "developer",
                "measured_by": org,
                "source_digest": digest,
            }
        )
    return rows


def correct(rows: list[dict], corrections: Mapping[str, dict] | None = None) -> list[dict]:
    """gaptrack's corrections after checking rows at the primary source (a benchmark
    variant stored under the wrong id, a sampling the file misnames), keyed by the id the
    reading gives; the file's own note is kept and the correction's appended."""
    if corrections is None:
        corrections = json.loads(corrections_file().read_text(encoding="utf-8"))["rows"]
    for row in rows:
        fix = corrections.get(row["id"])
        if fix:
            row.update({k: v for k, v in fix.items() if k != "note"})
            row["note"] = f"{row['note']}; {fix['note']}"
    return rows


def compilation(
    files: Mapping[str, bytes], locator: Callable[[str], str]
) -> tuple[list[dict], dict[str, dict]]:
    """The corrected rows of every model file read (paths relative to the repository, in
    path order), and per file the excerpt kept beside the shipped rows (digest, the
    fields read, the scores used). `locator(path)` says where a row's figure is."""
    rows, excerpt = [], {}
    for path in sorted(p for p in files if model_file(p)):
        raw = files[path]
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConvertProblem(f"{path}: not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise ConvertProblem(f"{path}: not a JSON object")
        digest = hashlib.sha256(raw).hexdigest()
        made = model_rows(path, data, digest, locator(path))
        if not made:
            continue
        excerpt[path] = {
            "sha256": digest,
            "name": data["name"],
            "release_date": data.get("release_date"),
            "license": data.get("license"),
            "param_count": data.get("param_count"),
            "metrics": used_metrics(data, path),
        }
        rows += made
    if not rows:
        raise ConvertProblem("no model file gives a row (models/<org>/<model>/model.json)")
    return correct(rows), excerpt


def archive_files(data: bytes) -> tuple[dict[str, bytes], str]:
    """The model files of a GitHub zip archive of the repository (members under one top
    folder, `LLMStats-main/`), and the commit the archive names in its comment (empty
    where it names none)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise ConvertProblem(f"not a zip archive ({exc}; truncated download?)") from None
    files = {}
    for name in names:
        rel = str(PurePosixPath(*PurePosixPath(name).parts[1:])) if "/" in name else name
        if model_file(rel):
            try:
                files[rel] = archive.read(name)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ConvertProblem(f"{name}: unreadable in the archive ({exc})") from None
    if not files:
        raise ConvertProblem("the archive holds no models/<org>/<model>/model.json")
    comment = archive.comment.decode("ascii", "replace").strip()
    return files, comment if _COMMIT.match(comment) else ""


def archive_rows(data: bytes, url: str, date: str) -> list[dict]:
    """Rows of a fetched archive: located at the commit it names (as the shipped rows
    are), else at the URL and day of the copy."""
    files, commit = archive_files(data)

    def locator(path: str) -> str:
        return f"{REPO}:{path}@{commit}" if commit else f"{url} ({path}) fetched {date}"

    rows, _ = compilation(files, locator)
    return rows
