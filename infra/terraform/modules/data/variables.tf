variable "name" {
  description = "Name of the DynamoDB table (DYNAMODB_TABLE), such as gatehouse-dev."
  type        = string
}

variable "deletion_protection" {
  description = "Refuse to delete the table (set in prod)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer managed KMS key to encrypt the table with; null keeps DynamoDB's default AWS owned key."
  type        = string
  default     = null
}
