"""Build evidence/models.yaml, the model registry, from the evidence gaptrack ships.

    python scripts/build_model_registry.py            # writes evidence/models.yaml
    python scripts/build_model_registry.py --check    # exit 1 if the file would change

Every model name of every source (Epoch AI's model table and benchmark files, the evidence
CSVs, gaptrack's model catalogues) becomes an alias of one version of one model:

* Epoch AI's "Model name" groups its model versions into models; versions of one name
  released more than a week apart become separate versions of that model (each keeps its
  own date), versions within a week (reasoning efforts, providers, a base and its chat
  model) are one version.
* A name from another source joins the Epoch version or model whose name it equals once
  case, spaces and punctuation are dropped, or the one named in MANUAL below (the
  hand-fixed identities); otherwise it starts a model of its own.
* A version's release date is, in this order: a date set by hand in DATES (the developer's
  own announcement, checked at the source named there), a `release` row of reported.csv
  taken from the developer's own page, Epoch AI's model table, a score row's date in
  reported.csv, LLMStats, developer_reports.csv, gaptrack's catalogues. Every other date a
  source gives is listed as a conflict by `gaptrack models --conflicts`.

The output is deterministic (sorted), so a re-run shows only what the evidence changed."""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import yaml

from gaptrack.compare.evidence.epochdata import country_code

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "evidence"
OUT = EVIDENCE / "models.yaml"
ECI = EVIDENCE / "epoch" / "april2026" / "epoch_capabilities_index.csv"
CSV_SOURCES = ("reported", "llmstats", "developer_reports", "arena_history", "arena_catalog")
CSV_FILES = {
    **{s: s for s in CSV_SOURCES},
    "arena_catalog_style_control": "arena_catalog",
    "arena_ai": "arena_catalog",
    "arena_ai_style_control": "arena_catalog",
}
"""Evidence CSV stem -> alias source: LMArena's style-controlled export, and the scrape of
arena.ai's pages in the same layout (2026), name models by the same keys as its plain one."""
CATALOGUES = ("packaged_models.yaml", "catalogue.yaml")
SAME_VERSION_DAYS = 7


