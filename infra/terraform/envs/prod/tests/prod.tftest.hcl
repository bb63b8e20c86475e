# Offline: the AWS provider is mocked (values in infra/terraform/tests/mocks).
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  image_tag     = "0123456789ab"
  custom_domain = "app.example.com"
  ses_identity  = "example.com"
  mail_from     = "Gatehouse <no-reply@example.com>"
}

run "prod_keeps_its_data" {
  command = apply

  assert {
    condition     = output.table_deletion_protection
    error_message = "The prod table has deletion protection."
  }

  assert {
    condition     = output.nat_gateway_count == 2
    error_message = "Prod egresses through its VPC with a NAT gateway per AZ."
  }

  assert {
    condition     = output.app_origin == "https://app.example.com"
    error_message = "Prod serves on its custom domain."
  }

  assert {
    condition     = output.app_environment.MAIL == "ses" && module.stack.secret_recovery_window_in_days == 30
    error_message = "Prod sends mail through SES and keeps a deleted secret recoverable for 30 days."
  }
}
