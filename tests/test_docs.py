"""Generated rule docs: freshness, layout, `kubelint explain`, the add_rule scaffold."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from kubelint import docs
from kubelint.rules import ALL_RULES, by_id

ROOT = Path(__file__).resolve().parent.parent


def invoke(*args: str):
    """Run the CLI in-process (typer's CliRunner); returns click's Result."""
    with warnings.catch_warnings():
        # typer 0.24 touches click attributes that click 8.3+ deprecates; not ours to fix here.
        warnings.simplefilter("ignore", DeprecationWarning)
        from typer.testing import CliRunner

        from kubelint.cli import app

        return CliRunner().invoke(app, list(args))


def test_docs_current():
    """docs/rules/ is exactly what `python -m kubelint.docs` generates (compared in memory)."""
    problems = docs.compare(docs.render_all(), docs.DOCS_DIR)
    assert problems == [], (
        "docs/rules/ is out of date; regenerate it with `.venv/bin/python -m kubelint.docs` "
        "and commit the result:\n  " + "\n  ".join(problems))


def test_generation_is_deterministic():
    assert docs.render_all() == docs.render_all()


def test_every_page_has_the_generated_header():
    pages = docs.render_all()
    assert set(pages) == {f"{r.id}.md" for r in ALL_RULES} | {"README.md"}
    assert all(text.startswith(docs.HEADER) for text in pages.values())
    assert all(text.endswith("\n") and not text.endswith("\n\n") for text in pages.values())


def _headings(page: str) -> list[str]:
    inside = False
    out = []
    for line in page.splitlines():
        if line.startswith("```"):
            inside = not inside
        elif not inside and line.startswith("## "):
            out.append(line[3:])
    return out


ORDER = ["What it does", "Why is this bad?", "Example", "Use instead", "How to fix", "Options",
         "Suppressing", "Equivalent checks", "References"]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_page_sections_in_ruff_order(rule):
    page = docs.rule_page(rule)
    assert page.startswith(f"# {rule.id}\n\n- **Category:** {rule.category}\n")
    heads = _headings(page)
    assert heads == [h for h in ORDER if h in heads], heads
    for required in ("What it does", "Why is this bad?", "How to fix", "Suppressing"):
        assert required in heads
    folder = ROOT / "tests" / "rules" / rule.id
    if rule.check is not None and (folder / "fail.yaml").is_file():  # test_fixtures_exist checks
        assert "Example" in heads and "Use instead" in heads


def test_example_is_the_tested_fixture():
    rule = by_id("privileged-container")
    page = docs.rule_page(rule)
    folder = ROOT / "tests" / "rules" / rule.id
    assert (folder / "fail.yaml").read_text(encoding="utf-8") in page
    assert (folder / "pass.yaml").read_text(encoding="utf-8") in page
    first = (folder / "fail.expected").read_text(encoding="utf-8").splitlines()[0]
    where, rule_id, message = re.match(r"(\S+) (\S+) (.*)", first).groups()
    assert f"fail.yaml:{where}: error {rule_id} {message}\n" in page
    assert "Set privileged: false (unsafe" in page
    assert "`ignore-check.kubelint.io/privileged-container" in page
    assert "`ignore-check.kube-linter.io/privileged-container`" in page
    assert "| checkov | `CKV_K8S_16` |" in page


def test_page_without_fixtures_omits_the_examples():
    """As from an installed package, where tests/rules/ does not exist."""
    for rule in ALL_RULES:
        page = docs.rule_page(rule, fixtures=None)
        heads = _headings(page)
        assert "How to fix" in heads and "Suppressing" in heads
        if rule.check is not None:
            assert "Example" not in heads and "Use instead" not in heads


@pytest.mark.parametrize("rule_id", sorted(docs.INPUT_EXAMPLES))
def test_input_examples_are_honest(rule_id):
    """The inline examples of input rules trigger the rule; their corrected versions do not."""
    from tests.helpers import found

    rule = by_id(rule_id)
    assert rule.scope == "input"
    bad, good = docs.INPUT_EXAMPLES[rule_id]
    assert found(bad, rule_id, name=docs.EXAMPLE_NAME)
    assert found(good, rule_id, name=docs.EXAMPLE_NAME) == []
    assert f"{docs.EXAMPLE_NAME}:" in docs.rule_page(rule)


def test_index_lists_every_rule_by_category():
    index = docs.render_all()["README.md"]
    for r in ALL_RULES:
        assert f"| [{r.id}]({r.id}.md) | {r.severity.label} |" in index
    for category in {r.category for r in ALL_RULES}:
        assert f"\n## {category}\n" in index


def test_check_mode_reports_missing_stale_and_extra(tmp_path, capsys):
    out = tmp_path / "rules"
    assert docs.main(["--check", "--out", str(out)]) == 1
    assert not out.exists(), "--check must not write"
    assert "missing:" in capsys.readouterr().out
    assert docs.main(["--out", str(out)]) == 0
    capsys.readouterr()
    assert docs.main(["--check", "--out", str(out)]) == 0
    (out / "privileged-container.md").write_text("edited\n", encoding="utf-8")
    (out / "gone-rule.md").write_text(docs.HEADER + "# gone-rule\n", encoding="utf-8")
    assert docs.main(["--check", "--out", str(out)]) == 1
    report = capsys.readouterr()
    assert "stale:" in report.out and "privileged-container.md" in report.out
    assert "extra:" in report.out and "gone-rule.md" in report.out
    assert "python -m kubelint.docs" in report.err
    assert docs.main(["--out", str(out)]) == 0  # rewrites the stale page, removes the extra one
    assert not (out / "gone-rule.md").exists()
    assert docs.compare(docs.render_all(), out) == []


def test_docs_import_is_light():
    code = ("import sys, kubelint.docs; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('yaml', 'jsonschema', 'ruamel', 'typer') or m in ('kubelint.engine', "
            "'kubelint.rules')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- kubelint explain ----------------------------------------------------------------------------

def test_explain_prints_the_page():
    result = invoke("explain", "privileged-container")
    assert result.exit_code == 0, result.output
    assert result.stdout == docs.rule_page(by_id("privileged-container"))
    assert result.stdout.startswith("# privileged-container\n")
    assert "## Why is this bad?" in result.stdout


def test_explain_unknown_rule_exits_2():
    result = invoke("explain", "no-such-rule")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown rule 'no-such-rule'" in result.stderr


# --- scripts/add_rule.py -------------------------------------------------------------------------

def test_add_rule_scaffold(tmp_path):
    script = ROOT / "scripts" / "add_rule.py"
    run = subprocess.run([sys.executable, str(script), "host-ipc-enabled", "--area", "security",
                          "--root", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "def host_ipc_enabled(res: Resource, ctx: Context)" in run.stdout
    assert 'id="host-ipc-enabled"' in run.stdout
    folder = tmp_path / "tests" / "rules" / "host-ipc-enabled"
    assert "TODO" in (folder / "fail.yaml").read_text(encoding="utf-8")
    assert "TODO" in (folder / "pass.yaml").read_text(encoding="utf-8")
    again = subprocess.run([sys.executable, str(script), "host-ipc-enabled", "--root",
                            str(tmp_path)], capture_output=True, text=True)
    assert again.returncode == 2 and "exists" in again.stderr
    bad = subprocess.run([sys.executable, str(script), "Host_IPC", "--root", str(tmp_path)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "kebab-case" in bad.stderr
    taken = subprocess.run([sys.executable, str(script), "privileged-container", "--root",
                            str(tmp_path)], capture_output=True, text=True)
    assert taken.returncode == 2 and "already" in taken.stderr


# --- docs/cli.md ---------------------------------------------------------------------------------

def test_cli_reference_covers_every_command_and_option():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import typer.main

        from kubelint.cli import app

        group = typer.main.get_command(app)
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [f"kubelint {name}" for name in group.commands if f"`kubelint {name}" not in text]
    for name, command in group.commands.items():
        for param in command.params:
            missing += [f"{name} {opt}" for opt in (*param.opts, *param.secondary_opts)
                        if opt.startswith("-") and not opt.startswith("--no-show")
                        and f"`{opt}" not in text and f" {opt}" not in text]
    assert missing == [], "docs/cli.md does not mention: " + ", ".join(missing)


def test_cli_reference_covers_every_json_field():
    from kubelint.model import Diagnostic, Position, Span
    from kubelint.model import Severity
    from kubelint.report.json import diagnostic_dict

    d = Diagnostic("privileged-container", Severity.ERROR, "m", "f.yaml",
                   Span(Position(1, 1), Position(1, 2)))
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    undocumented = [k for k in diagnostic_dict(d) if f"`{k}`" not in text]
    assert undocumented == []
