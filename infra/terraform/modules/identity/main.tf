data "aws_region" "current" {}

locals {
  # Social providers are enabled by their client IDs, which are public; the secrets are sensitive
  # and Terraform refuses sensitive values in for_each.
  social = {
    for key, cfg in {
      google = {
        provider  = "Google"
        client_id = var.social_client_ids.google
        scopes    = "openid email profile"
        mapping   = { email = "email", email_verified = "email_verified", name = "name", username = "sub" }
      }
      facebook = {
        provider  = "Facebook"
        client_id = var.social_client_ids.facebook
        scopes    = "public_profile,email"
        mapping   = { email = "email", name = "name", username = "id" }
      }
      amazon = {
        provider  = "LoginWithAmazon"
        client_id = var.social_client_ids.amazon
        scopes    = "profile"
        mapping   = { email = "email", name = "name", username = "user_id" }
      }
    } : key => cfg if cfg.client_id != null
  }

  # Every provider the app client offers, in the order the sign-in page shows them; the app reads
  # this list as COGNITO_IDENTITY_PROVIDERS and jumps to each with identity_provider=<name>.
  provider_names = concat(
    [for key in ["google", "facebook", "amazon"] : local.social[key].provider if contains(keys(local.social), key)],
    var.oidc_provider == null ? [] : [var.oidc_provider.name],
  )
}

resource "aws_cognito_user_pool" "this" {
  name                     = var.name
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  mfa_configuration        = var.mfa_configuration
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  username_configuration {
    case_sensitive = false
  }

  # SECURITY.md and NIST SP 800-63B: length, not composition rules.
  password_policy {
    minimum_length                   = 15
    require_lowercase                = false
    require_uppercase                = false
    require_numbers                  = false
    require_symbols                  = false
    temporary_password_validity_days = 3
  }

  software_token_mfa_configuration {
    enabled = true
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  admin_create_user_config {
    allow_admin_create_user_only = false
  }

  # Passkeys (Cognito's WebAuthn) need the Essentials tier and choice-based sign-in (USER_AUTH).
  # They are made for the app's own host, with user verification, so a passkey sign-in is two
  # factors. Until the app's domain is known the pool offers passwords only: Cognito's default
  # relying party (the Hosted UI domain) would make passkeys no browser offers on the app's page.
  user_pool_tier = "ESSENTIALS"

  dynamic "web_authn_configuration" {
    for_each = var.passkey_relying_party_id == null ? [] : [var.passkey_relying_party_id]
    content {
      relying_party_id  = web_authn_configuration.value
      user_verification = "required"
    }
  }

  sign_in_policy {
    allowed_first_auth_factors = var.passkey_relying_party_id == null ? ["PASSWORD"] : ["PASSWORD", "WEB_AUTHN"]
  }

  # A changed address keeps the old one until the new one is confirmed, so a typo cannot lock a
  # user out and an attacker with a session cannot silently move the account.
  user_attribute_update_settings {
    attributes_require_verification_before_update = ["email"]
  }

  # Cognito's own sender is capped at about 50 emails a day: real traffic needs SES.
  email_configuration {
    email_sending_account  = var.ses_identity_arn == null ? "COGNITO_DEFAULT" : "DEVELOPER"
    source_arn             = var.ses_identity_arn
    from_email_address     = var.ses_identity_arn == null ? null : var.ses_from_address
    reply_to_email_address = var.ses_identity_arn == null ? null : var.ses_reply_to_address
    configuration_set      = var.ses_identity_arn == null ? null : var.ses_configuration_set
  }

  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
    email_subject        = "Your ${var.service_name} confirmation code"
    email_message        = "Your ${var.service_name} confirmation code is {####}"
  }

  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
    mutable             = true

    string_attribute_constraints {
      min_length = 3
      max_length = 254
    }
  }

  schema {
    name                = "name"
    attribute_data_type = "String"
    required            = false
    mutable             = true

    string_attribute_constraints {
      min_length = 0
      max_length = 200
    }
  }

  lifecycle {
    precondition {
      condition     = var.ses_identity_arn == null || var.ses_from_address != null
      error_message = "ses_from_address is required when ses_identity_arn is set."
    }
  }
}

resource "aws_cognito_user_group" "this" {
  for_each = { admin = 0, user = 10 }

  name         = each.key
  user_pool_id = aws_cognito_user_pool.this.id
  precedence   = each.value
  description  = "Gatehouse ${each.key} group"
}

