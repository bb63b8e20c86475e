variable "name" {
  description = "Name of the service and prefix of its roles, such as gatehouse-dev."
  type        = string
}

variable "image_repository_url" {
  description = "ECR repository URL the image comes from."
  type        = string
}

variable "access_role_arn" {
  description = "Role App Runner pulls the image with (modules/registry's, created before the service)."
  type        = string
}

variable "image_tag" {
  description = "Tag (a git SHA) of the image the service is created with; later deployments are scripts/build-and-push.sh's, and Terraform leaves the running image alone. Required to create the service."
  type        = string
  default     = null
}

variable "port" {
  description = "Port the container listens on (the image's PORT)."
  type        = number
  default     = 3000
}

variable "environment" {
  description = "Environment variables of the service. Plain configuration only: secrets belong in Secrets Manager."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment) : can(regex("^[A-Z][A-Z0-9_]*$", k)) && k != "PORT" && !startswith(k, "AWSAPPRUNNER")])
    error_message = "Environment names are UPPER_SNAKE; PORT and AWSAPPRUNNER* are App Runner's."
  }

  validation {
    condition     = length([for k in keys(var.environment) : k if can(regex("SECRET$|PASSWORD|PRIVATE_KEY|API_KEY", k))]) == 0
    error_message = "Secret-looking variables belong in the Secrets Manager secret, not the environment."
  }
}

variable "cpu" {
  description = "vCPU per instance, in App Runner units: 256, 512, 1024, 2048 or 4096."
  type        = string
  default     = "1024"
}

variable "memory" {
  description = "Memory per instance in MB: 512 to 12288, allowed combinations with cpu only."
  type        = string
  default     = "2048"
}

variable "min_instances" {
  description = "Instances kept provisioned (billed for memory while idle)."
  type        = number
  default     = 1
}

variable "max_instances" {
  description = "Most instances auto scaling may run."
  type        = number
  default     = 4

  validation {
    condition     = var.max_instances >= 1 && var.max_instances <= 25
    error_message = "max_instances must be from 1 to 25."
  }
}

variable "max_concurrency" {
  description = "Concurrent requests per instance before App Runner adds one."
  type        = number
  default     = 100
}

variable "vpc_connector_arn" {
  description = "VPC connector the service's outbound traffic goes through; null uses App Runner's default egress (no VPC, no NAT gateway)."
  type        = string
  default     = null
}

variable "custom_domain" {
  description = "Custom domain such as app.example.com; null serves on the App Runner URL only."
  type        = string
  default     = null
}

variable "table_arn" {
  description = "ARN of the DynamoDB table the service may use (and its indexes)."
  type        = string
}

variable "table_actions" {
  description = "DynamoDB actions the service may perform on its table."
  type        = list(string)
  default = [
    "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
    "dynamodb:DeleteItem", "dynamodb:TransactWriteItems", "dynamodb:BatchWriteItem",
  ]
}

variable "bucket_arn" {
  description = "ARN of the S3 bucket whose objects the service may read and write."
  type        = string
}

variable "bucket_object_prefixes" {
  description = "Key prefixes the app writes under (src/services: files/ and photos/); objects elsewhere in the bucket are out of its reach."
  type        = list(string)
  default     = ["files/", "photos/"]

  validation {
    condition     = length(var.bucket_object_prefixes) > 0 && alltrue([for p in var.bucket_object_prefixes : can(regex("^[A-Za-z0-9_-]+/$", p))])
    error_message = "Each prefix is one folder name ending in a slash, such as files/."
  }
}

variable "secret_arn" {
  description = "ARN of the Secrets Manager secret the service reads at start."
  type        = string
}

variable "user_pool_arn" {
  description = "ARN of the Cognito user pool the service administers."
  type        = string
}

variable "user_pool_actions" {
  description = "Cognito actions the service may call on its user pool (sign-in itself needs no IAM)."
  type        = list(string)
  default = [
    "cognito-idp:AdminGetUser", "cognito-idp:AdminUserGlobalSignOut", "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminRemoveUserFromGroup", "cognito-idp:AdminListGroupsForUser",
    "cognito-idp:AdminDisableUser", "cognito-idp:AdminEnableUser", "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminLinkProviderForUser", "cognito-idp:AdminDisableProviderForUser",
    "cognito-idp:ListUsers", "cognito-idp:DescribeUserPool",
  ]
}

variable "identity_pool_arn" {
  description = "ARN of the Cognito identity pool the service may mint developer-identity tokens in (GET /api/aws/credentials); null for none."
  type        = string
  default     = null
}

variable "kms_key_arns" {
  description = "Customer managed KMS keys of the table, bucket or secret, if any; the service may use these only."
  type        = list(string)
  default     = []
}

variable "ses_identity_arn" {
  description = "ARN of the verified SES identity (domain or address) the app sends mail from; null gives the service no SES permission."
  type        = string
  default     = null
}

variable "ses_configuration_set_arn" {
  description = "ARN of the SES configuration set the app names when sending (SES_CONFIGURATION_SET), or null."
  type        = string
  default     = null
}

variable "mail_from" {
  description = "MAIL_FROM, such as Gatehouse <no-reply@example.com>: the service may send from this address only."
  type        = string
  default     = null
}
