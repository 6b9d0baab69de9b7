"""An import inside a function says why: a comment on its line, or earlier in the function, gives the reason.

The import contracts themselves (layers, the Django-free core, no circles) are checked by ``lint-imports`` in
``make test``; this test covers what import-linter cannot see: an import hidden in a function without a reason.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("accounts", "config", "documents", "scoping", "scripts", "manage.py")


def _sources(root: Path) -> list[Path]:
    paths = []
    for name in CHECKED:
        path = root / name
        paths.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return [path for path in paths if "migrations" not in path.parts]


def _comment_lines(source: str) -> set[int]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {token.start[0] for token in tokens if token.type == tokenize.COMMENT}


def unexplained_imports(root: Path) -> list[str]:
    """``path:line`` of each import inside a function with no comment on its line or before it in the function."""
    found = []
    for path in _sources(root):
        source = path.read_text()
        comments = _comment_lines(source)
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    explained = any(function.lineno <= line <= node.end_lineno for line in comments)
                    if not explained:
                        found.append(f"{path.relative_to(root)}:{node.lineno}")
    return sorted(set(found))


def test_every_import_inside_a_function_says_why():
    assert unexplained_imports(ROOT) == []


def test_it_finds_an_import_hidden_in_a_function_without_a_reason(tmp_path):
    (tmp_path / "scoping").mkdir()
    (tmp_path / "scoping" / "hidden.py").write_text(
        "def quiet():\n    from .workflow import signatories\n\n    return signatories\n\n\n"
        "def explained():\n    from .tasks import send  # the job imports this module\n\n    return send\n"
    )
    assert unexplained_imports(tmp_path) == ["scoping/hidden.py:2"]
