resource "aws_kms_key" "lab" {
  description     = "lab key"
  deletion_window = 7
}
