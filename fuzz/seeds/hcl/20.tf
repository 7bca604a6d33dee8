resource "aws_iam_user" "u" {
  name = "alice"

  lifecycle {
    ignore_changes = [tgas]
  }
}
