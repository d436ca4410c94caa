"""Pod Security admission: every check at each policy version where its meaning changed, levels
set by Namespace labels, folding with the security rules, the summary command, the docs table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kubelint.config import Config, RuleSettings
from kubelint.model import Severity
from kubelint.pod_security import (CHECKS, NEWEST, active_checks, checks_markdown,
                                   label_version, parse_version)
from kubelint.rules import pod_security as rules
from tests.helpers import brief, lint_text

ROOT = Path(__file__).resolve().parent.parent


def _at(text: str, level: str | None, version: str | None = None, select=("pod-security",),
        **config) -> list[str]:
    cfg = Config(select=select, pod_security=level, kubernetes_version=version, **config)
    return brief([d for d in lint_text(text, config=cfg).active])


def _pod(spec: str, *, name: str = "p", meta: str = "") -> str:
    body = "\n".join("  " + line for line in spec.strip("\n").splitlines())
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{meta}spec:\n{body}\n"


# --- the version matrix ---------------------------------------------------------------------------
# (rule, level, version, pod spec, expected "line:col" of each finding; [] = admitted)

APE_UNSET = "containers:\n- name: app\n  image: x\n"
WINDOWS = "os:\n  name: windows\n"
USERNS = "hostUsers: false\n"
ROOT_USER = "securityContext:\n  runAsUser: 0\n  runAsNonRoot: true\n"
UNMASKED = "containers:\n- name: app\n  image: x\n  securityContext:\n    procMount: Unmasked\n"
SYSCTL = "securityContext:\n  sysctls:\n  - name: {}\n    value: '1'\ncontainers:\n- name: a\n  image: x\n"
PROBE = ("containers:\n- name: app\n  image: x\n  livenessProbe:\n    httpGet:\n      host: 10.0.0.1\n"
         "      port: 80\n")
SELINUX = ("securityContext:\n  seLinuxOptions:\n    type: container_engine_t\n"
           "containers:\n- name: a\n  image: x\n")
CAPS = ("containers:\n- name: app\n  image: x\n  securityContext:\n    capabilities:\n"
        "      add: [SYS_ADMIN]\n")
HOSTPATH = "containers:\n- name: a\n  image: x\nvolumes:\n- name: h\n  hostPath:\n    path: /tmp\n"

MATRIX = [
    # allowPrivilegeEscalation appears in 1.8; Windows pods exempt from 1.25
    ("pss-allow-privilege-escalation", "restricted", "1.7", APE_UNSET, []),
    ("pss-allow-privilege-escalation", "restricted", "1.8", APE_UNSET, ["7:5"]),
    ("pss-allow-privilege-escalation", "restricted", "1.24", WINDOWS + APE_UNSET, ["9:5"]),
    ("pss-allow-privilege-escalation", "restricted", "1.25", WINDOWS + APE_UNSET, []),
    ("pss-allow-privilege-escalation", "baseline", "1.37", APE_UNSET, []),
    # seccompProfile_restricted appears in 1.19 (before: baseline's annotation check)
    ("pss-seccomp-profile-restricted", "restricted", "1.18", APE_UNSET, []),
    ("pss-seccomp-profile-restricted", "restricted", "1.19", APE_UNSET, ["5:1"]),
    ("pss-seccomp-profile-restricted", "restricted", "1.24", WINDOWS + APE_UNSET, ["5:1"]),
    ("pss-seccomp-profile-restricted", "restricted", "1.25", WINDOWS + APE_UNSET, []),
    # capabilities_restricted appears in 1.22 and overrides capabilities_baseline there
    ("pss-capabilities-restricted", "restricted", "1.21", CAPS, []),
    ("pss-capabilities-baseline", "restricted", "1.21", CAPS, ["11:15"]),
    ("pss-capabilities-restricted", "restricted", "1.22", CAPS, ["10:7", "11:15"]),
    ("pss-capabilities-baseline", "restricted", "1.22", CAPS, []),
    ("pss-capabilities-baseline", "baseline", "1.22", CAPS, ["11:15"]),
    ("pss-capabilities-restricted", "restricted", "1.24", WINDOWS + CAPS, ["12:7", "13:15"]),
    ("pss-capabilities-restricted", "restricted", "1.25", WINDOWS + CAPS, []),
    # runAsUser appears in 1.23; hostUsers: false relaxes it and runAsNonRoot from 1.35
    ("pss-run-as-user", "restricted", "1.22", ROOT_USER + APE_UNSET, []),
    ("pss-run-as-user", "restricted", "1.23", ROOT_USER + APE_UNSET, ["7:5"]),
    ("pss-run-as-user", "restricted", "1.34", USERNS + ROOT_USER + APE_UNSET, ["8:5"]),
    ("pss-run-as-user", "restricted", "1.35", USERNS + ROOT_USER + APE_UNSET, []),
    ("pss-run-as-non-root", "restricted", "1.34", USERNS + APE_UNSET, ["8:5"]),
    ("pss-run-as-non-root", "restricted", "1.35", USERNS + APE_UNSET, []),
    # procMount: baseline relaxed for user namespaces from 1.35, restricted re-tightens it
    ("pss-proc-mount", "baseline", "1.34", USERNS + UNMASKED, ["11:7"]),
    ("pss-proc-mount", "baseline", "1.35", USERNS + UNMASKED, []),
    ("pss-proc-mount", "restricted", "1.34", USERNS + UNMASKED, ["11:7"]),
    ("pss-proc-mount-restricted", "restricted", "1.34", USERNS + UNMASKED, []),
    ("pss-proc-mount-restricted", "restricted", "1.35", USERNS + UNMASKED, ["11:7"]),
    ("pss-proc-mount", "restricted", "1.35", USERNS + UNMASKED, []),
    ("pss-proc-mount", "baseline", "1.35", UNMASKED, ["10:7"]),
    # SELinux container_engine_t from 1.31
    ("pss-selinux-options", "baseline", "1.30", SELINUX, ["8:7"]),
    ("pss-selinux-options", "baseline", "1.31", SELINUX, []),
    # the safe sysctls grow in 1.27, 1.29, 1.32 and 1.37
    ("pss-sysctls", "baseline", "1.26", SYSCTL.format("net.ipv4.ip_local_reserved_ports"),
     ["8:7"]),
    ("pss-sysctls", "baseline", "1.27", SYSCTL.format("net.ipv4.ip_local_reserved_ports"), []),
    ("pss-sysctls", "baseline", "1.28", SYSCTL.format("net.ipv4.tcp_fin_timeout"), ["8:7"]),
    ("pss-sysctls", "baseline", "1.29", SYSCTL.format("net.ipv4.tcp_fin_timeout"), []),
    ("pss-sysctls", "baseline", "1.31", SYSCTL.format("net.ipv4.tcp_wmem"), ["8:7"]),
    ("pss-sysctls", "baseline", "1.32", SYSCTL.format("net.ipv4.tcp_wmem"), []),
    ("pss-sysctls", "baseline", "1.36", SYSCTL.format("net.ipv4.tcp_notsent_lowat"), ["8:7"]),
    ("pss-sysctls", "baseline", "1.37", SYSCTL.format("net.ipv4.tcp_notsent_lowat"), []),
    ("pss-sysctls", "baseline", "1.0", SYSCTL.format("kernel.shm_rmid_forced"), []),
    ("pss-sysctls", "baseline", "1.37", SYSCTL.format("kernel.msgmax"), ["8:7"]),
    # host probes and lifecycle hooks from 1.34
    ("pss-probe-host", "baseline", "1.33", PROBE, []),
    ("pss-probe-host", "baseline", "1.34", PROBE, ["11:9"]),
    # hostPath: baseline's check, overridden at restricted by restrictedVolumes
    ("pss-host-path-volumes", "baseline", "1.0", HOSTPATH, ["11:5"]),
    ("pss-host-path-volumes", "restricted", "1.37", HOSTPATH, []),
    ("pss-restricted-volumes", "restricted", "1.0", HOSTPATH, ["11:5"]),
    ("pss-restricted-volumes", "baseline", "1.37", HOSTPATH, []),
    # policy versions above the newest read as the newest
    ("pss-sysctls", "baseline", "1.40", SYSCTL.format("net.ipv4.tcp_notsent_lowat"), []),
    # privileged admits everything
    ("pss-host-path-volumes", "privileged", "1.37", HOSTPATH, []),
]


@pytest.mark.parametrize("rule_id,level,version,spec,expected", MATRIX,
                         ids=[f"{m[0]}-{m[1]}-{m[2]}-{i}" for i, m in enumerate(MATRIX)])
def test_version_matrix(rule_id, level, version, spec, expected):
    got = _at(_pod(spec), level, version, select=(rule_id,))
    assert [g.split(" ")[0] for g in got] == expected, got
    assert all(g.split(" ")[1] == rule_id for g in got)


def test_seccomp_annotations_before_1_19():
    pod = _pod(APE_UNSET, meta="  annotations:\n"
                                "    seccomp.security.alpha.kubernetes.io/pod: unconfined\n"
                                "    container.seccomp.security.alpha.kubernetes.io/app: "
                                "localhost/ok.json\n")
    assert [g.split(" ")[0] for g in _at(pod, "baseline", "1.18",
                                         select=("pss-seccomp-profile-baseline",))] == ["6:5"]
    assert _at(pod, "baseline", "1.19", select=("pss-seccomp-profile-baseline",)) == []
    assert _at(pod, "restricted", "1.18", select=("pss-seccomp-profile-baseline",)) != []
    assert _at(pod, "restricted", "1.19", select=("pss-seccomp-profile-baseline",)) == []


def test_no_level_no_findings():
    privileged = _pod("hostPID: true\n" + CAPS)
    assert _at(privileged, None) == []


def test_active_checks_per_level():
    ids = {c.id for c in active_checks("restricted", NEWEST)}
    assert "hostPathVolumes" not in ids and "capabilities_baseline" not in ids
    assert "procMount" not in ids and "seccompProfile_baseline" not in ids
    assert {"restrictedVolumes", "capabilities_restricted", "procMount_restricted",
            "hostNamespaces", "sysctls"} <= ids
    assert len(active_checks("baseline", NEWEST)) == 12
    assert active_checks("privileged", NEWEST) == ()
    assert {c.id for c in active_checks("restricted", (1, 0))} >= {"runAsNonRoot",
                                                                     "seccompProfile_baseline"}
    assert "allowPrivilegeEscalation" not in {c.id for c in active_checks("restricted", (1, 7))}


def test_versions_parse_as_the_controller_reads_them():
    assert parse_version("1.25") == (1, 25) and parse_version("v1.3") == (1, 3)
    assert parse_version("1.99") == NEWEST and parse_version("latest") == NEWEST
    assert parse_version("2.0") is None and parse_version(1.25) is None
    assert label_version("v1.24") == (1, 24)
    assert label_version("1.24") == NEWEST  # labels need the v
    assert label_version(None) == NEWEST


# --- defaulted fields, overrides, every pod-bearing kind ------------------------------------------

def test_defaulted_fields():
    empty_volume = _pod("containers:\n- name: a\n  image: x\nvolumes:\n- name: scratch\n")
    assert _at(empty_volume, "restricted", select=("pss-restricted-volumes",)) == []
    host_net = _pod("hostNetwork: true\ncontainers:\n- name: a\n  image: x\n  ports:\n"
                    "  - containerPort: 8080\n  - containerPort: 9090\n    hostPort: 9090\n")
    got = _at(host_net, "baseline", select=("pss-host-ports",))
    assert got == [
        "11:7 pss-host-ports pod 'p' would be rejected at admission by baseline (v1.37): "
        "container 'a' gets hostPort 8080 from hostNetwork: true",
        "13:7 pss-host-ports pod 'p' would be rejected at admission by baseline (v1.37): "
        "container 'a' sets hostPort 9090"]


def test_pod_level_settings_and_container_overrides():
    spec = ("securityContext:\n  runAsNonRoot: true\n  seccompProfile:\n    type: RuntimeDefault\n"
            "containers:\n- name: inherits\n  image: x\n"
            "- name: overrides\n  image: x\n  securityContext:\n    runAsNonRoot: false\n"
            "    seccompProfile:\n      type: Unconfined\n")
    got = _at(_pod(spec), "restricted", select=("pss-run-as-non-root",
                                                "pss-seccomp-profile-restricted"))
    assert [g.split(" ")[:2] for g in got] == [["16:7", "pss-run-as-non-root"],
                                               ["18:9", "pss-seccomp-profile-restricted"]]


def test_init_and_ephemeral_containers():
    spec = ("initContainers:\n- name: init\n  image: x\n  securityContext:\n    privileged: true\n"
            "containers:\n- name: a\n  image: x\n"
            "ephemeralContainers:\n- name: dbg\n  image: x\n  securityContext:\n"
            "    privileged: true\n")
    assert [g.split(" ")[0] for g in _at(_pod(spec), "baseline")] == ["10:7", "18:7"]


KINDS = {
    "Deployment": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n"
                  "  template:\n    spec:\n{spec}",
    "StatefulSet": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: w\nspec:\n"
                   "  template:\n    spec:\n{spec}",
    "DaemonSet": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: w\nspec:\n"
                 "  template:\n    spec:\n{spec}",
    "ReplicaSet": "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: w\nspec:\n"
                  "  template:\n    spec:\n{spec}",
    "ReplicationController": "apiVersion: v1\nkind: ReplicationController\nmetadata:\n"
                             "  name: w\nspec:\n  template:\n    spec:\n{spec}",
    "Job": "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: w\nspec:\n  template:\n"
           "    spec:\n{spec}",
    "CronJob": "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: w\nspec:\n"
               "  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n"
               "        spec:\n{spec}",
    "PodTemplate": "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: w\ntemplate:\n"
                   "  spec:\n{spec}",
    "DeploymentConfig": "apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\n"
                        "metadata:\n  name: w\nspec:\n  template:\n    spec:\n{spec}",
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_pod_bearing_kind(kind):
    template = KINDS[kind]
    indent = " " * (len(template.split("{spec}")[0].splitlines()[-1]) + 2)
    spec = "hostPID: true\ncontainers:\n- name: a\n  image: x\n"
    text = template.format(spec="".join(indent + line + "\n" for line in spec.splitlines()))
    got = _at(text, "baseline", select=("pss-host-namespaces",))
    line = template.split("{spec}")[0].count("\n") + 1
    assert got == [f"{line}:{len(indent) + 1} pss-host-namespaces pods of {kind} 'w' would be "
                   "rejected at admission by baseline (v1.37): the pod sets hostPID: true"]


# --- Namespace labels -----------------------------------------------------------------------------

def _ns(labels: str, name: str = "team") -> str:
    body = "".join(f"    {line}\n" for line in labels.strip().splitlines())
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n{body}"


RUN_AS_ROOT = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: team\nspec:\n"
               "  securityContext:\n    runAsUser: 0\n  containers:\n  - name: a\n    image: x\n")


def test_enforce_label_gives_errors_with_the_label_as_related_location():
    text = _ns("pod-security.kubernetes.io/enforce: restricted") + "---\n" + RUN_AS_ROOT
    cfg = Config(select=("pss-run-as-user",))
    diags = lint_text(text, config=cfg).active
    assert brief(diags) == ["15:5 pss-run-as-user pod 'p' would be rejected at admission by "
                            "restricted (v1.37): the pod sets runAsUser: 0"]
    assert diags[0].severity is Severity.ERROR
    assert [(r.span.start.line, r.span.start.col, r.message) for r in diags[0].related] == [
        (6, 5, "namespace 'team' sets pod-security.kubernetes.io/enforce: restricted")]


@pytest.mark.parametrize("mode,verb", [("warn", "would draw an admission warning from"),
                                       ("audit", "would be recorded in the audit log by")])
def test_warn_and_audit_labels_give_warnings(mode, verb):
    text = _ns(f"pod-security.kubernetes.io/{mode}: restricted") + "---\n" + RUN_AS_ROOT
    diags = lint_text(text, config=Config(select=("pss-run-as-user",))).active
    assert brief(diags) == [f"15:5 pss-run-as-user pod 'p' {verb} restricted (v1.37): "
                            "the pod sets runAsUser: 0"]
    assert diags[0].severity is Severity.WARNING


def test_config_severity_beats_the_label():
    text = _ns("pod-security.kubernetes.io/warn: restricted") + "---\n" + RUN_AS_ROOT
    cfg = Config(select=("pss-run-as-user",),
                 rules={"pss-run-as-user": RuleSettings(severity=Severity.INFO)})
    assert [d.severity for d in lint_text(text, config=cfg).active] == [Severity.INFO]


@pytest.mark.parametrize("version,expected", [("v1.22", []), ("v1.23", ["16:5"]),
                                              ("1.23", ["16:5"]), ("latest", ["16:5"])])
def test_enforce_version_label(version, expected):
    text = (_ns(f"pod-security.kubernetes.io/enforce: restricted\n"
                f"pod-security.kubernetes.io/enforce-version: \"{version}\"")
            + "---\n" + RUN_AS_ROOT)
    got = _at(text, None, select=("pss-run-as-user",))
    assert [g.split(" ")[0] for g in got] == expected


def test_enforce_mode_wins_over_warn_on_the_same_field():
    text = (_ns("pod-security.kubernetes.io/enforce: restricted\n"
                "pod-security.kubernetes.io/warn: restricted") + "---\n" + RUN_AS_ROOT)
    got = _at(text, None, select=("pss-run-as-user",))
    assert len(got) == 1 and "would be rejected" in got[0]


def test_labels_apply_only_to_their_namespace_and_beat_the_cli_level():
    other = RUN_AS_ROOT.replace("namespace: team", "namespace: other")
    unset = RUN_AS_ROOT.replace("  namespace: team\n", "")
    text = (_ns("pod-security.kubernetes.io/enforce: privileged") + "---\n" + RUN_AS_ROOT
            + "---\n" + other + "---\n" + unset)
    assert _at(text, None, select=("pss-run-as-user",)) == []
    got = _at(text, "restricted", select=("pss-run-as-user",))
    assert [g.split(" ")[0] for g in got] == ["27:5", "38:5"]


def test_warn_label_keeps_the_cli_level_for_enforce():
    text = (_ns("pod-security.kubernetes.io/warn: restricted") + "---\n"
            + RUN_AS_ROOT.replace("runAsUser: 0", "runAsUser: 0\n    seLinuxOptions:\n"
                                  "      type: spc_t"))
    got = _at(text, "baseline", select=("pss-run-as-user", "pss-selinux-options"))
    assert [g.split(" ")[:2] for g in got] == [["15:5", "pss-run-as-user"],
                                               ["17:7", "pss-selinux-options"]]
    assert "warning" in got[0] and "rejected at admission by baseline" in got[1]


def test_unknown_level_label_reads_as_restricted():
    text = _ns("pod-security.kubernetes.io/enforce: strict") + "---\n" + RUN_AS_ROOT
    assert len(_at(text, None, select=("pss-run-as-user",))) == 1


# --- one field, one diagnostic --------------------------------------------------------------------

PRIVILEGED = _pod("containers:\n- name: a\n  image: x\n  securityContext:\n    privileged: true\n")


def test_security_rule_folds_into_the_admission_rule():
    cfg = Config(select=("privileged-container", "pss-privileged"), pod_security="baseline")
    result = lint_text(PRIVILEGED, config=cfg)
    assert brief(result.active) == ["10:7 pss-privileged pod 'p' would be rejected at admission "
                                    "by baseline (v1.37): container 'a' sets privileged: true"]
    folded = [d for d in result.diagnostics if d.rule_id == "privileged-container"]
    assert [d.suppressed_by for d in folded] == ["pod-security: reported by pss-privileged"]
    assert result.active[0].fix is not None and result.active[0].fix == folded[0].fix


def test_without_a_level_the_security_rule_reports():
    cfg = Config(select=("privileged-container", "pss-privileged"))
    assert [d.rule_id for d in lint_text(PRIVILEGED, config=cfg).active] == [
        "privileged-container"]


def test_suppressed_admission_diagnostic_does_not_fold():
    text = PRIVILEGED.replace("privileged: true", "privileged: true  # kubelint: disable=pss-privileged")
    cfg = Config(select=("privileged-container", "pss-privileged"), pod_security="baseline")
    assert [d.rule_id for d in lint_text(text, config=cfg).active] == ["privileged-container"]


def test_every_superseded_rule_exists():
    from kubelint.rules import by_id

    # no security rule looks at probe hosts
    assert {r.id for r in rules.RULES} - set(rules.SUPERSEDES) == {"pss-probe-host"}
    for ids in rules.SUPERSEDES.values():
        assert all(by_id(i).category == "security" for i in ids)


# --- metadata, docs, CLI --------------------------------------------------------------------------

def test_each_rule_names_its_check():
    assert sorted(c for r in rules.RULES for c in r.equivalents["pod-security"]) == sorted(
        c.id for c in CHECKS)
    from kubelint.rules import security

    assert not any("pod-security" in r.equivalents for r in security.RULES)


def test_rules_json_lists_the_check_ids():
    out = _cli("rules", "--format", "json")
    listed = {r["id"]: r for r in json.loads(out.stdout)["rules"]}
    assert listed["pss-run-as-user"]["equivalents"] == {"pod-security": ["runAsUser"]}
    assert listed["pss-run-as-user"]["category"] == "pod-security"
    assert "pod-security" not in listed["run-as-root-user"]["equivalents"]


def test_docs_table_is_current():
    text = (ROOT / "docs" / "pod-security.md").read_text(encoding="utf-8")
    assert checks_markdown() in text, "regenerate the table: python -m kubelint.pod_security"


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kubelint", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_cli_level_and_old_version(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(_pod(ROOT_USER + APE_UNSET))
    out = _cli("lint", "--select", "pss-run-as-user,schema", "--pod-security", "restricted",
               "--kubernetes-version", "1.23", "-q", str(path))
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        f"{path}:7:5: error pss-run-as-user pod 'p' would be rejected at admission by restricted "
        "(v1.23): the pod sets runAsUser: 0"]
    assert out.stderr.count("no Kubernetes schemas for 1.23") == 1
    assert _cli("lint", "--pod-security", "strict", str(path)).returncode == 2


def test_config_key(tmp_path):
    (tmp_path / ".kubelint.yaml").write_text("pod-security: baseline\n"
                                             "kubernetes-version: \"1.30\"\n")
    (tmp_path / "p.yaml").write_text(_pod(SELINUX))
    out = _cli("lint", "--select", "pod-security", "-q", "p.yaml", cwd=tmp_path)
    assert out.stdout.splitlines() == [
        "p.yaml:8:7: error pss-selinux-options pod 'p' would be rejected at admission by "
        "baseline (v1.30): the pod sets SELinux type 'container_engine_t'"]
    (tmp_path / ".kubelint.yaml").write_text("pod-security: strict\n")
    bad = _cli("lint", "p.yaml", cwd=tmp_path)
    assert bad.returncode == 2 and "pod-security" in bad.stderr


SET = {
    "ns.yaml": _ns("pod-security.kubernetes.io/enforce: baseline", "web") + "---\n"
               + _ns("pod-security.kubernetes.io/warn: restricted", "api")
               + "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: empty\n",
    "web.yaml": PRIVILEGED.replace("name: p\n", "name: p\n  namespace: web\n"),
    "api.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n"
                 "  namespace: api\nspec:\n  template:\n    spec:\n"
                 "      securityContext:\n        runAsNonRoot: true\n"
                 "        seccompProfile:\n          type: RuntimeDefault\n"
                 "      containers:\n      - name: api\n        image: x\n"
                 "        securityContext:\n          allowPrivilegeEscalation: false\n"
                 "          capabilities:\n            drop: [ALL]\n"),
    "job.yaml": ("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\n  namespace: api\n"
                 "spec:\n  template:\n    spec:\n      containers:\n      - name: once\n"
                 "        image: x\n"),
}


def test_summary_command(tmp_path):
    for name, text in SET.items():
        (tmp_path / name).write_text(text)
    out = _cli("pod-security", "--format", "json", ".", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    found = {n["namespace"]: n for n in json.loads(out.stdout)["namespaces"]}
    assert {n: (s["pods"], s["level"], s["enforce"], s["next"]) for n, s in found.items()} == {
        "api": (2, "baseline", None, "restricted"), "empty": (0, "restricted", None, None),
        "web": (1, "privileged", "baseline", "baseline")}
    assert [(b["file"], b["line"], b["column"], b["rule"]) for b in found["web"]["blocking"]] == [
        ("./web.yaml", 11, 7, "pss-privileged")]
    assert sorted(b["rule"] for b in found["api"]["blocking"]) == [
        "pss-allow-privilege-escalation", "pss-capabilities-restricted", "pss-run-as-non-root",
        "pss-seccomp-profile-restricted"]
    assert {b["object"] for b in found["api"]["blocking"]} == {"Job 'once'"}
    text = _cli("pod-security", ".", cwd=tmp_path).stdout.splitlines()
    assert "namespace empty: 0 pod-bearing objects meet restricted (v1.37); no enforce label; " \
           "can enforce restricted now" in text
    assert "  ./web.yaml:11:7: pss-privileged Pod 'p': container 'a' sets privileged: true" in text
    older = _cli("pod-security", "-f", "json", "--kubernetes-version", "1.21", ".",
                 cwd=tmp_path)
    api = {n["namespace"]: n for n in json.loads(older.stdout)["namespaces"]}["api"]
    # capabilities_restricted starts at 1.22
    assert api["version"] == "v1.21" and {b["rule"] for b in api["blocking"]} == {
        "pss-allow-privilege-escalation", "pss-run-as-non-root", "pss-seccomp-profile-restricted"}


# --- real manifests -------------------------------------------------------------------------------

VERDICTS = [
    # (file under realworld/, kind, name, failing restricted checks)
    ("metrics-server/manifests/base/deployment.yaml", "Deployment", "metrics-server", set()),
    ("argo-cd/manifests/install.yaml", "Deployment", "argocd-redis", set()),
    ("gke-networking-recipes/ingress/single-cluster/ingress-nginx/ingress-nginx.yaml",
     "Deployment", "foo", {"allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot",
                           "seccompProfile_restricted"}),
    ("kube-prometheus/manifests/nodeExporter-daemonset.yaml", "DaemonSet", "node-exporter",
     {"capabilities_restricted", "hostNamespaces", "hostPorts", "restrictedVolumes",
      "seccompProfile_restricted"}),
    ("kubernetes-engine-samples/autoscaling/custom-compute-classes/dra/deployment.yaml",
     "Deployment", "ccc-gpu", {"allowPrivilegeEscalation", "capabilities_restricted",
                               "runAsNonRoot", "restrictedVolumes", "seccompProfile_restricted"}),
]


@pytest.mark.parametrize("file,kind,name,failing", VERDICTS, ids=[v[2] for v in VERDICTS])
def test_hand_checked_verdicts(shared, file, kind, name, failing):
    from kubelint.k8s import resources_of
    from kubelint.parse import parse_text
    from kubelint.pod_security import evaluate

    path = shared / "corpus" / "realworld" / file
    if not path.exists():
        pytest.skip(f"{path} not in the shared corpus")
    found = [r for doc in parse_text(path.read_text(encoding="utf-8")).documents
             for r in resources_of(doc, str(path))[0] if r.kind == kind and r.name == name]
    assert len(found) == 1
    assert {v.check for v in evaluate(found[0], "restricted", NEWEST)} == failing
