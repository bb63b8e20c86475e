# Offline: the AWS provider is mocked, so these runs check what the module asks AWS for.
mock_provider "aws" {}

variables {
  name          = "gatehouse-test/app"
  initial_value = { COGNITO_CLIENT_SECRET = "test-only" }
}

run "secret_gets_its_first_value_write_only" {
  command = apply

  assert {
    condition     = aws_secretsmanager_secret.app.name == "gatehouse-test/app"
    error_message = "The secret is named after the environment."
  }

  assert {
    condition     = aws_secretsmanager_secret.app.recovery_window_in_days == 30
    error_message = "A deleted secret stays recoverable for 30 days by default."
  }

  assert {
    condition     = aws_secretsmanager_secret_version.initial.secret_id == aws_secretsmanager_secret.app.id && aws_secretsmanager_secret_version.initial.secret_string_wo_version == 1
    error_message = "The secret gets its first value in the same apply."
  }

  assert {
    condition     = aws_secretsmanager_secret_version.initial.secret_string == null && aws_secretsmanager_secret_version.initial.secret_string_wo == null
    error_message = "The value is write-only: it is in neither the plan nor the state."
  }
}

run "recovery_window_is_checked" {
  command = plan

  variables {
    recovery_window_in_days = 3
  }

  expect_failures = [var.recovery_window_in_days]
}

run "a_disposable_secret_is_deleted_at_once" {
  command = plan

  variables {
    recovery_window_in_days = 0
  }

  assert {
    condition     = aws_secretsmanager_secret.app.recovery_window_in_days == 0
    error_message = "0 deletes the secret at once, so the environment can be re-created under the same name."
  }
}
