"""Options shared by several commands, declared once as `Annotated` aliases so that a
flag means the same thing (and has the same help) in every command that takes it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaptrack.api import DEFAULT_CONFIG

_CONFIG_HELP = "Config file, or NAME: NAME.yaml here, in ./configs/, or shipped (gaptrack configs)."
ConfigOpt = Annotated[str, typer.Option("--config", "-c", metavar="FILE|NAME", help=_CONFIG_HELP)]
OptionalConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--config",
        "-c",
        metavar="FILE|NAME",
        help=f"{_CONFIG_HELP} Default: {DEFAULT_CONFIG}, or none with --results.",
    ),
]
"""-c of every command that reads or writes results: None lets gaptrack.api tell a folder
named alone (--results) from the default config's."""
ResultsOpt = Annotated[
    Path | None,
    typer.Option(
        "--results",
        metavar="DIR",
        help="Results folder (default: the config's results_dir); it must exist.",
    ),
]
VerboseOpt = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Print the details too (they are in the files written)."),
]
DeviceOpt = Annotated[
    str,
    typer.Option("--device", metavar="DEVICE", help="auto (CUDA if available), cpu, cuda, cuda:1."),
]
OnlyOpt = Annotated[
    list[str] | None,
    typer.Option("--only", metavar="MODEL_ID", help="Only this model of the config (repeatable)."),
]
TasksOpt = Annotated[
    list[str] | None,
    typer.Option("--tasks", metavar="TASK", help="Only this task of the suite (repeatable)."),
]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", min=1, metavar="N", help="Cap items per task.")
]
BackendOpt = Annotated[
    str | None,
    typer.Option(
        "--backend",
        metavar="NAME",
        help="hf or vllm for every model of this run (default: each entry's).",
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Re-evaluate results already stored.")]

ReportedOpt = Annotated[
    list[Path] | None,
    typer.Option("--reported", metavar="CSV", help="Extra reported-evidence CSV (repeatable)."),
]

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Read the evidence as of DATE (YYYY-MM-DD, or a UTC time): only source copies "
        "fetched by then (gaptrack update) and rows published by then.",
    ),
]
