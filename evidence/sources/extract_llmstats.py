"""Rebuild evidence/llmstats.csv and its excerpt from a local git copy of
JonathanChavezTamales/LLMStats (CC-BY 4.0). A maintenance script, not used at run time;
the tests check the shipped rows against the committed excerpt.

    python evidence/sources/extract_llmstats.py LLMSTATS_GIT

Subset: developer-reported (`is_self_reported`) scores of US (OpenAI, Anthropic, Google,
Meta, xAI) and Chinese (DeepSeek, Alibaba/Qwen, Moonshot AI) models on the benchmarks the
frontier charts use. The reading (which files, which scores, the row ids, gaptrack's
corrections in llmstats/corrections.json) is gaptrack.update.llmstats, the one reader that
`gaptrack update` also uses on a fetched copy of the repository.
"""

from __future__ import annotations

import json
import sys

from gitcopy import EVIDENCE, HERE, git

from gaptrack.update.convert import rows_csv
from gaptrack.update.llmstats import REPO, compilation, model_file


def main(repo: str) -> None:
    commit = git(repo, "rev-parse", "HEAD").decode().strip()
    paths = [
        p
        for p in git(repo, "ls-tree", "-r", "--name-only", commit).decode().split()
        if model_file(p)
    ]
    files = {p: git(repo, "show", f"{commit}:{p}") for p in paths}
    rows, excerpt = compilation(files, lambda path: f"{REPO}:{path}@{commit}")
    (EVIDENCE / "llmstats.csv").write_bytes(rows_csv(rows))
    (HERE / "llmstats" / "excerpt.json").write_text(
        json.dumps({"repo": REPO, "commit": commit, "files": excerpt}, indent=1, sort_keys=True)
        + "\n"
    )
    print(len(rows), "rows from", len(excerpt), "files")


if __name__ == "__main__":
    main(sys.argv[1])
