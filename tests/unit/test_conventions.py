"""House rules no linter expresses, checked over the source tree with ``ast``.

ruff, import-linter and pyright hold the rest (ARCHITECTURE.md lists which tool holds which rule).
Each test names every offending file and line, so one run gives the whole to-do list.
"""

import ast
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = ROOT / "platform"
PACKAGE = PLATFORM / "lakehouse"
MAX_LINES = 300

# Decorators and base classes whose annotations Dagster reads (config, resources, contexts).
DAGSTER_DECORATORS = frozenset(
    {
        "asset", "multi_asset", "graph_asset", "graph_multi_asset", "observable_source_asset",
        "asset_check", "multi_asset_check", "op", "graph", "job", "sensor", "asset_sensor",
        "multi_asset_sensor", "run_status_sensor", "run_failure_sensor", "schedule", "resource",
        "io_manager", "definitions", "dbt_assets",
    }
)  # fmt: skip
DAGSTER_BASES = frozenset(
    {
        "Config", "PermissiveConfig", "ConfigurableResource", "ConfigurableResourceFactory",
        "ConfigurableIOManager", "ConfigurableIOManagerFactory", "IOManager", "DbtCliResource",
    }
)  # fmt: skip
DELTA_METHODS = frozenset({"merge", "restore", "vacuum"})
ENVIRON_WRITERS = frozenset({"update", "pop", "popitem", "setdefault", "clear"})


def _python_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.py") if "__pycache__" not in p.parts)


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT).as_posix()}:{getattr(node, 'lineno', 0)}"


def _is_under(path: Path, folder: Path) -> bool:
    return folder in path.parents


def _imports(tree: ast.Module, package: Callable[[str], bool]) -> tuple[set[str], dict[str, str]]:
    """Local names of the modules whose top package passes ``package``, and of the names
    imported from them (local name -> imported name)."""
    modules: set[str] = set()
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if package(top):
                    modules.add(alias.asname or top)
        elif isinstance(node, ast.ImportFrom) and package((node.module or "").split(".")[0]):
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
    return modules, names


def _is_dagster(top: str) -> bool:
    return top.startswith("dagster")  # dagster, dagster_dbt, dagster_aws, ...


def _is_os(top: str) -> bool:
    return top == "os"


def _dagster_name(node: ast.expr, modules: set[str], names: dict[str, str]) -> str | None:
    """The Dagster name ``node`` refers to (``dg.asset(...)`` -> ``asset``), else None."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        root = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in modules:
            return node.attr
    return None


def dagster_objects(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, name) of every Dagster-decorated function and Dagster config/resource class."""
    modules, names = _imports(tree, _is_dagster)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                name = _dagster_name(decorator, modules, names)
                if name in DAGSTER_DECORATORS:
                    found.append((node.lineno, f"@{name}"))
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = _dagster_name(base, modules, names)
                if name in DAGSTER_BASES:
                    found.append((node.lineno, f"class {node.name}({name})"))
    return found


def future_annotations(tree: ast.Module) -> ast.ImportFrom | None:
    """The module's ``from __future__ import annotations``, if it has one."""
    return next(
        (
            node
            for node in tree.body
            if isinstance(node, ast.ImportFrom)
            and node.module == "__future__"
            and any(alias.name == "annotations" for alias in node.names)
        ),
        None,
    )


def _store_names(tree: ast.Module) -> set[str]:
    """Names annotated as the lake's own writer (``store: DeltaStore``) or bound to ``lake``."""
    names: set[str] = {"lake"}
    for node in ast.walk(tree):
        target, annotation = None, None
        if isinstance(node, ast.arg):
            target, annotation = node.arg, node.annotation
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, annotation = node.target.id, node.annotation
        if target and annotation is not None and "DeltaStore" in ast.unparse(annotation):
            names.add(target)
    return names


def _lake_api(receiver: str, stores: set[str]) -> bool:
    """True for ``store.merge(...)`` on a DeltaStore and for ``dg.Definitions.merge(...)``."""
    return receiver.split(".")[0] in stores or receiver.split(".")[-1] == "Definitions"


