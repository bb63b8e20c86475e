output "secret_arn" {
  description = "ARN of the secret; the app's role may read this secret only."
  value       = aws_secretsmanager_secret.app.arn
}

output "secret_name" {
  description = "Name of the secret (SECRETS_ID)."
  value       = aws_secretsmanager_secret.app.name
}
