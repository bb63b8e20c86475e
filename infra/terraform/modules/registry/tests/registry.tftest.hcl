# Offline: the AWS provider is mocked, so these runs check what the module asks AWS for.
mock_provider "aws" {
  mock_resource "aws_ecr_repository" {
    defaults = { arn = "arn:aws:ecr:us-east-1:123456789012:repository/gatehouse-test" }
  }
}

variables {
  name = "gatehouse-test"
}

run "images_are_immutable_scanned_and_pruned" {
  command = apply

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "A tag names one image for good: no push can change what a service or a rollback points at."
  }

  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "Every pushed image is scanned."
  }

  assert {
    condition     = length(jsondecode(aws_ecr_lifecycle_policy.this.policy).rules) == 2
    error_message = "The lifecycle policy expires untagged and old images."
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[1].selection.countNumber == 30
    error_message = "The 30 newest images are kept for rollback."
  }
}

run "app_runner_pulls_this_repository_only" {
  command = apply

  assert {
    condition = {
      for s in jsondecode(aws_iam_role_policy.apprunner_access.policy).Statement : s.Sid => s.Resource
    } == { Login = ["*"], Pull = [aws_ecr_repository.this.arn] }
    error_message = "Image pulls are limited to this repository (GetAuthorizationToken has no resource scope)."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.apprunner_access.policy).Statement[0].Action == ["ecr:GetAuthorizationToken"]
    error_message = "Only the token call is granted on every resource."
  }

  assert {
    condition     = jsondecode(aws_iam_role.apprunner_access.assume_role_policy).Statement[0].Principal.Service == "build.apprunner.amazonaws.com"
    error_message = "Only App Runner's build service assumes the access role."
  }
}
