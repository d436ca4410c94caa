"""Reserved rules for problems found while reading input (reported by the reader, not a check)."""

from kubelint.model import Severity
from kubelint.rule import Rule

CATEGORY = "input"

YAML_SYNTAX = Rule(
    id="yaml-syntax", category=CATEGORY, severity=Severity.ERROR, scope="input",
    summary="The file is not valid YAML.",
    rationale="Kubernetes rejects the document; the rest of the file is still linted.",
    remediation="Fix the YAML syntax at the reported line.",
)
UNREADABLE_FILE = Rule(
    id="unreadable-file", category=CATEGORY, severity=Severity.ERROR, scope="input",
    summary="The file cannot be read as text (missing, binary, not UTF-8 or too large).",
    rationale="kubectl cannot apply it and no rule can check it.",
    remediation="Save the file as UTF-8 text, or exclude it from linting.",
)
YAML_TOO_COMPLEX = Rule(
    id="yaml-too-complex", category=CATEGORY, severity=Severity.ERROR, scope="input",
    summary="A document expands to too many nodes through aliases or nests too deeply.",
    rationale="Alias bombs and pathological nesting exhaust memory in tools and in the API server.",
    remediation="Remove the recursive aliases or flatten the document.",
)
DUPLICATE_KEY = Rule(
    id="duplicate-key", category=CATEGORY, severity=Severity.WARNING, scope="input",
    summary="A mapping holds the same key twice.",
    rationale="Kubernetes silently keeps the last value, so the first one is dead and misleading.",
    remediation="Remove one of the duplicate keys.",
)
NOT_A_KUBERNETES_OBJECT = Rule(
    id="not-a-kubernetes-object", category=CATEGORY, severity=Severity.INFO, scope="input",
    summary="A document is not a Kubernetes object (no apiVersion/kind, or not a mapping).",
    rationale="kubectl would reject it; kubelint skips it so its other documents are still linted.",
    remediation="Give the document an apiVersion and a kind, or exclude the file.",
)
INTERNAL_ERROR = Rule(
    id="internal-error", category=CATEGORY, severity=Severity.ERROR, scope="input",
    summary="A rule crashed on this object.",
    rationale="A bug in kubelint; the other rules still ran. Please report it with the object.",
    remediation="Report the diagnostic and the manifest to the kubelint issue tracker.",
)

SUPPRESSION_CATEGORY = "suppression"

INVALID_SUPPRESSION = Rule(
    id="invalid-suppression", category=SUPPRESSION_CATEGORY, severity=Severity.WARNING,
    scope="input",
    summary="A suppression comment or annotation is malformed or names an unknown rule.",
    rationale="It suppresses nothing: a misspelt rule id leaves the finding it was meant for "
              "reported, and a stale one hides that the rule was renamed or removed.",
    remediation="Use a rule id or category from `kubelint rules` in the form "
                "`# kubelint: disable=rule-id`.",
)
UNUSED_SUPPRESSION = Rule(
    id="unused-suppression", category=SUPPRESSION_CATEGORY, severity=Severity.INFO,
    scope="input", default_enabled=False,
    summary="An inline suppression comment matched no diagnostic.",
    rationale="A stale directive would silently hide a future problem on that line, and it "
              "misleads readers about what the manifest gets wrong.",
    remediation="Remove the directive, or the rule id in it that no longer matches.",
)

RULES = (YAML_SYNTAX, UNREADABLE_FILE, YAML_TOO_COMPLEX, DUPLICATE_KEY, NOT_A_KUBERNETES_OBJECT,
         INTERNAL_ERROR, INVALID_SUPPRESSION, UNUSED_SUPPRESSION)
