"""CEL expressions: compile once, evaluate per object, with Kubernetes' extension functions.

Backed by the `common-expression-language` package (the Rust `cel` interpreter; see
docs/custom-rules.md for the measurements behind that choice). It is imported on the first
`compile_expression` call, so runs without custom CEL rules or admission policies never load it.

Evaluation has three outcomes: a value; `EvaluationError` (the data made the expression fail, for
example a missing key, as the API server reports it); `NotEvaluable` (the expression needs
something only a live cluster has, such as `authorizer`, or a function this library lacks).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

OFFLINE_ONLY = frozenset({"authorizer", "request", "oldObject"})
"""Variables that describe the API request or the cluster; a linter cannot know them."""

BUILTIN_FUNCTIONS = frozenset({
    "size", "contains", "startsWith", "endsWith", "matches", "has", "all", "exists", "exists_one",
    "map", "filter", "int", "uint", "double", "string", "bytes", "timestamp", "duration", "dyn",
    "type", "getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate",
    "getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds",
})
"""Functions and macros the interpreter itself provides (the CEL standard definitions)."""

_UNDEFINED = re.compile(r"Undefined variable or function: '([^']+)'")
_QUANTITY_KEY = "__quantity__"
_URL_KEY = "__url__"


class CelError(Exception):
    """An expression that does not compile."""


class EvaluationError(Exception):
    """The expression failed on this object's data (a missing key, a wrong type)."""


class NotEvaluable(Exception):
    """The expression needs a variable or function that is not available offline."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled expression and the variables it reads."""

    text: str
    program: Any  # cel.Program
    variables: frozenset[str]

    def evaluate(self, context: Any) -> Any:
        """The value of the expression in `context` (from `new_context`)."""
        try:
            return self.program.execute(context)
        except RuntimeError as exc:
            undefined = _UNDEFINED.search(str(exc))
            if undefined is not None:
                name = undefined.group(1)
                if name in BUILTIN_FUNCTIONS or name in KUBERNETES_FUNCTIONS:
                    raise EvaluationError(f"no matching overload for {name}()") from None
                raise NotEvaluable(name) from None
            raise EvaluationError(_short(exc)) from None
        except KeyError as exc:
            raise EvaluationError(f"no such key: {exc.args[0] if exc.args else exc}") from None
        except (TypeError, ValueError, ArithmeticError, OverflowError) as exc:
            raise EvaluationError(_short(exc)) from None


def _library() -> Any:
    """The CEL engine, the `cel` package's compiled extension. Its log records (a failing
    extension function is logged as well as raised) are not ours to print."""
    import logging

    engine = _module("cel")
    logger = logging.getLogger("cel")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
    return engine


def _module(name: str) -> Any:
    """`cel.<name>` (the extension `cel` or the Python `stdlib`), loaded from the installed
    package's folder without running the package's `__init__`, which also imports an interactive
    command line (prompt_toolkit, typer: about 0.2 s and 30 MiB) that linting never uses. Falls
    back to a plain import where the files are not where this expects them."""
    import importlib.machinery
    import importlib.util
    import os
    import sys

    qualified = f"cel.{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    package = importlib.util.find_spec("cel")
    folders = list(package.submodule_search_locations or ()) if package else []
    suffixes = importlib.machinery.EXTENSION_SUFFIXES if name == "cel" else [".py"]
    for path in (os.path.join(f, name + s) for f in folders for s in suffixes):
        spec = importlib.util.spec_from_file_location(qualified, path)
        if os.path.exists(path) and spec is not None and spec.loader is not None:
            if name != "cel":
                _module("cel")  # what `from .cel import ...` inside it needs
            module = importlib.util.module_from_spec(spec)
            sys.modules[qualified] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[qualified]
                raise
            return module
    return importlib.import_module(qualified)  # pragma: no cover - an unusual installation


def compile_expression(text: str) -> Expression:
    """Compile `text`; CelError (with the parser's message) if it is not valid CEL."""
    cel = _library()

    if not isinstance(text, str) or not text.strip():
        raise CelError("empty expression")
    try:
        program = cel.compile(text)
    except (ValueError, RuntimeError) as exc:
        raise CelError(_parse_message(str(exc))) from None
    return Expression(text, program, frozenset(program.variables()))


def unknown_functions(expression: Expression) -> list[str]:
    """The functions `expression` calls that this library does not provide offline."""
    stdlib = _module("stdlib")

    known = {*BUILTIN_FUNCTIONS, *KUBERNETES_FUNCTIONS, *stdlib.STDLIB_FUNCTIONS}
    return sorted(name for name in expression.program.functions()
                  if name not in known and not name.startswith(("_", "@", "!_")))


def extension_functions(expression: Expression) -> frozenset[str]:
    """The functions `expression` calls that a context must register (not the interpreter's
    own)."""
    return frozenset(expression.program.functions()) - BUILTIN_FUNCTIONS


def new_context(variables: Mapping[str, Any], functions: Iterable[str] | None = None) -> Any:
    """An evaluation context with `variables` and the extension functions (the cel-go and
    Kubernetes libraries): all of them, or only the named `functions` (registering them costs
    more than most evaluations). Build one per object (or per target item) and evaluate every
    expression in it: the object is converted to CEL values once."""
    cel = _library()
    stdlib = _module("stdlib")

    ctx = cel.Context()
    if functions is None:
        stdlib.add_stdlib_to_context(ctx)
        extra = KUBERNETES_FUNCTIONS
    else:
        wanted = set(functions)
        for name in wanted & stdlib.STDLIB_FUNCTIONS.keys() - KUBERNETES_FUNCTIONS.keys():
            ctx.add_function(name, stdlib.STDLIB_FUNCTIONS[name])
        extra = {n: f for n, f in KUBERNETES_FUNCTIONS.items() if n in wanted}
    for name, fn in extra.items():
        ctx.add_function(name, fn)
    for name, value in variables.items():
        ctx.add_variable(name, value)
    return ctx


