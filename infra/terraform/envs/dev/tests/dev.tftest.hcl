# Offline: the AWS provider is mocked (values in infra/terraform/tests/mocks).
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  image_tag = "0123456789ab"
}

run "dev_is_small_cheap_and_disposable" {
  command = apply

  assert {
    condition     = output.nat_gateway_count == 0 && module.stack.egress == "default"
    error_message = "Dev uses App Runner's own egress: no VPC, no NAT gateway."
  }

  assert {
    condition     = !output.table_deletion_protection
    error_message = "Dev can be torn down."
  }

  assert {
    condition     = module.stack.secret_recovery_window_in_days == 0
    error_message = "Dev's secret is deleted at once on destroy, so dev can be re-created the same day."
  }

  assert {
    condition     = output.app_environment.STORE == "dynamodb" && output.app_environment.TRUST_PROXY_HOPS == "1"
    error_message = "Dev runs the AWS adapters behind App Runner's proxy."
  }
}
