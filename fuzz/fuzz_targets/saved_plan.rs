//! cargo-fuzz target `saved_plan`: see ../harness.rs.

#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::saved_plan(data));
