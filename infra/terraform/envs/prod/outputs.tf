output "service_url" {
  description = "Public https URL of the service on App Runner's domain."
  value       = module.stack.service_url
}

output "service_arn" {
  description = "ARN of the App Runner service (scripts/build-and-push.sh deploys to it)."
  value       = module.stack.service_arn
}

output "app_origin" {
  description = "APP_ORIGIN given to the app, or null until set."
  value       = module.stack.app_origin
}

output "app_environment" {
  description = "Environment variables of the service."
  value       = module.stack.app_environment
}

output "ecr_repository_url" {
  description = "Repository the release script pushes to."
  value       = module.stack.ecr_repository_url
}

output "table_name" {
  description = "DynamoDB table."
  value       = module.stack.table_name
}

output "table_deletion_protection" {
  description = "Whether the table refuses deletion."
  value       = module.stack.table_deletion_protection
}

output "bucket_name" {
  description = "S3 bucket."
  value       = module.stack.bucket_name
}

output "secret_id" {
  description = "Secrets Manager secret the app reads (SECRETS_ID); Terraform writes its first value, further entries go in with the AWS CLI."
  value       = module.stack.secret_id
}

output "user_pool_id" {
  description = "Cognito user pool."
  value       = module.stack.user_pool_id
}

output "client_id" {
  description = "Cognito app client."
  value       = module.stack.client_id
}

output "client_secret" {
  description = "Cognito app client secret (terraform output -raw client_secret)."
  value       = module.stack.client_secret
  sensitive   = true
}

output "hosted_ui_domain" {
  description = "Cognito Hosted UI domain."
  value       = module.stack.hosted_ui_domain
}

output "nat_gateway_count" {
  description = "NAT gateways running (0 with egress = \"default\")."
  value       = module.stack.nat_gateway_count
}

output "instance_role_arn" {
  description = "Role the running app uses."
  value       = module.stack.instance_role_arn
}

output "custom_domain_dns_target" {
  description = "CNAME target for the custom domain, or null."
  value       = module.stack.custom_domain_dns_target
}

output "custom_domain_validation_records" {
  description = "DNS records proving ownership of the custom domain."
  value       = module.stack.custom_domain_validation_records
}
