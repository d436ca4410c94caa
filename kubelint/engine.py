"""The engine: read, parse, run rules, locate findings, apply suppressions and config."""

from __future__ import annotations

import bisect
import marshal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from kubelint import codec, sources, workers
from kubelint.config import Config
from kubelint.k8s import Resource, ResourceIndex, resources_of
from kubelint.locate import span_of, span_of_problem
from kubelint.model import (Diagnostic, Finding, LintResult, Origin, Related, RelatedLocation,
                            Severity, Span, YamlPath)
from kubelint.parse import Document, ParseResult, Problem, parse_text
from kubelint.rule import Context, Rule
from kubelint.rules import ALL_RULES, by_id
from kubelint.rules import input as input_rules
from kubelint.rules.pod_security import fold_overlaps
from kubelint.suppress import (ANNOTATION_PREFIX, Directive, Directives, annotation_suppression,
                               check_names, parse_directives, unknown_annotations, unused)

CONTEXT_KINDS = frozenset({"CustomResourceDefinition"})
"""Kinds read from `crd-dirs`: they give schemas to custom resources and are not linted."""


def lint_paths(paths: Sequence[str], config: Config, rules: Sequence[Rule] = ALL_RULES) -> LintResult:
    """Lint files, directories and `-` (stdin) as one bundle."""
    names = sources.discover(list(paths), config.exclude, root=config.root)
    return lint_sources([sources.read(n) for n in names], config, rules,
                        context=read_context(config.crd_dirs))


def read_context(folders: Sequence[str], kinds: frozenset[str] = CONTEXT_KINDS
                 ) -> list[Resource]:
    """The objects of `kinds` (by default CustomResourceDefinitions) in `folders` (files that
    cannot be read or parsed, and other kinds, are passed over: these files are context, not
    linted)."""
    out: list[Resource] = []
    for name in sources.discover(list(folders), kustomize=False) if folders else ():
        source = sources.read(name)
        if source.text is None or not any(kind in source.text for kind in kinds):
            continue
        for doc in parse_text(source.text).documents:
            found, _ = resources_of(doc, source.name)
            out.extend(r for r in found if r.kind in kinds)
    return out


@dataclass(slots=True)
class _File:
    source: sources.SourceFile
    directives: Directives


