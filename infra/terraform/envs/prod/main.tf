provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "gatehouse"
      Environment = "prod"
      ManagedBy   = "terraform"
    }
  }
}

module "stack" {
  source = "../../modules/stack"

  name        = "gatehouse-prod"
  environment = "prod"
  production  = true
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

  egress                = var.egress
  availability_zone_ids = var.availability_zone_ids
  image_tag             = var.image_tag

  mfa_configuration         = var.mfa_configuration
  ses_identity              = var.ses_identity
  ses_region                = var.ses_region
  ses_configuration_set     = var.ses_configuration_set
  mail_from                 = var.mail_from
  mail_reply_to             = var.mail_reply_to
  allow_localhost_callbacks = false
  social_client_ids         = var.social_client_ids
  social_client_secrets     = var.social_client_secrets
  oidc_provider             = var.oidc_provider
}
