"""The code-location image, linted by parsing (no Docker engine needed): pinned base and uv,
locked install, non-root user, no secrets baked in, only files that exist copied."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

import pytest

from .conftest import INFRA, REPO

DOCKERFILE = INFRA / "docker" / "Dockerfile"
SECRETISH = re.compile(r"(PASSWORD|SECRET|TOKEN|PII_KEY|ACCESS_KEY|PRIVATE)", re.IGNORECASE)


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def _instructions() -> list[Instruction]:
    text = DOCKERFILE.read_text()
    logical = re.sub(r"\\\n", " ", text)
    found = []
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        found.append(Instruction(keyword.upper(), args.strip()))
    return found


def _args() -> dict[str, str]:
    defaults = {}
    for instruction in _instructions():
        if instruction.keyword == "ARG" and "=" in instruction.args:
            name, _, value = instruction.args.partition("=")
            defaults[name] = value
    return defaults


def _stages() -> list[list[Instruction]]:
    stages: list[list[Instruction]] = []
    for instruction in _instructions():
        if instruction.keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def _env_names(instruction: Instruction) -> list[str]:
    return re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", instruction.args)


def test_every_base_image_is_a_pinned_python_3_11_slim() -> None:
    args = _args()
    for instruction in _instructions():
        if instruction.keyword != "FROM":
            continue
        image = instruction.args.split()[0]
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image)
        assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", image), (
            f"{image}: pin a patch release of python:3.11-slim"
        )


def test_uv_comes_from_pypi_at_a_pinned_version() -> None:
    installs = [i.args for i in _instructions() if i.keyword == "RUN" and "pip install" in i.args]
    assert installs, "no `pip install uv==...`"
    assert any(re.search(r"uv==(\$\{UV_VERSION\}|\d+\.\d+\.\d+)", a) for a in installs)
    assert re.fullmatch(r"\d+\.\d+\.\d+", _args()["UV_VERSION"])


def test_the_environment_is_installed_from_the_lock_without_dev_tools() -> None:
    syncs = [i.args for i in _instructions() if i.keyword == "RUN" and "uv sync" in i.args]
    assert syncs
    for sync in syncs:
        for flag in ("--frozen", "--no-dev", "--compile-bytecode"):
            assert flag in sync, f"{sync}: missing {flag}"


def test_the_image_holds_the_package_the_dbt_project_and_the_workspace() -> None:
    copied = " ".join(i.args for i in _instructions() if i.keyword == "COPY")
    for path in ("platform/", "dbt_project/", "workspace.yaml", "uv.lock"):
        assert path in copied, path


def test_every_copied_path_exists_in_the_repository() -> None:
    for instruction in _instructions():
        if instruction.keyword != "COPY" or "--from=" in instruction.args:
            continue
        *sources, _destination = shlex.split(instruction.args)
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"


def test_the_final_stage_runs_as_a_non_root_user() -> None:
    users = [i.args for i in _stages()[-1] if i.keyword == "USER"]
    assert users, "the final stage never leaves root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_no_secret_is_baked_into_env_or_arg() -> None:
    for instruction in _instructions():
        if instruction.keyword in {"ENV", "ARG"}:
            for name in _env_names(instruction) or [instruction.args.split("=")[0]]:
                assert not SECRETISH.search(name), f"{instruction.keyword} {name}"


def test_the_default_command_serves_the_code_location() -> None:
    (command,) = [i.args for i in _stages()[-1] if i.keyword == "CMD"]
    argv = json.loads(command)
    assert argv[:3] == ["dagster", "code-server", "start"] or argv[:3] == ["dagster", "api", "grpc"]
    assert argv[argv.index("-m") + 1] == "lakehouse.definitions"


@pytest.mark.parametrize("kept_out", [".venv", ".git", ".lakehouse", ".dagster", "**/.terraform"])
def test_the_build_context_leaves_out_local_state(kept_out: str) -> None:
    ignored = (REPO / ".dockerignore").read_text().split()
    assert kept_out in ignored
