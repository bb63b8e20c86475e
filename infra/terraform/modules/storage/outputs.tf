output "bucket_name" {
  description = "Name of the bucket (S3_BUCKET)."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket, the host of its presigned URLs."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}
