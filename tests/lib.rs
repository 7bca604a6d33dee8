//! keyform's integration tests: one binary (links once) driving the real `keyform` executable
//! through the [`support::Test`] builder on fixture configurations in temporary directories.

mod support;

mod cli_basics;
mod commands;
mod console_browser;
mod drift;
mod grade_grade;
mod grade_test;
mod iam_login_profile;
mod invalid_configs;
mod kms_external_key;
mod kms_grant;
mod kms_import_openssl;
mod labs;
mod locking;
mod plan_render;
mod reliability_crash;
mod reliability_damage;
mod reliability_fuzz;
mod reliability_hostile;
mod reliability_lock;
mod reliability_secrets;
mod serve_clients;
mod serve_conformance;
mod serve_js_sdk;
mod serve_moto;
mod serve_principals;
mod serve_s3;
mod serve_security;
mod serve_terraform;
mod serve_wire;
mod sim_access;
mod sim_accounts;
mod sim_cli_syntax;
mod sim_cloudtrail;
mod sim_common;
mod sim_kms_asym;
mod sim_lifecycle;
mod sim_s3;
mod tflang;
mod tflang_import;
mod tflang_test_shape;
mod variables;
mod workflow;
