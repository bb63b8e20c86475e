# envs/dev's AWS provider and backend, pointed at moto_server. test/infra/moto-apply.test.ts copies
# this file (and moto.tf) into a temporary copy of envs/dev; Terraform merges an *_override.tf file
# into the blocks it names. Fake credentials, no call to AWS's account or metadata services,
# path-style S3, and one retry: without it the provider retries what moto does not implement for
# more than ten minutes. Every service the stack uses has its endpoint here, so nothing can reach
# AWS itself.
terraform {
  backend "local" {}
}

provider "aws" {
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  max_retries                 = 1

  endpoints {
    apprunner       = var.moto_endpoint
    cognitoidentity = var.moto_endpoint
    cognitoidp      = var.moto_endpoint
    dynamodb        = var.moto_endpoint
    ec2             = var.moto_endpoint
    ecr             = var.moto_endpoint
    iam             = var.moto_endpoint
    s3              = var.moto_endpoint
    secretsmanager  = var.moto_endpoint
    ses             = var.moto_endpoint
    sesv2           = var.moto_endpoint
    sts             = var.moto_endpoint
  }
}
