"""Security groups: a chain in which each tier admits only the one in front of it (allowed CIDRs
-> load balancer -> webservers; tasks -> database), and an ingress allow-list that refuses any
range wider than the configured prefix, checked in Python and, where the binary is at hand, by
Terraform itself on the module's own variables.tf."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import TERRAFORM, TerraformDir

Module = Callable[[str], TerraformDir]

NETWORK_VARIABLES = TERRAFORM / "modules" / "network" / "variables.tf"
IPV4_CIDR = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}")

# (CIDR, admitted with the default minimum prefix length of 16)
CIDR_CASES = [
    ("0.0.0.0/0", False),  # the internet
    ("0.0.0.0/1", False),  # half of it ...
    ("128.0.0.0/1", False),  # ... and the other half
    ("10.0.0.0/8", False),  # wider than a /16
    ("10.0.0.0/15", False),
    ("10.20.0.1/16", False),  # host bits set: not a network address
    ("10.0.0.0/33", False),
    ("garbage", False),
    ("2001:db8::/64", False),  # IPv6: the rules are IPv4 only
    ("10.20.0.0/16", True),
    ("203.0.113.0/24", True),
    ("198.51.100.7/32", True),
]


def _rules(network: TerraformDir) -> dict[str, dict[str, Any]]:
    """Every security group rule by name, with its direction: the fixed rules from their tables
    (after checking both rule resources render the table as it reads) and the load balancer's
    rules, one per allowed CIDR and listener port."""
    rules: dict[str, dict[str, Any]] = {}
    for direction in ("ingress", "egress"):
        resource = network.resources(f"aws_vpc_security_group_{direction}_rule")["this"]
        assert resource["for_each"] == f"${{local.{direction}_rules}}"
        assert resource["security_group_id"] == "${aws_security_group.this[each.value.group].id}"
        assert resource["cidr_ipv4"] == "${each.value.cidr_ipv4}"
        assert resource["from_port"] == resource["to_port"] == "${each.value.port}"
        peer = resource["referenced_security_group_id"]
        assert peer.endswith(": aws_security_group.this[each.value.peer].id}"), peer
        for name, rule in network.locals[f"{direction}_rules"].items():
            rules[name] = {**rule, "direction": direction}
    ingress = network.resources("aws_vpc_security_group_ingress_rule")
    assert set(ingress) == {"this", "load_balancer", "metrics"}, (
        "an ingress rule outside the tables"
    )
    assert set(network.resources("aws_vpc_security_group_egress_rule")) == {"this"}
    allowed = ingress["load_balancer"]
    assert allowed["security_group_id"] == '${aws_security_group.this["alb"].id}'
    assert allowed["for_each"] == "${local.load_balancer_ingress}"
    assert "setproduct(var.webserver_ingress_cidrs" in network.locals["load_balancer_ingress"]
    assert "referenced_security_group_id" not in allowed
    for listener, port in network.locals["load_balancer_ports"].items():
        rules[f"load_balancer_{listener}"] = {
            "direction": "ingress",
            "group": "alb",
            "port": port,
            "cidr_ipv4": allowed["cidr_ipv4"],  # each of var.webserver_ingress_cidrs
            "peer": None,
        }
    scrape = ingress["metrics"]
    assert scrape["for_each"] == "${toset(var.metrics_scraper_security_group_ids)}"
    assert "cidr_ipv4" not in scrape
    rules["metrics_scrape"] = {
        "direction": "ingress",
        "group": "metrics",
        "port": scrape["from_port"],
        "cidr_ipv4": None,
        "peer": scrape["referenced_security_group_id"],  # each scraper's group
    }
    return rules


def _ingress_of(network: TerraformDir, group: str) -> list[dict[str, Any]]:
    return [
        r for r in _rules(network).values() if (r["direction"], r["group"]) == ("ingress", group)
    ]


def test_only_the_dagster_tasks_reach_the_database(module: Module) -> None:
    (rule,) = _ingress_of(module("network"), "database")
    assert rule["peer"] == "tasks"
    assert rule["cidr_ipv4"] is None and "cidr_ipv6" not in rule
    assert rule["port"] == 5432


def test_no_security_group_rule_opens_anything_but_https_to_the_world(module: Module) -> None:
    for name, rule in _rules(module("network")).items():
        if rule.get("cidr_ipv4") == "0.0.0.0/0":
            assert rule["direction"] == "egress", f"{name}: ingress from the internet"
            assert rule["port"] == 443, name


def test_the_webservers_admit_only_the_load_balancers_group(module: Module) -> None:
    network = module("network")
    (rule,) = _ingress_of(network, "webservers")
    assert rule["peer"] == "alb"
    assert rule["cidr_ipv4"] is None and "cidr_ipv6" not in rule
    assert rule["port"] == "${var.webserver_port}"
    assert _ingress_of(network, "tasks") == []  # the webservers' other group: no ingress at all
    (forward,) = [
        r
        for r in _rules(network).values()
        if (r["direction"], r["group"], r["peer"]) == ("egress", "alb", "webservers")
    ]
    assert forward["port"] == "${var.webserver_port}"


def test_the_load_balancer_admits_only_the_allowed_cidrs_on_443_and_80(module: Module) -> None:
    network = module("network")
    rules = _ingress_of(network, "alb")
    assert {r["port"] for r in rules} == {443, 80}
    assert {r["cidr_ipv4"] for r in rules} == {"${each.value.cidr_ipv4}"}
    assert all(r["peer"] is None for r in rules)


def test_the_chain_is_wired_through_the_platform(module: Module) -> None:
    """The webserver services carry the webservers' group (and the egress-only tasks' group);
    the load balancer carries the alb group, and nothing else carries either."""
    outputs = module("network").named("output")
    assert outputs["webserver_security_group_id"]["value"] == (
        '${aws_security_group.this["webservers"].id}'
    )
    assert outputs["load_balancer_security_group_id"]["value"] == (
        '${aws_security_group.this["alb"].id}'
    )
    wired = module("platform").named("module")
    assert wired["ui_access"]["security_group_id"] == (
        "${module.network.load_balancer_security_group_id}"
    )
    assert wired["dagster_ecs"]["webserver_security_group_id"] == (
        "${module.network.webserver_security_group_id}"
    )
    assert wired["dagster_ecs"]["tasks_security_group_id"] == (
        "${module.network.tasks_security_group_id}"
    )
    services = module("dagster_ecs").locals["services"]
    for name in ("webserver", "webserver_read_only"):
        assert services[name]["security_group_ids"] == [
            "${var.tasks_security_group_id}",
            "${var.webserver_security_group_id}",
        ], name
    assert services["daemon"]["security_group_ids"] == [
        "${var.tasks_security_group_id}",
        "${var.metrics_security_group_id}",
    ]
    assert wired["dagster_ecs"]["metrics_security_group_id"] == (
        "${module.network.metrics_security_group_id}"
    )
    balancer = module("ui_access").resources("aws_lb")["this"]
    assert balancer["security_groups"] == ["${var.security_group_id}"]


def test_only_the_scrapers_groups_reach_the_metrics_exporter(module: Module) -> None:
    network = module("network")
    (rule,) = _ingress_of(network, "metrics")
    assert rule["peer"] == "${each.value}" and rule["cidr_ipv4"] is None
    assert rule["port"] == "${var.metrics_port}"
    assert network.named("variable")["metrics_scraper_security_group_ids"]["default"] == []
    scrapers = module("platform").named("module")["network"]
    assert scrapers["metrics_scraper_security_group_ids"] == (
        "${var.metrics_scraper_security_group_ids}"
    )


# --- the allow-list ------------------------------------------------------------------------


def _admitted(cidr: str, min_prefix_length: int) -> bool:
    """Python mirror of the two validations of ``webserver_ingress_cidrs``: an IPv4 network in
    CIDR notation without host bits (``can(cidrhost(c, 0))``, the regex, ``cidrsubnet(c, 0, 0)
    == c``), whose prefix is at least ``min_ingress_prefix_length`` long."""
    if not IPV4_CIDR.fullmatch(cidr):
        return False
    try:
        network = ipaddress.IPv4Network(cidr, strict=True)
    except ValueError:
        return False
    return network.prefixlen >= min_prefix_length


def _validations(network: TerraformDir) -> list[str]:
    variable = network.named("variable")["webserver_ingress_cidrs"]
    return [v["condition"] for v in variable["validation"]]


def test_the_widest_admitted_range_is_a_slash_16_by_default(module: Module) -> None:
    variable = module("network").named("variable")["min_ingress_prefix_length"]
    assert variable["default"] == 16
    (bounds,) = variable["validation"]
    assert ">= 8" in bounds["condition"]  # /0 to /7 can never be admitted, even deliberately


def test_the_validations_are_written_as_the_python_mirror_reads_them(module: Module) -> None:
    well_formed, wide_enough = _validations(module("network"))
    for condition in (well_formed, wide_enough):
        assert condition.startswith("${alltrue([for c in var.webserver_ingress_cidrs : ")
        assert "0.0.0.0" not in condition  # arithmetic on the prefix, not a list of bad values
    assert "can(cidrhost(c, 0))" in well_formed
    assert "try(cidrsubnet(c, 0, 0) == c, false)" in well_formed
    assert IPV4_CIDR.pattern in well_formed.replace("\\\\", "\\")
    assert 'try(tonumber(split("/", c)[1]) >= var.min_ingress_prefix_length, false)' in (
        wide_enough
    )


@pytest.mark.parametrize(("cidr", "admitted"), CIDR_CASES)
def test_the_allow_list_refuses_ranges_wider_than_a_slash_16(cidr: str, admitted: bool) -> None:
    assert _admitted(cidr, 16) is admitted


def test_a_narrower_minimum_refuses_more() -> None:
    assert _admitted("10.20.0.0/16", 24) is False
    assert _admitted("203.0.113.0/24", 24) is True


def _terraform() -> str:
    terraform = shutil.which("terraform")
    if terraform is None:
        if os.environ.get("CI"):
            pytest.fail("the terraform binary is required under CI")
        pytest.skip("the terraform binary is not installed here and CI is unset")
    return terraform


@pytest.fixture(scope="module")
def network_variables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root module holding only the network module's variables.tf: no providers, so
    Terraform can evaluate its validations offline."""
    root = tmp_path_factory.mktemp("network_variables")
    shutil.copy(NETWORK_VARIABLES, root / "variables.tf")
    return root