# Hand-fixed identities: (source, name as the source writes it) -> the Epoch AI model
# version it is (or `=NAME`: the same model as NAME of another source). Names that
# differ only in case, spaces or punctuation need no entry.
MANUAL: dict[tuple[str, str], str] = {
    # the duplicates: one model under several names
    ("reported", "Claude 3.5 Sonnet (2024-10-22)"): "claude-3-5-sonnet-20241022",
    ("arena_history", "Claude 3.5 Sonnet (20240620)"): "claude-3-5-sonnet-20240620",
    ("reported", "DeepSeek-V2 Chat (RL)"): "DeepSeek-V2",  # the chat model of the V2 release
    ("reported", "DeepSeek-V2"): "DeepSeek-V2",
    ("reported", "DeepSeek LLM 67B Base"): "deepseek-llm-67b-chat",
    ("reported", "DeepSeek LLM 67B"): "deepseek-llm-67b-chat",
    ("reported", "DeepSeek-Coder-V2"): "DeepSeek-Coder-V2-Instruct",
    ("reported", "DeepSeek Coder"): "deepseek-coder-33b-base",
    ("reported", "GPT-4"): "gpt-4-0314",
    ("arena_history", "GPT-4-0314"): "gpt-4-0314",
    ("arena_history", "ChatGPT-4"): "gpt-4-0314",
    ("reported", "o1-2024-12-17"): "o1-2024-12-17_high",
    ("reported", "o1"): "o1-2024-12-17_high",
    ("llmstats", "o1"): "o1-2024-12-17_high",
    ("reported", "o3-mini (high)"): "o3-mini-2025-01-31_high",
    ("llmstats", "o3-mini"): "o3-mini-2025-01-31_high",
    ("llmstats", "o3"): "o3-2025-04-16_medium",
    ("arena_catalog", "o3-2025-04-16"): "o3-2025-04-16_medium",
    ("arena_history", "GPT-4.5-Preview"): "gpt-4.5-preview-2025-02-27",
    ("llmstats", "GPT-4.5"): "gpt-4.5-preview-2025-02-27",
    ("arena_history", "ChatGPT-4o-latest (2025-03-26)"): "chatgpt-4o-03-27-2025",
    ("arena_catalog", "chatgpt-4o-latest-20250326"): "chatgpt-4o-03-27-2025",
    ("arena_history", "Llama-3-70B-Instruct"): "Meta-Llama-3-70B-Instruct",
    ("arena_history", "Meta-Llama-3.1-405B-Instruct-bf16"): "Llama-3.1-405B-Instruct",
    ("arena_history", "Meta-Llama-3.1-405B-Instruct-fp8"): "Llama-3.1-405B-Instruct",
    ("arena_history", "Qwen1.5-14B-Chat"): "qwen1.5-14B",
    ("arena_history", "Yi-Large-preview"): "Yi-large",
    ("reported", "Gemini 1.5 Pro (May 2024)"): "gemini-1.5-pro-001",
    ("arena_history", "Gemini-1.5-Pro-001"): "gemini-1.5-pro-001",
    ("reported", "Qwen2-VL-72B"): "Qwen2-VL-72B-Instruct",
    ("arena_catalog", "claude-sonnet-4-5-20250929-thinking-32k"): "claude-sonnet-4-5-20250929_32K",
    ("llmstats", "Llama 3.2 11B Instruct"): "Llama-3.2-11B-Vision-Instruct",
    ("llmstats", "Llama 3.2 90B Instruct"): "Llama-3.2-90B-Vision-Instruct",
    ("llmstats", "Qwen2 72B Instruct"): "qwen2-72b-instruct",
    ("arena_history", "Qwen2-72B-Instruct"): "qwen2-72b-instruct",
    ("reported", "Qwen2-72B-Instruct"): "qwen2-72b-instruct",
    ("llmstats", "DeepSeek-V3 0324"): "DeepSeek-V3-0324",
    ("arena_history", "Deepseek-v2.5"): "DeepSeek-V2.5",
    ("llmstats", "Grok-2"): "grok-2-1212",
    ("llmstats", "Grok-3"): "grok-3",
    ("llmstats", "Grok-3 Mini"): "grok-3-mini-beta_high",
    ("reported", "GPT-4o"): "gpt-4o-2024-05-13",
    ("arena_history", "GPT-4o-2024-05-13"): "gpt-4o-2024-05-13",
    ("llmstats", "Gemini 1.5 Pro"): "gemini-1.5-pro-001",
    ("llmstats", "Gemini 1.5 Flash"): "gemini-1.5-flash-001",
    ("llmstats", "Gemini 2.0 Flash"): "gemini-2.0-flash-001",
    ("reported", "Gemini 2.0 Flash"): "gemini-2.0-flash-001",
    ("llmstats", "Llama 4 Maverick"): "Llama-4-Maverick-17B-128E-Instruct",
    ("llmstats", "Llama 4 Scout"): "Llama-4-Scout-17B-16E-Instruct",
    ("reported", "Kimi k1.5 (long-CoT)"): "=reported:Kimi k1.5",
    ("reported", "GLM-4 (0116)"): "=reported:GLM-4",
    ("arena_history", "GLM-4-0116"): "=reported:GLM-4",
    ("arena_history", "Grok-3-Preview-02-24"): "=arena_catalog:grok-3-preview-02-24",
    ("arena_history", "chocolate (Early Grok-3)"): "=arena_catalog:early-grok-3",
    ("arena_history", "Claude 1"): "=arena_history:Claude-1",
    ("arena_history", "GPT 4 Turbo"): "gpt-4-1106-preview",
    ("arena_catalog", "athene-v2-chat"): "=arena_history:Athene-v2-Chat-72B",
    ("llmstats", "QvQ-72B-Preview"): "=reported:QVQ-72B-Preview",
    ("developer_reports", "Kimi K2 Instruct"): "Kimi-K2-Instruct",
    ("reported", "Kimi K2"): "Kimi-K2-Instruct",
    ("developer_reports", "MiniMax-M1-80K"): "MiniMax-M1-80k",
    ("reported", "Yi-34B"): "Yi-34B",
    ("reported", "Qwen-14B"): "Qwen-14B",
    ("reported", "Qwen-7B"): "Qwen-7B",
    ("reported", "GLM-4-9B"): "=gaptrack:glm-4-9b",
}

