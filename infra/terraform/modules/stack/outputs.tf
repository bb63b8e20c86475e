output "service_url" {
  description = "Public https URL of the service on App Runner's domain."
  value       = module.app.service_url
}

output "service_arn" {
  description = "ARN of the App Runner service."
  value       = module.app.service_arn
}

output "app_origin" {
  description = "APP_ORIGIN given to the app, or null when it is not known yet."
  value       = local.app_origin
}

output "hosted_ui_callback_urls" {
  description = "Where the Hosted UI may send the browser back: the app's callback of each enabled provider."
  value       = local.callback_urls
}

output "app_environment" {
  description = "Environment variables of the service (identifiers only, no secret values)."
  value       = local.environment
}

output "ecr_repository_url" {
  description = "Repository the release script pushes to."
  value       = module.registry.repository_url
}

output "table_name" {
  description = "DynamoDB table (DYNAMODB_TABLE)."
  value       = module.data.table_name
}

output "table_deletion_protection" {
  description = "Whether the table refuses deletion."
  value       = module.data.deletion_protection
}

output "bucket_name" {
  description = "S3 bucket (S3_BUCKET)."
  value       = module.storage.bucket_name
}

output "secret_id" {
  description = "Secrets Manager secret the app reads (SECRETS_ID); set its value with the AWS CLI."
  value       = module.secrets.secret_arn
}

output "user_pool_id" {
  description = "Cognito user pool (COGNITO_USER_POOL_ID)."
  value       = module.identity.user_pool_id
}

output "client_id" {
  description = "Cognito app client (COGNITO_CLIENT_ID)."
  value       = module.identity.client_id
}

output "client_secret" {
  description = "Cognito app client secret, for the Secrets Manager secret."
  value       = module.identity.client_secret
  sensitive   = true
}

output "hosted_ui_domain" {
  description = "Cognito Hosted UI domain."
  value       = module.identity.hosted_ui_domain
}

output "identity_pool_id" {
  description = "Cognito identity pool."
  value       = module.identity.identity_pool_id
}

output "nat_gateway_count" {
  description = "NAT gateways running (the largest idle cost; 0 with egress = \"default\")."
  value       = var.egress == "vpc" ? module.network[0].nat_gateway_count : 0
}

output "instance_role_arn" {
  description = "Role the running app uses (its policy is the app's whole AWS permission)."
  value       = module.app.instance_role_arn
}

output "custom_domain_dns_target" {
  description = "CNAME target for the custom domain, or null."
  value       = module.app.custom_domain_dns_target
}

output "custom_domain_validation_records" {
  description = "DNS records proving ownership of the custom domain."
  value       = module.app.custom_domain_validation_records
}

output "egress" {
  description = "How the service reaches the internet: default (App Runner's egress) or vpc."
  value       = var.egress
}

output "secret_recovery_window_in_days" {
  description = "Days a destroyed secret stays restorable (0: deleted at once, so the stack can be re-created the same day)."
  value       = module.secrets.recovery_window_in_days
}

output "instance_policy" {
  description = "The instance role's policy document (JSON): all the app may do on AWS."
  value       = module.app.instance_policy
}
