output "user_pool_id" {
  description = "ID of the user pool (COGNITO_USER_POOL_ID)."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "issuer" {
  description = "Issuer (iss) of the pool's tokens; its JWKS is at <issuer>/.well-known/jwks.json."
  value       = "https://${aws_cognito_user_pool.this.endpoint}"
}

output "client_id" {
  description = "ID of the app client (COGNITO_CLIENT_ID)."
  value       = aws_cognito_user_pool_client.app.id
}

output "client_secret" {
  description = "Secret of the app client; goes into the Secrets Manager secret as COGNITO_CLIENT_SECRET."
  value       = aws_cognito_user_pool_client.app.client_secret
  sensitive   = true
}

output "hosted_ui_domain" {
  description = "Hosted UI domain name, for social sign-in."
  value       = "${aws_cognito_user_pool_domain.this.domain}.auth.${data.aws_region.current.name}.amazoncognito.com"
}

output "social_providers" {
  description = "Names of the social identity providers that are enabled."
  value       = sort(concat([for p in aws_cognito_identity_provider.social : p.provider_name], [for p in aws_cognito_identity_provider.oidc : p.provider_name]))
}

output "provider_names" {
  description = "The providers the sign-in page offers, in order (COGNITO_IDENTITY_PROVIDERS)."
  value       = local.provider_names
}

output "identity_pool_id" {
  description = "ID of the identity pool."
  value       = aws_cognito_identity_pool.this.id
}

output "identity_pool_arn" {
  description = "ARN of the identity pool."
  value       = aws_cognito_identity_pool.this.arn
}

output "developer_provider_name" {
  description = "The identity pool's developer provider name."
  value       = aws_cognito_identity_pool.this.developer_provider_name
}

output "authenticated_role_arn" {
  description = "ARN of the role signed-in users get through the identity pool."
  value       = aws_iam_role.authenticated.arn
}

output "email_sending_account" {
  description = "Who sends Cognito's email: COGNITO_DEFAULT (Cognito's own sender) or DEVELOPER (the SES identity)."
  value       = aws_cognito_user_pool.this.email_configuration[0].email_sending_account
}
