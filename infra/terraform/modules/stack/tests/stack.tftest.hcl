# Offline: the AWS provider is mocked (values in infra/terraform/tests/mocks), so these runs check
# how the modules are wired, not AWS itself.
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name        = "gatehouse-test"
  environment = "test"
  production  = false
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
    condition     = output.nat_gateway_count == 1 && !output.table_deletion_protection
    error_message = "Outside production: one NAT gateway, no deletion protection."
  }
}

run "production_safeguards" {
  command = apply

  variables {
    production    = true
    custom_domain = "app.example.com"
  }

  assert {
    condition     = output.nat_gateway_count == 2 && output.table_deletion_protection
    error_message = "Production: a NAT gateway per AZ and a protected table."
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
