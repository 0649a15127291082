"""The dbt project's parse, kept ready for the next build in any process.

A gold step's ``dbt build`` runs in the step's process (``dbt_in_process``), and each run is a
fresh process. dbt's own partial parsing still costs every first build in a process ~1.5 s of
a small day's ~3.7 s (``bench/RESULTS.md``): decoding the saved state (msgpack), re-checking
every file, then writing the manifest twice. Here the parsed ``Manifest`` is pickled once into
the project's target folder, next to dbt's own state, and a build loads it in ~40 ms and hands
it to dbt (``dbtRunner(manifest=...)``, dbt's documented way to reuse a parse), which then
skips parsing and writes no manifest.

A saved parse is used only while what it was made from is unchanged: every file dbt parses
in the project's standard folders (``PROJECT_SOURCES``: path, size, modification time) and an
outside ``profiles.yml``, Python's and the dbt packages' versions, the profiles folder and
flags, the environment variables dbt recorded while parsing (``env_var`` in models, macros
and YAML) and those choosing the profile and target; otherwise dbt parses again and the file
is replaced. A command that sets vars, a target, a profile or folders parses itself. Not
covered: custom ``*-paths`` in ``dbt_project.yml`` (this project uses the standard ones) and
variables read only in ``dbt_project.yml`` / ``profiles.yml`` (none here).

dbt's compile changes the manifest it is given (an ephemeral model's CTEs are injected once),
so every build gets a copy of its own; the copy is pickled by field name, not through dbt's
positional ``__reduce_ex__`` (see :class:`_ManifestPickler`). The file holds a pickle: it is
trusted as the project's own files are (whoever can write the target folder can already change
the models). A build on a saved parse runs with ``--no-write-json``: the step writes
``run_results.json`` from dbt's result, which does not exist when dbt itself raised (its debug
log and compiled SQL are still in the target folder).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from lakehouse.gold.dbt_in_process import import_dbt, invoke_dbt
from lakehouse.gold.project import project_files
from lakehouse.lake.scratch import DBT_PREFIX, owned_folder_prefix
from lakehouse.settings.environment import environment_holds, environment_values

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
"""dbt's saved parse state, in a target folder."""

DEFAULT_ENV_PLACEHOLDER = "DBT_DEFAULT_PLACEHOLDER"
"""What dbt records for ``env_var(name, default)`` read while ``name`` was unset."""

CACHE_FORMAT = 2
"""Version of the saved file's layout and pickling (a file of another version is parsed anew)."""

DBT_PACKAGES = ("dbt-core", "dbt-adapters", "dbt-common", "dbt-duckdb")
"""Whose versions a parse depends on (dbt-adapters ships dbt's global macros)."""

PROFILE_VARIABLES = ("DBT_PROFILE", "DBT_TARGET", "DBT_PROFILES_DIR", "DBT_PROJECT_DIR")
"""Environment variables that choose what dbt parses for."""

LOCATION_FLAGS = frozenset(
    {"--vars", "--target", "-t", "--profile", "--project-dir", "--profiles-dir"}
)
"""Flags of a command that change what it must be parsed for: such a command parses itself."""


@dataclass(frozen=True)
class ParseKey:
    """What a parse is made from besides the files: the project, profiles and dbt flags."""

    project_dir: Path
    profiles_dir: Path
    flags: tuple[str, ...] = ()
    """dbt's global flags and ``--profile`` / ``--target``, as the build passes them."""

    def cache_file(self) -> Path:
        """Where this key's parse is kept: the project's target folder."""
        digest = hashlib.sha256(repr((str(self.profiles_dir), self.flags)).encode()).hexdigest()
        return self.project_dir / "target" / f"lakehouse_parse-{digest[:12]}.pickle"

    def stamp(self) -> tuple[object, ...]:
        """The versions and the project's files (path, size, modification time) right now."""
        files = []
        for path in project_files(self.project_dir):
            stat = path.stat()
            files.append((str(path.relative_to(self.project_dir)), stat.st_size, stat.st_mtime_ns))
        versions = tuple(installed_version(p) for p in DBT_PACKAGES)
        profiles = self.profiles_dir / "profiles.yml"
        if profiles.is_file() and self.profiles_dir.resolve() != self.project_dir.resolve():
            stat = profiles.stat()
            files.append((str(profiles), stat.st_size, stat.st_mtime_ns))
        return (CACHE_FORMAT, sys.version, *versions, str(self.profiles_dir), self.flags, *files)


@dataclass(frozen=True)
class _Parse:
    stamp: tuple[object, ...]
    env_vars: dict[str, str | None]
    """The environment variables the parse depends on and their values (None: unset)."""
    manifest: bytes

    def current(self, stamp: tuple[object, ...]) -> bool:
        return self.stamp == stamp and environment_holds(self.env_vars)


def reuse_parse_state(project_dir: Path, target: Path) -> None:
    """Copy the project's partial-parse state into ``target`` (as dagster-dbt does for its
    subprocess), so dbt skips parsing what did not change."""
    state = project_dir / "target" / PARTIAL_PARSE_FILE
    copy = target / PARTIAL_PARSE_FILE
    if state.is_file() and not copy.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(state, copy)