def delta_writes(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """Every call that writes a Delta table directly (not through ``lakehouse.lake``)."""
    stores = _store_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(
            a.name == "write_deltalake" for a in node.names
        ):
            yield node, "imports write_deltalake"
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "write_deltalake":
            yield node, "write_deltalake(...)"
        if not isinstance(func, ast.Attribute):
            continue
        receiver = ast.unparse(func.value)
        if func.attr == "write_deltalake":
            yield node, f"{receiver}.write_deltalake(...)"
        elif func.attr == "create" and receiver.split(".")[-1] == "DeltaTable":
            yield node, "DeltaTable.create(...)"
        elif (func.attr in {"compact", "z_order"} and receiver.endswith(".optimize")) or (
            func.attr in DELTA_METHODS and not _lake_api(receiver, stores)
        ):
            yield node, f"{receiver}.{func.attr}(...)"


def _is_environ(node: ast.expr, modules: set[str], names: dict[str, str]) -> bool:
    if isinstance(node, ast.Name):
        return names.get(node.id) in {"environ", "environb"}
    return (
        isinstance(node, ast.Attribute)
        and node.attr in {"environ", "environb"}
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
    )


def environment_writes(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """Assignments, deletions and mutating calls on ``os.environ``; ``putenv``/``unsetenv``."""
    modules, names = _imports(tree, _is_os)
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript) and _is_environ(target.value, modules, names):
                yield node, f"{ast.unparse(target)} assigned or deleted"
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ENVIRON_WRITERS
                and _is_environ(func.value, modules, names)
            ):
                yield node, f"{ast.unparse(func)}(...)"
            called = _os_function(func, modules, names)
            if called in {"putenv", "unsetenv"}:
                yield node, f"os.{called}(...)"


