# Offline: the AWS provider is mocked, so these runs check what the module asks AWS for.
mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/gatehouse-test-apprunner" }
  }

  mock_resource "aws_apprunner_auto_scaling_configuration_version" {
    defaults = { arn = "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/gatehouse-test/1/0123456789abcdef0123456789abcdef" }
  }

  mock_resource "aws_apprunner_service" {
    defaults = {
      arn         = "arn:aws:apprunner:us-east-1:123456789012:service/gatehouse-test/0123456789abcdef0123456789abcdef"
      service_url = "abcdefghij.us-east-1.awsapprunner.com"
    }
  }
}

variables {
  name                 = "gatehouse-test"
  image_repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/gatehouse-test"
  access_role_arn      = "arn:aws:iam::123456789012:role/gatehouse-test-apprunner-access"
  image_tag            = "0123456789ab"
  table_arn            = "arn:aws:dynamodb:us-east-1:123456789012:table/gatehouse-test"
  bucket_arn           = "arn:aws:s3:::gatehouse-test-files"
  secret_arn           = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gatehouse-test/app-AbCdEf"
  user_pool_arn        = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TestPool1"
  environment          = { HOST = "0.0.0.0", STORE = "dynamodb" }
}

run "instance_role_is_least_privilege" {
  command = apply

  assert {
    condition = {
      for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : s.Sid => s.Resource
      } == {
      Table         = [var.table_arn, "${var.table_arn}/index/*"]
      BucketList    = [var.bucket_arn]
      BucketObjects = ["${var.bucket_arn}/files/*", "${var.bucket_arn}/photos/*"]
      Secret        = [var.secret_arn]
      UserPool      = [var.user_pool_arn]
    }
    error_message = "The app may touch this table and its indexes, list this bucket and reach the objects under its own prefixes, read this secret and administer this pool, nothing else."
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : s.Action if s.Sid == "BucketList"] == [["s3:ListBucket"]]
    error_message = "Listing the bucket (a missing key is then a 404, not a 403; HeadBucket works) and nothing else on the bucket itself."
  }

  assert {
    condition     = !anytrue([for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : contains(s.Action, "ses:SendEmail")])
    error_message = "No mail permission without an SES identity."
  }

  assert {
    condition = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.instance.policy).Statement :
    [for a in s.Action : !strcontains(a, "*")]]))
    error_message = "No wildcard actions."
  }

  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : s.Effect == "Allow" && !contains(s.Resource, "*")])
    error_message = "No statement grants on every resource."
  }

  assert {
    condition     = !anytrue([for a in jsondecode(aws_iam_role_policy.instance.policy).Statement[0].Action : contains(["dynamodb:Scan", "dynamodb:DeleteTable", "dynamodb:UpdateTable"], a)])
    error_message = "The app neither scans nor changes the table itself."
  }

  assert {
    condition     = jsondecode(aws_iam_role.instance.assume_role_policy).Statement[0].Principal.Service == "tasks.apprunner.amazonaws.com"
    error_message = "Only App Runner tasks assume the instance role."
  }
}

run "service_runs_the_image_behind_a_health_check" {
  command = apply

  assert {
    condition     = aws_apprunner_service.this.health_check_configuration[0].path == "/health" && aws_apprunner_service.this.health_check_configuration[0].protocol == "HTTP"
    error_message = "App Runner checks GET /health."
  }

  assert {
    condition     = aws_apprunner_service.this.source_configuration[0].image_repository[0].image_identifier == "${var.image_repository_url}:0123456789ab"
    error_message = "The service is created with the given image of this repository."
  }

  assert {
    condition     = aws_apprunner_service.this.source_configuration[0].authentication_configuration[0].access_role_arn == var.access_role_arn
    error_message = "App Runner pulls with the registry's access role."
  }

  assert {
    condition     = aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_variables == var.environment
    error_message = "The environment is passed through unchanged."
  }

  assert {
    condition     = aws_apprunner_service.this.network_configuration[0].egress_configuration[0].egress_type == "DEFAULT" && aws_apprunner_service.this.network_configuration[0].egress_configuration[0].vpc_connector_arn == null
    error_message = "Without a VPC connector, outbound traffic uses App Runner's default egress (no NAT gateway)."
  }

  assert {
    condition     = aws_apprunner_service.this.auto_scaling_configuration_arn == aws_apprunner_auto_scaling_configuration_version.this.arn
    error_message = "The service uses its own auto scaling configuration."
  }

  assert {
    condition     = aws_apprunner_service.this.instance_configuration[0].instance_role_arn == aws_iam_role.instance.arn
    error_message = "The app runs with the least-privilege instance role."
  }

  assert {
    condition     = length(aws_apprunner_custom_domain_association.this) == 0
    error_message = "No custom domain unless one is given."
  }
}

