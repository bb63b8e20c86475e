output "table_name" {
  description = "Name of the table (DYNAMODB_TABLE)."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the table."
  value       = aws_dynamodb_table.this.arn
}

output "index_arns" {
  description = "ARN pattern covering the table's indexes, for IAM policies."
  value       = "${aws_dynamodb_table.this.arn}/index/*"
}

output "deletion_protection" {
  description = "Whether the table refuses deletion."
  value       = aws_dynamodb_table.this.deletion_protection_enabled
}
