"""A minimal Typer app (one command, one option): the floor any Typer CLI's `--help` pays on the installed typer.

Usage: python benchmarks/minimal_typer_app.py --help
"""

from typing import Annotated

import typer

app = typer.Typer()


@app.command()
def hello(name: Annotated[str, typer.Option(help="Who to greet.")] = "world") -> None:
    """Greet NAME."""
    print(f"Hello {name}")


if __name__ == "__main__":
    app()
