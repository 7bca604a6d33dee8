variable "users" {
  type    = list(string)
  default = "alice"
}