class _Emitter:
    """Turns problems and findings into located, suppressed, configured Diagnostics."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.out: list[Diagnostic] = []
        self._file_ignores: dict[tuple[str, str], str | None] = {}
        self._settings: dict[str, tuple[bool, Severity]] = {}  # rule id -> (enabled, severity)

    def emit(self, rule: Rule, file: _File, message: str, span: Span, *,
             doc: Document | None = None, path: YamlPath = (), res: Resource | None = None,
             finding: Finding | None = None, skip: Directive | None = None) -> None:
        config = self.config
        settings = self._settings.get(rule.id)
        if settings is None:
            settings = self._settings[rule.id] = (config.enabled(rule), config.severity_for(rule))
        enabled, severity = settings
        if not enabled:
            return
        if finding is not None and finding.severity is not None and not config.severity_set(rule):
            severity = finding.severity
        suppressed = None
        lines: tuple[int, ...] = ()
        if doc is not None and path and file.directives.by_line:
            # The lines where the nodes enclosing the finding start, innermost first: a
            # directive on `securityContext:` covers what lies below it.
            positions = doc.positions
            lines = tuple(positions[path[:i]][0] + 1 for i in range(len(path), 0, -1)
                          if path[:i] in positions)
        directive = file.directives.match(rule, span.start.line, lines, skip)
        if directive is not None:
            kind = "disable-file" if directive.file_wide else "disable"
            suppressed = f"inline: {kind} at line {directive.line}"
        elif res is not None:
            suppressed = annotation_suppression(res.annotations, rule)
        if suppressed is None:
            key = (rule.id, file.source.name)
            if key not in self._file_ignores:
                self._file_ignores[key] = config.ignored_in_file(rule, file.source.name)
            suppressed = self._file_ignores[key]
        self.out.append(Diagnostic(
            rule_id=rule.id, severity=severity, message=message,
            file=file.source.name, span=span, path=path,
            resource=res.ref if res is not None else None,
            origin=_origin(file.source, doc),
            fix=finding.fix if finding is not None else None, suppressed_by=suppressed,
            related=_locate_related(finding.related) if finding is not None else (),
            document=doc.index if doc is not None else 0))

    def problem(self, file: _File, problem: Problem, doc: Document | None = None,
                skip: Directive | None = None) -> None:
        rule = by_id(problem.rule_id)
        self.emit(rule, file, problem.message, span_of_problem(problem), doc=doc, skip=skip)


def _known_names(rules: Sequence[Rule] = ()) -> frozenset[str]:
    """Every name a suppression may use: rule ids, aliases and categories (of the built-in
    rules and of `rules`)."""
    return frozenset(n for r in (*ALL_RULES, *rules) for n in (r.id, *r.aliases, r.category))


def _with_added_rules(rules: Sequence[Rule], config: Config, index: ResourceIndex,
                      context: Sequence[Resource]) -> tuple[list[Rule], tuple[Rule, ...]]:
    """`rules`, plus the rules the config adds (custom rules, plugins) and those of the
    admission policies in the bundle (returned apart too: reporters list them)."""
    out = list(rules)
    if config.custom_rules:
        ids = {r.id for r in out}
        out += [r for r in config.custom_rules if r.id not in ids]
    policies: tuple[Rule, ...] = ()
    if index.of_kind("ValidatingAdmissionPolicy"):
        from kubelint.vap import policy_rules

        policies = policy_rules(index, context)
        out += policies
    return out, policies


def lint_sources(files: Iterable[sources.SourceFile], config: Config,
                 rules: Sequence[Rule] = ALL_RULES, *,
                 context: Sequence[Resource] = (),
                 progress: Callable[[str, int, int], None] | None = None,
                 jobs: int = 1) -> LintResult:
    """Lint already-read sources as one bundle (cross-resource rules see all of them, and the
    `context` resources, which are not linted themselves). `progress`, if given, is called as
    `("reading", files done, files)` and then `("checking", resources done, resources)`.
    With `jobs` above 1 (0: one per CPU), a large input is shared with worker processes that
    parse their files and run the object rules on them (see `_read_all`)."""
    emitter = _Emitter(config)
    files = list(files)
    resources: list[tuple[Resource, _File]] = []
    early: list[_Early | None] = []  # per resource: what the object rules found on reading
    with_directives: list[_File] = []
    annotated: list[tuple[Resource, _File]] = []
    n_docs = 0
    readable = [s.text if s.problem is None else None for s in files]
    jobs = workers.jobs_for(jobs, sum(len(t) for t in readable if t),
                            sum(1 for t in readable if t))
    early_rules = [r for r in rules if r.check is not None and r.scope == "object"
                   and config.enabled(r)] if jobs > 1 else []
    for source, read in zip(files, _read_all(files, readable, config, early_rules, jobs,
                                             progress)):
        parsed = read.parsed
        if parsed is None or source.text is None:
            if source.problem is not None:
                emitter.problem(_File(source, Directives()), source.problem)
            continue
        file = read.file
        if file is None:
            file = _File(source, parse_directives(source.text, parsed.documents))
            _mark_used(file.directives, read.used)
        if file.directives.by_line or file.directives.file_wide or file.directives.malformed:
            with_directives.append(file)
        for problem in parsed.problems:
            emitter.problem(file, problem)
        checked = iter(read.checked) if read.checked is not None else None
        for doc in parsed.documents:
            n_docs += 1
            for problem in doc.problems:
                emitter.problem(file, problem, doc)
            found, skipped = resources_of(doc, source.name)
            for path, message in skipped:
                span, located = span_of(doc, path)
                emitter.emit(input_rules.NOT_A_KUBERNETES_OBJECT, file, message, span,
                             doc=doc, path=located)
            annotated.extend((r, file) for r in found if any(
                isinstance(k, str) and k.startswith(ANNOTATION_PREFIX) for k in r.annotations))
            resources.extend((r, file) for r in found)
            early.extend(_Early(next(checked), read.encoded) if checked is not None else None
                         for _ in found)

    if config.policy_dirs:
        from kubelint.vap import read_policies

        context = [*context, *read_policies(config.policy_dirs)]
    index = ResourceIndex([r for r, _ in resources] + list(context))
    rules, policies = _with_added_rules(rules, config, index, context)
    known = _known_names(rules)
    for file in with_directives:
        for problem in check_names(file.directives, known):
            emitter.problem(file, problem)
    for res, file in annotated:
        for key, message in unknown_annotations(res.annotations, known):
            span, located = span_of(res.doc, (*res.prefix, "metadata", "annotations", key))
            emitter.emit(input_rules.INVALID_SUPPRESSION, file, message, span,
                         doc=res.doc, path=located, res=res)
    enabled = [r for r in rules if r.check is not None and config.enabled(r)]
    _check(resources, early, {r.id for r in early_rules}, enabled, index, config, emitter,
           progress)
    if with_directives and config.enabled(input_rules.UNUSED_SUPPRESSION):
        _report_unused(with_directives, config, {r.id for r in enabled}, emitter, known, rules)
    diagnostics = tuple(sorted(fold_overlaps(emitter.out), key=Diagnostic.sort_key))
    return LintResult(diagnostics, len(files), n_docs, len(resources), len(enabled),
                      extra={"policy_rules": policies} if policies else {})


@dataclass(slots=True)
class _Read:
    """A file as read. When object rules ran on reading (see `_read_all`): its `file` (if read
    here), what the rules found on each resource (by rule id; `encoded` by `codec` if a worker
    read it) and the directives a worker's rules matched (line, column, names)."""

    parsed: ParseResult | None
    file: _File | None = None
    checked: list[dict[str, list]] | None = None
    encoded: bool = False
    used: list[tuple[int, int, list[str]]] = field(default_factory=list)


