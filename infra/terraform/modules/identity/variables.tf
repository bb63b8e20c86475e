variable "name" {
  description = "Name of the user pool and prefix of the other resources, such as gatehouse-dev."
  type        = string
}

variable "service_name" {
  description = "Product name used in the confirmation email."
  type        = string
  default     = "Gatehouse"
}

variable "mfa_configuration" {
  description = "OPTIONAL (users may turn on TOTP) or ON (every user must set up TOTP)."
  type        = string
  default     = "OPTIONAL"

  validation {
    condition     = contains(["OPTIONAL", "ON"], var.mfa_configuration)
    error_message = "mfa_configuration must be OPTIONAL or ON."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the user pool (set in prod)."
  type        = bool
  default     = false
}

variable "ses_identity_arn" {
  description = "ARN of a verified SES identity to send Cognito's email through; null uses Cognito's own sender (about 50 emails a day)."
  type        = string
  default     = null
}

variable "ses_from_address" {
  description = "From address for Cognito's email when ses_identity_arn is set, such as Gatehouse <no-reply@example.com>."
  type        = string
  default     = null
}

variable "ses_reply_to_address" {
  description = "Reply-To address of Cognito's email when ses_identity_arn is set, or null."
  type        = string
  default     = null
}

variable "ses_configuration_set" {
  description = "SES configuration set Cognito's email goes through when ses_identity_arn is set, or null."
  type        = string
  default     = null
}

variable "domain_prefix" {
  description = "Prefix of the Hosted UI domain: https://<prefix>.auth.<region>.amazoncognito.com. Globally unique per region."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.domain_prefix)) && !strcontains(var.domain_prefix, "cognito") && !strcontains(var.domain_prefix, "aws")
    error_message = "domain_prefix must be lowercase letters, digits and hyphens, and may not contain aws or cognito."
  }
}

variable "passkey_relying_party_id" {
  description = "Host passkeys are made for (the WebAuthn relying party ID): the app's domain, the host of APP_ORIGIN, such as app.example.com. Null: passkeys stay off until the app's domain is known."
  type        = string
  default     = null

  validation {
    condition     = var.passkey_relying_party_id == null || can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", var.passkey_relying_party_id))
    error_message = "passkey_relying_party_id must be a lower-case host name with a dot, without scheme, port or path (such as app.example.com)."
  }
}

variable "callback_urls" {
  description = "Allowed redirect URLs after Hosted UI sign-in: the app's /api/auth/oauth/<provider>/callback of each provider."
  type        = list(string)
}

variable "logout_urls" {
  description = "Allowed redirect URLs after Hosted UI sign-out."
  type        = list(string)
}

variable "social_client_ids" {
  description = "OAuth client IDs of the social providers to enable; a provider is created only when its ID is set."
  type = object({
    google   = optional(string)
    facebook = optional(string)
    amazon   = optional(string)
  })
  default = {}
}

variable "oidc_provider" {
  description = "Any other OpenID Connect provider to offer: its name in the pool (the button's name; the app's provider id is its lower-case form), issuer and client ID. Its secret is social_client_secrets[\"oidc\"]."
  type = object({
    name      = string
    issuer    = string
    client_id = string
    scopes    = optional(string, "openid email profile")
  })
  default = null

  validation {
    condition = var.oidc_provider == null ? true : (
      can(regex("^[A-Za-z0-9_-]{1,32}$", var.oidc_provider.name)) &&
      !contains(["Google", "Facebook", "LoginWithAmazon", "SignInWithApple", "COGNITO"], var.oidc_provider.name) &&
      startswith(var.oidc_provider.issuer, "https://")
    )
    error_message = "oidc_provider.name must be letters, digits, _ or - (not a built-in provider name), and its issuer an https URL."
  }
}

variable "social_client_secrets" {
  description = "OAuth client secrets keyed google, facebook, amazon, oidc. Pass them through TF_VAR_social_client_secrets, never a committed file."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "access_token_validity_minutes" {
  description = "Lifetime of access and ID tokens, in minutes."
  type        = number
  default     = 60
}

variable "refresh_token_validity_days" {
  description = "Lifetime of refresh tokens, in days."
  type        = number
  default     = 30
}

variable "table_arn" {
  description = "ARN of the DynamoDB table the identity pool's authenticated role may read its own items from."
  type        = string
}

variable "identity_item_actions" {
  description = "DynamoDB actions the authenticated role may perform on the caller's own items."
  type        = list(string)
  default     = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]

  validation {
    condition     = alltrue([for a in var.identity_item_actions : startswith(a, "dynamodb:") && !strcontains(a, "*")])
    error_message = "identity_item_actions must be explicit dynamodb: actions, without wildcards."
  }
}

variable "developer_provider_name" {
  description = "Developer provider name of the identity pool; the app's COGNITO_DEVELOPER_PROVIDER."
  type        = string
  default     = "login.gatehouse"
}
