# Offline: the AWS provider is mocked, so these runs check what the module asks AWS for.
mock_provider "aws" {}

variables {
  name = "gatehouse-test"
}

run "table_matches_the_store_adapter" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "The table is on-demand."
  }

  assert {
    condition     = aws_dynamodb_table.this.hash_key == "pk" && aws_dynamodb_table.this.range_key == "sk"
    error_message = "The keys are pk and sk."
  }

  assert {
    condition = anytrue([for i in aws_dynamodb_table.this.global_secondary_index :
    i.name == "gsi1" && i.hash_key == "gsi1pk" && i.range_key == "gsi1sk"])
    error_message = "The index gsi1 is keyed on gsi1pk and gsi1sk."
  }

  assert {
    condition     = toset([for a in aws_dynamodb_table.this.attribute : "${a.name}:${a.type}"]) == toset(["pk:S", "sk:S", "gsi1pk:S", "gsi1sk:S"])
    error_message = "Every key attribute is a string."
  }

  assert {
    condition     = aws_dynamodb_table.this.ttl[0].enabled && aws_dynamodb_table.this.ttl[0].attribute_name == "expires_at"
    error_message = "TTL runs on expires_at."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled
    error_message = "Point-in-time recovery is on."
  }

  assert {
    condition     = !aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "Deletion protection is off unless asked for (dev)."
  }
}

run "prod_protects_the_table" {
  command = plan

  variables {
    deletion_protection = true
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "Deletion protection follows the variable."
  }
}
