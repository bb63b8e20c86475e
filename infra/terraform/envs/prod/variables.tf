variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"
}

variable "adapters" {
  description = "aws (Cognito, DynamoDB, S3, Secrets Manager) or embedded (one-instance demo of the embedded adapters)."
  type        = string
  default     = "aws"
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC."
  type        = string
  default     = "10.41.0.0/16"
}

variable "app_origin" {
  description = "Public origin (APP_ORIGIN), such as the service_url output after the first apply. Null with a custom_domain uses that."
  type        = string
  default     = null
}

variable "custom_domain" {
  description = "Custom domain such as app.example.com, or null."
  type        = string
  default     = null
}

variable "app_settings" {
  description = "Further plain settings of the app, such as { ADMIN_EMAILS = \"you@example.com\" }."
  type        = map(string)
  default     = {}
}

variable "cpu" {
  description = "vCPU per instance in App Runner units."
  type        = string
  default     = "1024"
}

variable "memory" {
  description = "Memory per instance in MB."
  type        = string
  default     = "2048"
}

variable "min_instances" {
  description = "Instances kept provisioned."
  type        = number
  default     = 1
}

variable "max_instances" {
  description = "Most instances auto scaling may run."
  type        = number
  default     = 10
}

variable "max_concurrency" {
  description = "Concurrent requests per instance before App Runner adds one."
  type        = number
  default     = 100
}

variable "mfa_configuration" {
  description = "Cognito MFA: OPTIONAL or ON."
  type        = string
  default     = "OPTIONAL"
}

variable "ses_identity" {
  description = "Verified SES identity (domain or address) the app and Cognito send mail through; null: Cognito's own sender and a MAIL setting in app_settings (production needs a sender)."
  type        = string
  default     = null
}

variable "ses_region" {
  description = "Region of the SES identity; null: region."
  type        = string
  default     = null
}

variable "ses_configuration_set" {
  description = "SES configuration set to send through, or null."
  type        = string
  default     = null
}

variable "mail_from" {
  description = "MAIL_FROM, such as Gatehouse <no-reply@example.com>: an address of ses_identity."
  type        = string
  default     = null
}

variable "mail_reply_to" {
  description = "MAIL_REPLY_TO, a plain address, or null."
  type        = string
  default     = null
}

variable "egress" {
  description = "default (App Runner's own egress) or vpc (VPC connector, private subnets, NAT gateways); prod: a VPC connector into private subnets behind a NAT gateway per AZ."
  type        = string
  default     = "vpc"
}

variable "availability_zone_ids" {
  description = "With egress = \"vpc\": two zone IDs for the subnets, or null to pick two App Runner serves."
  type        = list(string)
  default     = null
}

variable "image_tag" {
  description = "Tag (git SHA) of the image the service is created with, as scripts/build-and-push.sh pushed it; later releases are the script's."
  type        = string
  default     = null
}

variable "social_client_ids" {
  description = "OAuth client IDs of the social providers to enable (google, facebook, amazon)."
  type = object({
    google   = optional(string)
    facebook = optional(string)
    amazon   = optional(string)
  })
  default = {}
}

variable "oidc_provider" {
  description = "Any other OpenID Connect provider: name (in the pool and on the button), https issuer, client ID; its secret is social_client_secrets[\"oidc\"]."
  type = object({
    name      = string
    issuer    = string
    client_id = string
    scopes    = optional(string, "openid email profile")
  })
  default = null
}

variable "social_client_secrets" {
  description = "OAuth client secrets keyed google, facebook, amazon, oidc. Set TF_VAR_social_client_secrets in the shell, never in a file."
  type        = map(string)
  default     = {}
  sensitive   = true
}
