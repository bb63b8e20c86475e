# Additions to envs/dev for the moto apply test (not an override: these blocks are new).

variable "moto_endpoint" {
  description = "URL of the moto_server the provider talks to."
  type        = string
}

# The SES identity an operator verifies outside Terraform (docs/deploy.md), standing in for it
# here so that the stack's mail settings and Cognito's SES sender are applied against one.
resource "aws_sesv2_email_identity" "moto" {
  email_identity = var.ses_identity

  # moto keeps no tags on SES identities; the provider's default tags would show as a change.
  lifecycle {
    ignore_changes = [tags, tags_all]
  }
}

# The instance role's S3 statements, exactly as the stack writes them, held by an IAM user whose
# keys test/infra/moto/least-privilege.ts uses under moto's IAM enforcement (moto cannot act as an
# App Runner task, and checks other services' calls against resource "*" only).
resource "aws_iam_user" "s3_probe" {
  name = "gatehouse-moto-s3-probe"
}

resource "aws_iam_user_policy" "s3_probe" {
  name = "instance-role-s3-statements"
  user = aws_iam_user.s3_probe.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [for s in jsondecode(module.stack.instance_policy).Statement : s if anytrue([for a in s.Action : startswith(a, "s3:")])]
  })
}

resource "aws_iam_access_key" "s3_probe" {
  user = aws_iam_user.s3_probe.name
}

output "s3_probe_policy" {
  description = "The policy the probe user holds."
  value       = aws_iam_user_policy.s3_probe.policy
}

output "s3_probe_key" {
  description = "Access key of the probe user."
  value       = { id = aws_iam_access_key.s3_probe.id, secret = aws_iam_access_key.s3_probe.secret }
  sensitive   = true
}
