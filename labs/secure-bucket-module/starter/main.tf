# Secure bucket module lab: complete the TODOs in modules/secure-bucket. Keep the module names.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

module "reports" {
  source = "./modules/secure-bucket"
  name   = "acme-reports"
}

module "archive" {
  source = "./modules/secure-bucket"
  name   = "acme-archive"
}

output "reports_key_arn" {
  value = module.reports.key_arn
}

output "archive_key_arn" {
  value = module.archive.key_arn
}
