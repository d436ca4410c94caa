"""The command line: the only module that prints or exits."""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from kubelint import __version__

if TYPE_CHECKING:
    from collections import Counter

    from kubelint.baseline import Key
    from kubelint.config import Config
    from kubelint.fix import FixRun
    from kubelint.helm import ChartMap
    from kubelint.model import LintResult
    from kubelint.sources import SourceFile

app = typer.Typer(
    name="kubelint",
    help="Lint Kubernetes manifests: exact locations, fix hints, fast enough for pre-commit.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


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


def _check_selectors(selectors: tuple[str, ...], option: str, cfg: Config | None = None) -> None:
    from kubelint.config import ALL, DEFAULT, POLICY_CATEGORY, is_policy_id
    from kubelint.rules import ALL_RULES, categories

    every = (*ALL_RULES, *(cfg.custom_rules if cfg is not None else ()))
    known = {r.id for r in every} | {a for r in every for a in r.aliases}
    known |= set(categories()) | {r.category for r in every} | {ALL, DEFAULT, POLICY_CATEGORY}
    unknown = [s for s in selectors if s not in known and not is_policy_id(s)]
    if unknown:
        _fail(f"{option}: unknown rule or category {', '.join(map(repr, unknown))} "
              f"(see `kubelint rules`)")


@app.command()
def lint(
    paths: Annotated[Optional[list[str]], typer.Argument(
        help="Files or directories to lint; `-` reads standard input; a folder holding a "
             "kustomization is rendered (see docs/helm-kustomize.md).",
        show_default=False)] = None,
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
    policy_dir: Annotated[Optional[list[str]], typer.Option(
        help="Folder of ValidatingAdmissionPolicies and bindings to evaluate against the "
             "manifests; read, not linted (repeatable; see docs/custom-rules.md).")] = None,
    chart: Annotated[Optional[str], typer.Option(
        help="The Helm chart the input was rendered from: findings name their template file "
             "and line. Without paths, the chart is rendered with `helm template`.")] = None,
    kubernetes_version: Annotated[Optional[str], typer.Option(
        help="Target Kubernetes release, such as 1.31, for schema and deprecation rules "
             "[default: the newest supported].")] = None,
    pod_security: Annotated[Optional[str], typer.Option(
        help="Pod Security level to enforce on every pod: privileged, baseline or restricted, "
             "at the policy version of --kubernetes-version (see docs/pod-security.md).")] = None,
    baseline: Annotated[Optional[str], typer.Option(
        help="Report only findings not recorded in this baseline file (see docs/ci.md).")] = None,
    write_baseline: Annotated[Optional[str], typer.Option(
        help="Record the current findings in this baseline file, print nothing else and "
             "exit 0.")] = None,
    diff_base: Annotated[Optional[str], typer.Option(
        help="Report only findings on lines changed since this git revision, such as "
             "origin/main (see docs/ci.md).")] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=0, help="Processes that share a large input: 1 keeps the run "
                                     "in one process, 0 uses up to four CPUs.")] = 0,
) -> None:
    """Lint manifests; exit 0 when clean, 1 on findings at or above --fail-level, 2 on errors."""
    from kubelint import config as configmod
    from kubelint import sources
    from kubelint.engine import lint_sources, read_context
    from kubelint.errors import KubelintError
    from kubelint.model import Severity
    from kubelint.custom_rules import reported_rules
    from kubelint.plugins import PluginError, with_plugins
    from kubelint.report import FORMATS, chunked_renderer

    if format not in FORMATS:
        _fail(f"--format: unknown format {format!r} (use {', '.join(FORMATS)})")
    paths = paths or []
    _check_inputs(chart, paths, fix or diff, quiet)
    selected, ignored = _split(select), _split(ignore)
    for p in paths:
        if p != "-" and not os.path.exists(p):
            _fail(f"no such file or directory: {p}")
    for d in crd_dir or ():
        if not os.path.isdir(d):
            _fail(f"--crd-dir: no such directory: {d}")
    for d in policy_dir or ():
        if not os.path.isdir(d):
            _fail(f"--policy-dir: no such directory: {d}")
    if unsafe_fixes and not (fix or diff):
        _fail("--unsafe-fixes needs --fix or --diff")
    if diff and format != "text":
        _fail("--diff prints a diff; it cannot be combined with --format")
    if fix and not diff and "-" in paths:
        _fail("--fix cannot edit standard input; use --diff to see the fixes")
    _check_level(pod_security)
    _check_narrowing(paths, fix or diff, diff_base, write_baseline)
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
                                       crd_dirs=tuple(crd_dir or ()),
                                       pod_security=pod_security,
                                       policy_dirs=tuple(policy_dir or ()))
        cfg = with_plugins(cfg)
        _check_selectors(selected, "--select", cfg)
        _check_selectors(ignored, "--ignore", cfg)
        _note_schema_version(cfg)
        baseline, accepted = _read_baseline(baseline, cfg, write_baseline is not None)
        chart_map = _chart_map(chart)
        if fix or diff:
            from kubelint.fix import fix_paths

            run = fix_paths(paths, cfg, unsafe=unsafe_fixes)
            result = run.result
            texts = {f.name: f.after for f in run.files}
        else:
            files = ([_render_chart(chart)] if chart is not None and not paths else
                     [sources.read(n) for n in sources.discover(paths, cfg.exclude, root=cfg.root)])
            with _progress(format, quiet) as progress:
                result = lint_sources(files, cfg, context=read_context(cfg.crd_dirs),
                                      progress=progress, jobs=jobs)
            texts = {f.name: f.text for f in files if f.text is not None}
    except (KubelintError, ValueError, PluginError) as exc:
        _fail(str(exc))
        return
    if diff:
        _print_diff(run, quiet)
    if fix:
        result = _write_fixes(run, paths, cfg, quiet=quiet or format != "text")
    if chart_map is not None:
        result = _map_chart(chart_map, result, texts, quiet)
    if any(p != "-" and os.path.isdir(p) for p in paths):
        from kubelint.kustomize import map_result

        result = map_result(result, texts)
    if write_baseline is not None:
        _write_baseline(result, write_baseline, quiet)
    result = _narrow(result, baseline, accepted, diff_base, texts,
                     notes=format == "text" and not quiet)
    color = format == "text" and not no_color and _use_color()
    for chunk in chunked_renderer(format)(result, reported_rules(cfg, result), color=color,
                                          quiet=quiet,
                                          show_suppressed=show_suppressed, texts=texts):
        sys.stdout.write(chunk)
    sys.stdout.flush()
    failing = any(d.severity >= cfg.fail_level for d in result.active)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _check_inputs(chart: str | None, paths: list[str], fixing: bool, quiet: bool) -> None:
    """--chart and kustomization folders (docs/helm-kustomize.md)."""
    if chart is None and not paths:
        _fail("nothing to lint: name files or folders, `-` for standard input, or --chart")
    if chart is not None and not os.path.isfile(os.path.join(chart, "Chart.yaml")):
        _fail(f"--chart: {chart} is not a Helm chart (no Chart.yaml)")
    if fixing and chart is not None and not paths:
        _fail("--fix and --diff never edit rendered output; fix the chart's templates instead")
    if not any(p != "-" and os.path.isdir(p) for p in paths):
        return
    from kubelint import sources
    from kubelint.kustomize import unrendered_note

    if fixing and any(sources.is_rendered_kustomization(p) for p in paths):
        _fail("--fix and --diff never edit kustomize output; name the kustomization's files "
              "(or its parent folder) to fix them")
    if not quiet:
        for folder in sources.unrendered_kustomizations(paths):
            typer.echo(f"kubelint: note: {unrendered_note(folder)}", err=True)


