# Offline: the AWS provider is mocked, so these runs check what the module asks AWS for.
mock_provider "aws" {}

variables {
  name = "gatehouse-test/app"
}

run "secret_has_no_value_in_terraform" {
  command = plan

  assert {
    condition     = aws_secretsmanager_secret.app.name == "gatehouse-test/app"
    error_message = "The secret is named after the environment."
  }

  assert {
    condition     = aws_secretsmanager_secret.app.recovery_window_in_days == 30
    error_message = "A deleted secret stays recoverable for 30 days by default."
  }
}

run "recovery_window_is_checked" {
  command = plan

  variables {
    recovery_window_in_days = 3
  }

  expect_failures = [var.recovery_window_in_days]
}