def _os_function(func: ast.expr, modules: set[str], names: dict[str, str]) -> str | None:
    if isinstance(func, ast.Name):
        return names.get(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.attr if func.value.id in modules else None
    return None


def environment_reads(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """Every use of ``os.environ`` and every call of ``os.getenv``."""
    modules, names = _imports(tree, _is_os)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute) and _is_environ(node, modules, names):
            yield node, ast.unparse(node)
        elif isinstance(node, ast.Call) and _os_function(node.func, modules, names) in {
            "getenv",
            "getenvb",
        }:
            yield node, f"{ast.unparse(node.func)}(...)"


def _located(path: Path, found: Iterator[tuple[ast.AST, str]]) -> list[str]:
    """``path:line: what`` for each finding, in line order."""
    ordered = sorted(found, key=lambda item: getattr(item[0], "lineno", 0))
    return [f"{_where(path, node)}: {what}" for node, what in ordered]


def _report(violations: list[str], rule: str) -> str:
    return f"{rule} ({len(violations)}):\n  " + "\n  ".join(violations)


def test_no_future_annotations_where_dagster_reads_annotations() -> None:
    violations = []
    for path in _python_files(PLATFORM, ROOT / "bench"):
        tree = _tree(path)
        future, objects = future_annotations(tree), dagster_objects(tree)
        if future is not None and objects:
            line, name = objects[0]
            violations.append(f"{_where(path, future)} (defines {name} at line {line})")
    assert not violations, _report(
        violations, "remove `from __future__ import annotations`: Dagster reads these annotations"
    )


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8", errors="replace").splitlines())


def test_no_file_under_platform_is_over_the_line_limit() -> None:
    files = sorted(p for p in PLATFORM.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    violations = [
        f"{p.relative_to(ROOT).as_posix()}: {_line_count(p)} lines"
        for p in files
        if _line_count(p) > MAX_LINES
    ]
    assert not violations, _report(violations, f"split the files over {MAX_LINES} lines")


def test_only_the_lake_writes_delta_tables() -> None:
    violations = [
        line
        for path in _python_files(PACKAGE)
        if not _is_under(path, PACKAGE / "lake")
        for line in _located(path, delta_writes(_tree(path)))
    ]
    assert not violations, _report(violations, "write Delta through lakehouse.lake (DeltaStore)")


DUCKDB_DATABASES = ("duck.py", "sandbox.py", "catalog.py")
"""The lake modules that open DuckDB databases: the shared one, the analysts' sandbox and the
catalog of views."""


def duckdb_databases(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """Every call that opens a DuckDB database of its own (``duckdb.connect(...)``)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "connect"
            and ast.unparse(node.func.value) == "duckdb"
        ):
            yield node, "duckdb.connect(...)"


def test_queries_use_the_process_duckdb_database() -> None:
    violations = [
        line
        for path in _python_files(PACKAGE)
        if not (_is_under(path, PACKAGE / "lake") and path.name in DUCKDB_DATABASES)
        for line in _located(path, duckdb_databases(_tree(path)))
    ]
    assert not violations, _report(
        violations, "query through lakehouse.lake.duck.connect() (a database costs ~35 ms)"
    )


def test_duckdb_databases_are_found() -> None:
    found = list(duckdb_databases(ast.parse("import duckdb\ncon = duckdb.connect()\n")))
    assert [what for _, what in found] == ["duckdb.connect(...)"]
    assert not list(duckdb_databases(ast.parse("con = duck.connect()\n")))


def test_no_module_writes_the_environment() -> None:
    violations = [
        line
        for path in _python_files(PACKAGE)
        for line in _located(path, environment_writes(_tree(path)))
    ]
    assert not violations, _report(
        violations, "pass values to the code (or the subprocess env) that needs them"
    )


def test_only_settings_reads_the_environment() -> None:
    violations = [
        line
        for path in _python_files(PACKAGE)
        if not _is_under(path, PACKAGE / "settings")
        for line in _located(path, environment_reads(_tree(path)))
    ]
    assert not violations, _report(violations, "read configuration from lakehouse.settings")


# The detectors themselves, on snippets: a rule that detects nothing would pass silently.


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import dagster as dg\n@dg.asset(name='x')\ndef a(): ...", ["@asset"]),
        ("from dagster_dbt import dbt_assets as d\n@d(manifest=m)\ndef f(): ...", ["@dbt_assets"]),
        ("import dagster as dg\ndef f():\n    @dg.op\n    def o(): ...", ["@op"]),
        ("import dagster as dg\nclass C(dg.Config):\n    n: int", ["class C(Config)"]),
        ("from dagster import Config as C\nclass S(C): ...", ["class S(Config)"]),
        ("import functools\n@functools.cache\ndef f(): ...", []),
        ("import dagster as dg\ndef spec() -> dg.AssetSpec: ...", []),
    ],
)  # fmt: skip
def test_dagster_objects_are_found_by_decorator_and_base_class(
    source: str, expected: list[str]
) -> None:
    assert [name for _, name in dagster_objects(ast.parse(source))] == expected


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("from deltalake import write_deltalake\nwrite_deltalake(u, t)", 2),
        ("import deltalake\ndeltalake.write_deltalake(u, t)", 1),
        ("DeltaTable.create(u, schema=s)", 1),
        ("t = store.table(k)\nt.merge(s, 'p').execute()\nt.restore(3)\nt.vacuum()", 3),
        ("t.optimize.compact()", 1),
        ("def f(store: DeltaStore):\n    store.merge(k, d, keys=['id'])", 0),
        ("import dagster as dg\ndg.Definitions.merge(a, b)", 0),
    ],
)  # fmt: skip
def test_delta_writes_are_found_unless_made_through_the_store(source: str, flagged: int) -> None:
    assert len(list(delta_writes(ast.parse(source)))) == flagged


@pytest.mark.parametrize(
    ("source", "writes", "reads"),
    [
        ("import os\nos.environ['A'] = '1'", 1, 1),
        ("import os\nos.environ.update(x)\nos.environ.pop('A', None)", 2, 2),
        ("import os\ndel os.environ['A']\nos.environ.setdefault('A', '1')", 2, 2),
        ("from os import environ as e, putenv\ne['A'] = '1'\nputenv('A', '1')", 2, 1),
        ("import os\nos.environ.get('A')\nos.getenv('B')", 0, 2),
        ("import os\nos.path.join('a', 'b')\nd = {}\nd.update(x)", 0, 0),
    ],
)  # fmt: skip
def test_environment_writes_and_reads_are_found(source: str, writes: int, reads: int) -> None:
    tree = ast.parse(source)
    assert len(list(environment_writes(tree))) == writes
    assert len(list(environment_reads(tree))) == reads
