# Images are tagged with the git SHA they were built from, and tags are immutable: a tag names one
# image for good, so what dev tested is byte for byte what prod runs (scripts/build-and-push.sh
# promotes the digest to prod's repository instead of rebuilding), and no push can silently change
# what a running service or a rollback points at.
resource "aws_ecr_repository" "this" {
  name                 = var.name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Drop untagged images (layers of interrupted pushes)"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_expiry_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the most recent images, enough to roll back"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.keep_images
        }
        action = { type = "expire" }
      },
    ]
  })
}

# The role App Runner pulls this repository's images with. It lives here, not with the service,
# so that it exists from the first, targeted apply (docs/deploy.md): IAM takes a while to make a
# new role assumable everywhere, and App Runner refuses to create a service whose access role it
# cannot assume yet.
resource "aws_iam_role" "apprunner_access" {
  name = "${var.name}-apprunner-access"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "build.apprunner.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# This repository only. GetAuthorizationToken has no resource-level permissions, so it alone is
# granted on "*".
resource "aws_iam_role_policy" "apprunner_access" {
  name = "pull-image"
  role = aws_iam_role.apprunner_access.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Login"
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken"]
        Resource = ["*"]
      },
      {
        Sid      = "Pull"
        Effect   = "Allow"
        Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"]
        Resource = [aws_ecr_repository.this.arn]
      },
    ]
  })
}
