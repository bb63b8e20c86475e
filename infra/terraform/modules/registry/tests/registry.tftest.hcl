# Offline: the AWS provider is mocked, so these runs check what the module asks AWS for.
mock_provider "aws" {}

variables {
  name = "gatehouse-test"
}

run "images_are_scanned_and_pruned" {
  command = plan

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
