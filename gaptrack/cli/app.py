"""The `gaptrack` command: a thin typer layer over gaptrack.api. Heavy imports (torch,
lm_eval) happen inside the commands that run models, so `--help` stays fast.

Every command group is a module of this package with a `register(app)`; all of them
are registered here unconditionally, so a broken import fails loudly instead of
silently removing a command."""

from __future__ import annotations

from typing import Annotated

import click
import typer
import typer.core

from gaptrack.cli import (
    check,
    discover,
    imports,
    index,
    publish,
    run,
    setup,
    status,
    store,
    stored,
    update,
)
from gaptrack.errors import GaptrackError

# typer >= 0.20 vendors its own copy of click; its UsageError is not click's.
_USAGE_ERRORS = (click.UsageError, typer.BadParameter.__mro__[1])


class _Group(typer.core.TyperGroup):
    """Turns a GaptrackError from any command into one line on stderr and exit code 2,
    also under typer's CliRunner (which bypasses main())."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # typer writes an argument's type after its metavar (`CSV <path>`): a placeholder
        # nobody can type. The metavar and the help say what to give.
        for command in self.commands.values():
            for param in command.params:
                if isinstance(param, typer.core.TyperArgument):
                    param.display_type_rich = lambda ctx: None

    def invoke(self, ctx):
        from gaptrack.store.problems import one_command

        try:
            with one_command():  # each bad file in the store is reported once per command
                return super().invoke(ctx)
        except GaptrackError as exc:
            typer.echo(f"error: {exc.one_line()}", err=True)
            ctx.exit(exc.exit_code)
        except _USAGE_ERRORS as exc:  # a bad flag or value: one line too, exit 2
            where = f"{exc.ctx.command_path}: " if exc.ctx else ""
            typer.echo(f"error: {where}{' '.join(exc.format_message().split())}", err=True)
            ctx.exit(2)


app = typer.Typer(
    name="gaptrack",
    cls=_Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help: rich's layout prints <bool> and <list[str]> beside every flag.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from gaptrack import __version__

        typer.echo(f"gaptrack {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Check claims about the US-China AI gap with real models and real benchmarks.

    \b
    The workflow (every step takes -c CONFIG; without it, the demo config):
      gaptrack prepare -c demo        models and benchmark data, converted once
      gaptrack validate -c demo       the config checked, nothing run
      gaptrack eval -c demo           evaluate; results stored in the config's results_dir
      gaptrack results -c demo        the stored scores and the US-CN gap per benchmark
      gaptrack check -c demo          every claim's verdict, written to RESULTS/claims/
      gaptrack index -c demo          capability per model and months behind
      gaptrack leaderboard -c demo    leaderboard.csv, gaps.csv, claims.csv
      gaptrack report -c demo         report.html and report.md
    """


COMMAND_GROUPS = (
    run,
    status,
    setup,
    stored,
    check,
    imports,
    index,
    publish,
    update,
    store,
    discover,
)
"""In the order their commands appear in --help."""

for _group in COMMAND_GROUPS:
    _group.register(app)


def main() -> None:
    app()
