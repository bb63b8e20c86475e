# Remote state in S3 with S3's native lock file (Terraform 1.10+). The bucket lives in your
# account and is created once by hand (docs/deploy.md, step 2), so its settings come from a
# file at init time:
#   terraform init -backend-config=backend.hcl
# backend.hcl.example shows the keys. Checks and tests run `terraform init -backend=false`.
terraform {
  backend "s3" {}
}
