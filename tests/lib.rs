//! keyform's integration tests: one binary (links once) driving the real `keyform` executable
//! through the [`support::Test`] builder on fixture configurations in temporary directories.

mod support;

mod cli_basics;
mod grade_grade;
mod grade_test;
