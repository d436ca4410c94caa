"""Config files: loading, validation messages, extends, globs, discovery, the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from kubelint import config as configmod
from kubelint.config import Config, RuleSettings, find_config, load, with_overrides
from kubelint.errors import ConfigError
from kubelint.model import Severity
from kubelint.rule import Rule
from kubelint.sources import is_excluded

ROOT = Path(__file__).resolve().parent.parent
PRIV = "privileged-container"

PRIVILEGED_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: nginx:1.25
      securityContext:
        privileged: true
"""


def cli(*args: str):
    """Run the typer app in-process; typer's import of click warns under filterwarnings=error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from typer.testing import CliRunner

        from kubelint.cli import app
    return CliRunner().invoke(app, list(args))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(str(path))
    prefix = f"{path}:"
    lines = str(info.value).splitlines()
    assert all(line.startswith(prefix) for line in lines), lines
    return [line[len(prefix):] for line in lines]


@pytest.fixture
def fake_rule(monkeypatch):
    """A rule with an alias and options, so these tests do not depend on the rule catalog."""
    import kubelint.rules as rules

    fake = Rule(id="fake-rule", category="security", severity=Severity.WARNING, summary="s",
                rationale="r", remediation="Do x.", aliases=("old-fake",),
                options_schema={"type": "object", "additionalProperties": False,
                                "properties": {"limit": {"type": "integer", "minimum": 1},
                                               "names": {"type": "array",
                                                         "items": {"type": "string"}}}},
                defaults={"limit": 3, "names": []})
    monkeypatch.setattr(rules, "ALL_RULES", (*rules.ALL_RULES, fake))
    monkeypatch.setitem(rules._BY_ID, "fake-rule", fake)
    monkeypatch.setitem(rules._BY_ID, "old-fake", fake)
    return fake


# --- loading -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_file_gives_the_defaults(tmp_path, text):
    path = write(tmp_path / ".kubelint.yaml", text)
    assert load(str(path)) == Config(source=str(path))


def test_every_key(tmp_path, fake_rule):
    path = write(tmp_path / ".kubelint.yaml", """\
        select: [default, security]
        extend-select: [unused-suppression]
        ignore: [latest-tag]
        exclude: [vendor/, "*.generated.yaml"]
        fail-level: error
        per-file-ignores:
          "tests/**": [security, old-fake]
        rules:
          old-fake:
            severity: error
            options: {limit: 5}
            exclude: [legacy/**]
          privileged-container: {severity: off}
        """)
    cfg = load(str(path))
    assert cfg.select == ("default", "security")
    assert cfg.extend_select == ("unused-suppression",)
    assert cfg.ignore == ("latest-tag", PRIV)
    assert cfg.exclude == ("vendor/", "*.generated.yaml")
    assert cfg.fail_level is Severity.ERROR
    assert dict(cfg.per_file_ignores) == {"tests/**": ("security", "fake-rule")}
    assert dict(cfg.rules) == {
        "fake-rule": RuleSettings(Severity.ERROR, {"limit": 5}, ("legacy/**",)),
        PRIV: RuleSettings(None, {}, ())}
    assert cfg.severity_for(fake_rule) is Severity.ERROR
    assert dict(cfg.options_for(fake_rule)) == {"limit": 5, "names": []}
    assert cfg.root == str(tmp_path)
    assert cfg.source == str(path)


@pytest.mark.parametrize("value", ["off", '"off"', "false"])
def test_severity_off_turns_the_rule_off(tmp_path, value):
    from kubelint.rules import by_id

    path = write(tmp_path / ".kubelint.yaml", f"rules:\n  {PRIV}: {{severity: {value}}}\n")
    cfg = load(str(path))
    assert not cfg.enabled(by_id(PRIV))


def test_located_errors_with_suggestions(tmp_path):
    path = write(tmp_path / ".kubelint.yaml", """\
        selcet: [all]
        select: [securty, privileged-containr]
        fail-level: warn
        rules:
          privileged-container: {severity: loud, exclud: [], options: {a: 1}}
          privileged-containr: {}
          security: {}
        per-file-ignores:
          "tests/**": [nope]
        exclude: tmp
        extends: 3
        """)
    assert errors_of(path) == [
        "1:1: selcet: unknown key 'selcet' (did you mean 'select'?)",
        "2:10: select[0]: unknown rule or category 'securty' (did you mean 'security'?)",
        "2:19: select[1]: unknown rule or category 'privileged-containr' "
        "(did you mean 'privileged-container'?)",
        "3:1: fail-level: expected one of info, warning, error, got 'warn'",
        "5:26: rules.privileged-container.severity: expected one of info, warning, error, off, "
        "got 'loud'",
        "5:42: rules.privileged-container.exclud: unknown key 'exclud' (did you mean 'exclude'?)",
        "5:54: rules.privileged-container.options: rule 'privileged-container' has no options",
        "6:3: rules.privileged-containr: unknown rule 'privileged-containr' "
        "(did you mean 'privileged-container'?)",
        "7:3: rules.security: unknown rule 'security' (`rules` takes rule ids, not categories)",
        "9:16: per-file-ignores.tests/**[0]: unknown rule or category 'nope'",
        "10:1: exclude: expected a list, got the string 'tmp'",
        "11:1: extends: expected a string, got 3",
    ]


def test_rule_options_are_checked_against_the_rule_schema(tmp_path, fake_rule):
    path = write(tmp_path / ".kubelint.yaml", """\
        rules:
          fake-rule:
            options:
              limit: 0
              names: [a, 1]
              colour: red
        """)
    assert errors_of(path) == [
        "4:7: rules.fake-rule.options.limit: 0 is less than the minimum of 1",
        "5:18: rules.fake-rule.options.names[1]: expected a string, got 1",
        "6:7: rules.fake-rule.options.colour: unknown key 'colour'",
    ]


def test_wrong_types(tmp_path):
    path = write(tmp_path / ".kubelint.yaml", "select:\nrules: [a]\nper-file-ignores: {x: z}\n")
    assert errors_of(path) == [
        "1:1: select: expected a list, got null",
        "2:1: rules: expected a mapping, got a list",
        "3:20: per-file-ignores.x: expected a list, got the string 'z'",
    ]
    write(path, "- select\n")
    assert errors_of(path) == ["1:1: expected a mapping, got a list"]


def test_yaml_problems(tmp_path):
    path = write(tmp_path / ".kubelint.yaml", "select: [all\nignore: []\n")
    assert errors_of(path) == ["2:7: invalid YAML: while parsing a flow sequence, "
                               "did not find expected ',' or ']'"]
    write(path, "ignore: []\nignore: [latest-tag]\n")
    assert errors_of(path) == ["2:1: duplicate key 'ignore'"]
    write(path, "ignore: []\n---\nselect: []\n")
    assert errors_of(path) == ["3:1: a config file holds one YAML document"]


def test_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match=r"missing\.yaml: cannot read config file: No such file"):
        load(str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"select: [\xff]\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: config file is not valid UTF-8"):
        load(str(bad))


# --- extends -------------------------------------------------------------------------------------

def test_extends_merges_underneath(tmp_path, fake_rule):
    write(tmp_path / "org" / "base.yaml", """\
        select: [security]
        extend-select: [images]
        ignore: [latest-tag, fake-rule, run-as-non-root]
        exclude: [vendor/, charts/*.yaml]
        fail-level: error
        per-file-ignores:
          "tests/**": [security]
        rules:
          fake-rule: {severity: error, options: {limit: 5, names: [a]}, exclude: [old/]}
          privileged-container: {severity: off}
        """)
    path = write(tmp_path / "app" / ".kubelint.yaml", """\
        extends: ../org/base.yaml
        extend-select: [old-fake, privileged-container]
        ignore: [missing-image-digest]
        exclude: [generated/]
        per-file-ignores:
          "tests/**": [images]
        rules:
          fake-rule: {options: {names: [b]}, exclude: [new/]}
        """)
    cfg = load(str(path))
    org = str(tmp_path / "org")
    assert cfg.select == ("security",)
    assert cfg.extend_select == ("images", "fake-rule", PRIV)
    # what the extending file selects by name comes back from the base's ignore and `off`
    assert cfg.ignore == ("latest-tag", "run-as-non-root", "missing-image-digest")
    assert cfg.exclude == (f"{org}/**/vendor/", f"{org}/charts/*.yaml", "generated/")
    assert cfg.fail_level is Severity.ERROR
    assert dict(cfg.per_file_ignores) == {f"{org}/tests/**": ("security",),
                                          "tests/**": ("images",)}
    assert dict(cfg.rules) == {
        "fake-rule": RuleSettings(Severity.ERROR, {"limit": 5, "names": ["b"]},
                                  (f"{org}/**/old/", "new/")),
        PRIV: RuleSettings(None, {}, ())}


