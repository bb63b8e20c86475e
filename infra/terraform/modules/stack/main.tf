# One environment of Gatehouse: every module wired together, so envs/dev and envs/prod differ
# only in the values they pass here.
data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  app_origin = var.app_origin != null ? var.app_origin : (var.custom_domain != null ? "https://${var.custom_domain}" : null)

  # The app's callback for each provider the pool offers, /api/auth/oauth/<id>/callback, where <id>
  # is the provider's lower-case name (LoginWithAmazon's is amazon; see the Hosted UI adapter).
  provider_ids = concat(
    [for key in ["google", "facebook", "amazon"] : key if var.social_client_ids[key] != null],
    var.oidc_provider == null ? [] : [replace(lower(var.oidc_provider.name), "/[^a-z0-9-]/", "-")],
  )
  callback_origins = concat(
    local.app_origin == null ? [] : [local.app_origin],
    var.allow_localhost_callbacks ? ["http://localhost:3000"] : [],
  )
  callback_urls = flatten([
    for origin in local.callback_origins : [for id in local.provider_ids : "${origin}/api/auth/oauth/${id}/callback"]
  ])
  logout_urls = concat(
    local.app_origin == null ? [] : ["${local.app_origin}/"],
    var.allow_localhost_callbacks ? ["http://localhost:3000/"] : [],
  )

  # The names the AWS adapters read (issue 6). Only identifiers: the secret values live in the
  # Secrets Manager secret named by SECRETS_ID.
  aws_adapter_environment = {
    IDENTITY_PROVIDER          = "cognito"
    STORE                      = "dynamodb"
    BLOBS                      = "s3"
    SECRETS                    = "aws"
    AWS_REGION                 = local.region
    COGNITO_USER_POOL_ID       = module.identity.user_pool_id
    COGNITO_CLIENT_ID          = module.identity.client_id
    COGNITO_DOMAIN             = "https://${module.identity.hosted_ui_domain}"
    COGNITO_IDENTITY_PROVIDERS = join(",", module.identity.provider_names)
    COGNITO_IDENTITY_POOL_ID   = module.identity.identity_pool_id
    COGNITO_DEVELOPER_PROVIDER = module.identity.developer_provider_name
    DYNAMODB_TABLE             = module.data.table_name
    S3_BUCKET                  = module.storage.bucket_name
    SECRETS_ID                 = module.secrets.secret_arn
  }

  environment = merge(
    {
      TRUST_PROXY_HOPS = tostring(var.trust_proxy_hops)
      LOG_LEVEL        = "info"
    },
    local.app_origin == null ? {} : { APP_ORIGIN = local.app_origin },
    var.adapters == "aws" ? local.aws_adapter_environment : {},
    var.app_settings,
  )
}

module "network" {
  source = "../network"

  name               = var.name
  cidr_block         = var.vpc_cidr
  single_nat_gateway = !var.production
}

module "data" {
  source = "../data"

  name                = var.name
  deletion_protection = var.production
}

module "storage" {
  source = "../storage"

  bucket_name   = "${var.name}-files-${local.account_id}"
  force_destroy = !var.production
}

module "secrets" {
  source = "../secrets"

  name                    = "${var.name}/app"
  recovery_window_in_days = var.production ? 30 : 7
}

module "registry" {
  source = "../registry"

  name         = var.name
  force_delete = !var.production
}

module "identity" {
  source = "../identity"

  name                  = var.name
  service_name          = var.service_name
  mfa_configuration     = var.mfa_configuration
  deletion_protection   = var.production
  ses_identity_arn      = var.ses_identity_arn
  ses_from_address      = var.ses_from_address
  domain_prefix         = coalesce(var.cognito_domain_prefix, "${var.name}-${local.account_id}")
  callback_urls         = local.callback_urls
  logout_urls           = local.logout_urls
  social_client_ids     = var.social_client_ids
  social_client_secrets = var.social_client_secrets
  oidc_provider         = var.oidc_provider
  table_arn             = module.data.table_arn
}

module "app" {
  source = "../app"

  name                 = var.name
  image_repository_url = module.registry.repository_url
  image_repository_arn = module.registry.repository_arn
  image_tag            = coalesce(var.image_tag, var.environment)
  environment          = local.environment
  cpu                  = var.cpu
  memory               = var.memory
  min_instances        = var.min_instances
  max_instances        = var.max_instances
  max_concurrency      = var.max_concurrency
  vpc_connector_arn    = module.network.vpc_connector_arn
  custom_domain        = var.custom_domain
  table_arn            = module.data.table_arn
  bucket_arn           = module.storage.bucket_arn
  secret_arn           = module.secrets.secret_arn
  user_pool_arn        = module.identity.user_pool_arn
  identity_pool_arn    = module.identity.identity_pool_arn
}
