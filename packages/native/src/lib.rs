//! @sealflow/native: batches of ESDK v2 frames sealed and opened with ring's AES-GCM.
//!
//! `frames` is plain Rust (what `cargo test --no-default-features` tests: a test binary
//! cannot link the napi symbols, which only Node.js provides at load time); `binding` is
//! the napi-rs surface, behind the default `node` feature.

pub mod frames;
pub mod job;

#[cfg(feature = "node")]
mod binding;
#[cfg(feature = "node")]
mod job_binding;