def test_select_in_the_extending_file_replaces_select_and_extend_select(tmp_path):
    write(tmp_path / "base.yaml", "select: [security]\nextend-select: [images]\n")
    path = write(tmp_path / ".kubelint.yaml", "extends: base.yaml\nselect: [all]\n")
    cfg = load(str(path))
    assert (cfg.select, cfg.extend_select) == (("all",), ())


def test_globs_of_an_extended_file_keep_meaning_its_folder(tmp_path):
    write(tmp_path / "shared" / "base.yaml", "exclude: [skip/]\n")
    path = write(tmp_path / "repo" / ".kubelint.yaml", "extends: ../shared/base.yaml\n")
    cfg = load(str(path))
    assert is_excluded(str(tmp_path / "shared" / "skip" / "a.yaml"), cfg.exclude, cfg.root)
    assert not is_excluded(str(tmp_path / "repo" / "skip" / "a.yaml"), cfg.exclude, cfg.root)


def test_extends_cycle_and_missing_file(tmp_path):
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    b = write(tmp_path / "b.yaml", "# b\nextends: a.yaml\n")
    with pytest.raises(ConfigError) as info:
        load(str(tmp_path / "a.yaml"))
    assert str(info.value) == (f"{b}:2:1: extends: cycle of config files: "
                               f"{os.path.relpath(tmp_path / 'a.yaml')} -> "
                               f"{os.path.relpath(b)} -> {os.path.relpath(tmp_path / 'a.yaml')}")
    path = write(tmp_path / "c.yaml", "extends: nowhere.yaml\n")
    assert errors_of(path) == ["1:1: extends: no such config file 'nowhere.yaml'"]


