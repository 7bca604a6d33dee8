// keyform's accepted parameters against the service models the AWS SDK for JavaScript v3 is
// generated from (its Smithy schemas, exported by each @aws-sdk/client-* package as
// `<Operation>$` and `<Shape>$`), as tests/clients/conformance.py does against botocore's:
//
//     node conformance.cjs OPS.json
//
// OPS.json maps each operation keyform serves ("kms:Encrypt") to the parameters it accepts
// (keyform::sim::ops::parameter_names). For each: the SDK has the operation; every parameter
// keyform accepts is a member of its input structure; every member the schema marks required
// is one keyform accepts; for KMS and CloudTrail (JSON bodies, so any member can arrive), every
// member of the input is accepted, or is one serve drops because it changes nothing in a
// simulation (src/serve/kms.rs `harmless`).
//
// Environment: KEYFORM_JS_MODULES (the directory holding node_modules). Prints one line per
// problem, then "conformance: N passed, M failed"; exits 1 on any problem.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

const sdk = createRequire(path.join(process.env.KEYFORM_JS_MODULES, "node_modules", "x.js"));
const PACKAGES = { kms: "client-kms", s3: "client-s3", iam: "client-iam", sts: "client-sts", cloudtrail: "client-cloudtrail" };
const SERVE_DROPS = new Set(["GrantTokens", "DryRun", "DryRunModifiers", "Origin", "Limit", "Marker"]);

// Schema tuples (@smithy/core/schema's static form): an operation is
// [9, namespace, name, traits, () => input, () => output]; a structure is
// [3, namespace, name, traits, memberNames, memberSchemas, requiredCount?], its required
// members first.
const OPERATION = 9;
const STRUCTURE = 3;

let passed = 0;
let failed = 0;
const problem = (msg) => {
  failed += 1;
  console.log(`FAIL ${msg}`);
};
const ok = () => {
  passed += 1;
};

function input(schemas, op) {
  const s = schemas[`${op}$`];
  if (!Array.isArray(s) || s[0] !== OPERATION) {
    return null;
  }
  const shape = typeof s[4] === "function" ? s[4]() : s[4];
  if (!Array.isArray(shape) || shape[0] !== STRUCTURE) {
    // A Unit input: no members.
    return { name: `${op}Request`, members: [], required: [] };
  }
  const members = shape[4] || [];
  return { name: shape[2], members, required: members.slice(0, shape[6] || 0) };
}

function main() {
  const ops = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const versions = {};
  const schemas = {};
  for (const [svc, pkg] of Object.entries(PACKAGES)) {
    schemas[svc] = sdk(`@aws-sdk/${pkg}`);
    versions[svc] = sdk(`@aws-sdk/${pkg}/package.json`).version;
  }
  console.log(`models: ${Object.entries(versions).map(([s, v]) => `${s} ${v}`).join(", ")}`);
  for (const [op, params] of Object.entries(ops).sort()) {
    const [svc, name] = op.split(":");
    const shape = schemas[svc] && input(schemas[svc], name);
    if (!shape) {
      problem(`${op}: no such operation in @aws-sdk/${PACKAGES[svc] || svc}`);
      continue;
    }
    for (const p of params) {
      if (shape.members.includes(p)) ok();
      else problem(`${op}: accepts ${p}, which is not a member of ${shape.name}`);
    }
    for (const r of shape.required) {
      if (params.includes(r)) ok();
      else problem(`${op}: the model requires ${r}, which keyform does not accept`);
    }
    if (svc === "kms" || svc === "cloudtrail") {
      for (const m of shape.members) {
        if (params.includes(m) || SERVE_DROPS.has(m)) ok();
        else problem(`${op}: the model has ${m}, which keyform does not accept`);
      }
    }
  }
  console.log(`conformance: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

process.exit(main());
