# State addresses from before the task roles became one for_each. Remove once every
# environment has applied this version.

moved {
  from = aws_iam_role.execution
  to   = aws_iam_role.task["execution"]
}

moved {
  from = aws_iam_role.runs
  to   = aws_iam_role.task["runs"]
}

moved {
  from = aws_iam_role.daemon
  to   = aws_iam_role.task["daemon"]
}

moved {
  from = aws_iam_role.webserver
  to   = aws_iam_role.task["webserver"]
}

moved {
  from = aws_iam_role_policy.execution
  to   = aws_iam_role_policy.task["execution"]
}

moved {
  from = aws_iam_role_policy.runs
  to   = aws_iam_role_policy.task["runs"]
}

moved {
  from = aws_iam_role_policy.daemon
  to   = aws_iam_role_policy.task["daemon"]
}

moved {
  from = aws_iam_role_policy.webserver
  to   = aws_iam_role_policy.task["webserver"]
}
