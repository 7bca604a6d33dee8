//! cargo-fuzz target `test_file`: see ../harness.rs.

#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::test_file(data));
