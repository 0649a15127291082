"""Sign-in in front of the Dagster UI: TLS only (port 80 only redirects), every forward preceded
by authenticate-oidc (or authenticate-cognito), one host, identity-provider client and webserver
per audience, and the client secret read from Secrets Manager, never written in the repo."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .conftest import TerraformDir

Module = Callable[[str], TerraformDir]

AUTHENTICATE = {"authenticate-oidc", "authenticate-cognito"}


def _ui(module: Module) -> TerraformDir:
    return module("ui_access")


def _listeners(module: Module) -> dict[str, dict[str, Any]]:
    return _ui(module).resources("aws_lb_listener")


def test_the_load_balancer_listens_on_443_and_on_80_only_to_redirect(module: Module) -> None:
    listeners = _listeners(module)
    assert {(body["port"], body["protocol"]) for body in listeners.values()} == {
        (443, "HTTPS"),
        (80, "HTTP"),
    }
    (redirect,) = listeners["http"]["default_action"]
    assert redirect["type"] == "redirect"
    assert redirect["redirect"] == [{"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}]
    rules = _ui(module).resources("aws_lb_listener_rule")
    assert {rule["listener_arn"] for rule in rules.values()} == {"${aws_lb_listener.https.arn}"}


def test_https_uses_the_certificate_and_a_tls13_policy(module: Module) -> None:
    https = _listeners(module)["https"]
    assert https["certificate_arn"] == "${var.certificate_arn}"
    assert https["ssl_policy"] == "${var.ssl_policy}"
    variables = _ui(module).named("variable")
    assert variables["ssl_policy"]["default"].startswith("ELBSecurityPolicy-TLS13-1-2-")
    (policy,) = variables["ssl_policy"]["validation"]
    assert 'startswith(var.ssl_policy, "ELBSecurityPolicy-TLS13-")' in policy["condition"]


def test_a_request_for_no_audiences_host_reaches_no_webserver(module: Module) -> None:
    (default,) = _listeners(module)["https"]["default_action"]
    assert default["type"] == "fixed-response"
    assert default["fixed_response"][0]["status_code"] == "404"


def _rules(module: Module) -> dict[str, dict[str, Any]]:
    return _ui(module).instances("aws_lb_listener_rule")


def test_every_rule_signs_in_before_it_forwards(module: Module) -> None:
    rules = _rules(module)
    assert set(rules) == {"operators", "viewers"}
    for audience, rule in rules.items():
        authenticate, forward = rule["action"]
        assert authenticate["type"] == "authenticate-${var.auth_provider}", audience
        assert forward["type"] == "forward", audience
        assert authenticate["order"] < forward["order"], audience
        assert forward["target_group_arn"] == f'${{aws_lb_target_group.this["{audience}"].arn}}'
        assert "forward" not in authenticate and "redirect" not in authenticate
    provider = _ui(module).named("variable")["auth_provider"]
    assert provider["default"] == "oidc"
    (allowed,) = provider["validation"]
    (listed,) = re.findall(r"contains\(\[(.*?)\], var\.auth_provider\)", allowed["condition"])
    # every provider the variable admits makes an action type that signs in
    assert {f"authenticate-{p}" for p in re.findall(r'"([a-z]+)"', listed)} == AUTHENTICATE


def _authentication(module: Module, block: str) -> dict[str, Any]:
    """The content of the rules' dynamic ``authenticate_<provider>`` block."""
    rule = _ui(module).resources("aws_lb_listener_rule")["audience"]
    authenticate = rule["action"][0]
    (dynamic,) = [d[block] for d in authenticate["dynamic"] if block in d]
    provider = block.removeprefix("authenticate_")
    assert dynamic["for_each"] == f'${{var.auth_provider == "{provider}" ? [each.key] : []}}'
    (content,) = dynamic["content"]
    return content


def test_oidc_sign_in_uses_the_configured_provider_and_the_audiences_client(
    module: Module,
) -> None:
    oidc = _authentication(module, "authenticate_oidc")
    for endpoint in ("issuer", "authorization_endpoint", "token_endpoint", "user_info_endpoint"):
        assert oidc[endpoint] == f"${{var.oidc_{endpoint}}}", endpoint
    assert oidc["client_id"] == "${var.oidc_client_ids[authenticate_oidc.value]}"
    assert oidc["on_unauthenticated_request"] == "authenticate"  # never "allow"
    variables = _ui(module).named("variable")
    for endpoint in ("issuer", "authorization_endpoint", "token_endpoint", "user_info_endpoint"):
        (https,) = variables[f"oidc_{endpoint}"]["validation"]
        assert f'can(regex("^https://", var.oidc_{endpoint}))' in https["condition"]
    (distinct,) = variables["oidc_client_ids"]["validation"]
    assert "var.oidc_client_ids.operators != var.oidc_client_ids.viewers" in distinct["condition"]


