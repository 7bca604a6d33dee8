"""keyform's request/response shapes against botocore's JSON service models (service-2.json).

    python conformance.py OPS.json

OPS.json maps each operation keyform serves ("kms:Encrypt") to the parameters it accepts, as
keyform's own table lists them (src/sim/api.rs). Against a running `keyform serve`
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION as serve prints
them; the world should not be in us-east-1, so CreateBucketConfiguration can be sent) it checks:

1. every parameter keyform accepts is a member of the operation's input shape, and every member
   the model marks required is one keyform accepts; for KMS and CloudTrail, every member of the
   model is accepted;
2. a scenario calls every operation through boto3, sending every parameter keyform accepts
   (botocore serialises each one by its model type, so keyform must read that type); the raw
   response of each successful call is walked against the output shape: every JSON member,
   XML element and x-amz-* header must be a member of it, with the model's type (string and
   its enums, integer/long, boolean, timestamp, blob, list, map, structure);
3. each required member left out (botocore's own validation off) gets a 4xx error naming it.

Prints one line per problem, then `conformance: N passed, M failed` and exits 1 on any problem.
"""

import base64
import hashlib
import datetime
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import boto3
import botocore
import botocore.session
from botocore import xform_name
from botocore.config import Config

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
REGION = os.environ.get("AWS_DEFAULT_REGION", "eu-west-1")
SESSION = botocore.session.get_session()
MODELS = {s: SESSION.get_service_model(s) for s in ("kms", "s3", "iam", "sts", "cloudtrail")}

# Parameters keyform accepts that the scenario cannot meaningfully send, with the reason.
NOT_SENT = {
    "kms:ListKeyPolicies": {"Marker": "a key has one policy, so there is never a next page to ask for"},
    "cloudtrail:ListTrails": {"NextToken": "keyform lists every trail in one page, so there is never a next page to ask for"},
    "cloudtrail:ListPublicKeys": {"NextToken": "keyform lists every public key in one page"},
}

# Members serve takes and drops before the call, since they change nothing in a simulation
# (grant tokens of operations keyform does not check them on, dry-run modifiers, the default origin, pagination of lists answered whole).
SERVE_DROPS = {"GrantTokens", "DryRun", "DryRunModifiers", "Origin", "Limit", "Marker"}

problems = []
passed = 0
calls = []      # (op_model, status, headers, body or None)
sent = {}       # "svc:Op" -> set of parameter names sent in successful calls
succeeded = {}  # "svc:Op" -> params of one successful call


def problem(msg):
    problems.append(msg)
    print(f"FAIL {msg}")


def ok():
    global passed
    passed += 1


def record(http_response, parsed, model, **_):
    body = None if model.has_streaming_output else http_response.content
    calls.append((model, http_response.status_code, {k.lower(): v for k, v in http_response.headers.items()}, body))


def client(service, validate=True):
    c = boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION,
                     config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"},
                                   parameter_validation=validate))
    c.meta.events.register("after-call", record)
    return c


CLIENTS = {s: client(s) for s in MODELS}


def call(service, op, **params):
    """Calls `op` through boto3 and records what was sent; returns the parsed result."""
    result = getattr(CLIENTS[service], xform_name(op))(**params)
    sent.setdefault(f"{service}:{op}", set()).update(params)
    succeeded.setdefault(f"{service}:{op}", params)
    return result


def modelled(service, op, member):
    shape = MODELS[service].operation_model(op).input_shape
    return shape is not None and member in shape.members


def newer(service, op, **params):
    """The members of `params` this botocore's model has (newer models add members)."""
    return {k: v for k, v in params.items() if modelled(service, op, k)}


def refused(service, op, code, **params):
    """Calls `op` expecting AWS's `code` (a parameter naming something no keyform world has:
    a custom key store, a Nitro attestation, an SNS topic): the parameter was read, as typed
    by the model, and answered as AWS answers it."""
    try:
        getattr(CLIENTS[service], xform_name(op))(**params)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        if got == code:
            sent.setdefault(f"{service}:{op}", set()).update(params)
            return
        problem(f"{service}:{op} {sorted(params)}: answered {got}, AWS answers {code}")
        return
    problem(f"{service}:{op} {sorted(params)}: succeeded, AWS answers {code}")


# ------------------------------------------------------------------ shapes
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
HTTP_DATE = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")


def check_scalar(text, shape, path, timestamp_re=ISO):
    t = shape.type_name
    if t == "string":
        if shape.enum and text not in shape.enum:
            problem(f"{path}: {text!r} is not one of {shape.name}'s values {shape.enum}")
    elif t in ("integer", "long"):
        if not re.fullmatch(r"-?\d+", text):
            problem(f"{path}: {text!r} is not an {t}")
    elif t == "boolean":
        if text not in ("true", "false"):
            problem(f"{path}: {text!r} is not a boolean (true/false)")
    elif t in ("double", "float"):
        try:
            float(text)
        except ValueError:
            problem(f"{path}: {text!r} is not a number")
    elif t == "timestamp":
        if not timestamp_re.match(text):
            problem(f"{path}: {text!r} is not a timestamp in the protocol's format")
    elif t == "blob":
        try:
            base64.b64decode(text, validate=True)
        except Exception:
            problem(f"{path}: {text!r} is not base64")