_CALLBACK_ERROR = re.compile(r"Function '([^']+)' error: Python function call failed: \w+: (.*?)"
                             r"(?:\. Check function arguments.*)?$", re.DOTALL)


def _short(exc: BaseException) -> str:
    callback = _CALLBACK_ERROR.search(str(exc))
    if callback is not None:
        return f"{callback.group(1)}(): {callback.group(2).strip()}"
    text = str(exc).split(". Check that", 1)[0].strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _parse_message(text: str) -> str:
    """The parser's complaint without the echo of the expression."""
    found = re.search(r"ERROR: <input>:(\d+):(\d+): ([^\n]*)", text)
    if found is None:
        return _short(RuntimeError(text))
    return f"{found.group(3)} (at {found.group(1)}:{found.group(2)} of the expression)"


# --- Kubernetes' CEL libraries, as far as they can be written over plain values ------------------
# https://kubernetes.io/docs/reference/using-api/cel/ : regex, lists, quantity and URL libraries.
# Quantities and URLs travel through CEL as single-key maps ({"__quantity__": "512Mi"}), which
# the functions below unwrap; `ip`, `cidr`, `semver` and `format` are not provided (an expression
# using them is reported as not evaluated).

def _quantity_value(q: Any) -> Decimal:
    from kubelint.k8s import parse_quantity

    text = q.get(_QUANTITY_KEY) if isinstance(q, dict) else q
    value = parse_quantity(text) if isinstance(text, (str, int)) else None
    if value is None:
        raise ValueError(f"invalid quantity {text!r}")
    return value


def _quantity(text: Any) -> dict:
    _quantity_value(text)
    return {_QUANTITY_KEY: str(text)}


def _is_quantity(text: Any) -> bool:
    from kubelint.k8s import parse_quantity

    return isinstance(text, str) and parse_quantity(text) is not None


def _compare(a: Any, b: Any) -> int:
    x, y = _quantity_value(a), _quantity_value(b)
    return (x > y) - (x < y)


def _as_integer(q: Any) -> int:
    value = _quantity_value(q)
    if value != value.to_integral_value() or abs(value) >= 2 ** 63:
        raise ValueError("quantity is not an integer in int64 range")
    return int(value)


def _quantity_sum(a: Any, b: Any) -> dict:
    return {_QUANTITY_KEY: _plain(_quantity_value(a) + _quantity_value(b))}


def _quantity_difference(a: Any, b: Any) -> dict:
    return {_QUANTITY_KEY: _plain(_quantity_value(a) - _quantity_value(b))}


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _find(text: Any, pattern: Any) -> str:
    found = re.search(pattern, text)
    return found.group(0) if found else ""


def _find_all(text: Any, pattern: Any, limit: Any = -1) -> list:
    matches = [m.group(0) for m in re.finditer(pattern, text)]
    return matches if limit < 0 else matches[:limit]


def _index_of(haystack: Any, needle: Any, start: Any = 0) -> int:
    if isinstance(haystack, list):
        return haystack.index(needle) if needle in haystack else -1
    return haystack.find(needle, start)


def _last_index_of(haystack: Any, needle: Any) -> int:
    if isinstance(haystack, list):
        hits = [i for i, v in enumerate(haystack) if v == needle]
        return hits[-1] if hits else -1
    return haystack.rfind(needle)


def _is_sorted(items: Any) -> bool:
    from itertools import pairwise

    return all(a <= b for a, b in pairwise(items))


def _url(text: Any) -> dict:
    if not _is_url(text):
        raise ValueError(f"invalid URL {text!r}")
    return {_URL_KEY: text}


def _is_url(text: Any) -> bool:
    if not isinstance(text, str):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return bool(parts.scheme) or text.startswith("/")


def _url_part(u: Any, part: str) -> Any:
    parts = urlsplit(u.get(_URL_KEY, "") if isinstance(u, dict) else str(u))
    if part == "host":
        return parts.netloc.rpartition("@")[2]
    if part == "hostname":
        return parts.hostname or ""
    if part == "port":
        return str(parts.port) if parts.port is not None else ""
    if part == "path":
        return parts.path
    return getattr(parts, part)


KUBERNETES_FUNCTIONS: Mapping[str, Any] = {
    "find": _find,
    "findAll": _find_all,
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "isSorted": _is_sorted,
    "quantity": _quantity,
    "isQuantity": _is_quantity,
    "compareTo": _compare,
    "isLessThan": lambda a, b: _compare(a, b) < 0,
    "isGreaterThan": lambda a, b: _compare(a, b) > 0,
    "sign": lambda q: _compare(q, "0"),
    "isInteger": lambda q: _quantity_value(q) == _quantity_value(q).to_integral_value(),
    "asInteger": _as_integer,
    "asApproximateFloat": lambda q: float(_quantity_value(q)),
    "add": _quantity_sum,
    "sub": _quantity_difference,
    "url": _url,
    "isURL": _is_url,
    "getScheme": lambda u: _url_part(u, "scheme"),
    "getHost": lambda u: _url_part(u, "host"),
    "getHostname": lambda u: _url_part(u, "hostname"),
    "getPort": lambda u: _url_part(u, "port"),
    "getEscapedPath": lambda u: _url_part(u, "path"),
    "getQuery": lambda u: {k: v for k, v in _query(u).items()},
}
"""Functions of Kubernetes' CEL libraries (regex, lists, quantity, URL), by CEL name."""


def _query(u: Any) -> dict:
    from urllib.parse import parse_qs

    return parse_qs(_url_part(u, "query"))
