variable "name" {
  description = "Name prefix of every resource, such as gatehouse-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,23}$", var.name))
    error_message = "name must be 3-24 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (dev, prod)."
  type        = string
}

variable "production" {
  description = "Production safeguards: deletion protection, no force-destroy, a NAT gateway per AZ (with egress = \"vpc\"), 30-day secret recovery (0 otherwise), a mail sender required."
  type        = bool
}

variable "egress" {
  description = "How the service reaches the internet: default (App Runner's own egress: no VPC, no NAT gateway) or vpc (a VPC connector into private subnets behind NAT gateways, for private resources or fixed egress rules)."
  type        = string
  default     = "default"

  validation {
    condition     = contains(["default", "vpc"], var.egress)
    error_message = "egress must be default or vpc."
  }
}

variable "availability_zone_ids" {
  description = "With egress = \"vpc\": the two zone IDs of the subnets (such as use1-az1, use1-az2); null picks two that App Runner's connector serves."
  type        = list(string)
  default     = null
}

variable "adapters" {
  description = "aws: Cognito, DynamoDB, S3 and Secrets Manager (the AWS adapters of issue 6). embedded: the one-machine adapters in the container (a demo; state is lost on redeploy; one instance)."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "embedded"], var.adapters)
    error_message = "adapters must be aws or embedded."
  }
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "service_name" {
  description = "Product name used in Cognito's confirmation email."
  type        = string
  default     = "Gatehouse"
}

variable "app_origin" {
  description = "Public origin of the app (APP_ORIGIN), such as https://abc.us-east-1.awsapprunner.com. Null: https://<custom_domain>, or unset until known (see docs/deploy.md)."
  type        = string
  default     = null
}

variable "custom_domain" {
  description = "Custom domain of the service, such as app.example.com; null serves on the App Runner URL only."
  type        = string
  default     = null
}

variable "image_tag" {
  description = "Tag (git SHA) of the image the service is created with, as scripts/build-and-push.sh pushed it; needed to create the service. Later releases are the script's: Terraform leaves the running image alone."
  type        = string
  default     = null
}

variable "cpu" {
  description = "vCPU per instance in App Runner units (256, 512, 1024, 2048, 4096)."
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
  default     = 4

  validation {
    condition     = var.adapters == "aws" || var.max_instances == 1
    error_message = "With adapters = \"embedded\" every instance has its own data: set max_instances = 1."
  }
}

variable "max_concurrency" {
  description = "Concurrent requests per instance before App Runner adds one."
  type        = number
  default     = 100
}

variable "trust_proxy_hops" {
  description = "TRUST_PROXY_HOPS: proxies in front of the app whose X-Forwarded-For entries are trusted (App Runner's front end is one)."
  type        = number
  default     = 1
}

variable "app_settings" {
  description = "Further plain settings of the app (LOG_LEVEL, ADMIN_EMAILS, SERVICE_NAME, ...); they override the stack's."
  type        = map(string)
  default     = {}
}

variable "mfa_configuration" {
  description = "Cognito MFA: OPTIONAL or ON."
  type        = string
  default     = "OPTIONAL"
}

variable "ses_identity" {
  description = "Verified SES identity (a domain such as example.com, or one address) that the app (MAIL=ses) and Cognito send mail through; null: Cognito's own sender (about 50 emails a day) and, outside production, the app's dev outbox."
  type        = string
  default     = null

  validation {
    condition     = var.ses_identity != null || !var.production || contains(keys(var.app_settings), "MAIL")
    error_message = "Production needs a mail sender: set ses_identity and mail_from, or MAIL=smtp with SMTP_HOST, SMTP_PORT and SMTP_USER in app_settings (SMTP_PASSWORD goes in the secret)."
  }
}

variable "ses_region" {
  description = "Region of the SES identity (SES_REGION); null: the stack's region."
  type        = string
  default     = null
}

variable "ses_configuration_set" {
  description = "SES configuration set to send through (SES_CONFIGURATION_SET; Cognito's email too), or null."
  type        = string
  default     = null
}

variable "mail_from" {
  description = "MAIL_FROM with a display name, such as Gatehouse <no-reply@example.com>; an address of ses_identity. The service may send from this address only."
  type        = string
  default     = null

  validation {
    # The address (in angle brackets after a display name, or alone) is the identity itself, or
    # one at the identity's domain or a subdomain of it, as SES allows.
    condition = var.ses_identity == null || try(
      strcontains(var.ses_identity, "@")
      ? lower(regex("([^<>\\s@]+@[^<>\\s@]+)>?\\s*$", var.mail_from)[0]) == lower(var.ses_identity)
      : can(regex("@(?:[^<>\\s@]+\\.)?${replace(lower(var.ses_identity), ".", "\\.")}>?\\s*$", lower(var.mail_from))),
    false)
    error_message = "With ses_identity, mail_from is required, such as \"Gatehouse <no-reply@example.com>\", and its address must belong to the identity (that address, or one at that domain)."
  }
}

variable "mail_reply_to" {
  description = "MAIL_REPLY_TO: a plain address replies go to, or null."
  type        = string
  default     = null

  validation {
    condition     = var.mail_reply_to == null || can(regex("^[^@<>\\s]+@[^@<>\\s]+$", coalesce(var.mail_reply_to, "-")))
    error_message = "mail_reply_to is one plain address, such as support@example.com."
  }
}

variable "cognito_domain_prefix" {
  description = "Hosted UI domain prefix; null uses <name>-<account id>."
  type        = string
  default     = null
}

variable "allow_localhost_callbacks" {
  description = "Also allow http://localhost:3000 as a Hosted UI redirect (development only)."
  type        = bool
  default     = false
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
  description = "OAuth client secrets keyed google, facebook, amazon, oidc; set TF_VAR_social_client_secrets, never a file in git."
  type        = map(string)
  default     = {}
  sensitive   = true
}
