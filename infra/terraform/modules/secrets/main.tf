# The secret the app reads once at start (SECRETS=aws, SECRETS_ID): a JSON object of setting names
# to values. Terraform writes its first value, `initial_value`, in the same apply that creates it,
# so the secret has a value before anything that reads it starts (the App Runner service depends on
# `secret_arn`, which waits for that value). The value goes through a write-only argument: it is
# sent to Secrets Manager and kept in neither the plan nor the state, and Terraform never reads it
# back, so values added later with the AWS CLI (Stripe and SMTP keys) are left alone. Terraform
# writes it again only when `initial_value_version` changes.
resource "aws_secretsmanager_secret" "app" {
  name                    = var.name
  description             = "Gatehouse runtime secrets (a JSON object of setting names to values)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "initial" {
  secret_id                = aws_secretsmanager_secret.app.id
  secret_string_wo         = jsonencode(var.initial_value)
  secret_string_wo_version = var.initial_value_version
}