def test_errors_in_an_extended_file_name_that_file(tmp_path):
    base = write(tmp_path / "base.yaml", "ignore: [nope]\n")
    path = write(tmp_path / ".kubelint.yaml", "extends: base.yaml\n")
    with pytest.raises(ConfigError) as info:
        load(str(path))
    assert str(info.value) == f"{base}:1:10: ignore[0]: unknown rule or category 'nope'"


# --- command-line overrides ----------------------------------------------------------------------

def test_with_overrides(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = Config(select=("security",), extend_select=("images",), ignore=(PRIV, "latest-tag"),
                 exclude=("vendor/",), source=str(tmp_path / "conf" / ".kubelint.yaml"))
    out = with_overrides(cfg, select=(PRIV, "limits"), ignore=("missing-image",),
                         exclude=("build", "gen/x.yaml"), fail_level=Severity.INFO)
    assert out.select == (PRIV, "limits")
    assert out.extend_select == ()
    assert out.ignore == ("latest-tag", "missing-image")
    assert out.exclude == ("vendor/", f"{tmp_path}/**/build", f"{tmp_path}/gen/x.yaml")
    assert out.fail_level is Severity.INFO
    same = with_overrides(cfg)
    assert (same.select, same.extend_select, same.ignore) == (cfg.select, cfg.extend_select,
                                                              cfg.ignore)


# --- globs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, path, expected", [
    ("vendor", "vendor/a.yaml", True),
    ("vendor", "x/vendor/b/a.yaml", True),
    ("vendor/", "vendor", False),
    ("vendor/", "x/vendor/a.yaml", True),
    ("*.gen.yaml", "a/b/c.gen.yaml", True),
    ("*.gen.yaml", "c.yaml", False),
    ("charts/*.yaml", "charts/a.yaml", True),
    ("charts/*.yaml", "x/charts/a.yaml", False),
    ("charts/*.yaml", "charts/sub/a.yaml", False),
    ("./charts", "charts/sub/a.yaml", True),
    ("tests/**/fail.yaml", "tests/fail.yaml", True),
    ("tests/**/fail.yaml", "tests/rules/x/fail.yaml", True),
    ("tests/**", "tests/rules/x/pass.yaml", True),
    ("**/fail.yaml", "tests/rules/x/fail.yaml", True),
    ("a?.yaml", "a1.yaml", True),
    ("a[0-9].yaml", "ab.yaml", False),
    ("a[!0-9].yaml", "ab.yaml", True),
])
def test_glob_semantics(tmp_path, monkeypatch, pattern, path, expected):
    monkeypatch.chdir(tmp_path)
    assert is_excluded(path, (pattern,)) is expected
    assert is_excluded(str(tmp_path / path), (pattern,)) is expected
    assert is_excluded(os.path.join("..", tmp_path.name, path), (pattern,)) is expected


