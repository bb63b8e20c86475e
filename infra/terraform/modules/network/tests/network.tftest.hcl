# Offline: the AWS provider is mocked, so these runs check what the module asks AWS for.
mock_provider "aws" {
  # As in an account where us-east-1a is the zone App Runner's connector does not serve.
  mock_data "aws_availability_zones" {
    defaults = {
      names    = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]
      zone_ids = ["use1-az3", "use1-az6", "use1-az1", "use1-az2"]
    }
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
    condition     = aws_subnet.private[*].availability_zone_id == ["use1-az6", "use1-az1"] && aws_subnet.public[*].availability_zone_id == ["use1-az6", "use1-az1"]
    error_message = "The subnets span two zones chosen by ID, skipping use1-az3 where App Runner's connector does not run."
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

run "zones_can_be_pinned_by_id" {
  command = plan

  variables {
    availability_zone_ids = ["use1-az2", "use1-az4"]
  }

  assert {
    condition     = aws_subnet.private[*].availability_zone_id == ["use1-az2", "use1-az4"]
    error_message = "Given zone IDs are used as they are."
  }
}

run "two_zones_are_required" {
  command = plan

  variables {
    excluded_zone_ids = ["use1-az3", "use1-az6", "use1-az1"]
  }

  expect_failures = [aws_vpc.this]
}
