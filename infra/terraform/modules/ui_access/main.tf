# Sign-in in front of the Dagster UI: an Application Load Balancer that speaks TLS only (HTTP on
# port 80 is answered with a redirect to HTTPS, nothing else) and, per audience, a listener rule
# on the HTTPS listener that first authenticates the user with the identity provider
# (authenticate-oidc, or authenticate-cognito) and only then forwards to that audience's
# webserver:
#   operators  https://ops.<domain>   the full Dagster webserver
#   viewers    https://view.<domain>  the --read-only Dagster webserver
# The load balancer cannot read a groups claim, so the audience is chosen by host name and each
# host has its own OIDC client (or Cognito user pool): the identity provider lets a user sign in
# to a client only when they belong to the group assigned to it (infra/README.md, "Signing in to
# the Dagster UI"). Requests for any other host get a 404 without reaching Dagster.

locals {
  audiences = {
    operators = { host = "ops.${var.domain}", priority = 10 }
    viewers   = { host = "view.${var.domain}", priority = 20 }
  }
}

# The OIDC client secrets, put into Secrets Manager out of band (the secrets module holds the
# containers). The listener rule needs the value itself, so it is in the Terraform state (see
# infra/README.md); it is never in the repository.
data "aws_secretsmanager_secret_version" "oidc_client" {
  for_each  = var.auth_provider == "oidc" ? var.oidc_client_secret_arns : {}
  secret_id = each.value
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28: no WAF: internal by default, and when internet-facing only webserver_ingress_cidrs reach it and every request signs in at the listener before Dagster sees it; a WAF for the internet-facing case is a follow-up (infra/README.md)
  name                       = "${var.name}-ui"
  load_balancer_type         = "application"
  internal                   = var.internal
  subnets                    = var.subnet_ids
  security_groups            = [var.security_group_id]
  ip_address_type            = "ipv4"
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "defensive"
  enable_deletion_protection = true

  access_logs {
    bucket  = var.access_log_bucket
    prefix  = var.access_log_prefix
    enabled = true
  }

  tags = var.tags
}

# One target group per audience; the dagster_ecs module registers the audience's webserver
# service in it. Health checks go straight to the task (no sign-in) on Dagster's /server_info.
resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378: dagster-webserver serves plain HTTP only; TLS ends at the load balancer and the hop to the task stays in the VPC, where the webservers' group admits the load balancer's group only
  for_each             = local.audiences
  name                 = "${var.name}-${each.key}"
  vpc_id               = var.vpc_id
  port                 = var.webserver_port
  protocol             = "HTTP"
  target_type          = "ip"
  deregistration_delay = 30

  health_check {
    enabled             = true
    protocol            = "HTTP"
    path                = "/server_info"
    matcher             = "200"
    interval            = 30
    timeout             = 10
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = merge(var.tags, { Audience = each.key })
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  # Only the audiences' rules below forward anything.
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "Not found"
      status_code  = "404"
    }
  }

  tags = var.tags
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

# Sign in first (order 1), then forward (order 2); a request without a valid session cookie is
# sent to the identity provider and never reaches the webserver.
resource "aws_lb_listener_rule" "audience" {
  for_each     = local.audiences
  listener_arn = aws_lb_listener.https.arn
  priority     = each.value.priority

  action {
    type  = "authenticate-${var.auth_provider}"
    order = 1

    dynamic "authenticate_oidc" {
      for_each = var.auth_provider == "oidc" ? [each.key] : []
      content {
        issuer                     = var.oidc_issuer
        authorization_endpoint     = var.oidc_authorization_endpoint
        token_endpoint             = var.oidc_token_endpoint
        user_info_endpoint         = var.oidc_user_info_endpoint
        client_id                  = var.oidc_client_ids[authenticate_oidc.value]
        client_secret              = data.aws_secretsmanager_secret_version.oidc_client[authenticate_oidc.value].secret_string
        scope                      = var.oidc_scope
        session_cookie_name        = "lakehouse-ui-${authenticate_oidc.value}"
        session_timeout            = var.session_timeout_seconds
        on_unauthenticated_request = "authenticate"
      }
    }

    dynamic "authenticate_cognito" {
      for_each = var.auth_provider == "cognito" ? [each.key] : []
      content {
        user_pool_arn              = var.cognito_user_pools[authenticate_cognito.value].user_pool_arn
        user_pool_client_id        = var.cognito_user_pools[authenticate_cognito.value].client_id
        user_pool_domain           = var.cognito_user_pools[authenticate_cognito.value].domain
        session_cookie_name        = "lakehouse-ui-${authenticate_cognito.value}"
        session_timeout            = var.session_timeout_seconds
        on_unauthenticated_request = "authenticate"
      }
    }
  }

  action {
    type             = "forward"
    order            = 2
    target_group_arn = aws_lb_target_group.this[each.key].arn
  }

  condition {
    host_header {
      values = [each.value.host]
    }
  }

  tags = merge(var.tags, { Audience = each.key })
}

# DNS names of the audiences, when the domain's hosted zone is given; otherwise point
# ops.<domain> and view.<domain> at the load_balancer_dns_name output yourself.
resource "aws_route53_record" "audience" {
  for_each = var.route53_zone_id == null ? {} : local.audiences
  zone_id  = var.route53_zone_id
  name     = each.value.host
  type     = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}
