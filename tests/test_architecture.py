"""Architecture rules that must stay true as the code grows."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_UI = {
    "sqlalchemy",
    "chromadb",
    "openai",
    "langchain",
    "langchain_core",
    "langchain_openai",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_ui_modules_do_not_import_infrastructure() -> None:
    files = [*sorted((REPO / "app" / "ui").glob("*.py")), REPO / "streamlit_app.py"]
    assert files
    for path in files:
        assert not (_imports(path) & FORBIDDEN_IN_UI), f"{path.name} imports infrastructure"


def test_domain_packages_do_not_depend_on_the_app() -> None:
    for package in ("rubrics", "scenarios", "retrieval"):
        for path in (REPO / package).rglob("*.py"):
            assert "app" not in _imports(path), f"{path} imports the app layer"


# the training script is a command-line tool that must pick the bundled embedder to reproduce the
# shipped weights; the runtime modules receive an embedder through rubrics.embedding instead
ENTRY_SCRIPTS = {"training.py"}


def test_rubrics_and_retrieval_are_independent() -> None:
    for path in (REPO / "rubrics").rglob("*.py"):
        if path.name in ENTRY_SCRIPTS:
            continue
        assert not (_imports(path) & {"retrieval", "scenarios"}), path
    for path in (REPO / "retrieval").rglob("*.py"):
        assert not (_imports(path) & {"rubrics", "scenarios"}), path


def test_no_unsafe_html_anywhere_in_the_ui() -> None:
    for path in [*(REPO / "app" / "ui").glob("*.py"), REPO / "streamlit_app.py"]:
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path


def test_start_up_does_not_import_optional_engines() -> None:
    # the offline default and every CLI command start without LangChain, OpenAI, Chroma or ONNX
    code = (
        "import sys, app.cli, app.bootstrap;"
        "print(sorted(m for m in ('langchain_core', 'openai', 'chromadb', 'onnx', 'onnxruntime')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    assert out.strip() == "[]"
