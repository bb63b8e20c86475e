# Offline: the AWS provider is mocked, so these runs check what the module asks AWS for.
# The provider still validates IDs and ARNs, so the mocks return realistic ones.
mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }

  mock_resource "aws_cognito_user_pool" {
    defaults = {
      id       = "us-east-1_TestPool1"
      arn      = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TestPool1"
      endpoint = "cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
    }
  }

  mock_resource "aws_cognito_identity_pool" {
    defaults = {
      id  = "us-east-1:0f0e0d0c-0b0a-0908-0706-050403020100"
      arn = "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/us-east-1:0f0e0d0c-0b0a-0908-0706-050403020100"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/gatehouse-test-identity-authenticated" }
  }
}

variables {
  name          = "gatehouse-test"
  domain_prefix = "gatehouse-test"
  callback_urls = ["https://app.example.com/api/auth/oauth/google/callback"]
  logout_urls   = ["https://app.example.com/"]
  table_arn     = "arn:aws:dynamodb:us-east-1:123456789012:table/gatehouse-test"
}

run "password_policy_is_length_only" {
  command = apply

  assert {
    condition     = aws_cognito_user_pool.this.password_policy[0].minimum_length == 15
    error_message = "Passwords must be at least 15 characters (SECURITY.md item 1)."
  }

  assert {
    condition = !anytrue([
      aws_cognito_user_pool.this.password_policy[0].require_lowercase,
      aws_cognito_user_pool.this.password_policy[0].require_uppercase,
      aws_cognito_user_pool.this.password_policy[0].require_numbers,
      aws_cognito_user_pool.this.password_policy[0].require_symbols,
    ])
    error_message = "No composition rules (SECURITY.md item 2, NIST SP 800-63B)."
  }

  assert {
    condition     = length(aws_cognito_user_pool.this.username_attributes) == 1 && contains(aws_cognito_user_pool.this.username_attributes, "email")
    error_message = "The email address is the username."
  }

  assert {
    condition     = aws_cognito_user_pool.this.software_token_mfa_configuration[0].enabled && aws_cognito_user_pool.this.mfa_configuration == "OPTIONAL"
    error_message = "TOTP MFA is available and optional by default."
  }

  assert {
    condition     = aws_cognito_user_pool.this.email_configuration[0].email_sending_account == "COGNITO_DEFAULT"
    error_message = "Without an SES identity, Cognito sends its own email."
  }

  assert {
    condition     = toset(aws_cognito_user_pool.this.user_attribute_update_settings[0].attributes_require_verification_before_update) == toset(["email"])
    error_message = "A changed email address must wait for its code: the pool keeps the old one until then (issue 22)."
  }

  assert {
    condition     = contains(aws_cognito_user_pool.this.auto_verified_attributes, "email")
    error_message = "Cognito must send the code that verifies a new email address."
  }
}

run "passkeys_are_the_apps_host_with_user_verification" {
  command = plan

  variables {
    passkey_relying_party_id = "app.example.com"
  }

  assert {
    condition     = aws_cognito_user_pool.this.user_pool_tier == "ESSENTIALS"
    error_message = "Cognito's WebAuthn needs the Essentials tier."
  }

  assert {
    condition     = aws_cognito_user_pool.this.web_authn_configuration[0].relying_party_id == "app.example.com" && aws_cognito_user_pool.this.web_authn_configuration[0].user_verification == "required"
    error_message = "Passkeys must be made for the app's host, with user verification required."
  }

  assert {
    condition     = toset(aws_cognito_user_pool.this.sign_in_policy[0].allowed_first_auth_factors) == toset(["PASSWORD", "WEB_AUTHN"])
    error_message = "A passkey must be allowed as the first (and only) factor."
  }
}

run "without_the_apps_domain_passkeys_stay_off" {
  command = plan

  assert {
    condition     = length(aws_cognito_user_pool.this.web_authn_configuration) == 0 && toset(aws_cognito_user_pool.this.sign_in_policy[0].allowed_first_auth_factors) == toset(["PASSWORD"])
    error_message = "Without the app's domain the pool's default relying party would make passkeys the app cannot use."
  }
}

run "a_relying_party_id_is_a_bare_host" {
  command = plan

  variables {
    passkey_relying_party_id = "https://app.example.com"
  }

  expect_failures = [var.passkey_relying_party_id]
}

