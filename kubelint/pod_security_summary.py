"""`kubelint pod-security`: per namespace, the strictest Pod Security level all its pods meet,
and the violations that block the next level."""

from __future__ import annotations

import json
from dataclasses import dataclass

from kubelint.k8s import Resource, object_label
from kubelint.locate import span_of
from kubelint.pod_security import (BY_ID, LABEL_PREFIX, LEVELS, RESTRICTED, Version, evaluate,
                                   label_version, pod_of, show_version, strictest_level)

NO_NAMESPACE = "(no namespace)"


@dataclass(frozen=True, slots=True)
class Blocker:
    """A violation that keeps a namespace from the next level, located."""

    file: str
    line: int
    col: int
    rule: str
    check: str
    object: str
    message: str


@dataclass(frozen=True, slots=True)
class NamespaceSummary:
    namespace: str  # NO_NAMESPACE for objects that name none
    pods: int  # pod-bearing objects
    level: str  # the strictest level all of them meet
    version: Version
    declared: bool  # whether the Namespace object is in the set
    enforced: str | None  # its enforce label, if any
    blocking: tuple[Blocker, ...]  # what the next level rejects (empty at restricted)

    @property
    def next(self) -> str | None:
        i = LEVELS.index(self.level)
        return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


def summarize(resources: list[Resource], version: Version) -> list[NamespaceSummary]:
    """Per namespace: the strictest level all its pods meet, at the Namespace's enforce-version
    label (else `version`), and the violations of the next level."""
    namespaces = {r.name: r for r in resources if r.kind == "Namespace" and r.name}
    pods: dict[str, list[Resource]] = {name: [] for name in namespaces}
    for res in resources:
        if pod_of(res) is not None:
            pods.setdefault(res.namespace or NO_NAMESPACE, []).append(res)
    out = []
    for name in sorted(pods):
        ns = namespaces.get(name)
        labels = ns.labels if ns is not None else {}
        at = (label_version(labels.get(LABEL_PREFIX + "enforce-version"))
              if LABEL_PREFIX + "enforce-version" in labels else version)
        levels = [strictest_level(r, at) for r in pods[name]]
        level = min(levels, key=LEVELS.index, default=RESTRICTED)
        blocking: list[Blocker] = []
        nxt = LEVELS[LEVELS.index(level) + 1] if level != RESTRICTED else None
        for res in pods[name] if nxt else ():
            for v in evaluate(res, nxt, at):
                span, _ = span_of(res.doc, (*res.prefix, *v.path))
                blocking.append(Blocker(res.file, span.start.line, span.start.col,
                                        BY_ID[v.check].rule, v.check, object_label(res),
                                        v.message))
        enforced = labels.get(LABEL_PREFIX + "enforce")
        out.append(NamespaceSummary(name, len(pods[name]), level, at, ns is not None,
                                    enforced if isinstance(enforced, str) else None,
                                    tuple(sorted(blocking, key=lambda b: (b.file, b.line, b.col,
                                                                          b.rule)))))
    return out


def render_summary(summaries: list[NamespaceSummary], fmt: str) -> str:
    """The summary as text or JSON."""
    if fmt == "json":
        return json.dumps({"namespaces": [{
            "namespace": s.namespace, "pods": s.pods, "level": s.level,
            "version": show_version(s.version), "namespace_in_set": s.declared,
            "enforce": s.enforced, "next": s.next,
            "blocking": [{"file": b.file, "line": b.line, "column": b.col, "rule": b.rule,
                          "check": b.check, "object": b.object, "message": b.message}
                         for b in s.blocking]} for s in summaries]}, indent=2) + "\n"
    lines = []
    for s in summaries:
        pods = f"{s.pods} pod-bearing object{'' if s.pods == 1 else 's'}"
        enforced = (f"enforces {s.enforced}" if s.enforced else "no enforce label" if s.declared
                    else "its Namespace is not in the set")
        head = (f"namespace {s.namespace}: {pods} meet{'s' if s.pods == 1 else ''} {s.level} "
                f"({show_version(s.version)}); {enforced}")
        if s.next is None:
            lines.append(f"{head}; can enforce restricted now")
            continue
        lines.append(f"{head}; {len(s.blocking)} finding{'' if len(s.blocking) == 1 else 's'} "
                     f"block {s.next}:")
        lines.extend(f"  {b.file}:{b.line}:{b.col}: {b.rule} {b.object}: {b.message}"
                     for b in s.blocking)
    return "\n".join(lines) + "\n" if lines else "no pods or namespaces found\n"
