# {{name}}: the reference solution (keyform lab check grades it and the starter).

provider "aws" {
  region = "us-east-1"
}

resource "aws_kms_key" "lab" {
  description             = "{{name}} lab key"
  enable_key_rotation     = true
  deletion_window_in_days = 7
}

resource "aws_kms_alias" "lab" {
  name          = "alias/{{name}}"
  target_key_id = aws_kms_key.lab.key_id
}
