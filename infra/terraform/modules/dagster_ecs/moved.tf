# State addresses from before the task definitions and services became for_each. Remove once
# every environment has applied this version.

moved {
  from = aws_ecs_task_definition.webserver
  to   = aws_ecs_task_definition.this["webserver"]
}

moved {
  from = aws_ecs_task_definition.daemon
  to   = aws_ecs_task_definition.this["daemon"]
}

moved {
  from = aws_ecs_task_definition.run
  to   = aws_ecs_task_definition.this["run"]
}

moved {
  from = aws_ecs_service.webserver
  to   = aws_ecs_service.this["webserver"]
}

moved {
  from = aws_ecs_service.daemon
  to   = aws_ecs_service.this["daemon"]
}
