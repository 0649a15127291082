# State addresses from before the groups and fixed rules became for_each. Remove once every
# environment has applied this version.

moved {
  from = aws_security_group.tasks
  to   = aws_security_group.this["tasks"]
}

moved {
  from = aws_security_group.database
  to   = aws_security_group.this["database"]
}

moved {
  from = aws_security_group.webserver
  to   = aws_security_group.this["webserver"]
}

moved {
  from = aws_vpc_security_group_egress_rule.tasks_https
  to   = aws_vpc_security_group_egress_rule.this["tasks_https"]
}

moved {
  from = aws_vpc_security_group_egress_rule.tasks_postgres
  to   = aws_vpc_security_group_egress_rule.this["tasks_postgres"]
}

moved {
  from = aws_vpc_security_group_ingress_rule.database_from_tasks
  to   = aws_vpc_security_group_ingress_rule.this["database_from_tasks"]
}
