# Offline: the AWS provider is mocked (values in infra/terraform/tests/mocks).
mock_provider "aws" {
  source = "../../tests/mocks"
}

run "dev_is_small_and_disposable" {
  command = apply

  assert {
    condition     = output.nat_gateway_count == 1
    error_message = "Dev shares one NAT gateway between the AZs."
  }

  assert {
    condition     = !output.table_deletion_protection
    error_message = "Dev can be torn down."
  }

  assert {
    condition     = output.app_environment.STORE == "dynamodb" && output.app_environment.TRUST_PROXY_HOPS == "1"
    error_message = "Dev runs the AWS adapters behind App Runner's proxy."
  }
}