resource "aws_cognito_user_pool_domain" "this" {
  domain       = var.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_cognito_identity_provider" "social" {
  for_each = local.social

  user_pool_id  = aws_cognito_user_pool.this.id
  provider_name = each.value.provider
  provider_type = each.value.provider

  provider_details = {
    client_id        = each.value.client_id
    client_secret    = lookup(var.social_client_secrets, each.key, "")
    authorize_scopes = each.value.scopes
  }

  attribute_mapping = each.value.mapping

  lifecycle {
    precondition {
      condition     = lookup(var.social_client_secrets, each.key, "") != ""
      error_message = "A social provider has a client ID but no secret in social_client_secrets."
    }
  }
}

# Any other OpenID Connect issuer (Okta, Entra ID, Auth0, Keycloak, ...), keyed by its sub.
resource "aws_cognito_identity_provider" "oidc" {
  count = var.oidc_provider == null ? 0 : 1

  user_pool_id  = aws_cognito_user_pool.this.id
  provider_name = var.oidc_provider.name
  provider_type = "OIDC"

  provider_details = {
    client_id                 = var.oidc_provider.client_id
    client_secret             = lookup(var.social_client_secrets, "oidc", "")
    authorize_scopes          = var.oidc_provider.scopes
    oidc_issuer               = var.oidc_provider.issuer
    attributes_request_method = "GET"
  }

  attribute_mapping = { email = "email", email_verified = "email_verified", name = "name", username = "sub" }

  lifecycle {
    precondition {
      condition     = lookup(var.social_client_secrets, "oidc", "") != ""
      error_message = "oidc_provider is set but social_client_secrets has no \"oidc\" secret."
    }
  }
}

resource "aws_cognito_user_pool_client" "app" {
  name         = "${var.name}-app"
  user_pool_id = aws_cognito_user_pool.this.id

  # The server holds the secret; browsers never talk to Cognito with it.
  generate_secret = true
  # USER_AUTH: choice-based sign-in, the app's passkey sign-in (InitiateAuth with WEB_AUTHN).
  explicit_auth_flows           = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"]
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true

  access_token_validity  = var.access_token_validity_minutes
  id_token_validity      = var.access_token_validity_minutes
  refresh_token_validity = var.refresh_token_validity_days

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  # Hosted UI, for social sign-in: authorization code flow only (the app adds PKCE), back to the
  # app's callback of each provider, /api/auth/oauth/<provider>/callback.
  # Without a callback (no provider yet, or the app's origin not known) the Hosted UI stays off.
  allowed_oauth_flows_user_pool_client = length(var.callback_urls) > 0
  allowed_oauth_flows                  = length(var.callback_urls) > 0 ? ["code"] : null
  allowed_oauth_scopes                 = length(var.callback_urls) > 0 ? ["openid", "email", "profile"] : null
  callback_urls                        = var.callback_urls
  logout_urls                          = var.logout_urls
  supported_identity_providers = concat(
    ["COGNITO"],
    [for p in aws_cognito_identity_provider.social : p.provider_name],
    [for p in aws_cognito_identity_provider.oidc : p.provider_name],
  )
}

resource "aws_cognito_identity_pool" "this" {
  identity_pool_name               = replace(var.name, "-", "_")
  allow_unauthenticated_identities = false
  allow_classic_flow               = false
  # The app vouches for its signed-in users under this name (GET /api/aws/credentials).
  developer_provider_name = var.developer_provider_name

  cognito_identity_providers {
    client_id               = aws_cognito_user_pool_client.app.id
    provider_name           = aws_cognito_user_pool.this.endpoint
    server_side_token_check = true
  }
}

resource "aws_iam_role" "authenticated" {
  name = "${var.name}-identity-authenticated"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.this.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "authenticated" }
      }
    }]
  })
}

# Direct AWS access for signed-in users reaches only items whose partition key is the caller's own
# identity ID. Reads only by default: writes go through the API, which validates them and keeps
# roles and entitlements server-side.
resource "aws_iam_role_policy" "authenticated" {
  name = "own-items-only"
  role = aws_iam_role.authenticated.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "OwnItemsOnly"
      Effect   = "Allow"
      Action   = var.identity_item_actions
      Resource = [var.table_arn]
      Condition = {
        "ForAllValues:StringEquals" = {
          "dynamodb:LeadingKeys" = ["$${cognito-identity.amazonaws.com:sub}"]
        }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "this" {
  identity_pool_id = aws_cognito_identity_pool.this.id

  roles = {
    authenticated = aws_iam_role.authenticated.arn
  }
}
