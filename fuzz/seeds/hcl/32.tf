resource "aws_kms_key" "lab" {
  deletion_window_in_days = "a week"
}