def check_json(v, shape, path):
    t = shape.type_name
    if v is None:
        problem(f"{path}: null (AWS leaves absent members out)")
    elif t == "structure":
        if not isinstance(v, dict):
            return problem(f"{path}: expected an object ({shape.name}), got {type(v).__name__}")
        for k, x in v.items():
            if k not in shape.members:
                problem(f"{path}.{k}: not a member of {shape.name}")
            else:
                check_json(x, shape.members[k], f"{path}.{k}")
    elif t == "list":
        if not isinstance(v, list):
            return problem(f"{path}: expected a list ({shape.name}), got {type(v).__name__}")
        for i, x in enumerate(v):
            check_json(x, shape.member, f"{path}[{i}]")
    elif t == "map":
        if not isinstance(v, dict):
            return problem(f"{path}: expected a map ({shape.name}), got {type(v).__name__}")
        for k, x in v.items():
            check_json(x, shape.value, f"{path}[{k}]")
    elif t in ("integer", "long"):
        if not isinstance(v, int) or isinstance(v, bool):
            problem(f"{path}: expected an {t}, got {v!r}")
    elif t == "boolean":
        if not isinstance(v, bool):
            problem(f"{path}: expected a boolean, got {v!r}")
    elif t in ("double", "float", "timestamp"):
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            problem(f"{path}: expected a number ({t}; JSON timestamps are epoch seconds), got {v!r}")
    elif not isinstance(v, str):
        problem(f"{path}: expected a {t} as a string, got {v!r}")
    else:
        check_scalar(v, shape, path)


def tag(e):
    return e.tag.split("}", 1)[-1]


def xml_name(member_name, m):
    if m.type_name == "list" and m.serialization.get("flattened"):
        return m.serialization.get("name") or m.member.serialization.get("name") or member_name
    return m.serialization.get("name", member_name)


def check_xml(e, shape, path):
    t = shape.type_name
    if t == "structure":
        names = {xml_name(n, m): m for n, m in shape.members.items()
                 if m.serialization.get("location") not in ("header", "headers", "statusCode", "uri", "querystring")}
        for child in e:
            m = names.get(tag(child))
            if m is None:
                problem(f"{path}/{tag(child)}: not a member of {shape.name}")
            elif m.type_name == "list" and m.serialization.get("flattened"):
                check_xml(child, m.member, f"{path}/{tag(child)}")
            else:
                check_xml(child, m, f"{path}/{tag(child)}")
    elif t == "list":
        want = shape.member.serialization.get("name", "member")
        for child in e:
            if tag(child) != want:
                problem(f"{path}/{tag(child)}: list items of {shape.name} are <{want}>")
            check_xml(child, shape.member, f"{path}/{want}")
    elif t == "map":
        for entry in e:
            value = entry.find("./{*}value")
            if value is None:
                value = entry.find("value")
            if value is not None:
                check_xml(value, shape.value, f"{path}/entry")
    else:
        if len(e):
            problem(f"{path}: expected a {t}, got elements")
        else:
            check_scalar(e.text or "", shape, path)


def check_headers(op, headers, shape):
    members = {}
    prefixes = []
    if shape is not None:
        for n, m in shape.members.items():
            loc = m.serialization.get("location")
            if loc == "header":
                members[m.serialization.get("name", n).lower()] = m
            elif loc == "headers":
                prefixes.append(m.serialization.get("name", n).lower())
    for h, v in headers.items():
        if h in members:
            m = members[h]
            fmt = m.serialization.get("timestampFormat")
            check_scalar(v, m, f"{op} header {h}", ISO if fmt == "iso8601" else HTTP_DATE)
        elif h.startswith("x-amz-") and h not in ("x-amz-request-id", "x-amz-id-2") \
                and not any(h.startswith(p) for p in prefixes):
            problem(f"{op} header {h}: not a member of {shape.name if shape else 'the (empty) output'}")


def check_response(op_model, status, headers, body):
    svc = op_model.service_model.service_name
    op = f"{svc}:{op_model.name}"
    shape = op_model.output_shape
    protocol = op_model.service_model.protocol
    if protocol == "json":
        v = json.loads(body or b"{}")
        if shape is None:
            if v:
                problem(f"{op}: the model has no output, keyform answered {v}")
        else:
            check_json(v, shape, op)
    elif protocol == "query":
        root = ET.fromstring(body)
        if tag(root) != f"{op_model.name}Response":
            problem(f"{op}: root element <{tag(root)}>, expected <{op_model.name}Response>")
        for child in root:
            name = tag(child)
            if name == "ResponseMetadata":
                continue
            if shape is not None and name == shape.serialization.get("resultWrapper"):
                check_xml(child, shape, f"{op}/{name}")
            elif shape is None and name == f"{op_model.name}Result" and len(child) == 0:
                continue
            else:
                problem(f"{op}/{name}: not part of the {op_model.name} response")
    else:  # rest-xml (S3)
        check_headers(op, headers, shape)
        if shape is None or body is None or not body.strip():
            return
        payload = shape.serialization.get("payload")
        if op_model.name == "GetBucketLocation":
            root = ET.fromstring(body)
            if tag(root) != "LocationConstraint" or len(root):
                problem(f"{op}: expected <LocationConstraint>region</LocationConstraint>")
            return
        if payload:
            m = shape.members[payload]
            if m.type_name != "structure":
                return  # raw payload (a policy document, object bytes)
            root = ET.fromstring(body)
            want = m.serialization.get("name", payload)
            if tag(root) != want:
                problem(f"{op}: root element <{tag(root)}>, expected <{want}>")
            check_xml(root, m, op)
        else:
            check_xml(ET.fromstring(body), shape, op)


