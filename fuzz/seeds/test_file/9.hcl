# Encrypt then Decrypt, passing the first action's CiphertextBlob to the second.

run "provision" {}

run "envelope" {
  command = none

  action "enc" {
    call   = "kms:Encrypt"
    params = { KeyId = output.key_arn, Plaintext = "top secret" }
  }

  action "dec" {
    call   = "kms:Decrypt"
    params = { CiphertextBlob = action.enc.CiphertextBlob }
  }

  assert {
    condition     = action.dec.Plaintext == "top secret" && action.dec.PlaintextBase64 == base64encode("top secret")
    error_message = "decrypting the ciphertext must give back the plaintext"
  }

  assert {
    condition     = action.dec.KeyId == aws_kms_key.lab.arn && action.enc.error == null
    error_message = "the ciphertext must name the lab key"
  }
}
