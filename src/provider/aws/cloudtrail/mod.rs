//! CloudTrail on the simulated cloud: `aws_cloudtrail` (in `trail.rs`).
//!
//! Writes go through the sim's CloudTrail operations as lab-admin; reads look at the world
//! directly and record nothing.

pub(super) mod trail;
