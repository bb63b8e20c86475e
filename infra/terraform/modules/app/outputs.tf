output "service_arn" {
  description = "ARN of the App Runner service (for start-deployment)."
  value       = aws_apprunner_service.this.arn
}

output "service_url" {
  description = "Public https URL of the service on App Runner's domain."
  value       = "https://${aws_apprunner_service.this.service_url}"
}

output "instance_role_arn" {
  description = "Role the running app uses."
  value       = aws_iam_role.instance.arn
}

output "environment" {
  description = "Environment variables given to the service (no secrets by construction)."
  value       = var.environment
}

output "custom_domain_dns_target" {
  description = "CNAME target for the custom domain, or null."
  value       = one(aws_apprunner_custom_domain_association.this[*].dns_target)
}

output "custom_domain_validation_records" {
  description = "DNS records that prove ownership of the custom domain (create them at your DNS host)."
  value       = one(aws_apprunner_custom_domain_association.this[*].certificate_validation_records)
}

output "instance_policy" {
  description = "The instance role's policy document (JSON): everything the app may do on AWS."
  value       = aws_iam_role_policy.instance.policy
}
