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
