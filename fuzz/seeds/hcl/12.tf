resource "aws_kms_key" "lab" {}

resource "aws_kms_alias" "lab" {
  name          = "alias/lab"
  target_key_id = aws_kms_key.lab.keyid
}
