# One environment of Gatehouse: every module wired together, so envs/dev and envs/prod differ
# only in the values they pass here.
data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # Mail (issue 14): through SES when an identity is given, from MAIL_FROM only. Without one, dev
  # keeps the outbox (messages stored in the container and printed to the log), which the app
  # refuses beyond loopback unless ALLOW_DEV_OUTBOX=1 says it is meant; production must name a
  # sender (a variable validation says so).
  ses_region                = coalesce(var.ses_region, local.region)
  ses_identity_arn          = var.ses_identity == null ? null : "arn:${local.partition}:ses:${local.ses_region}:${local.account_id}:identity/${var.ses_identity}"
  ses_configuration_set_arn = var.ses_identity == null || var.ses_configuration_set == null ? null : "arn:${local.partition}:ses:${local.ses_region}:${local.account_id}:configuration-set/${var.ses_configuration_set}"
  mail_environment = var.ses_identity != null ? merge(
    { MAIL = "ses", MAIL_FROM = var.mail_from },
    var.ses_region == null ? {} : { SES_REGION = var.ses_region },
    var.mail_reply_to == null ? {} : { MAIL_REPLY_TO = var.mail_reply_to },
    var.ses_configuration_set == null ? {} : { SES_CONFIGURATION_SET = var.ses_configuration_set },
  ) : var.production ? {} : { MAIL = "outbox", ALLOW_DEV_OUTBOX = "1" }

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
    local.mail_environment,
    var.app_settings,
  )
}

# Only with egress = "vpc": the service reaches public endpoints only (AWS APIs, Stripe, SMTP), so
# App Runner's default egress serves it without a VPC, NAT gateway or public address to pay for.
module "network" {
  source = "../network"
  count  = var.egress == "vpc" ? 1 : 0

  name                  = var.name
  cidr_block            = var.vpc_cidr
  single_nat_gateway    = !var.production
  availability_zone_ids = var.availability_zone_ids
}

moved {
  from = module.network
  to   = module.network[0]
}

moved {
  from = module.app.aws_iam_role.access
  to   = module.registry.aws_iam_role.apprunner_access
}

moved {
  from = module.app.aws_iam_role_policy.access
  to   = module.registry.aws_iam_role_policy.apprunner_access
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

# The secret gets its first value, the app client's secret, in this apply, before the service
# that reads it starts. Outside production a destroyed secret is gone at once (no recovery
# window), so the environment can be re-created under the same name the same day.
module "secrets" {
  source = "../secrets"

  name                    = "${var.name}/app"
  recovery_window_in_days = var.production ? 30 : 0
  initial_value           = var.adapters == "aws" ? { COGNITO_CLIENT_SECRET = module.identity.client_secret } : {}
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
  ses_identity_arn      = local.ses_identity_arn
  ses_from_address      = var.mail_from
  ses_reply_to_address  = var.mail_reply_to
  ses_configuration_set = var.ses_configuration_set
  domain_prefix         = coalesce(var.cognito_domain_prefix, "${var.name}-${local.account_id}")
  # Passkeys are the app's page's: its host, once the app's origin is known.
  passkey_relying_party_id = local.app_origin == null ? null : regex("^https?://([^/:]+)", local.app_origin)[0]
  callback_urls            = local.callback_urls
  logout_urls              = local.logout_urls
  social_client_ids        = var.social_client_ids
  social_client_secrets    = var.social_client_secrets
  oidc_provider            = var.oidc_provider
  table_arn                = module.data.table_arn
}

module "app" {
  source = "../app"

  name                      = var.name
  image_repository_url      = module.registry.repository_url
  access_role_arn           = module.registry.apprunner_access_role_arn
  image_tag                 = var.image_tag
  environment               = local.environment
  cpu                       = var.cpu
  memory                    = var.memory
  min_instances             = var.min_instances
  max_instances             = var.max_instances
  max_concurrency           = var.max_concurrency
  vpc_connector_arn         = var.egress == "vpc" ? module.network[0].vpc_connector_arn : null
  custom_domain             = var.custom_domain
  table_arn                 = module.data.table_arn
  bucket_arn                = module.storage.bucket_arn
  secret_arn                = module.secrets.secret_arn
  user_pool_arn             = module.identity.user_pool_arn
  identity_pool_arn         = module.identity.identity_pool_arn
  ses_identity_arn          = local.ses_identity_arn
  ses_configuration_set_arn = local.ses_configuration_set_arn
  mail_from                 = var.ses_identity == null ? null : var.mail_from
}
