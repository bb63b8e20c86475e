output "secret_arn" {
  description = "ARN of the secret; the app's role may read this secret only. Known once the secret has its first value, so whatever uses it starts after that."
  value       = aws_secretsmanager_secret.app.arn
  depends_on  = [aws_secretsmanager_secret_version.initial]
}

output "secret_name" {
  description = "Name of the secret (SECRETS_ID)."
  value       = aws_secretsmanager_secret.app.name
}

output "recovery_window_in_days" {
  description = "Days a deleted secret stays restorable (0: deleted at once)."
  value       = aws_secretsmanager_secret.app.recovery_window_in_days
}
