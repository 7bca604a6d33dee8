resource "aws_kms_key" "k" {
  description = "first"
}

resource "aws_kms_key" "k" {
  description = "second"
}