run "client_hides_user_existence" {
  command = apply

  assert {
    condition     = aws_cognito_user_pool_client.app.prevent_user_existence_errors == "ENABLED"
    error_message = "PreventUserExistenceErrors must be ENABLED (SECURITY.md items 7-9)."
  }

  assert {
    condition     = aws_cognito_user_pool_client.app.generate_secret
    error_message = "The app client has a secret."
  }

  assert {
    condition     = toset(aws_cognito_user_pool_client.app.explicit_auth_flows) == toset(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"])
    error_message = "Only USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH are allowed."
  }

  assert {
    condition     = toset(keys(aws_cognito_user_group.this)) == toset(["admin", "user"])
    error_message = "The pool has the groups admin and user."
  }

  assert {
    condition     = length(aws_cognito_identity_provider.social) == 0 && toset(aws_cognito_user_pool_client.app.supported_identity_providers) == toset(["COGNITO"])
    error_message = "No social provider exists without credentials."
  }
}

run "identity_pool_role_reaches_own_items_only" {
  command = apply

  assert {
    condition     = !aws_cognito_identity_pool.this.allow_unauthenticated_identities
    error_message = "Guests get no AWS credentials."
  }

  assert {
    condition     = aws_cognito_identity_pool.this.developer_provider_name == "login.gatehouse"
    error_message = "The app vouches for its users under the developer provider name it is configured with."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.authenticated.policy).Statement[0].Resource == [var.table_arn]
    error_message = "The authenticated role reaches this table only."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.authenticated.policy).Statement[0].Condition["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"] == ["$${cognito-identity.amazonaws.com:sub}"]
    error_message = "Items are limited to the caller's own partition key (dynamodb:LeadingKeys)."
  }

  assert {
    condition     = length(jsondecode(aws_iam_role_policy.authenticated.policy).Statement) == 1
    error_message = "The authenticated role has exactly one statement."
  }

  assert {
    condition     = jsondecode(aws_iam_role.authenticated.assume_role_policy).Statement[0].Condition.StringEquals["cognito-identity.amazonaws.com:aud"] == aws_cognito_identity_pool.this.id
    error_message = "Only identities of this pool may assume the role."
  }

  assert {
    condition     = jsondecode(aws_iam_role.authenticated.assume_role_policy).Statement[0].Condition["ForAnyValue:StringLike"]["cognito-identity.amazonaws.com:amr"] == "authenticated"
    error_message = "Only authenticated identities may assume the role."
  }

  assert {
    condition     = length(aws_cognito_identity_pool_roles_attachment.this.roles) == 1 && aws_cognito_identity_pool_roles_attachment.this.roles["authenticated"] == aws_iam_role.authenticated.arn
    error_message = "The pool maps authenticated identities to the role, and nothing else."
  }
}

run "social_providers_follow_their_credentials" {
  command = apply

  variables {
    social_client_ids     = { google = "1234.apps.googleusercontent.com" }
    social_client_secrets = { google = "test-only-not-a-secret" }
    mfa_configuration     = "ON"
    ses_identity_arn      = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    ses_from_address      = "no-reply@example.com"
  }

  assert {
    condition     = keys(aws_cognito_identity_provider.social) == ["google"] && aws_cognito_identity_provider.social["google"].provider_type == "Google"
    error_message = "Google is created when its credentials are given, and no other provider."
  }

  assert {
    condition     = contains(aws_cognito_user_pool_client.app.supported_identity_providers, "Google")
    error_message = "The app client offers the enabled provider."
  }

  assert {
    condition     = aws_cognito_user_pool.this.mfa_configuration == "ON"
    error_message = "MFA can be required."
  }

  assert {
    condition     = aws_cognito_user_pool.this.email_configuration[0].email_sending_account == "DEVELOPER" && aws_cognito_user_pool.this.email_configuration[0].source_arn == var.ses_identity_arn
    error_message = "With an SES identity, Cognito sends through SES."
  }
}

run "any_oidc_issuer_joins_the_pool" {
  command = apply

  variables {
    social_client_ids     = { google = "1234.apps.googleusercontent.com" }
    oidc_provider         = { name = "ExampleSSO", issuer = "https://sso.example.com/realms/main", client_id = "gatehouse" }
    social_client_secrets = { google = "test-only-not-a-secret", oidc = "test-only-not-a-secret" }
  }

  assert {
    condition = (aws_cognito_identity_provider.oidc[0].provider_type == "OIDC" &&
      aws_cognito_identity_provider.oidc[0].provider_details.oidc_issuer == "https://sso.example.com/realms/main" &&
    aws_cognito_identity_provider.oidc[0].attribute_mapping.username == "sub")
    error_message = "The OIDC issuer becomes a pool provider, its users keyed by sub."
  }

  assert {
    condition     = contains(aws_cognito_user_pool_client.app.supported_identity_providers, "ExampleSSO")
    error_message = "The app client offers the OIDC provider."
  }

  assert {
    condition     = join(",", output.provider_names) == "Google,ExampleSSO" && join(",", output.social_providers) == "ExampleSSO,Google"
    error_message = "The providers are listed for the app in the sign-in page's order."
  }

  assert {
    condition     = aws_cognito_user_pool_client.app.allowed_oauth_flows_user_pool_client && toset(aws_cognito_user_pool_client.app.allowed_oauth_flows) == toset(["code"])
    error_message = "The Hosted UI uses the authorization code flow only."
  }
}

run "without_a_callback_the_hosted_ui_is_off" {
  command = apply

  variables {
    callback_urls = []
  }

  assert {
    condition     = !aws_cognito_user_pool_client.app.allowed_oauth_flows_user_pool_client
    error_message = "No callback URL: no OAuth flow on the app client."
  }
}

run "an_oidc_provider_needs_its_secret_and_a_proper_name" {
  command = plan

  variables {
    oidc_provider = { name = "ExampleSSO", issuer = "https://sso.example.com", client_id = "gatehouse" }
  }

  expect_failures = [aws_cognito_identity_provider.oidc]
}

run "an_oidc_provider_may_not_pose_as_google" {
  command = plan

  variables {
    oidc_provider         = { name = "Google", issuer = "https://sso.example.com", client_id = "gatehouse" }
    social_client_secrets = { oidc = "test-only-not-a-secret" }
  }

  expect_failures = [var.oidc_provider]
}

run "a_provider_without_secret_is_refused" {
  command = plan

  variables {
    social_client_ids = { facebook = "1234567890" }
  }

  expect_failures = [aws_cognito_identity_provider.social]
}

run "wildcard_actions_are_refused" {
  command = plan

  variables {
    identity_item_actions = ["dynamodb:*"]
  }

  expect_failures = [var.identity_item_actions]
}