run "custom_domain_and_kms_keys_when_given" {
  command = apply

  variables {
    custom_domain = "app.example.com"
    kms_key_arns  = ["arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100"]
  }

  assert {
    condition     = aws_apprunner_custom_domain_association.this[0].domain_name == "app.example.com"
    error_message = "The custom domain is associated."
  }

  assert {
    condition     = jsonencode([for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : s.Resource if s.Sid == "Keys"]) == jsonencode([var.kms_key_arns])
    error_message = "KMS use is limited to the given keys."
  }
}

run "secrets_are_refused_in_the_environment" {
  command = plan

  variables {
    environment = { STRIPE_SECRET = "sk_test_x" }
  }

  expect_failures = [var.environment]
}

run "port_belongs_to_app_runner" {
  command = plan

  variables {
    environment = { PORT = "8080" }
  }

  expect_failures = [var.environment]
}

run "identity_pool_grant_only_when_given" {
  command = apply

  variables {
    identity_pool_arn = "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/us-east-1:0f0e0d0c-0b0a-0908-0706-050403020100"
  }

  assert {
    condition = [
      for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : s if s.Sid == "IdentityPool"
      ] == [{
        Sid      = "IdentityPool"
        Effect   = "Allow"
        Action   = ["cognito-identity:GetOpenIdTokenForDeveloperIdentity"]
        Resource = [var.identity_pool_arn]
    }]
    error_message = "The app may mint developer-identity tokens in this identity pool only, and do nothing else there."
  }
}

run "egress_through_the_vpc_connector_when_given" {
  command = apply

  variables {
    vpc_connector_arn = "arn:aws:apprunner:us-east-1:123456789012:vpcconnector/gatehouse-test/1/0123456789abcdef0123456789abcdef"
  }

  assert {
    condition     = aws_apprunner_service.this.network_configuration[0].egress_configuration[0].egress_type == "VPC" && aws_apprunner_service.this.network_configuration[0].egress_configuration[0].vpc_connector_arn == var.vpc_connector_arn
    error_message = "Outbound traffic goes through the VPC connector."
  }
}

run "mail_only_from_the_configured_identity_and_address" {
  command = apply

  variables {
    ses_identity_arn          = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    ses_configuration_set_arn = "arn:aws:ses:us-east-1:123456789012:configuration-set/gatehouse"
    mail_from                 = "Gatehouse <no-reply@example.com>"
  }

  assert {
    condition = [
      for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : s if s.Sid == "SendMail"
      ] == [{
        Sid       = "SendMail"
        Effect    = "Allow"
        Action    = ["ses:SendEmail"]
        Resource  = [var.ses_identity_arn, var.ses_configuration_set_arn]
        Condition = { StringEquals = { "ses:FromAddress" = "no-reply@example.com" } }
    }]
    error_message = "The app may send through this identity (and configuration set) only, from MAIL_FROM's address only."
  }
}

run "mail_needs_a_from_address" {
  command = plan

  variables {
    ses_identity_arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
  }

  expect_failures = [aws_iam_role_policy.instance]
}

run "object_prefixes_are_folders" {
  command = plan

  variables {
    bucket_object_prefixes = ["*"]
  }

  expect_failures = [var.bucket_object_prefixes]
}

run "no_service_without_an_image" {
  command = plan

  variables {
    image_tag = null
  }

  expect_failures = [aws_apprunner_service.this]
}