def project_args(project_dir: Path, profiles_dir: Path, target: Path) -> list[str]:
    """dbt's arguments naming the project, its profiles and the target folder (artifacts and
    logs), quiet and without usage statistics: what every platform invocation passes last."""
    return [
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(profiles_dir),
        "--target-path",
        str(target),
        "--log-path",
        str(target),
        "--quiet",
        "--no-send-anonymous-usage-stats",
    ]


def key_command(key: ParseKey, command: str, target: Path, *options: str) -> list[str]:
    """dbt's arguments for ``command`` on ``key``'s project (its flags, then ``options``) into
    ``target``, without JSON artifacts."""
    return [
        command,
        *key.flags,
        "--no-write-json",
        *options,
        *project_args(key.project_dir, key.profiles_dir, target),
    ]


@contextmanager
def scratch_target(purpose: str) -> Iterator[Path]:
    """A temporary target folder for one dbt invocation's artifacts and logs, removed after;
    named with this process's id, so a later step sweeps it if the process is killed first
    (``lake.scratch``)."""
    scratch = Path(tempfile.mkdtemp(prefix=owned_folder_prefix(DBT_PREFIX, purpose)))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class ParseCache:
    """Parsed manifests, in this process and in the project's target folder."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parses: dict[ParseKey, _Parse] = {}

    def manifest(self, key: ParseKey) -> Any | None:
        """A copy of the parsed manifest of ``key`` (a dbt ``Manifest``), parsing when no
        saved parse is current; None when the project does not parse (the build then parses
        itself and reports why)."""
        import_dbt()  # a saved parse unpickles dbt's classes: never beside another import
        stamp = key.stamp()
        with self._lock:
            parse = self._parses.get(key)
            if parse is None or not parse.current(stamp):
                parse = _read(key.cache_file())
            if parse is None or not parse.current(stamp):
                parse = _parse(key, stamp)
                if parse is not None:
                    _write(key.cache_file(), parse)
            if parse is None:
                self._parses.pop(key, None)
                return None
            self._parses[key] = parse
        return pickle.loads(parse.manifest)


def _read(path: Path) -> _Parse | None:
    try:
        stamp, env_vars, manifest = pickle.loads(path.read_bytes())
    except Exception:  # missing, half-written by a killed process, or another version's
        return None
    return _Parse(stamp, env_vars, manifest)


def _write(path: Path, parse: _Parse) -> None:
    """Replace ``path`` atomically: concurrent runs read a whole parse or none."""
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(pickle.dumps((parse.stamp, parse.env_vars, parse.manifest)))
        os.replace(partial, path)
    except OSError:  # a read-only project: the parse still serves this process
        partial.unlink(missing_ok=True)


def _rebuilt_manifest(fields: dict[str, Any]) -> Any:
    """A ``Manifest`` from its public fields; dbt rebuilds lookups and caches on first use."""
    from dbt.contracts.graph.manifest import Manifest

    return Manifest(**fields)


class _ManifestPickler(pickle.Pickler):
    """Pickles a dbt ``Manifest`` by its public fields, by name.

    dbt's own ``Manifest.__reduce_ex__`` rebuilds it from positional arguments that skip
    ``fixtures`` (dbt-core 1.11): every lookup after it lands one field early, and a manifest
    that had built its lookups resolves no ``source()`` once unpickled.
    """

    def reducer_override(self, obj: Any) -> Any:
        from dbt.contracts.graph.manifest import Manifest

        if type(obj) is Manifest:
            public = {
                f.name: getattr(obj, f.name) for f in fields(obj) if not f.name.startswith("_")
            }
            return _rebuilt_manifest, (public,)
        return NotImplemented


def dumps_manifest(manifest: Any) -> bytes:
    """``manifest`` pickled (see :class:`_ManifestPickler`); ``pickle.loads`` reads it back."""
    buffer = io.BytesIO()
    _ManifestPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(manifest)
    return buffer.getvalue()


def _parse(key: ParseKey, stamp: tuple[object, ...]) -> _Parse | None:
    from dbt.cli.main import dbtRunner

    with scratch_target("parse") as scratch:
        reuse_parse_state(key.project_dir, scratch)
        result = invoke_dbt(dbtRunner(), key_command(key, "parse", scratch))
    if not result.success or result.result is None:
        return None
    # A variable read with a default while unset is recorded as dbt's placeholder: it must
    # stay unset. The variables that choose the profile and target count too.
    read = dict(getattr(result.result, "env_vars", None) or {})
    env_vars = {k: None if v == DEFAULT_ENV_PLACEHOLDER else v for k, v in read.items()}
    env_vars.update(environment_values(PROFILE_VARIABLES))
    return _Parse(stamp, env_vars, dumps_manifest(result.result))


PARSES = ParseCache()
"""This process's parses."""


BUILDING_COMMANDS = frozenset({"build", "run", "test"})
"""dbt commands that start from a saved parse (``parse``, ``ls`` … keep writing the manifest)."""


def starts_from_saved_parse(args: Sequence[str]) -> bool:
    """Whether a dbt command line builds (``BUILDING_COMMANDS``) with none of the flags that
    change what it is parsed for (``LOCATION_FLAGS``: vars, target, profile, folders)."""
    command = next((a for a in args if not a.startswith("-")), None)
    changes_parse = any(a.split("=", 1)[0] in LOCATION_FLAGS for a in args)
    return command in BUILDING_COMMANDS and not changes_parse
