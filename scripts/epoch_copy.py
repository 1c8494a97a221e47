"""Copy the Epoch AI Benchmarking Hub files gaptrack uses into evidence/epoch/ and write
their manifest (origin repo, commit, path, sha256, date of copy).

Files are copied byte for byte so that the shipped rows are the source rows: the test
tests/test_epoch_data.py recomputes each digest. Run from the repository root with bare
clones of the two public repositories named below (APRIL, EPOCH); not needed at run time.

    git clone --bare https://github.com/madhu24raj/bayes-llm-saturation madhu.git
    git clone --bare https://github.com/epoch-research/benchmark-stitching epoch.git
    python scripts/epoch_copy.py madhu.git epoch.git
"""

import csv
import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

# Third-party copy of the full download (April 2026) and Epoch's own repository.
APRIL = ("madhu24raj/bayes-llm-saturation", "4a91fc028f149f096592c4db8b114b8b77f9711f")
EPOCH = ("epoch-research/benchmark-stitching", "07356c2106015f283c23a1f2478ea9e654a9f24f")
EPOCH_HEAD = ("epoch-research/benchmark-stitching", "f87d3cc8e8a8f8471be475ebce58fb9a73b4e756")

APRIL_FILES = """adversarial_nli_external aider_polyglot_external apex_agents_external
arc_agi_2_external arc_agi_external arc_ai2_external balrog_external bbh_external
cad_eval_external chess_puzzles common_sense_qa_2_external cybench_external
deepresearchbench_external epoch_capabilities_index fictionlivebench_external frontiermath
frontiermath_tier_4 geobench_external gpqa_diamond gsm8k_external hella_swag_external
hle_external lambada_external lech_mazur_writing_external live_bench_external math_level_5
mmlu_external open_book_qa_external os_world_external otis_mock_aime_2024_2025 piqa_external
posttrainbench_external science_qa_external simplebench_external simpleqa_verified
swe_bench_verified terminalbench_external the_agent_company_external trivia_qa_external
video_mme_external vpct_external weirdml_external wino_grande_external
additional_eci_data/eci_benchmark_difficulties_and_slopes additional_eci_data/eci_scaling""".split()  # noqa: SIM905 (a word list reads better)


def main(april_git: str, epoch_git: str) -> None:
    out = Path("evidence/epoch")
    rows = []
    jobs = [
        (april_git, APRIL, f"benchmark_data/{n}.csv", f"april2026/{Path(n).name}.csv")
        for n in APRIL_FILES
    ]
    jobs += [
        (
            epoch_git,
            EPOCH,
            "data/website/epoch_capabilities_index.csv",
            "epoch_repo/epoch_capabilities_index.csv",
        ),
        (epoch_git, EPOCH_HEAD, "data/benchmarks_runs.csv", "epoch_repo/benchmarks_runs.csv"),
        (
            epoch_git,
            EPOCH_HEAD,
            "data/external_benchmark_mmlu.csv",
            "epoch_repo/external_benchmark_mmlu.csv",
        ),
    ]
    for git_dir, (repo, commit), src, dest in jobs:
        data = subprocess.run(
            ["git", "--git-dir", git_dir, "show", f"{commit}:{src}"],
            capture_output=True,
            check=True,
        ).stdout
        target = out / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        rows.append(
            {
                "file": dest,
                "origin_repo": repo,
                "commit": commit,
                "path": src,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
                "copied": dt.date.today().isoformat(),
            }
        )
    with open(out / "SOURCES.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