# Release dates set by hand: the developer's own announcement, checked at the source
# (version id -> date, source, excerpt). These win over every compilation.
DATES: dict[str, tuple[str, str, str] | tuple[str, str, str, str]] = {
    "deepseek-v2.5": (
        "2024-09-05",
        "https://huggingface.co/deepseek-ai/DeepSeek-V2.5 commit history (the developer's "
        "own model repository; found with gaptrack's search of stored pages, 2026-12-06)",
        "Upload folder using huggingface_hub a05fd5f verified msr2000 commited on Sep 5, 2024"
        " | initial commit 83646f4 verified msr2000 commited on Sep 5, 2024",
    ),
    "qwq-32b": (
        "2025-03-06",
        "https://qwenlm.github.io/blog/qwq-32b/ (Qwen team blog; stored capture at "
        "onlylabs.fyi, found 2026-12-06)",
        "QwQ-32B: Embracing the Power of Reinforcement Learning March 6, 2025 · 4 min · "
        "742 words · Qwen Team",
    ),
    # Epoch AI dates these two 2025-02-26; they are the Qwen2.5 release of September 2024
    "qwen2.5-7b": (
        "2024-09-19",
        "github.com/QwenLM/Qwen2.5 README.md@77fb0c1e20ee5bf36326d0004eaa09df651a0346, News "
        "(reported.csv qwen2.5.release)",
        "2024.09.19: We released the Qwen2.5 series.",
    ),
    "qwen2.5-14b": (
        "2024-09-19",
        "github.com/QwenLM/Qwen2.5 README.md@77fb0c1e20ee5bf36326d0004eaa09df651a0346, News "
        "(reported.csv qwen2.5.release)",
        "2024.09.19: We released the Qwen2.5 series.",
    ),
    # Epoch AI and LLMStats give 2024-06-07 and 2024-07-23; Qwen's own news line
    "qwen2-72b": (
        "2024-06-06",
        "github.com/QwenLM/Qwen2.5 README.md@77fb0c1e20ee5bf36326d0004eaa09df651a0346, News "
        "(reported.csv qwen2.release)",
        "2024.06.06: We released the Qwen2 series.",
    ),
    # Epoch AI files Qwen2.5-VL-72B-Instruct under Qwen2.5-72B (September 2024); it is the
    # Qwen2.5-VL release of January 2025 (the developer's post, stored undated, names it)
    "qwen2.5-vl-72b": (
        "2025-01-26",
        "https://qwenlm.github.io/blog/qwen2.5-vl/ (developer post, undated in the stored "
        "copy); date from https://aiwiki.ai/wiki/qwen2_5_vl and LLMStats",
        "Initial release | 26 January 2025 (3B, 7B, 72B)",
        "compilation",
    ),
}

# Epoch AI versions filed under another model's name: version -> the model they are.
EPOCH_SPLIT = {"Qwen2.5-VL-72B-Instruct": "Qwen2.5-VL-72B"}

# Models that reason at inference time (a chain of thought before the answer), by name.
REASONING = re.compile(
    r"(^o[134](\b|-|$)|\bo[134]-|deepseek-r1|\br1\b|qwq|qvq|thinking|reason|k1\.5|deep think"
    r"|magistral|_high$|_medium$|_low$|_xhigh$|\(high\)|\(low\)|\(medium\)|minimax-m1"
    r"|gpt-5|grok-3-mini|grok-4|claude-3-7|claude 3.7|gemini-2\.5|gemini 2\.5|gemini 3"
    r"|gemini-3|qwen3|glm-4\.5|glm-4\.6|glm-4\.7|kimi k2 thinking|kimi-k2-thinking)",
    re.IGNORECASE,
)
NOT_MODELS = re.compile(r"^Top .* on Chatbot Arena")
"""Rows about a leaderboard position, not a model (their figures are the AI Index's)."""


