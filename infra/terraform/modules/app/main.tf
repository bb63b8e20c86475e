locals {
  # The address MAIL_FROM sends from, without its display name ("Gatehouse <a@b>" -> "a@b").
  mail_from_address = var.mail_from == null ? null : try(regex("<([^<>]+)>\\s*$", var.mail_from)[0], trimspace(var.mail_from))

  # The instance role's permissions, one statement per resource it may touch and nothing else.
  instance_statements = concat(
    [
      {
        Sid      = "Table"
        Effect   = "Allow"
        Action   = var.table_actions
        Resource = [var.table_arn, "${var.table_arn}/index/*"]
      },
      # Listing is what makes a missing key answer 404 rather than 403 (S3 hides whether a key
      # exists from a caller that may not list), and what HeadBucket (/ready) and the sweep of a
      # deleted account's files need. It reveals key names only, in the app's own bucket.
      {
        Sid      = "BucketList"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [var.bucket_arn]
      },
      {
        Sid      = "BucketObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
        Resource = [for p in var.bucket_object_prefixes : "${var.bucket_arn}/${p}*"]
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
    # SES checks SendEmail against the sending identity (and the configuration set, when one is
    # used); the condition pins the From address to MAIL_FROM's.
    var.ses_identity_arn == null ? [] : [{
      Sid       = "SendMail"
      Effect    = "Allow"
      Action    = ["ses:SendEmail"]
      Resource  = compact([var.ses_identity_arn, var.ses_configuration_set_arn])
      Condition = { StringEquals = { "ses:FromAddress" = local.mail_from_address } }
    }],
    length(var.kms_key_arns) == 0 ? [] : [{
      Sid      = "Keys"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource = var.kms_key_arns
    }],
  )
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

  lifecycle {
    precondition {
      condition     = var.ses_identity_arn == null || local.mail_from_address != null
      error_message = "mail_from is required with ses_identity_arn: it is the only address the service may send from."
    }
  }
}

# A changed min, max or concurrency is a new revision of this configuration, which replaces the old
# one; the old one cannot be deleted while the service still uses it, so the new one comes first.
resource "aws_apprunner_auto_scaling_configuration_version" "this" {
  auto_scaling_configuration_name = substr(var.name, 0, 32)
  min_size                        = var.min_instances
  max_size                        = var.max_instances
  max_concurrency                 = var.max_concurrency

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_apprunner_service" "this" {
  service_name                   = substr(var.name, 0, 40)
  auto_scaling_configuration_arn = aws_apprunner_auto_scaling_configuration_version.this.arn

  source_configuration {
    # Deployments are explicit (scripts/build-and-push.sh), so a push alone changes nothing.
    auto_deployments_enabled = false

    authentication_configuration {
      access_role_arn = var.access_role_arn
    }

    image_repository {
      image_identifier      = "${var.image_repository_url}:${coalesce(var.image_tag, "unset")}"
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
    # DEFAULT: App Runner's own egress to the internet, no VPC and no NAT gateway to pay for; VPC:
    # through the connector into private subnets (reach private resources, fixed egress rules).
    egress_configuration {
      egress_type       = var.vpc_connector_arn == null ? "DEFAULT" : "VPC"
      vpc_connector_arn = var.vpc_connector_arn
    }

    ingress_configuration {
      is_publicly_accessible = true
    }
  }

  lifecycle {
    precondition {
      condition     = var.image_tag != null
      error_message = "image_tag is not set: push an image first (scripts/build-and-push.sh --env <env> --no-deploy prints its tag) and set image_tag to it (docs/deploy.md)."
    }

    # image_tag is the image the service is created with; after that scripts/build-and-push.sh
    # deploys (and rolls back) by changing the image, and Terraform keeps whichever is running.
    ignore_changes = [source_configuration[0].image_repository[0].image_identifier]
  }

  # The app reads its secret and table at start: its permissions exist before the first instance.
  # (The secret's value comes first through var.environment's SECRETS_ID; see modules/secrets.)
  depends_on = [aws_iam_role_policy.instance]
}

resource "aws_apprunner_custom_domain_association" "this" {
  count = var.custom_domain == null ? 0 : 1

  service_arn          = aws_apprunner_service.this.arn
  domain_name          = var.custom_domain
  enable_www_subdomain = false
}
