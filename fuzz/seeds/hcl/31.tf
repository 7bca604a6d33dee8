resource "aws_kms_key" "lab" {
  enable_key_rotation = "yes please"
}