def _plan(root: Path, cidrs: list[str]) -> subprocess.CompletedProcess[str]:
    listed = ", ".join(f'"{c}"' for c in cidrs)
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    return subprocess.run(
        [
            _terraform(),
            f"-chdir={root}",
            "plan",
            "-input=false",
            "-lock=false",
            "-no-color",
            "-var=name=lakehouse-test",
            "-var=vpc_id=vpc-0123456789abcdef0",
            f"-var=webserver_ingress_cidrs=[{listed}]",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.mark.parametrize(("cidr", "admitted"), CIDR_CASES)
def test_terraform_itself_refuses_what_the_mirror_refuses(
    network_variables: Path, cidr: str, admitted: bool
) -> None:
    result = _plan(network_variables, [cidr])
    output = result.stdout + result.stderr
    if admitted:
        assert result.returncode == 0, output
    else:
        assert result.returncode != 0, f"{cidr} was admitted"
        assert "Invalid value for variable" in output, output
        assert "webserver_ingress_cidrs" in output, output


def test_terraform_refuses_the_internet_split_in_two(network_variables: Path) -> None:
    result = _plan(network_variables, ["203.0.113.0/24", "0.0.0.0/1", "128.0.0.0/1"])
    assert result.returncode != 0
    assert "covers more than a /16" in " ".join((result.stdout + result.stderr).split())
