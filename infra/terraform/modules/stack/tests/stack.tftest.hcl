# Offline: the AWS provider is mocked (values in infra/terraform/tests/mocks), so these runs check
# how the modules are wired, not AWS itself.
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name        = "gatehouse-test"
  environment = "test"
  production  = false
  image_tag   = "0123456789ab"
}

run "app_environment_comes_from_the_modules" {
  command = apply

  assert {
    condition     = output.app_environment.DYNAMODB_TABLE == module.data.table_name && output.app_environment.S3_BUCKET == module.storage.bucket_name
    error_message = "The app is told this stack's table and bucket."
  }

  assert {
    condition     = output.app_environment.COGNITO_USER_POOL_ID == "us-east-1_TestPool1" && output.app_environment.COGNITO_CLIENT_ID == module.identity.client_id
    error_message = "The app is told this stack's user pool and client."
  }

  assert {
    condition     = output.app_environment.SECRETS_ID == module.secrets.secret_arn && output.app_environment.AWS_REGION == "us-east-1"
    error_message = "The app is told its secret and region."
  }

  assert {
    condition = (output.app_environment.IDENTITY_PROVIDER == "cognito" && output.app_environment.STORE == "dynamodb" &&
    output.app_environment.BLOBS == "s3" && output.app_environment.SECRETS == "aws")
    error_message = "The AWS adapters are selected."
  }

  assert {
    condition     = !contains(keys(output.app_environment), "APP_ORIGIN")
    error_message = "APP_ORIGIN is left unset until the origin is known, rather than guessed."
  }

  assert {
    condition     = module.storage.bucket_name == "gatehouse-test-files-123456789012"
    error_message = "The bucket name carries the account ID, so it is globally unique."
  }

  assert {
    condition     = output.nat_gateway_count == 0 && length(module.network) == 0 && !output.table_deletion_protection
    error_message = "Outside production by default: App Runner's own egress (no VPC, no NAT gateway), no deletion protection."
  }

  assert {
    condition     = jsonencode(module.app.environment) == jsonencode(output.app_environment)
    error_message = "The service gets exactly the environment the stack reports."
  }

  assert {
    condition     = output.app_environment.MAIL == "outbox" && output.app_environment.ALLOW_DEV_OUTBOX == "1" && !contains(keys(output.app_environment), "MAIL_FROM")
    error_message = "Without an SES identity, dev keeps the outbox, saying so to the app's production guard."
  }

  assert {
    condition     = module.secrets.secret_arn == output.app_environment.SECRETS_ID
    error_message = "The app reads the secret that Terraform gave its first value."
  }
}

run "the_secret_starts_with_the_app_client_secret_and_goes_at_once" {
  command = apply

  assert {
    condition     = module.secrets.secret_name == "gatehouse-test/app"
    error_message = "One secret per environment."
  }

  assert {
    condition     = module.secrets.recovery_window_in_days == 0
    error_message = "Outside production a destroyed secret is deleted at once, so the environment can be re-created the same day."
  }
}

run "vpc_egress_when_asked" {
  command = apply

  variables {
    egress = "vpc"
  }

  assert {
    condition     = output.nat_gateway_count == 1 && length(module.network) == 1
    error_message = "egress = vpc: the network with one NAT gateway outside production."
  }
}

run "mail_through_ses_from_the_configured_identity" {
  command = apply

  variables {
    ses_identity          = "example.com"
    ses_configuration_set = "gatehouse"
    mail_from             = "Gatehouse <no-reply@mail.example.com>"
    mail_reply_to         = "support@example.com"
  }

  assert {
    condition = {
      for k, v in output.app_environment : k => v if startswith(k, "MAIL") || startswith(k, "SES") || k == "ALLOW_DEV_OUTBOX"
      } == {
      MAIL                  = "ses"
      MAIL_FROM             = "Gatehouse <no-reply@mail.example.com>"
      MAIL_REPLY_TO         = "support@example.com"
      SES_CONFIGURATION_SET = "gatehouse"
    }
    error_message = "The app's mail settings come from the stack's variables (SES_REGION only when it differs)."
  }

  assert {
    condition = [for s in jsondecode(module.app.instance_policy).Statement : s.Resource if s.Sid == "SendMail"] == [[
      "arn:aws:ses:us-east-1:123456789012:identity/example.com",
      "arn:aws:ses:us-east-1:123456789012:configuration-set/gatehouse",
    ]]
    error_message = "The service may send through this identity and configuration set only."
  }

  assert {
    condition     = module.identity.email_sending_account == "DEVELOPER"
    error_message = "Cognito sends its codes through the same identity."
  }
}

