"""Entry point of ``sweet``: one Typer app with a sub-app per area."""

from __future__ import annotations

import logging
import sys

import typer

from sweetrl import __version__
from sweetrl.cli import collect, config_cmd, quickstart, sandbox_cmd, serve, tasks
from sweetrl.cli import pipeline as pipeline_cmd
from sweetrl.cli import eval as eval_cmd
from sweetrl.cli import train as train_cmd

app = typer.Typer(
    name="sweet",
    help="SWEET-RL on ColBench: services, evaluation and training of multi-turn LLM agents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve.serve)
app.command("quickstart")(quickstart.quickstart)
app.add_typer(sandbox_cmd.app, name="sandbox")
app.add_typer(config_cmd.app, name="config")
app.add_typer(tasks.app, name="tasks")
app.add_typer(eval_cmd.app, name="eval")
app.add_typer(collect.app, name="collect")
app.add_typer(train_cmd.app, name="train")
app.add_typer(pipeline_cmd.app, name="pipeline")


@app.command("version")
def version() -> None:
    """Print the sweetrl version."""
    typer.echo(__version__)


def setup_logging() -> None:
    from rich.logging import RichHandler

    from sweetrl import envs

    logging.basicConfig(level=envs.SWEET_LOG_LEVEL.upper(), format="%(name)s: %(message)s",
                        handlers=[RichHandler(show_path=False, console=_stderr_console())])


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    setup_logging()
    try:
        # Not standalone: click returns the exit code of typer.Exit instead of raising.
        code = app(args=argv if argv is not None else sys.argv[1:], prog_name="sweet",
                   standalone_mode=False)
        return code if isinstance(code, int) else 0
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        return 130
    except typer.TyperException as exc:  # usage errors: message and exit code 2
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        return getattr(exc, "exit_code", 2)


if __name__ == "__main__":
    sys.exit(main())
