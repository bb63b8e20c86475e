# The user pool as moto can keep it. moto stores no user pool tier (DescribeUserPool answers
# without UserPoolTier), so every plan would set user_pool_tier = "ESSENTIALS" again: the tier is
# left alone here, and only here. test/infra/moto-apply.test.ts copies this file into the temporary
# copy's modules/identity (Terraform merges an *_override.tf file into the blocks it names, and a
# lifecycle block argument by argument). moto checks none of the pool's passkey settings (tier,
# web_authn_configuration, sign_in_policy): it echoes what it is given.
resource "aws_cognito_user_pool" "this" {
  lifecycle {
    ignore_changes = [user_pool_tier]
  }
}
