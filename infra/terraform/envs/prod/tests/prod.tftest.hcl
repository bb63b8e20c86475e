# Offline: the AWS provider is mocked (values in infra/terraform/tests/mocks).
mock_provider "aws" {
  source = "../../tests/mocks"
}

run "prod_keeps_its_data" {
  command = apply

  variables {
    custom_domain = "app.example.com"
  }

  assert {
    condition     = output.table_deletion_protection
    error_message = "The prod table has deletion protection."
  }

  assert {
    condition     = output.nat_gateway_count == 2
    error_message = "Prod has a NAT gateway per AZ."
  }

  assert {
    condition     = output.app_origin == "https://app.example.com"
    error_message = "Prod serves on its custom domain."
  }
}