# ------------------------------------------------------------------ RSAES-OAEP, by hand
def _der(b, i):
    """One DER element at `i`: (tag, content start, end)."""
    tag, n = b[i], b[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    return tag, i, i + n


def oaep_sha256_encrypt(spki_der, message):
    """Wraps `message` to an RSA public key (DER SubjectPublicKeyInfo) with RSAES-OAEP over
    SHA-256, as `openssl pkeyutl -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256`
    does (no third-party crypto module in the client venv)."""
    import hashlib
    _, i, _ = _der(spki_der, 0)            # SubjectPublicKeyInfo
    _, _, j = _der(spki_der, i)            # AlgorithmIdentifier
    _, b, _ = _der(spki_der, j)            # BIT STRING
    _, k, _ = _der(spki_der, b + 1)        # RSAPublicKey
    _, ns, ne = _der(spki_der, k)
    _, es, ee = _der(spki_der, ne)
    n, e = int.from_bytes(spki_der[ns:ne], "big"), int.from_bytes(spki_der[es:ee], "big")
    size, h = (n.bit_length() + 7) // 8, 32

    def mgf1(seed, length):
        out = b""
        for c in range((length + h - 1) // h):
            out += hashlib.sha256(seed + c.to_bytes(4, "big")).digest()
        return out[:length]

    db = hashlib.sha256(b"").digest() + b"\0" * (size - len(message) - 2 * h - 2) + b"\1" + message
    seed = os.urandom(h)
    masked_db = bytes(x ^ y for x, y in zip(db, mgf1(seed, size - h - 1)))
    masked_seed = bytes(x ^ y for x, y in zip(seed, mgf1(masked_db, h)))
    em = int.from_bytes(b"\0" + masked_seed + masked_db, "big")
    return pow(em, e, n).to_bytes(size, "big")


# ------------------------------------------------------------------ scenario
def scenario():
    kms = lambda op, **p: call("kms", op, **p)  # noqa: E731
    s3 = lambda op, **p: call("s3", op, **p)  # noqa: E731
    iam = lambda op, **p: call("iam", op, **p)  # noqa: E731
    sts = lambda op, **p: call("sts", op, **p)  # noqa: E731
    ct = lambda op, **p: call("cloudtrail", op, **p)  # noqa: E731

    me = sts("GetCallerIdentity")
    account = me["Account"]
    root = f"arn:aws:iam::{account}:root"
    admin_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "trail", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"}]})

    # KMS
    key = kms("CreateKey", Policy=admin_policy, Description="conformance", KeyUsage="ENCRYPT_DECRYPT",
              KeySpec="SYMMETRIC_DEFAULT", BypassPolicyLockoutSafetyCheck=False,
              Tags=[{"TagKey": "team", "TagValue": "lab"}], MultiRegion=False)["KeyMetadata"]
    kid, karn = key["KeyId"], key["Arn"]
    other = kms("CreateKey", CustomerMasterKeySpec="SYMMETRIC_DEFAULT")["KeyMetadata"]["KeyId"]
    kms("DescribeKey", KeyId=kid)
    page = kms("ListKeys", Limit=1)
    kms("ListKeys", Limit=1, Marker=page["NextMarker"])
    if modelled("kms", "ListKeys", "ResourceOwners"):
        kms("ListKeys", ResourceOwners=["SELF", "OTHER_ACCOUNTS_VIA_RAM"])
    kms("CreateAlias", AliasName="alias/conformance", TargetKeyId=kid)
    kms("UpdateAlias", AliasName="alias/conformance", TargetKeyId=other)
    kms("UpdateAlias", AliasName="alias/conformance", TargetKeyId=kid)
    kms("ListAliases", KeyId=kid)
    kms("ListAliases")
    kms("CreateAlias", AliasName="alias/conformance-gone", TargetKeyId=other)
    page = kms("ListAliases", Limit=1)
    kms("ListAliases", Limit=1, Marker=page["NextMarker"])
    kms("DeleteAlias", AliasName="alias/conformance-gone")
    kms("DisableKey", KeyId=other)
    kms("EnableKey", KeyId=other)
    kms("EnableKeyRotation", KeyId=kid, RotationPeriodInDays=90)
    kms("GetKeyRotationStatus", KeyId=kid)
    kms("RotateKeyOnDemand", KeyId=kid)
    kms("ListKeyRotations", KeyId=kid)
    kms("ListKeyRotations", KeyId=kid, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    refused("kms", "CreateKey", "CustomKeyStoreNotFoundException", CustomKeyStoreId="cks-1234567890abcdef0")
    refused("kms", "CreateKey", "ValidationException", XksKeyId="ext-key-1")
    recipient = {"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": b"not signed by nitro"}
    refused("kms", "GenerateRandom", "CustomKeyStoreNotFoundException", NumberOfBytes=8,
            CustomKeyStoreId="cks-1234567890abcdef0")
    refused("kms", "GenerateRandom", "ValidationException", NumberOfBytes=8, Recipient=recipient)
    kms("DisableKeyRotation", KeyId=kid)
    kms("GetKeyPolicy", KeyId=kid, PolicyName="default")
    kms("PutKeyPolicy", KeyId=kid, PolicyName="default", Policy=admin_policy, BypassPolicyLockoutSafetyCheck=False)
    kms("ListKeyPolicies", KeyId=kid, Limit=10)
    kms("UpdateKeyDescription", KeyId=kid, Description="conformance key")
    kms("TagResource", KeyId=kid, Tags=[{"TagKey": "env", "TagValue": "test"}])
    page = kms("ListResourceTags", KeyId=kid, Limit=1)
    kms("ListResourceTags", KeyId=kid, Limit=1, Marker=page["NextMarker"])
    kms("UntagResource", KeyId=kid, TagKeys=["env"])
    kms("ListResourceTags", KeyId=kid)
    ec = {"purpose": "conformance"}
    blob = kms("Encrypt", KeyId="alias/conformance", Plaintext=b"secret", EncryptionContext=ec,
               EncryptionAlgorithm="SYMMETRIC_DEFAULT")["CiphertextBlob"]
    kms("Decrypt", CiphertextBlob=blob, EncryptionContext=ec, KeyId=kid, EncryptionAlgorithm="SYMMETRIC_DEFAULT")
    kms("ReEncrypt", CiphertextBlob=blob, SourceEncryptionContext=ec, SourceKeyId=kid, DestinationKeyId=other,
        DestinationEncryptionContext={"purpose": "moved"}, SourceEncryptionAlgorithm="SYMMETRIC_DEFAULT",
        DestinationEncryptionAlgorithm="SYMMETRIC_DEFAULT")
    refused("kms", "Decrypt", "ValidationException", CiphertextBlob=blob, EncryptionContext=ec, Recipient=recipient)
    refused("kms", "GenerateDataKey", "ValidationException", KeyId=kid, KeySpec="AES_256", Recipient=recipient)
    kms("GenerateDataKey", KeyId=kid, EncryptionContext=ec, KeySpec="AES_256")
    kms("GenerateDataKey", KeyId=kid, NumberOfBytes=16)
    kms("GenerateDataKeyWithoutPlaintext", KeyId=kid, EncryptionContext=ec, KeySpec="AES_128")
    kms("GenerateDataKeyWithoutPlaintext", KeyId=kid, NumberOfBytes=32)
    kms("GenerateRandom", NumberOfBytes=24)
    signer = kms("CreateKey", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    sig = kms("Sign", KeyId=signer, Message=b"release", MessageType="RAW",
              SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    kms("Verify", KeyId=signer, Message=b"release", MessageType="RAW", Signature=sig,
        SigningAlgorithm="ECDSA_SHA_256")
    kms("GetPublicKey", KeyId=signer)
    hmac = kms("CreateKey", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    mac = kms("GenerateMac", KeyId=hmac, Message=b"token", MacAlgorithm="HMAC_SHA_256")["Mac"]
    kms("VerifyMac", KeyId=hmac, Message=b"token", MacAlgorithm="HMAC_SHA_256", Mac=mac)
    grant = kms("CreateGrant", KeyId=kid, GranteePrincipal=root, RetiringPrincipal=root,
                Operations=["Encrypt", "Decrypt"], Name="conformance",
                Constraints={"EncryptionContextSubset": {"app": "lab"}})
    svc = kms("CreateGrant", KeyId=kid, GranteeServicePrincipal="s3.amazonaws.com",
              RetiringServicePrincipal="s3.amazonaws.com", Operations=["Decrypt"],
              Constraints={"SourceArn": "arn:aws:s3:::conformance-bucket",
                           "EncryptionContextEquals": {"app": "lab"}})
    page = kms("ListGrants", KeyId=kid, Limit=1)
    kms("ListGrants", KeyId=kid, Limit=1, Marker=page["NextMarker"], GrantId=svc["GrantId"])
    kms("ListGrants", KeyId=kid, GranteePrincipal=root)
    kms("ListGrants", KeyId=kid, GranteeServicePrincipal="s3.amazonaws.com")
    again = kms("CreateGrant", KeyId=kid, GranteePrincipal=root, RetiringPrincipal=root,
                Operations=["Decrypt"])
    page = kms("ListRetirableGrants", RetiringPrincipal=root, Limit=1)
    kms("ListRetirableGrants", RetiringPrincipal=root, Limit=1, Marker=page["NextMarker"])
    kms("ListRetirableGrants", RetiringServicePrincipal="s3.amazonaws.com", Limit=1)
    kms("RetireGrant", GrantToken=grant["GrantToken"])
    kms("RevokeGrant", KeyId=kid, GrantId=svc["GrantId"])
    kms("RetireGrant", KeyId=kid, GrantId=again["GrantId"])
    # Grant tokens on every operation that takes them (each token names a live grant).
    def tokens(key, ops):
        return [kms("CreateGrant", KeyId=key, GranteePrincipal=root, Operations=ops)["GrantToken"]]
    tok = tokens(kid, ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
                       "GenerateDataKeyWithoutPlaintext", "DescribeKey", "CreateGrant"])
    kms("CreateGrant", KeyId=kid, GranteePrincipal=root, Operations=["Decrypt"], GrantTokens=tok)
    kms("DescribeKey", KeyId=kid, GrantTokens=tok)
    tblob = kms("Encrypt", KeyId=kid, Plaintext=b"t", GrantTokens=tok)["CiphertextBlob"]
    kms("Decrypt", CiphertextBlob=tblob, GrantTokens=tok)
    kms("ReEncrypt", CiphertextBlob=tblob, DestinationKeyId=kid, GrantTokens=tok)
    kms("GenerateDataKey", KeyId=kid, KeySpec="AES_256", GrantTokens=tok)
    kms("GenerateDataKeyWithoutPlaintext", KeyId=kid, KeySpec="AES_256", GrantTokens=tok)
    stok = tokens(signer, ["Sign", "Verify", "GetPublicKey"])
    sig = kms("Sign", KeyId=signer, Message=b"r", SigningAlgorithm="ECDSA_SHA_256",
              GrantTokens=stok)["Signature"]
    kms("Verify", KeyId=signer, Message=b"r", Signature=sig, SigningAlgorithm="ECDSA_SHA_256",
        GrantTokens=stok)
    kms("GetPublicKey", KeyId=signer, GrantTokens=stok)
    htok = tokens(hmac, ["GenerateMac", "VerifyMac"])
    mac = kms("GenerateMac", KeyId=hmac, Message=b"t", MacAlgorithm="HMAC_SHA_256",
              GrantTokens=htok)["Mac"]
    kms("VerifyMac", KeyId=hmac, Message=b"t", MacAlgorithm="HMAC_SHA_256", Mac=mac,
        GrantTokens=htok)
    refused("kms", "DescribeKey", "InvalidGrantTokenException", KeyId=kid,
            GrantTokens=["bm90IGEgdG9rZW4="])
    ext = kms("CreateKey", Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    params = kms("GetParametersForImport", KeyId=ext, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                 WrappingKeySpec="RSA_2048")
    wrapped = oaep_sha256_encrypt(params["PublicKey"], os.urandom(32))
    valid_to = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)
    mid = kms("ImportKeyMaterial", KeyId=ext, ImportToken=params["ImportToken"],
              EncryptedKeyMaterial=wrapped, ValidTo=valid_to,
              ExpirationModel="KEY_MATERIAL_EXPIRES", ImportType="NEW_KEY_MATERIAL",
              KeyMaterialDescription="conformance")["KeyMaterialId"]
    kms("ImportKeyMaterial", KeyId=ext, ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrapped, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        ImportType="EXISTING_KEY_MATERIAL", KeyMaterialId=mid)
    kms("DeleteImportedKeyMaterial", KeyId=ext, KeyMaterialId=mid)
    gone = kms("CreateKey")["KeyMetadata"]["KeyId"]
    kms("ScheduleKeyDeletion", KeyId=gone, PendingWindowInDays=7)
    kms("CancelKeyDeletion", KeyId=gone)

    # S3
    b = "conformance-bucket"
    s3("CreateBucket", Bucket=b, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3("HeadBucket", Bucket=b)
    s3("ListBuckets")
    s3("GetBucketLocation", Bucket=b)
    s3("PutBucketEncryption", Bucket=b, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": karn},
        "BucketKeyEnabled": True}]})
    s3("GetBucketEncryption", Bucket=b)
    s3("DeleteBucketEncryption", Bucket=b)
    s3("GetBucketEncryption", Bucket=b)
    s3("PutPublicAccessBlock", Bucket=b, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3("GetPublicAccessBlock", Bucket=b)
    s3("DeletePublicAccessBlock", Bucket=b)
    s3("PutBucketPolicy", Bucket=b, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": root}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{b}/*"}]}))
    s3("GetBucketPolicy", Bucket=b)
    s3("DeleteBucketPolicy", Bucket=b)
    ctx64 = base64.b64encode(json.dumps({"app": "conformance"}).encode()).decode()
    s3("PutObject", Bucket=b, Key="dir/a.txt", Body=b"hello", ServerSideEncryption="aws:kms", SSEKMSKeyId=kid,
       SSEKMSEncryptionContext=ctx64, BucketKeyEnabled=False, ContentType="text/plain", Metadata={"owner": "lab"})
    s3("PutObject", Bucket=b, Key="dir/b.txt", Body=b"world", ServerSideEncryption="AES256")
    top = s3("PutObject", Bucket=b, Key="top.txt", Body=b"!", IfNoneMatch="*")["ETag"]
    top = s3("PutObject", Bucket=b, Key="top.txt", Body=b"!!", IfMatch=top)["ETag"]
    s3("GetObject", Bucket=b, Key="dir/a.txt")["Body"].read()
    past, future = datetime.datetime(2001, 1, 1), datetime.datetime(2100, 1, 1)
    for op in ("GetObject", "HeadObject"):
        r = s3(op, Bucket=b, Key="top.txt", IfMatch=top, IfUnmodifiedSince=future)
        if "Body" in r:
            r["Body"].read()
        r = s3(op, Bucket=b, Key="top.txt", IfNoneMatch='"other"', IfModifiedSince=past)
        if "Body" in r:
            r["Body"].read()
    s3("GetObject", Bucket=b, Key="dir/b.txt", Range="bytes=0-2")["Body"].read()
    s3("HeadObject", Bucket=b, Key="dir/a.txt")
    page = s3("ListObjectsV2", Bucket=b, MaxKeys=1)
    s3("ListObjectsV2", Bucket=b, MaxKeys=1, ContinuationToken=page["NextContinuationToken"])
    s3("ListObjectsV2", Bucket=b, Prefix="dir/", Delimiter="/", StartAfter="dir/a.txt")
    s3("ListObjectsV2", Bucket=b, Delimiter="/")
    up = s3("CreateMultipartUpload", Bucket=b, Key="big.bin", ServerSideEncryption="aws:kms", SSEKMSKeyId=kid,
            SSEKMSEncryptionContext=ctx64, BucketKeyEnabled=True, ContentType="application/octet-stream",
            Metadata={"parts": "1"})["UploadId"]
    etag = s3("UploadPart", Bucket=b, Key="big.bin", UploadId=up, PartNumber=1, Body=b"x" * 1024)["ETag"]
    big = s3("CompleteMultipartUpload", Bucket=b, Key="big.bin", UploadId=up, IfNoneMatch="*",
             MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]})["ETag"]
    up = s3("CreateMultipartUpload", Bucket=b, Key="big.bin")["UploadId"]
    etag = s3("UploadPart", Bucket=b, Key="big.bin", UploadId=up, PartNumber=1, Body=b"y" * 1024)["ETag"]
    s3("CompleteMultipartUpload", Bucket=b, Key="big.bin", UploadId=up, IfMatch=big,
       MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]})
    # Copies, tags, ListParts, checksums.
    tagged = s3("PutObject", Bucket=b, Key="tagged.txt", Body=b"123456789", Tagging="a=b",
                ChecksumAlgorithm="CRC32")["ETag"]
    known = {"CRC32": "cbf43926", "CRC32C": "e3069283", "CRC64NVME": "ae8b14860a799888",
             "SHA1": hashlib.sha1(b"123456789").hexdigest(), "SHA256": hashlib.sha256(b"123456789").hexdigest()}
    sums = {a: base64.b64encode(bytes.fromhex(h)).decode() for a, h in known.items()}
    for alg, value in sums.items():
        s3("PutObject", Bucket=b, Key=f"sum-{alg}", Body=b"123456789", **{f"Checksum{alg}": value})
        s3("HeadObject", Bucket=b, Key=f"sum-{alg}", ChecksumMode="ENABLED")
        u = s3("CreateMultipartUpload", Bucket=b, Key=f"mp-{alg}", ChecksumAlgorithm=alg)["UploadId"]
        s3("UploadPart", Bucket=b, Key=f"mp-{alg}", UploadId=u, PartNumber=1, Body=b"123456789",
           **{f"Checksum{alg}": value})
        s3("AbortMultipartUpload", Bucket=b, Key=f"mp-{alg}", UploadId=u)
    src = f"{b}/tagged.txt"
    copied = s3("CopyObject", Bucket=b, Key="copy.txt", CopySource=src, ServerSideEncryption="aws:kms",
                SSEKMSKeyId=kid, SSEKMSEncryptionContext=ctx64, BucketKeyEnabled=False, ContentType="text/plain",
                Metadata={"a": "b"}, Tagging="c=d", ChecksumAlgorithm="SHA256", MetadataDirective="REPLACE",
                TaggingDirective="REPLACE", CopySourceIfMatch=tagged, CopySourceIfUnmodifiedSince=future,
                IfNoneMatch="*")["CopyObjectResult"]["ETag"]
    s3("CopyObject", Bucket=b, Key="copy.txt", CopySource=src, IfMatch=copied,
       CopySourceIfNoneMatch='"other"', CopySourceIfModifiedSince=past)
    mp = s3("CreateMultipartUpload", Bucket=b, Key="mp.bin", ChecksumAlgorithm="CRC32", ChecksumType="COMPOSITE",
            Tagging="x=y")["UploadId"]
    p1 = s3("UploadPartCopy", Bucket=b, Key="mp.bin", UploadId=mp, PartNumber=1, CopySource=src,
            CopySourceRange="bytes=0-3", CopySourceIfMatch=tagged, CopySourceIfUnmodifiedSince=future,
            CopySourceIfNoneMatch='"other"', CopySourceIfModifiedSince=past)["CopyPartResult"]["ETag"]
    s3("ListParts", Bucket=b, Key="mp.bin", UploadId=mp, MaxParts=1, PartNumberMarker=0)
    s3("CompleteMultipartUpload", Bucket=b, Key="mp.bin", UploadId=mp,
       MultipartUpload={"Parts": [{"ETag": p1, "PartNumber": 1}]})
    s3("PutObjectTagging", Bucket=b, Key="copy.txt", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    s3("GetObjectTagging", Bucket=b, Key="copy.txt")
    s3("DeleteObjectTagging", Bucket=b, Key="copy.txt")
    s3("PutBucketTagging", Bucket=b, Tagging={"TagSet": [{"Key": "env", "Value": "lab"}]})
    s3("GetBucketTagging", Bucket=b)
    s3("DeleteBucketTagging", Bucket=b)
    for op in ("GetBucketAcl", "GetBucketLogging", "GetBucketRequestPayment", "GetBucketAccelerateConfiguration",
               "GetBucketOwnershipControls"):
        s3(op, Bucket=b)
    for op, code in (("GetBucketCors", "NoSuchCORSConfiguration"), ("GetBucketWebsite", "NoSuchWebsiteConfiguration"),
                     ("GetBucketLifecycleConfiguration", "NoSuchLifecycleConfiguration"),
                     ("GetBucketReplication", "ReplicationConfigurationNotFoundError"),
                     ("GetObjectLockConfiguration", "ObjectLockConfigurationNotFoundError")):
        refused("s3", op, code, Bucket=b)
    up2 = s3("CreateMultipartUpload", Bucket=b, Key="abandoned.bin")["UploadId"]
    s3("AbortMultipartUpload", Bucket=b, Key="abandoned.bin", UploadId=up2)
    s3("DeleteObject", Bucket=b, Key="top.txt", IfMatch=top)
    s3("DeleteObjects", Bucket=b, Delete={"Objects": [{"Key": "dir/b.txt"}, {"Key": "missing"}], "Quiet": False})
    s3("CreateBucket", Bucket="conformance-empty", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3("DeleteBucket", Bucket="conformance-empty")
    vb = "conformance-versions"
    s3("CreateBucket", Bucket=vb, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3("GetBucketVersioning", Bucket=vb)
    s3("PutBucketVersioning", Bucket=vb, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Disabled"})
    s3("GetBucketVersioning", Bucket=vb)
    v1 = s3("PutObject", Bucket=vb, Key="v.txt", Body=b"1")["VersionId"]
    v2 = s3("PutObject", Bucket=vb, Key="v.txt", Body=b"2")["VersionId"]
    s3("GetObject", Bucket=vb, Key="v.txt", VersionId=v1)["Body"].read()
    s3("HeadObject", Bucket=vb, Key="v.txt", VersionId=v1)
    s3("PutObjectTagging", Bucket=vb, Key="v.txt", VersionId=v1, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    s3("GetObjectTagging", Bucket=vb, Key="v.txt", VersionId=v1)
    s3("DeleteObjectTagging", Bucket=vb, Key="v.txt", VersionId=v1)
    s3("DeleteObject", Bucket=vb, Key="v.txt")
    page = s3("ListObjectVersions", Bucket=vb, Prefix="v", Delimiter="/", MaxKeys=1)
    page = s3("ListObjectVersions", Bucket=vb, Prefix="v", MaxKeys=1)
    s3("ListObjectVersions", Bucket=vb, KeyMarker=page["NextKeyMarker"], VersionIdMarker=page["NextVersionIdMarker"])
    s3("DeleteObject", Bucket=vb, Key="v.txt", VersionId=v1)
    s3("DeleteObjects", Bucket=vb, Delete={"Objects": [{"Key": "v.txt", "VersionId": v2}]})
    s3("PutBucketVersioning", Bucket=vb, VersioningConfiguration={"Status": "Suspended"})

    # IAM
    iam("CreateUser", UserName="conformance", Path="/lab/")
    iam("GetUser", UserName="conformance")
    iam("GetUser")
    iam("ListUsers")
    iam("UpdateUser", UserName="conformance", NewUserName="conformance2", NewPath="/lab2/")
    u = "conformance2"
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})
    iam("PutUserPolicy", UserName=u, PolicyName="inline", PolicyDocument=doc)
    iam("GetUserPolicy", UserName=u, PolicyName="inline")
    iam("ListUserPolicies", UserName=u)
    iam("DeleteUserPolicy", UserName=u, PolicyName="inline")
    parn = iam("CreatePolicy", PolicyName="managed", Path="/lab/", PolicyDocument=doc,
               Description="conformance policy")["Policy"]["Arn"]
    iam("GetPolicy", PolicyArn=parn)
    iam("CreatePolicyVersion", PolicyArn=parn, PolicyDocument=doc, SetAsDefault=True)
    iam("ListPolicyVersions", PolicyArn=parn)
    iam("GetPolicyVersion", PolicyArn=parn, VersionId="v2")
    iam("DeletePolicyVersion", PolicyArn=parn, VersionId="v1")
    iam("AttachUserPolicy", UserName=u, PolicyArn=parn)
    iam("ListAttachedUserPolicies", UserName=u)
    iam("ListPolicies", Scope="All", OnlyAttached=True, PathPrefix="/")
    first = iam("ListPolicies", Scope="AWS", MaxItems=2)
    assert first["IsTruncated"] and first["Policies"][0]["PolicyId"].startswith("ANPA"), first
    iam("ListPolicies", Scope="AWS", MaxItems=2, Marker=first["Marker"])
    iam("ListEntitiesForPolicy", PolicyArn=parn, EntityFilter="User", PathPrefix="/lab2/")
    iam("ListEntitiesForPolicy", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam("DetachUserPolicy", UserName=u, PolicyArn=parn)
    iam("DeletePolicy", PolicyArn=parn)
    ak = iam("CreateAccessKey", UserName=u)["AccessKey"]["AccessKeyId"]
    iam("ListAccessKeys", UserName=u)
    iam("UpdateAccessKey", UserName=u, AccessKeyId=ak, Status="Inactive")
    iam("DeleteAccessKey", UserName=u, AccessKeyId=ak)
    iam("CreateLoginProfile", UserName=u, Password="Conformance-1", PasswordResetRequired=True)
    iam("GetLoginProfile", UserName=u)
    iam("UpdateLoginProfile", UserName=u, Password="Conformance-2", PasswordResetRequired=False)
    iam("DeleteLoginProfile", UserName=u)
    # Groups and roles (u is still there: it joins the group)
    iam("CreateGroup", GroupName="conformance-group", Path="/lab/")
    iam("GetGroup", GroupName="conformance-group")
    iam("ListGroups", PathPrefix="/")
    iam("AddUserToGroup", GroupName="conformance-group", UserName=u)
    iam("ListGroupsForUser", UserName=u)
    iam("RemoveUserFromGroup", GroupName="conformance-group", UserName=u)
    iam("PutGroupPolicy", GroupName="conformance-group", PolicyName="inline", PolicyDocument=doc)
    iam("GetGroupPolicy", GroupName="conformance-group", PolicyName="inline")
    iam("ListGroupPolicies", GroupName="conformance-group")
    iam("DeleteGroupPolicy", GroupName="conformance-group", PolicyName="inline")
    ro = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    iam("AttachGroupPolicy", GroupName="conformance-group", PolicyArn=ro)
    iam("ListAttachedGroupPolicies", GroupName="conformance-group")
    iam("DetachGroupPolicy", GroupName="conformance-group", PolicyArn=ro)
    iam("DeleteGroup", GroupName="conformance-group")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": root}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
    rarn = iam("CreateRole", RoleName="conformance-role", AssumeRolePolicyDocument=trust, Path="/lab/",
               Description="conformance role", MaxSessionDuration=7200,
               Tags=[{"Key": "team", "Value": "lab"}])["Role"]["Arn"]
    iam("GetRole", RoleName="conformance-role")
    iam("ListRoles", PathPrefix="/")
    iam("UpdateRole", RoleName="conformance-role", Description="updated", MaxSessionDuration=3600)
    iam("UpdateAssumeRolePolicy", RoleName="conformance-role", PolicyDocument=trust)
    iam("PutRolePolicy", RoleName="conformance-role", PolicyName="inline", PolicyDocument=doc)
    iam("GetRolePolicy", RoleName="conformance-role", PolicyName="inline")
    iam("ListRolePolicies", RoleName="conformance-role")
    iam("AttachRolePolicy", RoleName="conformance-role", PolicyArn=ro)
    iam("ListAttachedRolePolicies", RoleName="conformance-role")
    sts("AssumeRole", RoleArn=rarn, RoleSessionName="conformance", DurationSeconds=900, ExternalId="partner-42",
        Policy=doc, PolicyArns=[{"arn": ro}], Tags=[{"Key": "project", "Value": "alpha"}],
        TransitiveTagKeys=["project"])
    iam("DetachRolePolicy", RoleName="conformance-role", PolicyArn=ro)
    iam("DeleteRolePolicy", RoleName="conformance-role", PolicyName="inline")
    iam("DeleteRole", RoleName="conformance-role")
    iam("DeleteUser", UserName=u)

    # CloudTrail
    logs = "conformance-trail-logs"
    s3("CreateBucket", Bucket=logs, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3("PutBucketPolicy", Bucket=logs, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{logs}"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{logs}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}))
    refused("cloudtrail", "CreateTrail", "InsufficientSnsTopicPolicyException", Name="conformance",
            S3BucketName=logs, SnsTopicName="no-such-topic")
    refused("cloudtrail", "CreateTrail", "InvalidCloudWatchLogsLogGroupArnException", Name="conformance",
            S3BucketName=logs, CloudWatchLogsLogGroupArn=f"arn:aws:logs:{REGION}:{account}:log-group:lab:*",
            CloudWatchLogsRoleArn=f"arn:aws:iam::{account}:role/CloudTrail_CloudWatchLogs_Role")
    refused("cloudtrail", "CreateTrail", "OrganizationsNotInUseException", Name="conformance",
            S3BucketName=logs, IsOrganizationTrail=True)
    ct("CreateTrail", Name="conformance", S3BucketName=logs, S3KeyPrefix="ct", KmsKeyId=karn,
       IncludeGlobalServiceEvents=True, IsMultiRegionTrail=False, EnableLogFileValidation=True,
       IsOrganizationTrail=False, TagsList=[{"Key": "team", "Value": "lab"}],
       **newer("cloudtrail", "CreateTrail", RecursiveLogging=True))
    ct("UpdateTrail", Name="conformance", S3BucketName=logs, S3KeyPrefix="ct2", KmsKeyId=karn,
       IncludeGlobalServiceEvents=True, IsMultiRegionTrail=True, EnableLogFileValidation=False,
       IsOrganizationTrail=False, SnsTopicName="", CloudWatchLogsLogGroupArn="", CloudWatchLogsRoleArn="",
       **newer("cloudtrail", "UpdateTrail", RecursiveLogging=False))
    ct("GetTrail", Name="conformance")
    ct("DescribeTrails")
    ct("DescribeTrails", trailNameList=["conformance"], includeShadowTrails=False)
    ct("ListTrails")
    ct("ListPublicKeys", StartTime=datetime.datetime(2001, 1, 1), EndTime=datetime.datetime(2100, 1, 1))
    ct("StartLogging", Name="conformance")
    ct("GetTrailStatus", Name="conformance")
    ct("PutEventSelectors", TrailName="conformance", EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{b}/"]}]}])
    ct("GetEventSelectors", TrailName="conformance")
    ct("PutEventSelectors", TrailName="conformance", AdvancedEventSelectors=[{"Name": "kms writes", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]},
        {"Field": "eventSource", "Equals": ["kms.amazonaws.com"]},
        {"Field": "readOnly", "Equals": ["false"]}]}])
    ct("GetEventSelectors", TrailName="conformance")
    ct("LookupEvents", EventCategory="insight")
    ev = ct("LookupEvents", LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}],
            StartTime=0, EndTime=4102444800, MaxResults=1)
    ct("LookupEvents", MaxResults=1, NextToken=ev["NextToken"])
    ct("StopLogging", Name="conformance")
    ct("DeleteTrail", Name="conformance")


def missing_required():
    """Each required member left out gets a 4xx error that names it."""
    for op, params in sorted(succeeded.items()):
        svc, name = op.split(":")
        model = MODELS[svc].operation_model(name)
        shape = model.input_shape
        if shape is None:
            continue
        loose = client(svc, validate=False)
        rest = model.service_model.protocol == "rest-xml"
        for r in shape.required_members:
            if r not in params or shape.members[r].serialization.get("location") in ("uri", "querystring"):
                # S3: the path and query name the operation itself (DELETE /b/k without
                # ?uploadId is DeleteObject), so leaving them out asks for something else.
                continue
            try:
                getattr(loose, xform_name(name))(**{k: v for k, v in params.items() if k != r})
                problem(f"{op}: accepted a request without the required {r}")
            except botocore.exceptions.ClientError as e:
                status = e.response["ResponseMetadata"]["HTTPStatusCode"]
                msg = e.response["Error"].get("Message", "")
                # S3's XML errors (MalformedXML, MissingRequestBodyError) do not name members.
                if 400 <= status < 500 and (rest or r.lower() in msg.lower().replace("_", "")):
                    ok()
                else:
                    problem(f"{op} without {r}: {status} {e.response['Error'].get('Code')} {msg!r} does not name {r}")


def main():
    ops = json.load(open(sys.argv[1]))
    # 1. Parameters against the input shapes.
    for op, params in sorted(ops.items()):
        svc, name = op.split(":")
        try:
            model = MODELS[svc].operation_model(name)
        except botocore.exceptions.OperationNotFoundError:
            problem(f"{op}: no such operation in botocore's {svc} model")
            continue
        members = model.input_shape.members if model.input_shape else {}
        for p in params:
            if p in members:
                ok()
            else:
                problem(f"{op}: accepts {p}, which is not a member of {model.input_shape.name if model.input_shape else 'its (empty) input'}")
        for r in (model.input_shape.required_members if model.input_shape else []):
            if r in params:
                ok()
            else:
                problem(f"{op}: the model requires {r}, which keyform does not accept")
        # KMS and CloudTrail accept every member of the model (serve drops those that change
        # nothing in a simulation: src/serve/kms.rs `harmless`).
        if svc in ("kms", "cloudtrail"):
            for m in members:
                if m in params or m in SERVE_DROPS:
                    ok()
                else:
                    problem(f"{op}: the model has {m}, which keyform does not accept")
    # 2. The scenario, then every response against its output shape.
    try:
        scenario()
    except botocore.exceptions.ClientError as e:
        problem(f"scenario stopped: {e}")
    for model, status, headers, body in calls:
        if 200 <= status < 300:
            before = len(problems)
            check_response(model, status, headers, body)
            if len(problems) == before:
                ok()
    for op, params in sorted(ops.items()):
        missing = set(params) - sent.get(op, set()) - set(NOT_SENT.get(op, {}))
        if op not in sent:
            problem(f"{op}: the scenario never called it successfully")
        elif missing:
            problem(f"{op}: the scenario never sent {sorted(missing)}")
        else:
            ok()
    # 3. Required members.
    missing_required()
    print(f"conformance: {passed} passed, {len(problems)} failed")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
