provider "aws" {
  regoin = "eu-west-1"
}