def _chart_map(chart: str | None) -> ChartMap | None:
    if chart is None:
        return None
    from kubelint.helm import ChartMap

    return ChartMap(chart)


def _render_chart(chart: str) -> SourceFile:
    from kubelint.helm import render_chart
    from kubelint.sources import SourceFile

    return SourceFile(f"{chart} (helm template)", render_chart(chart))


def _map_chart(chart_map: ChartMap, result: LintResult, texts: dict[str, str],
               quiet: bool) -> LintResult:
    """Findings in the chart's rendered output, with their template file and line."""
    result = chart_map.map_result(result, texts)
    if not quiet:
        for note in chart_map.notes:
            typer.echo(f"kubelint: note: {note}", err=True)
    return result


def _check_narrowing(paths: list[str], fixing: bool, diff_base: str | None,
                     write_baseline: str | None) -> None:
    if write_baseline is not None and (fixing or diff_base is not None):
        _fail("--write-baseline records every finding; it cannot be combined with --fix, "
              "--diff or --diff-base")
    if diff_base is not None and fixing:
        _fail("--diff-base narrows the report; it cannot be combined with --fix or --diff")
    if diff_base is not None and "-" in paths:
        _fail("--diff-base needs files in a git repository; it cannot read standard input")


def _read_baseline(path: str | None, cfg: Config,
                   writing: bool) -> tuple[str | None, Counter[Key] | None]:
    """The baseline to apply (`--baseline`, else the configuration's `baseline`; none when
    writing one) and its counts."""
    from kubelint.baseline import BaselineError, loads

    option = "--baseline"
    if path is None and cfg.baseline is not None:
        option = f"baseline (set in {cfg.source})"
        try:
            path = os.path.relpath(cfg.baseline)
        except ValueError:  # another drive on Windows
            path = cfg.baseline
    if path is None or writing:
        return None, None
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        return path, loads(text, path)
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{option}: cannot read {path}: {getattr(exc, 'strerror', None) or exc}")
    except BaselineError as exc:
        _fail(f"{option}: {exc}")
    raise AssertionError("unreachable: _fail exits")


