output "repository_url" {
  description = "URL of the repository, for docker push and App Runner."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_arn" {
  description = "ARN of the repository."
  value       = aws_ecr_repository.this.arn
}

output "repository_name" {
  description = "Name of the repository."
  value       = aws_ecr_repository.this.name
}

output "apprunner_access_role_arn" {
  description = "Role App Runner pulls images with (this repository only); known once its policy exists."
  value       = aws_iam_role.apprunner_access.arn
  depends_on  = [aws_iam_role_policy.apprunner_access]
}
