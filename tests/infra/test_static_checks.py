"""Offline validation of infra/terraform: `terraform fmt` and a checkov scan must be clean.

Both tools are optional on a developer's machine (the test skips, saying why) and required
under CI (CI is set), where a missing tool fails the test instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from .conftest import INFRA, REPO, TERRAFORM

CHECKS = INFRA / "checks"
UV = REPO / ".tools" / "bin" / "uv"


def _require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required under CI")
    pytest.skip(f"{what} is not installed here and CI is unset")


def _checks_env() -> dict[str, str]:
    """This process's environment without what would leak the platform's venv into checkov's."""
    leaky = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT"}
    return {k: v for k, v in os.environ.items() if k not in leaky}


def test_terraform_is_formatted() -> None:
    terraform = shutil.which("terraform")
    _require(terraform is not None, "the terraform binary (terraform fmt)")
    result = subprocess.run(
        [str(terraform), "fmt", "-check", "-recursive", "-diff", str(TERRAFORM)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"run `terraform fmt -recursive infra/terraform`:\n{result.stdout}"
    )


def test_checkov_finds_nothing() -> None:
    _require(UV.exists(), f"{UV.relative_to(REPO)} (to build the infra/checks venv for checkov)")
    result = subprocess.run(
        ["bash", str(CHECKS / "run.sh"), "--output", "json"],
        env=_checks_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.stdout.strip(), f"checkov printed nothing; stderr:\n{result.stderr[-3000:]}"
    report = json.loads(result.stdout)
    summary = report["summary"]
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']})"
        for c in report["results"].get("failed_checks", [])
    ]
    assert not failed, "checkov findings:\n" + "\n".join(failed)
    assert result.returncode == 0, result.stderr[-3000:]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] >= 40, "checkov scanned too little: is the directory right?"


def test_every_checkov_skip_says_why() -> None:
    skip = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")
    for path in sorted(TERRAFORM.rglob("*.tf")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if match := skip.search(line):
                reason = (match.group(2) or "").strip()
                assert len(reason) > 20, (
                    f"{path}:{number}: {match.group(1)} skipped without a reason"
                )