def key(name: str) -> str:
    """The index's pool key: case, spaces and punctuation (but dots) do not count."""
    return re.sub(r"[^a-z0-9.]", "", name.lower())


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-.")
    return re.sub(r"-+", "-", text) or "model"


def accessibility(text: str) -> bool | None:
    return text.startswith("Open weights") if text else None


class Version:
    def __init__(self, model: Model, vid: str, name: str):
        self.model, self.id, self.name = model, vid, name
        self.aliases: dict[str, set[str]] = {}
        self.dates: list[tuple[int, str, str, str, str]] = []  # (rank, date, source, kind, note)

    def alias(self, source: str, name: str) -> None:
        self.aliases.setdefault(source, set()).add(name)


class Model:
    def __init__(self, mid: str, name: str):
        self.id, self.name = mid, name
        self.organisation: str | None = None
        self.origin: str | None = None
        self.open_weights: bool | None = None
        self.params_b: float | None = None
        self.family: str | None = None
        self.versions: list[Version] = []

    def fill(self, **values) -> None:
        for field, value in values.items():
            if value not in (None, "") and getattr(self, field) is None:
                setattr(self, field, value)


def read_eci() -> list[dict[str, str]]:
    with open(ECI, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def build_epoch(models: dict[str, Model], by_version: dict[str, Version]) -> None:
    groups: dict[str, list[dict[str, str]]] = {}
    titles: dict[str, str] = {}
    for row in read_eci():
        name = (
            EPOCH_SPLIT.get(row["Model version"])
            or (row["Model name"] or row["Model version"]).strip()
        )
        # a version without a model name joins the model of the same name ("sonar")
        groups.setdefault(key(name), []).append(row)
        if row["Model name"] or key(name) not in titles:
            titles[key(name)] = name
    for k, rows in sorted(groups.items()):
        name = titles[k]
        mid = slug(name)
        while mid in models:
            mid += "-x"
        model = models[mid] = Model(mid, name)
        for row in rows:
            model.fill(
                organisation=row["Organization"] or None,
                origin=country_code(row["Country"]),
                open_weights=accessibility(row["Model accessibility"]),
            )
        dated = sorted(rows, key=lambda r: (r["Release date"] or "9999", r["Model version"]))
        clusters: list[list[dict[str, str]]] = []
        for row in dated:
            day = row["Release date"]
            last = clusters[-1] if clusters else None
            if (
                last is not None
                and day
                and last[0]["Release date"]
                and _days(last[0]["Release date"], day) <= SAME_VERSION_DAYS
            ):
                last.append(row)
            elif last is not None and not day:
                last.append(row)  # an undated provider copy joins the nearest version
            else:
                clusters.append([row])
        # Of several versions, only one whose Epoch version string is the model's name
        # takes the plain name (and the name as an alias): a source that writes only
        # "GPT-4o" may mean any of five releases, so that name is matched by hand or by
        # date (MANUAL, _closest), never by default to one of them.
        plain = next(
            (c for c in clusters if any(key(r["Model version"]) == key(name) for r in c)),
            None,
        )
        for cluster in clusters:
            day = cluster[0]["Release date"]
            versions = [r["Model version"] for r in cluster]
            nice = [n for n in versions if re.search(r"[A-Z]", n) and "/" not in n]
            if cluster is plain or len(clusters) == 1:
                vname = name
            elif len(nice) == 1 and key(nice[0]) != key(name):
                vname = nice[0]
            else:
                vname = f"{name} ({day})" if day else f"{name} (undated)"
            vid = slug(vname)
            while any(v.id == vid for m in models.values() for v in m.versions):
                vid += f"-{day}" if day and day not in vid else "-x"
            version = Version(model, vid, vname)
            model.versions.append(version)
            for row in cluster:
                version.alias("epoch", row["Model version"])
                by_version[row["Model version"]] = version
                if row["Release date"]:
                    version.dates.append(
                        (
                            2,
                            row["Release date"],
                            "Epoch AI model table (epoch_capabilities_index.csv)",
                            "compilation",
                            row["Model version"],
                        )
                    )
            if vname == name:
                version.alias("epoch_model", name)


def _days(a: str, b: str) -> int:
    import datetime as dt

    return abs((dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days)


RANK = {"release": 1, "reported": 3, "llmstats": 4, "developer_reports": 5, "gaptrack": 6}


def other_names() -> list[dict[str, str]]:
    """(source, name, attributes) of every model a CSV or catalogue names."""
    out = []
    for stem, source in CSV_FILES.items():
        with open(EVIDENCE / f"{stem}.csv", newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["quantity"] not in ("score", "release") or NOT_MODELS.match(row["model"]):
                    continue
                out.append({**row, "_source": source})
    for file in CATALOGUES:
        data = yaml.safe_load((ROOT / "configs" / file).read_text(encoding="utf-8"))
        for entry in data["models"]:
            out.append(
                {
                    "_source": "gaptrack",
                    "model": entry["id"],
                    "display": entry["name"],
                    "organisation": entry.get("organisation", ""),
                    "origin": entry.get("origin", ""),
                    "released": str(entry.get("released", "")),
                    "open_weights": str(entry.get("open_weights", True)).lower(),
                    "params_b": str(entry.get("params_b", "")),
                    "quantity": "catalogue",
                    "source_kind": "",
                    "family": "",
                    "source": f"configs/{file}",
                }
            )
    return out


def attach(models, by_version, rows) -> None:
    by_key: dict[str, Version] = {}
    for model in models.values():
        for version in model.versions:
            for names in version.aliases.values():
                for name in names:
                    by_key.setdefault(key(name), version)
    epoch_models = {key(m.name): m for m in models.values()}
    named: dict[tuple[str, str], Version] = {}
    pending = list(rows)
    for _ in range(3):  # `=source:name` entries may point at a name seen later
        later = []
        for row in pending:
            source, name = row["_source"], row["model"]
            target = MANUAL.get((source, name))
            version = None
            if target and target.startswith("="):
                ref = tuple(target[1:].split(":", 1))
                version = named.get(ref)
                if version is None:
                    later.append(row)
                    continue
            elif target:
                version = by_version[target]
                owner = by_key.get(key(name))
                if owner is not None and owner is not version:
                    # the name already belongs to another version (names are unique over
                    # all sources): its rows go to that one, and the clash is printed
                    print(f"note: {source} {name!r} -> {owner.id} (not {version.id})")
                    version = owner
            elif id_key(row) and key(id_key(row)) in by_key:
                version = by_key[key(id_key(row))]
            elif key(name) in by_key:
                version = by_key[key(name)]
            elif source == "gaptrack" and key(row["display"]) in by_key:
                version = by_key[key(row["display"])]
            elif key(name) in epoch_models:
                version = _closest(epoch_models[key(name)], row.get("released", ""))
            if version is None:
                display = row.get("display") or name
                mid = slug(display)
                while mid in models:
                    mid += "-x"
                model = models[mid] = Model(mid, display)
                version = Version(model, mid, display)
                model.versions.append(version)
            named.setdefault((source, name), version)
            # a name already owned by another version stays with it (names are unique
            # over all sources); LLMStats' own model key tells its versions apart
            for alias in (name, id_key(row)):
                if alias and by_key.setdefault(key(alias), version) is version:
                    version.alias(source, alias)
            _facts(version, row)
        pending = later
    if pending:
        raise SystemExit(f"unresolved references: {[(r['_source'], r['model']) for r in pending]}")


def id_key(row: dict[str, str]) -> str | None:
    """LLMStats' own model key (`llmstats.<key>.<benchmark>`): it tells apart the two
    versions LLMStats names alike ("Claude 3.5 Sonnet" of June and of October 2024)."""
    if row["_source"] != "llmstats":
        return None
    return row["id"].split(".", 1)[1].rsplit(".", 1)[0]


def _closest(model: Model, released: str) -> Version:
    if len(model.versions) == 1 or not released:
        return model.versions[0]
    dated = [(v, d[1]) for v in model.versions for d in v.dates if d[3] == "compilation"]
    return min(dated, key=lambda vd: _days(vd[1], released[:10]))[0] if dated else model.versions[0]


def _facts(version: Version, row: dict[str, str]) -> None:
    model, source = version.model, row["_source"]
    params = row.get("params_b") or None
    model.fill(
        organisation=row.get("organisation") or None,
        origin=row.get("origin") or None,
        open_weights={"true": True, "false": False}.get(row.get("open_weights", "")),
        params_b=float(params) if params else None,
        family=row.get("family") or None,
    )
    day = row.get("released", "")
    if not day:
        return
    if source == "reported" and row["quantity"] == "release" and row["source_kind"] == "primary":
        rank, kind, where = (
            RANK["release"],
            "developer",
            f"{row['source']} (reported.csv {row['id']})",
        )
    else:
        rank, kind = RANK.get(source, 7), "compilation"
        where = row["source"] if source == "gaptrack" else f"{source}.csv {row.get('id', '')}"
    version.dates.append((rank, day, where, kind, row["model"]))


def choose_dates(models) -> None:
    for model in models.values():
        for version in model.versions:
            fixed = DATES.get(version.id)
            if fixed:
                version.released, version.date_source, version.date_note = fixed[:3]
                version.date_kind = fixed[3] if len(fixed) > 3 else "developer"
                continue
            if not version.dates:
                version.released = None
                version.date_source, version.date_kind, version.date_note = "", "none", ""
                continue
            best = min(version.dates, key=lambda d: (d[0], d[1]))
            version.released, version.date_source = best[1], best[2]
            version.date_kind, version.date_note = best[3], ""


def render(models) -> str:
    out = []
    for model in sorted(models.values(), key=lambda m: m.id):
        entry: dict = {"id": model.id, "name": model.name}
        entry["organisation"] = model.organisation
        entry["origin"] = model.origin
        entry["open_weights"] = model.open_weights
        entry["reasoning"] = bool(
            REASONING.search(model.name)
            or any(
                REASONING.search(n)
                for v in model.versions
                for ns in v.aliases.values()
                for n in ns
                if not n.endswith(("_low", "_medium", "_high"))
            )
        )
        if model.params_b:
            entry["params_b"] = model.params_b
        if model.family:
            entry["family"] = model.family
        entry["versions"] = []
        for version in model.versions:
            item = {"id": version.id, "name": version.name, "released": version.released}
            item["date_source"] = version.date_source
            item["date_kind"] = version.date_kind
            if version.date_note:
                item["date_excerpt"] = version.date_note
            item["aliases"] = {s: sorted(n) for s, n in sorted(version.aliases.items())}
            entry["versions"].append(item)
        out.append(entry)
    header = (
        "# gaptrack's model registry: one canonical id per model, one release date per version.\n"
        "# Built by scripts/build_model_registry.py from the shipped evidence, with the hand\n"
        "# fixes listed in that script; `gaptrack models --conflicts` lists every date a source\n"
        "# gives that differs from the one chosen here. Fields: gaptrack/compare/evidence/registry.py\n"
    )
    body = yaml.safe_dump(
        {"models": out}, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return header + body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    models: dict[str, Model] = {}
    by_version: dict[str, Version] = {}
    build_epoch(models, by_version)
    attach(models, by_version, other_names())
    choose_dates(models)
    text = render(models)
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{OUT} differs from what the script builds")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(
        f"wrote {OUT}: {len(models)} models, {sum(len(m.versions) for m in models.values())} versions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
