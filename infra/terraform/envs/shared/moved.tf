# Linked into every envs/<env>/ (as moved.tf): state addresses from before the modules were
# wired by modules/platform. Remove once every environment has applied this version.

moved {
  from = module.encryption
  to   = module.platform.module.encryption
}

moved {
  from = module.lake_storage
  to   = module.platform.module.lake_storage
}

moved {
  from = module.network
  to   = module.platform.module.network
}

moved {
  from = module.secrets
  to   = module.platform.module.secrets
}

moved {
  from = module.database
  to   = module.platform.module.database
}

moved {
  from = module.iam
  to   = module.platform.module.iam
}

moved {
  from = module.dagster_ecs
  to   = module.platform.module.dagster_ecs
}
