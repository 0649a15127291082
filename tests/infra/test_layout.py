"""Layout: one module per concern, each with typed and documented inputs and outputs; each
environment root pins the AWS provider and calls every module."""

from __future__ import annotations

import re

import pytest

from .conftest import ENVS, MODULES, PLATFORM, TERRAFORM


def _aws_provider(tf) -> dict:
    (terraform,) = tf.blocks["terraform"]
    (providers,) = terraform["required_providers"]
    return providers["aws"]


@pytest.mark.parametrize("name", MODULES)
def test_each_module_declares_the_hashicorp_aws_provider(module, name: str) -> None:
    assert _aws_provider(module(name))["source"] == "hashicorp/aws"


@pytest.mark.parametrize("name", ENVS)
def test_each_environment_pins_one_aws_provider_release(env, name: str) -> None:
    aws = _aws_provider(env(name))
    assert aws["source"] == "hashicorp/aws"
    assert re.fullmatch(r"\d+\.\d+\.\d+", aws["version"]), aws["version"]


def test_both_environments_pin_the_same_provider_release(env) -> None:
    assert _aws_provider(env("staging")) == _aws_provider(env("prod"))


@pytest.mark.parametrize("name", MODULES)
def test_module_inputs_are_typed_and_documented(module, name: str) -> None:
    for variable, body in module(name).named("variable").items():
        assert body.get("description"), f"{name}: variable {variable} needs a description"
        assert body.get("type"), f"{name}: variable {variable} needs a type"


@pytest.mark.parametrize("name", MODULES)
def test_module_outputs_are_documented(module, name: str) -> None:
    outputs = module(name).named("output")
    assert outputs, f"{name} has no outputs"
    for output, body in outputs.items():
        assert body.get("description"), f"{name}: output {output} needs a description"


@pytest.mark.parametrize("name", ENVS)
def test_each_environment_calls_every_module_from_the_repository(env, module, name: str) -> None:
    calls = env(name).named("module")
    assert {call["source"] for call in calls.values()} == {f"../../modules/{PLATFORM}"}
    wired = module(PLATFORM).named("module")
    assert {call["source"] for call in wired.values()} == {
        f"../{m}" for m in MODULES if m != PLATFORM
    }


def test_there_are_no_modules_the_tests_do_not_know() -> None:
    assert {p.name for p in (TERRAFORM / "modules").iterdir() if p.is_dir()} == set(MODULES)
