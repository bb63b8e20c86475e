# Values for the mocked AWS provider in the stack and environment tests. The provider still
# validates IDs and ARNs it is given, so these look like real ones; everything else the mock
# generates.
mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}

mock_data "aws_region" {
  defaults = { name = "us-east-1" }
}

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}

mock_data "aws_availability_zones" {
  defaults = {
    names    = ["us-east-1a", "us-east-1b", "us-east-1c"]
    zone_ids = ["use1-az6", "use1-az1", "use1-az2"]
  }
}

mock_resource "aws_cognito_user_pool" {
  defaults = {
    id       = "us-east-1_TestPool1"
    arn      = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TestPool1"
    endpoint = "cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
  }
}

mock_resource "aws_cognito_identity_pool" {
  defaults = { id = "us-east-1:0f0e0d0c-0b0a-0908-0706-050403020100" }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/gatehouse-mock" }
}

mock_resource "aws_cognito_user_pool_client" {
  defaults = { id = "0123456789abcdefghijklmnop", client_secret = "mock-client-secret" }
}

mock_resource "aws_dynamodb_table" {
  defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/gatehouse-mock" }
}

mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::gatehouse-mock-files" }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gatehouse-mock/app-AbCdEf" }
}

mock_resource "aws_ecr_repository" {
  defaults = {
    arn            = "arn:aws:ecr:us-east-1:123456789012:repository/gatehouse-mock"
    repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/gatehouse-mock"
  }
}

mock_resource "aws_apprunner_vpc_connector" {
  defaults = { arn = "arn:aws:apprunner:us-east-1:123456789012:vpcconnector/gatehouse-mock/1/0123456789abcdef0123456789abcdef" }
}

mock_resource "aws_apprunner_auto_scaling_configuration_version" {
  defaults = { arn = "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/gatehouse-mock/1/0123456789abcdef0123456789abcdef" }
}

mock_resource "aws_apprunner_service" {
  defaults = {
    arn         = "arn:aws:apprunner:us-east-1:123456789012:service/gatehouse-mock/0123456789abcdef0123456789abcdef"
    service_url = "abcdefghij.us-east-1.awsapprunner.com"
  }
}