def test_globs_are_relative_to_the_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / "..")
    root = str(tmp_path / "repo")
    assert is_excluded(str(tmp_path / "repo" / "gen" / "a.yaml"), ("gen/",), root)
    assert not is_excluded(str(tmp_path / "gen" / "a.yaml"), ("gen/",), root)
    # a name pattern does not match folders above the root
    assert not is_excluded(str(tmp_path / "repo" / "a.yaml"), (tmp_path.name,), root)
    assert not is_excluded("-", ("*",), root)


# --- discovery and the command line --------------------------------------------------------------

def test_find_config_walks_up_from_the_first_path(tmp_path):
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config([str(deep)]) in (None, find_config([str(tmp_path)]))
    yml = write(tmp_path / "a" / ".kubelint.yml", "")
    assert find_config([str(deep / "x.yaml")]) == str(yml)
    yaml_ = write(tmp_path / "a" / "b" / ".kubelint.yaml", "")
    assert find_config(["-", str(deep)]) == str(yaml_)


def test_cli_bad_config_exits_2_with_the_location(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".kubelint.yaml", "fail-level: loud\n")
    write(tmp_path / "pod.yaml", PRIVILEGED_POD)
    result = cli("lint", "pod.yaml")
    assert result.exit_code == 2
    assert result.stderr == (f"kubelint: error: {tmp_path}/.kubelint.yaml:1:1: fail-level: "
                             "expected one of info, warning, error, got 'loud'\n")
    result = cli("lint", "pod.yaml", "--config", "nowhere.yaml")
    assert result.exit_code == 2
    assert "nowhere.yaml: cannot read config file" in result.stderr


def test_cli_discovers_and_applies_the_config(tmp_path, monkeypatch):
    write(tmp_path / "repo" / ".kubelint.yaml", """\
        select: [privileged-container]
        exclude: [skip/]
        rules:
          privileged-container: {severity: info}
        """)
    write(tmp_path / "repo" / "apps" / "pod.yaml", PRIVILEGED_POD)
    write(tmp_path / "repo" / "skip" / "pod.yaml", PRIVILEGED_POD)
    runs = [(tmp_path / "repo", "."), (tmp_path, "repo"), (tmp_path, tmp_path / "repo")]
    for cwd, target in runs:
        monkeypatch.chdir(cwd)
        result = cli("lint", str(target), "--format", "json")
        data = json.loads(result.stdout)
        assert [(Path(d["file"]).resolve(), d["line"], d["severity"])
                for d in data["diagnostics"]] == [
            ((tmp_path / "repo" / "apps" / "pod.yaml").resolve(), 10, "info")]
        assert result.exit_code == 0  # info is below the default fail-level (warning)
    monkeypatch.chdir(tmp_path / "repo")
    assert cli("lint", ".", "--fail-level", "info").exit_code == 1
    # an explicitly named file is excluded too (pre-commit passes names)
    assert cli("lint", "skip/pod.yaml", "--fail-level", "info").exit_code == 0


def test_cli_select_reenables_a_rule_the_file_turns_off(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".kubelint.yaml", f"rules:\n  {PRIV}: {{severity: off}}\n")
    write(tmp_path / "pod.yaml", PRIVILEGED_POD)

    def rules_found(*args: str) -> set[str]:
        result = cli("lint", "pod.yaml", "--format", "json", *args)
        return {d["rule"] for d in json.loads(result.stdout)["diagnostics"]}

    assert PRIV not in rules_found()
    assert PRIV not in rules_found("--select", "security")  # a category does not undo `off`
    assert rules_found("--select", PRIV) == {PRIV}


def test_cli_fail_level_from_the_file_and_excludes_relative_to_cwd(tmp_path, monkeypatch):
    write(tmp_path / ".kubelint.yaml", f"select: [{PRIV}]\nfail-level: error\n"
                                       f"rules:\n  {PRIV}: {{severity: warning}}\n")
    write(tmp_path / "sub" / "pod.yaml", PRIVILEGED_POD)
    monkeypatch.chdir(tmp_path / "sub")
    assert cli("lint", "pod.yaml").exit_code == 0
    assert cli("lint", "pod.yaml", "--fail-level", "warning").exit_code == 1
    assert cli("lint", ".", "--fail-level", "warning", "--exclude", "pod.yaml").exit_code == 0


def test_config_schema_is_a_valid_schema():
    from jsonschema.validators import Draft202012Validator

    Draft202012Validator.check_schema(configmod._config_schema())


