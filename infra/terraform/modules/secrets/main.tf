# The secret the app reads once at start (SECRETS=aws, SECRETS_ID). Terraform creates the empty
# container only: its value is set with the AWS CLI (docs/deploy.md), so it never enters a .tf
# file, a plan or the state.
resource "aws_secretsmanager_secret" "app" {
  name                    = var.name
  description             = "Gatehouse runtime secrets (a JSON object of setting names to values)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
}