def _write_baseline(result: LintResult, path: str, quiet: bool) -> None:
    """`--write-baseline`: record the unsuppressed findings, say how many, exit 0."""
    from kubelint.baseline import dumps

    folder = os.path.dirname(os.path.abspath(path))
    text = dumps(result.diagnostics, folder)
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:  # a temporary file renamed over the old baseline: never a half-written one
        with open(temporary, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(temporary, path)
    except BaseException as exc:  # an interrupt too leaves no temporary file behind
        if os.path.exists(temporary):
            os.unlink(temporary)
        if not isinstance(exc, OSError):
            raise
        _fail(f"--write-baseline: cannot write {path}: {exc.strerror or exc}")
    if not quiet:
        n = len(result.active)
        typer.echo(f"kubelint: recorded {n} finding{'' if n == 1 else 's'} in {path}", err=True)
    raise typer.Exit(EXIT_CLEAN)


def _narrow(result: LintResult, baseline: str | None, accepted: Counter[Key] | None,
            diff_base: str | None, texts: dict[str, str], notes: bool) -> LintResult:
    """Apply `--baseline` (its findings become suppressed; `notes`: say how many of them are
    gone) and `--diff-base` (findings on unchanged lines are dropped)."""
    if baseline is not None and accepted is not None:
        from kubelint.baseline import apply, stale

        root = os.path.dirname(os.path.abspath(baseline))
        result = apply(result, accepted, root, baseline)
        gone = stale(accepted, result, root, texts) if notes else 0
        if gone:
            typer.echo(f"kubelint: note: {gone} finding{'' if gone == 1 else 's'} recorded in "
                       f"{baseline} no longer occur{'s' if gone == 1 else ''}; write the "
                       "baseline again to drop them", err=True)
    if diff_base is not None:
        from kubelint.errors import KubelintError
        from kubelint.gitdiff import changed_lines, only_changed

        names = sorted(set(texts) | {d.file for d in result.diagnostics})
        try:
            result = only_changed(result, changed_lines(names, diff_base))
        except KubelintError as exc:
            _fail(str(exc))
    return result


@contextmanager
def _progress(format: str, quiet: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress line on standard error for long runs, only when it is a terminal and the
    output is text without --quiet; cleared at the end."""
    if format != "text" or quiet or not sys.stderr.isatty():
        yield None
        return
    import time

    from kubelint.progress import ProgressLine

    line = ProgressLine(time.monotonic())

    def report(stage: str, done: int, total: int) -> None:
        text = line.update(stage, done, total, time.monotonic())
        if text:
            sys.stderr.write(text)
            sys.stderr.flush()

    try:
        yield report
    finally:
        end = line.finish()
        if end:
            sys.stderr.write(end)
            sys.stderr.flush()


def _check_level(level: str | None) -> None:
    from kubelint.pod_security import LEVELS

    if level is not None and level not in LEVELS:
        _fail(f"--pod-security: unknown level {level!r} (use {', '.join(LEVELS)})")


def _note_schema_version(cfg: Config) -> None:
    """Say once when the target release has no vendored schemas (a Pod Security policy version
    may be any 1.x); schema validation goes on with the nearest release."""
    from kubelint.k8s_schema import SUPPORTED_VERSIONS, parse_version, schema_version
    from kubelint.rules import ALL_RULES

    target = parse_version(cfg.kubernetes_version)
    if target is None or f"1.{target[1]}" in SUPPORTED_VERSIONS:
        return
    if any(r.category == "schema" and cfg.enabled(r) for r in ALL_RULES):
        typer.echo(f"kubelint: note: no Kubernetes schemas for 1.{target[1]}; schema rules "
                   f"validate against {schema_version(target)}", err=True)


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


_CATALOG_CONFIG = typer.Option(
    "--config", "-c", help="Config file whose custom rules to include (default: nearest "
                           ".kubelint.yaml).")
_CATALOG_POLICY_DIR = typer.Option(
    help="Folder of ValidatingAdmissionPolicies whose rules to include (repeatable).")


def _catalog(config: str | None, policy_dir: list[str] | None) -> tuple[tuple, dict]:
    """The rules `rules` and `explain` show (built-in, custom, plugins, policies), with the
    origin of those that are not built in."""
    from kubelint import config as configmod
    from kubelint.custom_rules import catalog
    from kubelint.errors import KubelintError
    from kubelint.plugins import PluginError

    for d in policy_dir or ():
        if not os.path.isdir(d):
            _fail(f"--policy-dir: no such directory: {d}")
    try:
        path = config or configmod.find_config(["."])
        cfg = configmod.load(path) if path else configmod.Config()
        cfg = configmod.with_overrides(cfg, policy_dirs=tuple(policy_dir or ()))
        found, origins = catalog(cfg)
    except (KubelintError, PluginError) as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits
    return found, dict(origins)


@app.command()
def rules(
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    config: Annotated[Optional[str], _CATALOG_CONFIG] = None,
    policy_dir: Annotated[Optional[list[str]], _CATALOG_POLICY_DIR] = None,
) -> None:
    """List every rule with its category, severity and whether it runs by default (custom
    rules, plugins and admission policies with their origin)."""
    from kubelint.report.rules import render_rules

    if format not in ("text", "json"):
        _fail(f"--format: unknown format {format!r} (use text, json)")
    found, origins = _catalog(config, policy_dir)
    sys.stdout.write(render_rules(format, found, origins))


@app.command()
def explain(
    rule_id: Annotated[str, typer.Argument(help="A rule id, such as privileged-container.")],
    config: Annotated[Optional[str], _CATALOG_CONFIG] = None,
    policy_dir: Annotated[Optional[list[str]], _CATALOG_POLICY_DIR] = None,
) -> None:
    """Show a rule's documentation."""
    from kubelint.docs import rule_page
    from kubelint.rules import by_id

    try:
        rule = by_id(rule_id)
    except KeyError:
        found, _ = _catalog(config, policy_dir)
        matching = [r for r in found if rule_id in (r.id, *r.aliases)]
        if not matching:
            _fail(f"unknown rule {rule_id!r} (see `kubelint rules`)")
            return
        rule = matching[0]
    sys.stdout.write(rule_page(rule))


@app.command("pod-security")
def pod_security_summary(
    paths: Annotated[list[str], typer.Argument(
        help="Files or directories to read; `-` reads standard input.", show_default=False)],
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    kubernetes_version: Annotated[Optional[str], typer.Option(
        help="Policy version, such as 1.31, for namespaces without an enforce-version label "
             "[default: the newest].")] = None,
    config: Annotated[Optional[str], typer.Option(
        "--config", "-c", help="Config file (default: nearest .kubelint.yaml).")] = None,
) -> None:
    """Per namespace: the strictest Pod Security level all its pods meet, and what blocks the
    next one."""
    from kubelint import config as configmod
    from kubelint import sources
    from kubelint.errors import KubelintError
    from kubelint.k8s import resources_of
    from kubelint.parse import parse_text
    from kubelint.pod_security import NEWEST, parse_version
    from kubelint.pod_security_summary import render_summary, summarize

    if format not in ("text", "json"):
        _fail(f"--format: unknown format {format!r} (use text, json)")
    for p in paths:
        if p != "-" and not os.path.exists(p):
            _fail(f"no such file or directory: {p}")
    try:
        config_path = config or configmod.find_config(paths)
        cfg = configmod.load(config_path) if config_path else configmod.Config()
        wanted = kubernetes_version or cfg.kubernetes_version
        version = parse_version(wanted) if wanted is not None else NEWEST
        if version is None:
            raise ValueError(f"--kubernetes-version: expected a release such as 1.31, "
                             f"got {wanted!r}")
        resources, unread = [], 0
        for name in sources.discover(paths, cfg.exclude, root=cfg.root):
            source = sources.read(name)
            if source.text is None:
                unread += 1
                continue
            for doc in parse_text(source.text).documents:
                resources.extend(resources_of(doc, source.name)[0])
    except (KubelintError, ValueError) as exc:
        _fail(str(exc))
        return
    if unread:
        typer.echo(f"kubelint: note: {unread} file{'' if unread == 1 else 's'} could not be "
                   "read; `kubelint lint` says why", err=True)
    sys.stdout.write(render_summary(summarize(resources, version), format))


LSP_MODULES = ("pygls", "lsprotocol", "cattrs", "attr", "attrs")
"""What the language server needs beyond the linter (the `lsp` extra)."""


@app.command()
def lsp() -> None:
    """Run the language server on standard input and output, for editors (see docs/editors.md)."""
    try:
        from kubelint.lsp.server import serve
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in LSP_MODULES:
            raise
        _fail(f"the language server needs pygls, which is not installed ({exc.name} is "
              "missing); install it with: pip install 'kubelint[lsp]'")
        return
    serve()


def main() -> None:
    """Console-script entry point. The cyclic garbage collector is off: a lint keeps one large
    tree per document until its report is written, trees hold no reference cycles, and the
    collector would only rescan them again and again (up to a fifth of a large run). The
    process ends after the command; the language server, which lives on, keeps it on."""
    if sys.argv[1:2] == ["lsp"]:
        app()
        return
    gc.disable()
    signal.signal(signal.SIGINT, _interrupted)
    try:
        app()
    except SystemExit as exc:
        _exit_now(exc)
        raise


def _interrupted(signum: int, frame: object) -> None:
    """Ctrl-C: exit 130 with a note, not 1 (which means findings). The SystemExit unwinds the
    command, so workers are stopped and files are left as they were (writes are atomic)."""
    sys.stderr.write("kubelint: interrupted\n")
    raise SystemExit(EXIT_INTERRUPTED)


def _exit_now(exc: SystemExit) -> None:
    """End the process with `exc`'s code once the output is flushed, without tearing the
    interpreter down: freeing the trees of a large lint object by object takes longer than a
    tenth of the run, and nothing is left to clean up (files are written atomically, workers
    are waited for). Returns, for the usual exit, if the output cannot be flushed."""
    code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        return  # a message to print: the usual exit does that
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
