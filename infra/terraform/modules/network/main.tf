# Zones are chosen by ID, not by name: a name such as us-east-1a points at a different physical
# zone in each account, while an ID (use1-az1) is the same everywhere, and App Runner's VPC
# connector serves some zone IDs only. Local and Wavelength zones (opt-in) are never candidates.
data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

data "aws_region" "current" {}

locals {
  candidate_zone_ids = [for id in data.aws_availability_zones.available.zone_ids : id if !contains(var.excluded_zone_ids, id)]
  azs = (var.availability_zone_ids != null ? var.availability_zone_ids :
  slice(local.candidate_zone_ids, 0, min(2, length(local.candidate_zone_ids))))
  # One NAT gateway is the largest fixed cost of the stack; prod pays for one per AZ so an AZ
  # outage does not cut the other AZ's egress.
  nat_count = var.single_nat_gateway ? 1 : length(local.azs)
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.name }

  lifecycle {
    precondition {
      condition     = length(local.azs) == 2
      error_message = "Two availability zones are needed: set availability_zone_ids to two zone IDs App Runner serves in this region (aws ec2 describe-availability-zones lists the IDs)."
    }
  }
}

# The default security group allows all traffic between its members; nothing should use it.
resource "aws_default_security_group" "this" {
  vpc_id  = aws_vpc.this.id
  ingress = []
  egress  = []

  tags = { Name = "${var.name}-default-unused" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = var.name }
}

resource "aws_subnet" "public" {
  count = length(local.azs)

  vpc_id               = aws_vpc.this.id
  availability_zone_id = local.azs[count.index]
  cidr_block           = cidrsubnet(var.cidr_block, 8, count.index)

  # Only the NAT gateways live here, with their own Elastic IPs.
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-public-${local.azs[count.index]}", Tier = "public" }
}

resource "aws_subnet" "private" {
  count = length(local.azs)

  vpc_id               = aws_vpc.this.id
  availability_zone_id = local.azs[count.index]
  cidr_block           = cidrsubnet(var.cidr_block, 8, count.index + 10)

  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-private-${local.azs[count.index]}", Tier = "private" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }

  tags = { Name = "${var.name}-public" }
}

resource "aws_route_table_association" "public" {
  count = length(local.azs)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"

  tags = { Name = "${var.name}-nat-${count.index}" }
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = { Name = "${var.name}-${local.azs[count.index]}" }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  count = length(local.azs)

  vpc_id = aws_vpc.this.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this[min(count.index, local.nat_count - 1)].id
  }

  tags = { Name = "${var.name}-private-${local.azs[count.index]}" }
}

resource "aws_route_table_association" "private" {
  count = length(local.azs)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# Gateway endpoints are free and keep DynamoDB and S3 traffic off the NAT gateway, whose data
# processing is billed per GB.
resource "aws_vpc_endpoint" "gateway" {
  for_each = toset(["dynamodb", "s3"])

  vpc_id            = aws_vpc.this.id
  vpc_endpoint_type = "Gateway"
  service_name      = "com.amazonaws.${data.aws_region.current.name}.${each.key}"
  route_table_ids   = aws_route_table.private[*].id

  tags = { Name = "${var.name}-${each.key}" }
}

# App Runner's VPC connector places the service's outbound interfaces in the private subnets.
# Nothing connects in, so the group has no ingress rule; egress is limited to the ports the app
# uses (HTTPS to AWS APIs and Stripe, plus any listed, such as SMTP submission).
resource "aws_security_group" "connector" {
  name        = "${var.name}-apprunner-connector"
  description = "Outbound traffic of the App Runner service"
  vpc_id      = aws_vpc.this.id
  ingress     = []

  tags = { Name = "${var.name}-apprunner-connector" }
}

resource "aws_vpc_security_group_egress_rule" "connector" {
  for_each = toset([for p in concat([443], var.extra_egress_ports) : tostring(p)])

  security_group_id = aws_security_group.connector.id
  description       = "TCP ${each.key} to anywhere"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_apprunner_vpc_connector" "this" {
  vpc_connector_name = substr(var.name, 0, 40)
  subnets            = aws_subnet.private[*].id
  security_groups    = [aws_security_group.connector.id]
}
