resource "aws_iam_user" "u" {
  for_each = ["alice", "bob"]
  name     = each.key
}
