locals {
  # The instance role's permissions, one statement per resource it may touch and nothing else.
  instance_statements = concat(
    [
      {
        Sid      = "Table"
        Effect   = "Allow"
        Action   = var.table_actions
        Resource = [var.table_arn, "${var.table_arn}/index/*"]
      },
      {
        Sid      = "BucketObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
        Resource = ["${var.bucket_arn}/*"]
      },
      {
        Sid      = "Secret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [var.secret_arn]
      },
      {
        Sid      = "UserPool"
        Effect   = "Allow"
        Action   = var.user_pool_actions
        Resource = [var.user_pool_arn]
      },
    ],
    var.identity_pool_arn == null ? [] : [{
      Sid      = "IdentityPool"
      Effect   = "Allow"
      Action   = ["cognito-identity:GetOpenIdTokenForDeveloperIdentity"]
      Resource = [var.identity_pool_arn]
    }],
    length(var.kms_key_arns) == 0 ? [] : [{
      Sid      = "Keys"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource = var.kms_key_arns
    }],
  )
}

resource "aws_iam_role" "access" {
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

# App Runner pulls the image with this role: this repository only. GetAuthorizationToken has no
# resource-level permissions, so it alone is granted on "*".
resource "aws_iam_role_policy" "access" {
  name = "pull-image"
  role = aws_iam_role.access.id

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
        Resource = [var.image_repository_arn]
      },
    ]
  })
}

resource "aws_iam_role" "instance" {
  name = "${var.name}-apprunner-instance"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "tasks.apprunner.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "instance" {
  name = "gatehouse-runtime"
  role = aws_iam_role.instance.id

  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.instance_statements
  })
}

resource "aws_apprunner_auto_scaling_configuration_version" "this" {
  auto_scaling_configuration_name = substr(var.name, 0, 32)
  min_size                        = var.min_instances
  max_size                        = var.max_instances
  max_concurrency                 = var.max_concurrency
}

resource "aws_apprunner_service" "this" {
  service_name                   = substr(var.name, 0, 40)
  auto_scaling_configuration_arn = aws_apprunner_auto_scaling_configuration_version.this.arn

  source_configuration {
    # Deployments are explicit (scripts/build-and-push.sh), so a push alone changes nothing.
    auto_deployments_enabled = false

    authentication_configuration {
      access_role_arn = aws_iam_role.access.arn
    }

    image_repository {
      image_identifier      = "${var.image_repository_url}:${var.image_tag}"
      image_repository_type = "ECR"

      image_configuration {
        port                          = tostring(var.port)
        runtime_environment_variables = var.environment
      }
    }
  }

  instance_configuration {
    cpu               = var.cpu
    memory            = var.memory
    instance_role_arn = aws_iam_role.instance.arn
  }

  health_check_configuration {
    protocol            = "HTTP"
    path                = "/health"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 1
    unhealthy_threshold = 5
  }

  network_configuration {
    egress_configuration {
      egress_type       = "VPC"
      vpc_connector_arn = var.vpc_connector_arn
    }

    ingress_configuration {
      is_publicly_accessible = true
    }
  }

  # The service cannot start before it may pull its image.
  depends_on = [aws_iam_role_policy.access]
}

resource "aws_apprunner_custom_domain_association" "this" {
  count = var.custom_domain == null ? 0 : 1

  service_arn          = aws_apprunner_service.this.arn
  domain_name          = var.custom_domain
  enable_www_subdomain = false
}
