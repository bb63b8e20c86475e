variable "name" {
  description = "Name of the ECR repository, such as gatehouse-dev."
  type        = string
}

variable "force_delete" {
  description = "Let terraform destroy delete the repository while it holds images (dev only)."
  type        = bool
  default     = false
}

variable "keep_images" {
  description = "How many images to keep; older ones expire. Rollback reaches back this far."
  type        = number
  default     = 30
}

variable "untagged_expiry_days" {
  description = "Days after which untagged images expire."
  type        = number
  default     = 7
}
