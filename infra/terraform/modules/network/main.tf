# Security groups, chained so that each tier accepts traffic only from the one in front of it:
#   alb         the UI's load balancer: HTTPS (and HTTP, which it only redirects) from the
#               allowed CIDRs; out to the webservers, and on 443 to the identity provider
#   webservers  both Dagster webservers: their UI port from the load balancer's group only
#   tasks       every Dagster task (webservers, daemon, runs): out on 443 to AWS APIs and on
#               5432 to the database; no ingress at all
#   database    PostgreSQL from the tasks' group only
#   metrics     the ops metrics exporter beside the daemon: its port from the Prometheus
#               scrapers' groups only (none by default: nothing can reach it)
# No webserver accepts a CIDR: sign-in happens at the load balancer, so nothing may bypass it.

locals {
  security_groups = {
    tasks      = "Dagster webserver, daemon and run tasks of ${var.name}"
    database   = "Dagster instance database of ${var.name}: PostgreSQL from the Dagster tasks only"
    webservers = "Dagster webservers of ${var.name}: port ${var.webserver_port} from the UI load balancer only"
    alb        = "Dagster UI load balancer of ${var.name}: HTTPS and HTTP (redirected) from the allowed CIDRs only"
    metrics    = "Ops metrics exporter of ${var.name}: port ${var.metrics_port} from the Prometheus scrapers' groups only"
  }

  # The fixed rules by direction: the group each belongs to, its TCP port, and whom it allows,
  # a CIDR or another of the groups (peer). The load balancer's rules, one per allowed CIDR and
  # port, follow below.
  egress_rules = {
    tasks_https       = { group = "tasks", port = 443, cidr_ipv4 = "0.0.0.0/0", peer = null, description = "HTTPS to AWS APIs (S3, ECR, Secrets Manager, ECS, CloudWatch)" }
    tasks_postgres    = { group = "tasks", port = 5432, cidr_ipv4 = null, peer = "database", description = "PostgreSQL to the Dagster instance database" }
    alb_to_webservers = { group = "alb", port = var.webserver_port, cidr_ipv4 = null, peer = "webservers", description = "Forward signed-in requests to the Dagster webservers" }
    alb_https         = { group = "alb", port = 443, cidr_ipv4 = "0.0.0.0/0", peer = null, description = "HTTPS to the identity provider's token and user-info endpoints" }
  }
  ingress_rules = {
    database_from_tasks = { group = "database", port = 5432, cidr_ipv4 = null, peer = "tasks", description = "PostgreSQL from the Dagster tasks" }
    webservers_from_alb = { group = "webservers", port = var.webserver_port, cidr_ipv4 = null, peer = "alb", description = "Dagster UI from the load balancer, after sign-in" }
  }

  # What the allowed CIDRs may open on the load balancer: 443, and 80 only to be redirected to 443.
  load_balancer_ports = { https = 443, http = 80 }
  load_balancer_ingress = {
    for pair in setproduct(var.webserver_ingress_cidrs, keys(local.load_balancer_ports)) :
    "${pair[1]}:${pair[0]}" => { cidr_ipv4 = pair[0], listener = pair[1], port = local.load_balancer_ports[pair[1]] }
  }
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5: attached by the dagster_ecs, database and ui_access modules; checkov does not follow module outputs into other modules
  for_each    = local.security_groups
  name        = "${var.name}-${each.key}"
  description = each.value
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each                     = local.egress_rules
  security_group_id            = aws_security_group.this[each.value.group].id
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  cidr_ipv4                    = each.value.cidr_ipv4
  referenced_security_group_id = each.value.peer == null ? null : aws_security_group.this[each.value.peer].id
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each                     = local.ingress_rules
  security_group_id            = aws_security_group.this[each.value.group].id
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  cidr_ipv4                    = each.value.cidr_ipv4
  referenced_security_group_id = each.value.peer == null ? null : aws_security_group.this[each.value.peer].id
}

resource "aws_vpc_security_group_ingress_rule" "load_balancer" {
  for_each          = local.load_balancer_ingress
  security_group_id = aws_security_group.this["alb"].id
  description       = "Dagster UI (${upper(each.value.listener)}) from ${each.value.cidr_ipv4}"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr_ipv4
}

resource "aws_vpc_security_group_ingress_rule" "metrics" {
  for_each                     = toset(var.metrics_scraper_security_group_ids)
  security_group_id            = aws_security_group.this["metrics"].id
  description                  = "Prometheus scrape of the ops metrics from ${each.value}"
  ip_protocol                  = "tcp"
  from_port                    = var.metrics_port
  to_port                      = var.metrics_port
  referenced_security_group_id = each.value
}
