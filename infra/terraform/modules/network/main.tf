# Security groups: the Dagster tasks (webserver, daemon and every run) reach AWS APIs on 443
# and the database on 5432; the database accepts 5432 from the tasks only; the webserver's UI
# port is open only to the CIDRs given (a VPN or office range), never to the internet.

resource "aws_security_group" "tasks" {
  #checkov:skip=CKV2_AWS_5: attached by the dagster_ecs and database modules; checkov does not follow module outputs into other modules
  name        = "${var.name}-tasks"
  description = "Dagster webserver, daemon and run tasks of ${var.name}"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-tasks" })
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to AWS APIs (S3, ECR, Secrets Manager, ECS, CloudWatch)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "tasks_postgres" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "PostgreSQL to the Dagster instance database"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.database.id
}

resource "aws_security_group" "database" {
  #checkov:skip=CKV2_AWS_5: attached by the dagster_ecs and database modules; checkov does not follow module outputs into other modules
  name        = "${var.name}-database"
  description = "Dagster instance database of ${var.name}: PostgreSQL from the Dagster tasks only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-database" })
}

resource "aws_vpc_security_group_ingress_rule" "database_from_tasks" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the Dagster tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.tasks.id
}

resource "aws_security_group" "webserver" {
  #checkov:skip=CKV2_AWS_5: attached by the dagster_ecs and database modules; checkov does not follow module outputs into other modules
  name        = "${var.name}-webserver"
  description = "Dagster UI of ${var.name}: port ${var.webserver_port} from the allowed CIDRs only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-webserver" })
}

resource "aws_vpc_security_group_ingress_rule" "webserver" {
  for_each          = toset(var.webserver_ingress_cidrs)
  security_group_id = aws_security_group.webserver.id
  description       = "Dagster UI from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = var.webserver_port
  to_port           = var.webserver_port
  cidr_ipv4         = each.value
}