run "ses_in_another_region" {
  command = apply

  variables {
    ses_identity = "no-reply@example.com"
    ses_region   = "eu-west-1"
    mail_from    = "Gatehouse <no-reply@example.com>"
  }

  assert {
    condition     = output.app_environment.SES_REGION == "eu-west-1" && [for s in jsondecode(module.app.instance_policy).Statement : s.Resource if s.Sid == "SendMail"] == [["arn:aws:ses:eu-west-1:123456789012:identity/no-reply@example.com"]]
    error_message = "SES_REGION and the identity ARN follow ses_region."
  }
}

run "mail_from_must_belong_to_the_identity" {
  command = plan

  variables {
    ses_identity = "example.com"
    mail_from    = "Gatehouse <no-reply@evil-example.com>"
  }

  expect_failures = [var.mail_from]
}

run "production_needs_a_mail_sender" {
  command = plan

  variables {
    production = true
  }

  expect_failures = [var.ses_identity]
}

run "production_safeguards" {
  command = apply

  variables {
    production    = true
    egress        = "vpc"
    custom_domain = "app.example.com"
    ses_identity  = "example.com"
    mail_from     = "Gatehouse <no-reply@example.com>"
  }

  assert {
    condition     = output.nat_gateway_count == 2 && output.table_deletion_protection
    error_message = "Production: a NAT gateway per AZ and a protected table."
  }

  assert {
    condition     = module.secrets.recovery_window_in_days == 30 && !contains(keys(output.app_environment), "ALLOW_DEV_OUTBOX")
    error_message = "Production: a deleted secret stays recoverable for 30 days; no dev outbox."
  }

  assert {
    condition     = output.app_origin == "https://app.example.com" && output.app_environment.APP_ORIGIN == "https://app.example.com"
    error_message = "A custom domain becomes the app's origin."
  }
}

run "embedded_adapters_are_one_instance" {
  command = apply

  variables {
    adapters      = "embedded"
    max_instances = 1
    app_origin    = "https://abcdefghij.us-east-1.awsapprunner.com"
  }

  assert {
    condition     = !contains(keys(output.app_environment), "STORE") && output.app_environment.APP_ORIGIN == var.app_origin
    error_message = "Embedded mode selects no AWS adapter."
  }
}

run "embedded_adapters_refuse_scaling_out" {
  command = plan

  variables {
    adapters = "embedded"
  }

  expect_failures = [var.max_instances]
}

run "social_providers_reach_the_app_and_the_hosted_ui" {
  command = apply

  variables {
    app_origin            = "https://app.example.com"
    social_client_ids     = { google = "1234.apps.googleusercontent.com", amazon = "amzn1.application-oa2-client.1" }
    oidc_provider         = { name = "Example_SSO", issuer = "https://sso.example.com/realms/main", client_id = "gatehouse" }
    social_client_secrets = { google = "test-only", amazon = "test-only", oidc = "test-only" }
  }

  assert {
    condition     = output.app_environment.COGNITO_IDENTITY_PROVIDERS == "Google,LoginWithAmazon,Example_SSO"
    error_message = "The app is told which pool providers to offer, in order."
  }

  assert {
    condition = output.hosted_ui_callback_urls == [
      "https://app.example.com/api/auth/oauth/google/callback",
      "https://app.example.com/api/auth/oauth/amazon/callback",
      "https://app.example.com/api/auth/oauth/example-sso/callback",
    ]
    error_message = "The Hosted UI may return to the app's callback of each enabled provider, and nowhere else."
  }
}
