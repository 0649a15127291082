# The staging deployment of the lakehouse: modules/platform with staging's sizes (no standby and smaller runs, to keep staging cheap).
# versions.tf, variables.tf, outputs.tf and moved.tf link to ../shared/.

locals {
  environment = "staging"
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      Project     = "lakehouse"
      Environment = local.environment
      ManagedBy   = "terraform"
    })
  }
}

module "platform" {
  source                  = "../../modules/platform"
  environment             = local.environment
  region                  = var.region
  vpc_id                  = var.vpc_id
  private_subnet_ids      = var.private_subnet_ids
  webserver_ingress_cidrs = var.webserver_ingress_cidrs

  metrics_scraper_security_group_ids = var.metrics_scraper_security_group_ids
  ui                                 = var.ui
  image_tag                          = var.image_tag
  bucket_name                        = var.bucket_name
  analyst_principal_arns             = var.analyst_principal_arns

  noncurrent_version_expiration_days = 30
  database_instance_class            = "db.t4g.small"
  database_multi_az                  = false
  database_backup_retention_days     = 7
  run_memory                         = 4096
}
