variable "deletion_window" {
  type    = number
  default = 3

  validation {
    condition     = var.deletion_window >= 7 && var.deletion_window <= 30
    error_message = "The deletion window must be between 7 and 30 days."
  }
}

resource "aws_kms_key" "lab" {
  deletion_window_in_days = var.deletion_window
}
