output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per AZ."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per AZ; the VPC connector uses them."
  value       = aws_subnet.private[*].id
}

output "nat_gateway_count" {
  description = "How many NAT gateways run (each is billed by the hour)."
  value       = length(aws_nat_gateway.this)
}

output "connector_security_group_id" {
  description = "Security group of the App Runner VPC connector."
  value       = aws_security_group.connector.id
}

output "vpc_connector_arn" {
  description = "ARN of the App Runner VPC connector."
  value       = aws_apprunner_vpc_connector.this.arn
}
