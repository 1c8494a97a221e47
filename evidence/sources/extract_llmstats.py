"""Rebuild evidence/llmstats.csv and its excerpt from a local git copy of
JonathanChavezTamales/LLMStats (CC-BY 4.0). A maintenance script, not used at run time;
the tests check the shipped rows against the committed excerpt.

    python evidence/sources/extract_llmstats.py LLMSTATS_GIT

Subset: developer-reported (`is_self_reported`) scores of US (OpenAI, Anthropic, Google,
Meta, xAI) and Chinese (DeepSeek, Alibaba/Qwen, Moonshot AI) models on the benchmarks the
frontier charts use.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

from gaptrack.compare.evidence.csvio import CSV_COLUMNS

HERE = Path(__file__).resolve().parent
EVIDENCE = HERE.parent
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
COLUMNS = CSV_COLUMNS  # the reader's own column order, so the files stay loadable


def git(repo: str, *args: str) -> bytes:
    return subprocess.check_output(["git", "-C", repo, *args])


def slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9.]+", "-", text.lower())).strip("-.")


def value_of(score: float) -> str:
    # the file stores fractions; percent with the file's own digits (no float noise)
    return f"{round(score * 100, 6):g}"


def main(repo: str) -> None:
    commit = git(repo, "rev-parse", "HEAD").decode().strip()
    paths = [
        p
        for p in git(repo, "ls-tree", "-r", "--name-only", commit).decode().split()
        if p.startswith("models/") and p.endswith("/model.json") and p.split("/")[1] in ORGS
    ]
    rows, excerpt = [], {}
    for path in sorted(paths):
        raw = git(repo, "show", f"{commit}:{path}")
        data = json.loads(raw)
        org, origin = ORGS[path.split("/")[1]]
        used = [
            m
            for m in data.get("qualitative_metrics", [])
            if m.get("is_self_reported") and m["dataset_name"] in BENCH
        ]
        if not used:
            continue
        licence = (data.get("license") or "").strip()
        open_w = "" if not licence else ("false" if licence.lower() == "proprietary" else "true")
        family = next((f for k, f in FAMILIES if k in path.split("/")[2]), "")
        params = data.get("param_count")
        excerpt[path] = {
            "sha256": hashlib.sha256(raw).hexdigest(),
            "name": data["name"],
            "release_date": data.get("release_date"),
            "license": data.get("license"),
            "param_count": params,
            "metrics": used,
        }
        seen = set()
        for m in used:
            bench = BENCH[m["dataset_name"]]
            method = m.get("analysis_method") or ""
            key = f"{slug(path.split('/')[2])}.{bench}"
            n = 2
            while key in seen:
                key = f"{slug(path.split('/')[2])}.{bench}.{n}"
                n += 1
            seen.add(key)
            note = f"LLMStats dataset '{m['dataset_name']}'"
            if bench == "gpqa_diamond" and "diamond" not in method.lower():
                note += "; subset not stated in the file (developers of this period report the Diamond set)"
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
                    "locator": f"{REPO}:{path}@{commit}",
                    "reporter": "developer",
                    "measured_by": org,
                    "source_digest": excerpt[path]["sha256"],
                }
            )
    # gaptrack's corrections after checking rows at the primary source (a benchmark variant
    # stored under the wrong id, a sampling the file misnames): the file's own text is kept
    corrections = json.loads((HERE / "llmstats" / "corrections.json").read_text())["rows"]
    for row in rows:
        fix = corrections.get(row["id"])
        if fix:
            row.update({k: v for k, v in fix.items() if k != "note"})
            row["note"] = f"{row['note']}; {fix['note']}"
    with open(EVIDENCE / "llmstats.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    (HERE / "llmstats" / "excerpt.json").write_text(
        json.dumps({"repo": REPO, "commit": commit, "files": excerpt}, indent=1, sort_keys=True)
        + "\n"
    )
    print(len(rows), "rows from", len(excerpt), "files")


if __name__ == "__main__":
    main(sys.argv[1])
