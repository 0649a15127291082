# Security groups: the Dagster tasks (webserver, daemon and every run) reach AWS APIs on 443
# and the database on 5432; the database accepts 5432 from the tasks only; the webserver's UI
# port is open only to the CIDRs given (a VPN or office range), never to the internet.

locals {
  security_groups = {
    tasks     = "Dagster webserver, daemon and run tasks of ${var.name}"
    database  = "Dagster instance database of ${var.name}: PostgreSQL from the Dagster tasks only"
    webserver = "Dagster UI of ${var.name}: port ${var.webserver_port} from the allowed CIDRs only"
  }

  # The fixed rules by direction: the group each belongs to, its TCP port, and whom it allows,
  # a CIDR or another of the groups (peer). The UI rules, one per allowed CIDR, follow below.
  egress_rules = {
    tasks_https    = { group = "tasks", port = 443, cidr_ipv4 = "0.0.0.0/0", peer = null, description = "HTTPS to AWS APIs (S3, ECR, Secrets Manager, ECS, CloudWatch)" }
    tasks_postgres = { group = "tasks", port = 5432, cidr_ipv4 = null, peer = "database", description = "PostgreSQL to the Dagster instance database" }
  }
  ingress_rules = {
    database_from_tasks = { group = "database", port = 5432, cidr_ipv4 = null, peer = "tasks", description = "PostgreSQL from the Dagster tasks" }
  }
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5: attached by the dagster_ecs and database modules; checkov does not follow module outputs into other modules
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

resource "aws_vpc_security_group_ingress_rule" "webserver" {
  for_each          = toset(var.webserver_ingress_cidrs)
  security_group_id = aws_security_group.this["webserver"].id
  description       = "Dagster UI from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = var.webserver_port
  to_port           = var.webserver_port
  cidr_ipv4         = each.value
}