@dataclass(slots=True)
class _Early:
    """What the object rules found on one resource as its file was read."""

    found: dict[str, list]  # rule id -> Diagnostics (or their `codec` encodings)
    encoded: bool


def _read_all(files: list[sources.SourceFile], readable: list[str | None], config: Config,
              early_rules: list[Rule], jobs: int,
              progress: Callable[[str, int, int], None] | None) -> list[_Read]:
    """Parse every readable text, sharing the files with `jobs - 1` workers (see `workers`).
    With workers, each process also runs `early_rules` (object rules, which read only their
    own resource) on the resources of the files it reads, so that this work is shared too;
    the rules that read the whole set run later, here."""
    total = len(files)
    reads: list[_Read] = [_Read(None)] * total
    order = workers.largest_first([len(t or "") for t in readable]) if jobs > 1 else range(total)
    checker = _EarlyChecker(config, early_rules) if early_rules else None

    def local(indices: Iterable[int]) -> None:
        for done, k in enumerate(indices, 1):
            i = order[k]
            text = readable[i]
            if text is None:
                pass
            elif checker is None:
                reads[i] = _Read(parse_text(text))
            else:
                parsed, file, checked = checker.check(files[i], text)
                reads[i] = _Read(parsed, file, checked)
            if progress is not None:  # the workers read about as many files meanwhile
                progress("reading", min(total, done * jobs), total)

    def remote(indices: Iterable[int]) -> bytes:
        assert checker is not None
        return marshal.dumps([checker.encoded(files[order[k]], readable[order[k]])
                              for k in indices])

    def merge(indices: Sequence[int], data: bytes) -> None:
        items = marshal.loads(data)
        if len(items) != len(indices):
            raise ValueError("a worker sent a short result")
        for k, item in zip(indices, items):
            if item is None:  # a tree marshal cannot hold: read here
                local((k,))
                continue
            parsed, checked, used = marshal.loads(item)
            reads[order[k]] = _Read(codec.decode_parse(parsed), None, checked, True, used)

    workers.share(total, jobs, local, remote, merge)
    return reads


class _EarlyChecker:
    """Parses files and runs object rules on their resources."""

    def __init__(self, config: Config, rules: list[Rule]) -> None:
        self.emitter = _Emitter(config)
        # Object rules do not read the set (a test holds them to it): they get an empty index.
        nothing = ResourceIndex([])
        self.contexts = {r.id: Context(nothing, config.options_for(r)) for r in rules}
        self.applicable = _ByKind(rules)

    def check(self, source: sources.SourceFile, text: str
              ) -> tuple[ParseResult, _File, list[dict[str, list]]]:
        """The file's parse, the file with its directives, and per resource what each rule
        found (rules that found nothing are left out)."""
        parsed = parse_text(text)
        file = _File(source, parse_directives(text, parsed.documents))
        emitter = self.emitter
        checked: list[dict[str, list]] = []
        for doc in parsed.documents:
            for res in resources_of(doc, source.name)[0]:
                found: dict[str, list] = {}
                for rule in self.applicable(res.kind):
                    emitter.out = []
                    _run(rule, res, file, self.contexts[rule.id], emitter)
                    if emitter.out:
                        found[rule.id] = emitter.out
                checked.append(found)
        return parsed, file, checked

    def encoded(self, source: sources.SourceFile, text: str | None) -> bytes | None:
        """`check` as marshal data, with the directives the rules matched (None if marshal
        cannot hold the tree)."""
        if text is None:
            return marshal.dumps((None, None, []))
        parsed, file, checked = self.check(source, text)
        used = [(d.line, d.col, sorted(names)) for d, names in file.directives.used.items()]
        try:
            return marshal.dumps((codec.encode_parse(parsed),
                                  [{rule_id: [codec.encode(d) for d in found]
                                    for rule_id, found in by_rule.items()}
                                   for by_rule in checked], used))
        except ValueError:
            return None


