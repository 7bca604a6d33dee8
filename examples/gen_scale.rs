//! Prints a generated configuration of about N resources (default 10000):
//! `cargo run --release --example gen_scale -- 10000 > main.tf`.

#[path = "../benches/support/scale.rs"]
mod scale;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    print!("{}", scale::generate(scale::units_for(n)));
}
