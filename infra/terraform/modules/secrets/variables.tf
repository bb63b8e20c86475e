variable "name" {
  description = "Name of the secret (SECRETS_ID), such as gatehouse-dev/app."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key to encrypt the secret with; null uses the aws/secretsmanager key."
  type        = string
  default     = null
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once; 7 to 30 otherwise)."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or from 7 to 30."
  }
}

variable "initial_value" {
  description = "Settings the secret starts with, such as { COGNITO_CLIENT_SECRET = <from the user pool client> }. Write-only: kept in neither plan nor state; entries added later with the AWS CLI stay."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "initial_value_version" {
  description = "Raise it to make Terraform write initial_value again (replacing the whole secret value, entries added with the CLI included)."
  type        = number
  default     = 1
}