class _ByKind:
    """The rules that apply to a kind, worked out once per kind."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._found: dict[str, list[Rule]] = {}

    def __call__(self, kind: str) -> list[Rule]:
        found = self._found.get(kind)
        if found is None:
            found = self._found[kind] = [r for r in self.rules if r.applies_to(kind)]
        return found


def _mark_used(directives: Directives, used: list[tuple[int, int, list[str]]]) -> None:
    """Record the directive matches a worker made in this process's copy of the directives."""
    if not used:
        return
    at = {(d.line, d.col): d for d in directives.all}
    for line, col, names in used:
        if (line, col) in at:
            directives.used.setdefault(at[(line, col)], set()).update(names)


def _check(resources: list[tuple[Resource, _File]], early: list[_Early | None],
           early_ids: set[str], enabled: list[Rule], index: ResourceIndex, config: Config,
           emitter: _Emitter, progress: Callable[[str, int, int], None] | None) -> None:
    """Run the enabled rules on every resource, taking what the rules that ran on reading
    (`early_ids`) found there: diagnostics come out in the order of one process."""
    applicable_to = _ByKind(enabled)
    contexts = {r.id: Context(index, config.options_for(r)) for r in enabled}
    out = emitter.out
    for done, ((res, file), pre) in enumerate(zip(resources, early), 1):
        if progress is not None:
            progress("checking", done, len(resources))
        applicable = applicable_to(res.kind)
        if pre is None:
            for rule in applicable:
                _run(rule, res, file, contexts[rule.id], emitter)
            continue
        origin = _origin(file.source, res.doc) if pre.encoded else None
        for rule in applicable:
            if rule.id not in early_ids:
                _run(rule, res, file, contexts[rule.id], emitter)
            elif rule.id not in pre.found:
                continue
            elif pre.encoded:
                out.extend(codec.decode(d, file.source.name, res.doc.index, res.ref, origin)
                           for d in pre.found[rule.id])
            else:
                out.extend(pre.found[rule.id])


def _report_unused(files: list[_File], config: Config, ran_rules: set[str], emitter: _Emitter,
                   known: frozenset[str], rules: Sequence[Rule] = ()) -> None:
    """`unused-suppression`: directive names that matched nothing although their rules ran."""
    every = (*ALL_RULES, *(r for r in rules if r.id not in _BUILTIN_IDS))
    ids = {n: r for r in every for n in (r.id, *r.aliases)}

    def ran(name: str) -> bool:
        named = [r for r in every if r.category == name] or [ids[name]]
        return any(config.enabled(r) and (r.check is None or r.id in ran_rules) for r in named)

    for file in files:
        for problem, directive in unused(file.directives, known, ran):
            emitter.problem(file, problem, skip=directive)


_BUILTIN_IDS = frozenset(r.id for r in ALL_RULES)


def _run(rule: Rule, res: Resource, file: _File, ctx: Context, emitter: _Emitter) -> None:
    doc = res.doc
    try:
        findings = list(rule.check(res, ctx))  # type: ignore[misc]  # enabled rules have one
    except Exception as exc:  # a broken rule must not stop the run
        span, located = span_of(doc, (*res.prefix, "metadata", "name"))
        emitter.emit(input_rules.INTERNAL_ERROR, file,
                     f"rule {rule.id} crashed on {res.display()}: {type(exc).__name__}: {exc}",
                     span, doc=doc, path=located, res=res)
        return
    for finding in findings:
        if res.prefix:
            finding = _within(finding, res.prefix)
        span, _ = span_of(doc, finding.path, finding.point)
        emitter.emit(rule, file, finding.message, span, doc=doc, path=finding.path, res=res,
                     finding=finding)


def _origin(source: sources.SourceFile, doc: Document | None) -> Origin | None:
    """Where a rendered document came from: its `# Source:` line (Helm), or what the renderer
    said (`SourceFile.origins`, kustomize)."""
    if doc is None:
        return None
    if doc.origin:
        return Origin(doc.origin)
    if source.origins:
        first = doc.positions.get(())
        line = first[0] if first is not None else -1
        at = bisect.bisect_right(source.origins, (line, "\uffff")) - 1
        found = source.origins[at][1] if at >= 0 else None
        return Origin(found) if found else None
    return None


def _locate_related(related: tuple[Related, ...]) -> tuple[RelatedLocation, ...]:
    out = []
    for r in related:
        target: Resource = r.target
        span, _ = span_of(target.doc, (*target.prefix, *r.path))
        out.append(RelatedLocation(target.file, span, r.message))
    return tuple(out)


def _within(finding: Finding, prefix: YamlPath) -> Finding:
    """A finding on a `kind: List` item, with its paths (and its fix's) made document-absolute."""
    fix = finding.fix
    if fix is not None:
        fix = replace(fix, edits=tuple(replace(e, path=(*prefix, *e.path)) for e in fix.edits))
    return replace(finding, path=(*prefix, *finding.path), fix=fix)


