# Offline: the AWS provider is mocked, so these runs check what the module asks AWS for.
mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = { names = ["us-east-1a", "us-east-1b", "us-east-1c"] }
  }

  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
}

variables {
  name = "gatehouse-test"
}

run "two_azs_with_private_subnets_behind_nat" {
  command = plan

  assert {
    condition     = length(aws_subnet.public) == 2 && length(aws_subnet.private) == 2
    error_message = "A public and a private subnet in each of two AZs."
  }

  assert {
    condition     = toset(aws_subnet.private[*].availability_zone) == toset(["us-east-1a", "us-east-1b"])
    error_message = "The private subnets span two AZs."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.private : !s.map_public_ip_on_launch])
    error_message = "Nothing in a private subnet gets a public IP."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1
    error_message = "One shared NAT gateway by default."
  }

  assert {
    condition     = toset(keys(aws_vpc_endpoint.gateway)) == toset(["dynamodb", "s3"]) && aws_vpc_endpoint.gateway["s3"].service_name == "com.amazonaws.us-east-1.s3"
    error_message = "DynamoDB and S3 traffic stays on gateway endpoints."
  }

  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "The default security group allows nothing."
  }
}

run "connector_only_sends_out" {
  command = plan

  assert {
    condition     = toset(keys(aws_vpc_security_group_egress_rule.connector)) == toset(["443", "587"])
    error_message = "The connector may reach HTTPS and SMTP submission only."
  }

  assert {
    condition     = length(aws_security_group.connector.ingress) == 0
    error_message = "Nothing may connect in through the connector's group."
  }
}

run "one_nat_per_az_when_asked" {
  command = plan

  variables {
    single_nat_gateway = false
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 2
    error_message = "A NAT gateway per AZ."
  }
}
