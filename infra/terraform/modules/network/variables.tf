variable "name" {
  description = "Name prefix for every resource, such as gatehouse-dev."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 range of the VPC. Subnets are /24s carved from it (public 0-1, private 10-11)."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) <= 16
    error_message = "cidr_block must be an IPv4 CIDR of /16 or larger."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway shared by both AZs (cheaper) instead of one per AZ (survives an AZ outage)."
  type        = bool
  default     = true
}

variable "extra_egress_ports" {
  description = "TCP ports, besides 443, the service may reach on the internet (587 for SMTP submission)."
  type        = list(number)
  default     = [587]
}

variable "availability_zone_ids" {
  description = "The two zone IDs (such as use1-az1, use1-az2) of the subnets; null picks the region's first two available zone IDs outside excluded_zone_ids."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zone_ids == null || length(coalesce(var.availability_zone_ids, [])) == 2
    error_message = "availability_zone_ids names exactly two zone IDs."
  }
}

variable "excluded_zone_ids" {
  description = "Zone IDs never picked by default: use1-az3 (us-east-1), where App Runner's VPC connector (like several newer services) does not run. Add any zone the connector refuses in your region."
  type        = list(string)
  default     = ["use1-az3"]
}
