provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "gatehouse"
      Environment = "dev"
      ManagedBy   = "terraform"
    }
  }
}

module "stack" {
  source = "../../modules/stack"

  name        = "gatehouse-dev"
  environment = "dev"
  production  = false
  adapters    = var.adapters
  vpc_cidr    = var.vpc_cidr

  app_origin    = var.app_origin
  custom_domain = var.custom_domain
  app_settings  = var.app_settings

  cpu             = var.cpu
  memory          = var.memory
  min_instances   = var.min_instances
  max_instances   = var.max_instances
  max_concurrency = var.max_concurrency

  mfa_configuration         = var.mfa_configuration
  ses_identity_arn          = var.ses_identity_arn
  ses_from_address          = var.ses_from_address
  allow_localhost_callbacks = true
  social_client_ids         = var.social_client_ids
  social_client_secrets     = var.social_client_secrets
  oidc_provider             = var.oidc_provider
}
