"""The command line: the only module that prints or exits."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from kubelint import __version__

if TYPE_CHECKING:
    from kubelint.config import Config
    from kubelint.fix import FixRun
    from kubelint.model import LintResult

app = typer.Typer(
    name="kubelint",
    help="Lint Kubernetes manifests: exact locations, fix hints, fast enough for pre-commit.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _split(values: list[str] | None) -> tuple[str, ...]:
    """`--select a,b --select c` -> ("a", "b", "c")."""
    return tuple(s.strip() for v in values or () for s in v.split(",") if s.strip())


def _fail(message: str) -> None:
    """Print an error and exit with code 2; located multi-line errors print one per line as is."""
    typer.echo(message if "\n" in message else f"kubelint: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kubelint {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None,
) -> None:
    """kubelint: a linter for Kubernetes manifests."""


def _check_selectors(selectors: tuple[str, ...], option: str) -> None:
    from kubelint.config import ALL, DEFAULT
    from kubelint.rules import ALL_RULES, categories

    known = {r.id for r in ALL_RULES} | {a for r in ALL_RULES for a in r.aliases}
    known |= set(categories()) | {ALL, DEFAULT}
    unknown = [s for s in selectors if s not in known]
    if unknown:
        _fail(f"{option}: unknown rule or category {', '.join(map(repr, unknown))} "
              f"(see `kubelint rules`)")


@app.command()
def lint(
    paths: Annotated[list[str], typer.Argument(
        help="Files or directories to lint; `-` reads standard input.", show_default=False)],
    format: Annotated[str, typer.Option("--format", "-f", help=(
        "Output format: text, json, sarif, github, junit, lsp or gcc "
        "(see docs/output-formats.md)."))] = "text",
    select: Annotated[Optional[list[str]], typer.Option(
        help="Rules or categories to run, replacing the default set (`all`: every rule).")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option(
        help="Rules or categories to skip.")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option(
        help="Glob of files or folders to skip (repeatable).")] = None,
    config: Annotated[Optional[str], typer.Option(
        "--config", "-c", help="Config file (default: nearest .kubelint.yaml).")] = None,
    fail_level: Annotated[Optional[str], typer.Option(
        help="Lowest severity that makes the exit code 1: info, warning or error "
             "[default: warning].")] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="Never colour the output.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print diagnostics only.")] = False,
    show_suppressed: Annotated[bool, typer.Option(
        help="Also print suppressed diagnostics.")] = False,
    fix: Annotated[bool, typer.Option(
        "--fix", help="Apply safe fixes to the files, then report what remains.")] = False,
    unsafe_fixes: Annotated[bool, typer.Option(
        "--unsafe-fixes", help="With --fix or --diff: apply unsafe fixes too.")] = False,
    diff: Annotated[bool, typer.Option(
        "--diff", help="Print the fixes as a diff; write nothing (exit 1 if any).")] = False,
    crd_dir: Annotated[Optional[list[str]], typer.Option(
        help="Folder of CustomResourceDefinitions giving schemas to custom resources; read, "
             "not linted (repeatable).")] = None,
    kubernetes_version: Annotated[Optional[str], typer.Option(
        help="Target Kubernetes release, such as 1.31, for schema and deprecation rules "
             "[default: the newest supported].")] = None,
) -> None:
    """Lint manifests; exit 0 when clean, 1 on findings at or above --fail-level, 2 on errors."""
    from kubelint import config as configmod
    from kubelint import sources
    from kubelint.engine import lint_sources, read_context
    from kubelint.errors import KubelintError
    from kubelint.model import Severity
    from kubelint.report import FORMATS, chunked_renderer
    from kubelint.rules import ALL_RULES

    if format not in FORMATS:
        _fail(f"--format: unknown format {format!r} (use {', '.join(FORMATS)})")
    selected, ignored = _split(select), _split(ignore)
    _check_selectors(selected, "--select")
    _check_selectors(ignored, "--ignore")
    for p in paths:
        if p != "-" and not os.path.exists(p):
            _fail(f"no such file or directory: {p}")
    for d in crd_dir or ():
        if not os.path.isdir(d):
            _fail(f"--crd-dir: no such directory: {d}")
    if unsafe_fixes and not (fix or diff):
        _fail("--unsafe-fixes needs --fix or --diff")
    if diff and format != "text":
        _fail("--diff prints a diff; it cannot be combined with --format")
    if fix and not diff and "-" in paths:
        _fail("--fix cannot edit standard input; use --diff to see the fixes")
    try:
        level = Severity.parse(fail_level) if fail_level else None
        config_path = config or configmod.find_config(paths)
        base = configmod.load(config_path) if config_path else configmod.Config()
        if kubernetes_version is not None and not configmod.VERSION_PATTERN.fullmatch(
                kubernetes_version):
            raise ValueError(f"--kubernetes-version: expected a release such as 1.31, "
                             f"got {kubernetes_version!r}")
        cfg = configmod.with_overrides(base, select=selected, ignore=ignored,
                                       exclude=_split(exclude), fail_level=level,
                                       kubernetes_version=kubernetes_version,
                                       crd_dirs=tuple(crd_dir or ()))
        if fix or diff:
            from kubelint.fix import fix_paths

            run = fix_paths(paths, cfg, unsafe=unsafe_fixes)
            result = run.result
            texts = {f.name: f.after for f in run.files}
        else:
            files = [sources.read(n) for n in sources.discover(paths, cfg.exclude, root=cfg.root)]
            result = lint_sources(files, cfg, context=read_context(cfg.crd_dirs))
            texts = {f.name: f.text for f in files if f.text is not None}
    except (KubelintError, ValueError) as exc:
        _fail(str(exc))
        return
    if diff:
        _print_diff(run, quiet)
    if fix:
        result = _write_fixes(run, paths, cfg, quiet=quiet or format != "text")
    color = format == "text" and not no_color and _use_color()
    for chunk in chunked_renderer(format)(result, ALL_RULES, color=color, quiet=quiet,
                                          show_suppressed=show_suppressed, texts=texts):
        sys.stdout.write(chunk)
    sys.stdout.flush()
    failing = any(d.severity >= cfg.fail_level for d in result.active)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _fix_notes(run: FixRun, quiet: bool) -> None:
    if not quiet:
        for f in run.files:
            for note in f.notes:
                typer.echo(f"kubelint: note: {f.name}: {note}", err=True)


def _print_diff(run: FixRun, quiet: bool) -> None:
    """`--diff`: the fixes as a unified diff on stdout; exit 1 when there are any."""
    from kubelint.fix import unified_diff

    changed = [f for f in run.files if f.changed]
    sys.stdout.write("".join(unified_diff(f) for f in changed))
    sys.stdout.flush()
    _fix_notes(run, quiet)
    if not quiet:
        n = sum(f.applied for f in changed)
        typer.echo(f"{n} fix{'' if n == 1 else 'es'} would be applied", err=True)
    raise typer.Exit(EXIT_FINDINGS if changed else EXIT_CLEAN)


def _write_fixes(run: FixRun, paths: list[str], cfg: Config, quiet: bool) -> LintResult:
    """`--fix`: write each fixed file atomically; return the findings that remain (linted again
    from disk when a file could not be written)."""
    from kubelint.engine import lint_paths
    from kubelint.fix import write_fixed

    applied, failed = 0, False
    for f in run.files:
        if not f.changed:
            continue
        try:
            write_fixed(f)
            applied += f.applied
        except (OSError, ValueError) as exc:
            failed = True
            typer.echo(f"kubelint: error: cannot write {f.name}: {exc}", err=True)
    _fix_notes(run, quiet)
    if not quiet:
        typer.echo(f"{applied} fix{'' if applied == 1 else 'es'} applied", err=True)
    return lint_paths(paths, cfg) if failed else run.result


def _use_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


@app.command()
def rules(
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """List every rule with its category, severity and whether it runs by default."""
    from kubelint.report.rules import render_rules

    if format not in ("text", "json"):
        _fail(f"--format: unknown format {format!r} (use text, json)")
    sys.stdout.write(render_rules(format))


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id, such as privileged-container.")]) -> None:
    """Show a rule's documentation."""
    from kubelint.docs import rule_page
    from kubelint.rules import by_id

    try:
        rule = by_id(rule_id)
    except KeyError:
        _fail(f"unknown rule {rule_id!r} (see `kubelint rules`)")
        return
    sys.stdout.write(rule_page(rule))


def main() -> None:
    """Console-script entry point."""
    app()
