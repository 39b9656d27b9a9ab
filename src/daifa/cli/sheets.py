"""Every spreadsheet import on the command line, one way: check the rows with a progress bar,
land the good ones (or, with --dry-run, only say what would happen), print one line per
rejected row (or the whole result with --json), exit 1 when some rows were rejected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from daifa.config import load_settings
from daifa.context import Ctx
from daifa.sheets.importer import Importer, Report

FileArgument = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                              help="CSV, XLSX or XLS file")
DryRun = typer.Option(False, "--dry-run", help="Check and report; change nothing.")
AsJson = typer.Option(False, "--json", help="Print the per-row result as JSON.")
FORMATS = "CSV (UTF-8, UTF-8 with BOM, UTF-16, GB18030), XLSX or XLS"


def run_import(importer: Importer[Any, Any], file: Path, *, label: str,
               owner: Callable[[Ctx], object], dry_run: bool, as_json: bool,
               extra: Callable[[Any], None] | None = None) -> None:
    """Import `file` for the owner the reference names; print and exit as described above."""
    from daifa.cli.common import command_ctx, console, exits

    content = file.read_bytes()
    with command_ctx(label) as ctx:
        owner(ctx)  # an unknown owner is said before anything about the file
    with exits():  # read and checked outside any unit of work: the file holds no lock
        rows = importer.rows(content, file.name, load_settings())
    with command_ctx(label) as ctx:
        target = owner(ctx)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=as_json) as bar:
            task = bar.add_task(f"checking {file.name}", total=len(rows))
            result: Report = importer.apply(ctx, target, rows, dry_run,
                                            lambda n: bar.advance(task, n))
            bar.update(task, description="checked" if dry_run else "done")
    if as_json:
        typer.echo(orjson.dumps(result.document(), option=orjson.OPT_INDENT_2).decode())
    else:
        report(result)
        if extra is not None:
            extra(result)
        prefix = "[yellow]dry run[/yellow]: " if result.dry_run else ""
        console.print(prefix + escape(result.summary_line()), highlight=False)
    if result.rejected():
        raise typer.Exit(1)


def report(result: Report) -> None:
    """One line per error of a rejected row, whatever the terminal's width."""
    from daifa.cli.common import console

    for row, about, errors in result.rejected():
        for error in errors:
            text = f"{about or '-'} {error.column or 'row'}: {error.reason} ({error.code})"
            console.print(f"[red]第{row}行[/red] {escape(text)}", soft_wrap=True,
                          highlight=False)