def test_the_client_secret_comes_from_secrets_manager_not_from_a_variable(module: Module) -> None:
    oidc = _authentication(module, "authenticate_oidc")
    assert oidc["client_secret"] == (
        "${data.aws_secretsmanager_secret_version.oidc_client"
        "[authenticate_oidc.value].secret_string}"
    )
    version = _ui(module).data("aws_secretsmanager_secret_version")["oidc_client"]
    assert version["secret_id"] == "${each.value}"
    assert version["for_each"] == (
        '${var.auth_provider == "oidc" ? var.oidc_client_secret_arns : {}}'
    )
    for name in ("ui_access", "platform"):
        secrets = [v for v in module(name).named("variable") if "secret" in v]
        assert secrets in ([], ["oidc_client_secret_arns"]), f"{name}: {secrets}"
    containers = module("secrets").resources("aws_secretsmanager_secret")["ui_oidc_client"]
    assert containers["for_each"] == "${toset(var.ui_oidc_audiences)}"
    assert containers["kms_key_id"] == "${var.kms_key_arn}"
    wired = module("platform").named("module")
    assert wired["ui_access"]["oidc_client_secret_arns"] == (
        "${module.secrets.ui_oidc_client_secret_arns}"
    )


def test_cognito_sign_in_uses_one_user_pool_per_audience(module: Module) -> None:
    cognito = _authentication(module, "authenticate_cognito")
    pool = "var.cognito_user_pools[authenticate_cognito.value]"
    assert cognito["user_pool_arn"] == f"${{{pool}.user_pool_arn}}"
    assert cognito["user_pool_client_id"] == f"${{{pool}.client_id}}"
    assert cognito["on_unauthenticated_request"] == "authenticate"
    (distinct,) = _ui(module).named("variable")["cognito_user_pools"]["validation"]
    assert (
        "operators.user_pool_arn != var.cognito_user_pools.viewers.user_pool_arn"
        in (distinct["condition"])
    )


def test_each_audience_has_its_own_host(module: Module) -> None:
    audiences = _ui(module).locals["audiences"]
    assert {a: v["host"] for a, v in audiences.items()} == {
        "operators": "ops.${var.domain}",
        "viewers": "view.${var.domain}",
    }
    for audience, rule in _rules(module).items():
        (condition,) = rule["condition"]
        assert condition == {"host_header": [{"values": [audiences[audience]["host"]]}]}
    priorities = [v["priority"] for v in audiences.values()]
    assert len(set(priorities)) == len(priorities)


def test_operators_reach_the_full_webserver_and_viewers_the_read_only_one(
    module: Module,
) -> None:
    wired = module("platform").named("module")["dagster_ecs"]["webserver_target_group_arns"]
    assert wired["webserver"].endswith('target_group_arns["operators"]}')
    assert wired["webserver_read_only"].endswith('target_group_arns["viewers"]}')
    commands = {
        name: entry["container"]["command"]
        for name, entry in module("dagster_ecs").locals["task_definitions"].items()
        if name.startswith("webserver")
    }
    assert "--read-only" in commands["webserver_read_only"]
    assert "--read-only" not in commands["webserver"]


def test_target_groups_check_the_webservers_health_directly(module: Module) -> None:
    for audience, group in _ui(module).instances("aws_lb_target_group").items():
        assert group["port"] == "${var.webserver_port}", audience
        assert group["target_type"] == "ip", audience  # Fargate tasks in awsvpc mode
        (health,) = group["health_check"]
        assert health["path"] == "/server_info", audience
    output = _ui(module).named("output")["target_group_arns"]
    assert output["depends_on"] == ["${aws_lb_listener_rule.audience}"]


def test_the_load_balancer_drops_bad_headers_logs_and_resists_deletion(module: Module) -> None:
    balancer = _ui(module).resources("aws_lb")["this"]
    assert balancer["load_balancer_type"] == "application"
    assert balancer["drop_invalid_header_fields"] is True
    assert balancer["enable_deletion_protection"] is True
    assert balancer["internal"] == "${var.internal}"
    assert _ui(module).named("variable")["internal"]["default"] is True
    (logs,) = balancer["access_logs"]
    assert logs["enabled"] is True
    wired = module("platform").named("module")["ui_access"]
    assert wired["access_log_bucket"] == "${module.lake_storage.access_log_bucket_name}"
    bucket = module("lake_storage").named("output")["access_log_bucket_name"]
    assert bucket["depends_on"] == ["${aws_s3_bucket_policy.this}"]  # ALB checks it can write
    assert wired["access_log_prefix"] == "${module.lake_storage.load_balancer_log_prefix}"


def test_load_balancer_logs_may_be_delivered_under_their_prefix_only(module: Module) -> None:
    storage = module("lake_storage")
    (delivery,) = [
        s
        for s in storage.statements("access_log_delivery")
        if s.sid == "LoadBalancerAccessLogDelivery"
    ]
    assert delivery.actions == ("s3:PutObject",)
    (resource,) = delivery.resources
    assert resource.startswith("${aws_s3_bucket.access_logs.arn}/load-balancer/AWSLogs/")
    raw = storage.data("aws_iam_policy_document")["access_log_delivery"]["statement"]
    (principal,) = [s["principals"] for s in raw if s.get("sid") == delivery.sid]
    assert principal == [
        {"type": "Service", "identifiers": ["logdelivery.elasticloadbalancing.amazonaws.com"]}
    ]


def test_both_environments_pass_the_sign_in_settings(env) -> None:
    for name in ("staging", "prod"):
        platform = env(name).named("module")["platform"]
        assert platform["ui"] == "${var.ui}"
        assert "default" not in env(name).named("variable")["ui"]  # no deployment without it