def test_jsonschema_is_imported_only_when_a_config_file_is_loaded(tmp_path):
    write(tmp_path / "pod.yaml", PRIVILEGED_POD)
    code = textwrap.dedent(f"""
        import sys
        from kubelint.config import Config, load
        from kubelint.engine import lint_paths
        lint_paths([{str(tmp_path / 'pod.yaml')!r}], Config())
        before = "jsonschema" in sys.modules
        open({str(tmp_path / 'c.yaml')!r}, "w").write("select: [all]\\n")
        load({str(tmp_path / 'c.yaml')!r})
        print(before, "jsonschema" in sys.modules)
        """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True)
    assert out.stdout.split() == ["False", "True"]


def test_the_documented_example_is_valid(tmp_path):
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    write(tmp_path / "platform" / "kubelint-base.yaml", "ignore: [latest-tag]\n")
    cfg = load(str(write(tmp_path / "repo" / ".kubelint.yaml", example)))
    assert "read-only-root-filesystem" in cfg.ignore


CRONJOB_V1BETA1 = """apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: c, namespace: x}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: a, image: "busybox:1.36"}]
"""


def test_kubernetes_version_feeds_version_aware_rules(tmp_path):
    from kubelint.config import load, with_overrides
    from kubelint.engine import lint_paths

    (tmp_path / "cj.yaml").write_text(CRONJOB_V1BETA1)
    config_file = tmp_path / ".kubelint.yaml"
    config_file.write_text('kubernetes-version: "1.20"\nselect: [deprecations]\n')
    cfg = load(str(config_file))
    assert [d.rule_id for d in lint_paths([str(tmp_path)], cfg).active] == []
    newer = with_overrides(cfg, kubernetes_version="1.25")
    [d] = lint_paths([str(tmp_path)], newer).active
    assert (d.rule_id, d.span.start.line, d.span.start.col) == ("removed-api-version", 1, 1)


def test_a_rule_option_wins_over_the_global_kubernetes_version(tmp_path):
    from kubelint.config import load

    config_file = tmp_path / ".kubelint.yaml"
    config_file.write_text('kubernetes-version: "1.25"\nrules:\n  removed-api-version:\n'
                           '    options: {kubernetes-version: "1.20"}\n')
    cfg = load(str(config_file))
    from kubelint.rules import by_id
    assert cfg.options_for(by_id("removed-api-version"))["kubernetes-version"] == "1.20"
    assert cfg.options_for(by_id("deprecated-api-version"))["kubernetes-version"] == "1.25"
    assert "kubernetes-version" not in cfg.options_for(by_id("privileged-container"))


PYPROJECT = """\
[project]
name = "app"

[tool.kubelint]
ignore = ["latest-tag"]
fail-level = "{level}"

[tool.kubelint.rules.missing-required-labels]
options = {{ labels = ["team"] }}
"""


def test_pyproject_table_is_found_and_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(level="error"))
    deep = tmp_path / "k8s"
    deep.mkdir()
    found = find_config([str(deep)])
    assert found == str(tmp_path / "pyproject.toml")
    cfg = load(found)
    assert cfg.fail_level is Severity.ERROR
    assert "latest-tag" in cfg.ignore
    assert cfg.rules["missing-required-labels"].options == {"labels": ["team"]}
    (tmp_path / ".kubelint.yaml").write_text("ignore: [host-network]\n")
    assert find_config([str(deep)]) == str(tmp_path / ".kubelint.yaml")  # the YAML file wins


def test_pyproject_without_the_table_is_not_a_config(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    assert find_config([str(tmp_path)]) in (None, find_config([str(tmp_path.parent)]))


def test_pyproject_errors_point_at_the_key_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(level="erro"))
    with pytest.raises(ConfigError) as err:
        load(str(tmp_path / "pyproject.toml"))
    assert str(err.value).startswith(f"{tmp_path / 'pyproject.toml'}:6:1: fail-level:")
    (tmp_path / "pyproject.toml").write_text("[tool.kubelint\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load(str(tmp_path / "pyproject.toml"))


@pytest.mark.parametrize("text, message", [
    ("tool = 1\n", None),  # no [tool.kubelint] table at all: the defaults
    ("[tool]\nkubelint = 3\n", ":1:1: expected a mapping"),
])
def test_pyproject_of_unexpected_shape(tmp_path, text, message):
    (tmp_path / "pyproject.toml").write_text(text)
    if message is None:
        path = str(tmp_path / "pyproject.toml")
        assert load(path) == Config(source=path)
        return
    with pytest.raises(ConfigError) as err:
        load(str(tmp_path / "pyproject.toml"))
    assert message in str(err.value)
