# One deployment of the lakehouse (staging or prod): every module, wired together. The
# environments differ only in the inputs their envs/<env>/main.tf passes here.

data "aws_caller_identity" "current" {}

locals {
  name        = "lakehouse-${var.environment}"
  bucket_name = coalesce(var.bucket_name, "${local.name}-${data.aws_caller_identity.current.account_id}")

  # Names shared by the IAM policies and the ECS resources they scope.
  cluster_name        = local.name
  run_task_family     = "${local.name}-run"
  log_group_prefix    = "/${local.name}"
  ecr_repository_name = local.name

  # Who opens the UI: operators the full webserver, viewers the read-only one (ui_access).
  ui_audiences = ["operators", "viewers"]
}

module "encryption" {
  source = "../encryption"
  name   = local.name
}

module "lake_storage" {
  source                             = "../lake_storage"
  environment                        = var.environment
  bucket_name                        = local.bucket_name
  kms_key_arn                        = module.encryption.key_arn
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
}

module "network" {
  source                  = "../network"
  name                    = local.name
  vpc_id                  = var.vpc_id
  webserver_ingress_cidrs = var.webserver_ingress_cidrs

  metrics_scraper_security_group_ids = var.metrics_scraper_security_group_ids
}

module "secrets" {
  source            = "../secrets"
  name              = local.name
  kms_key_arn       = module.encryption.key_arn
  ui_oidc_audiences = var.ui.auth_provider == "oidc" ? local.ui_audiences : []
}

module "database" {
  source                = "../database"
  name                  = local.name
  subnet_ids            = var.private_subnet_ids
  security_group_id     = module.network.database_security_group_id
  kms_key_arn           = module.encryption.key_arn
  instance_class        = var.database_instance_class
  multi_az              = var.database_multi_az
  backup_retention_days = var.database_backup_retention_days
  deletion_protection   = true
}

module "iam" {
  source                 = "../iam"
  name                   = local.name
  bucket_arn             = module.lake_storage.bucket_arn
  lake_prefix            = module.lake_storage.lake_prefix
  landing_prefix         = module.lake_storage.landing_prefix
  kms_key_arn            = module.encryption.key_arn
  secret_arns            = [module.secrets.pii_key_secret_arn, module.secrets.dagster_database_secret_arn, module.secrets.mlflow_tracking_uri_secret_arn]
  cluster_name           = local.cluster_name
  run_task_family        = local.run_task_family
  log_group_prefix       = local.log_group_prefix
  ecr_repository_name    = local.ecr_repository_name
  analyst_principal_arns = var.analyst_principal_arns
}

module "ui_access" {
  source                      = "../ui_access"
  name                        = local.name
  vpc_id                      = var.vpc_id
  subnet_ids                  = coalescelist(var.ui.subnet_ids, var.private_subnet_ids)
  internal                    = var.ui.internal
  security_group_id           = module.network.load_balancer_security_group_id
  domain                      = var.ui.domain
  certificate_arn             = var.ui.certificate_arn
  route53_zone_id             = var.ui.route53_zone_id
  access_log_bucket           = module.lake_storage.access_log_bucket_name
  access_log_prefix           = module.lake_storage.load_balancer_log_prefix
  auth_provider               = var.ui.auth_provider
  oidc_issuer                 = try(var.ui.oidc.issuer, null)
  oidc_authorization_endpoint = try(var.ui.oidc.authorization_endpoint, null)
  oidc_token_endpoint         = try(var.ui.oidc.token_endpoint, null)
  oidc_user_info_endpoint     = try(var.ui.oidc.user_info_endpoint, null)
  oidc_client_ids             = try(var.ui.oidc.client_ids, null)
  oidc_client_secret_arns     = module.secrets.ui_oidc_client_secret_arns
  cognito_user_pools          = var.ui.cognito
}

module "dagster_ecs" {
  source                       = "../dagster_ecs"
  name                         = local.name
  environment                  = var.environment
  region                       = var.region
  cluster_name                 = local.cluster_name
  run_task_family              = local.run_task_family
  log_group_prefix             = local.log_group_prefix
  ecr_repository_name          = local.ecr_repository_name
  image_tag                    = var.image_tag
  lake_uri                     = module.lake_storage.lake_uri
  landing_uri                  = module.lake_storage.landing_uri
  db_host                      = module.database.address
  db_port                      = module.database.port
  db_name                      = module.database.database_name
  db_username                  = module.database.dagster_username
  db_password_secret_arn       = module.secrets.dagster_database_secret_arn
  pii_key_secret_arn           = module.secrets.pii_key_secret_arn
  mlflow_uri_secret_arn        = module.secrets.mlflow_tracking_uri_secret_arn
  kms_key_arn                  = module.encryption.key_arn
  execution_role_arn           = module.iam.execution_role_arn
  webserver_role_arn           = module.iam.webserver_role_arn
  webserver_read_only_role_arn = module.iam.webserver_read_only_role_arn
  daemon_role_arn              = module.iam.daemon_role_arn
  runs_role_arn                = module.iam.runs_role_arn
  subnet_ids                   = var.private_subnet_ids
  tasks_security_group_id      = module.network.tasks_security_group_id
  webserver_security_group_id  = module.network.webserver_security_group_id
  metrics_security_group_id    = module.network.metrics_security_group_id
  webserver_target_group_arns = {
    webserver           = module.ui_access.target_group_arns["operators"]
    webserver_read_only = module.ui_access.target_group_arns["viewers"]
  }
  run_memory = var.run_memory
}
