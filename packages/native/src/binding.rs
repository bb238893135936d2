//! napi-rs bindings for `frames.rs`: the JavaScript side hands in its buffers, this side
//! seals or opens whole batches of frames in one call on the calling thread (`*Sync`);
//! `job_binding.rs` runs them on the libuv thread pool (napi AsyncTasks, Promises in
//! JavaScript), split across several tasks.
//!
//! Buffer ownership: while a task runs, its worker thread reads `input` and writes
//! `output` without synchronisation. The caller (the engine) owns both buffers until the
//! promise settles and must neither read `output` nor write either of them before then.
//! For one-shot calls `input` is the application's own buffer, which the engine's contract
//! (like node's `fs.write`) says it must not write meanwhile; `frames.rs` reads each input
//! byte exactly once (copied into `output`, then sealed or opened in place there), so an
//! application breaking that contract gets frames of mixed old and new bytes that still
//! authenticate, or a failed open: never released plaintext that did not verify.
//! The two ranges must not overlap (checked below: overlapping views would alias a `&[u8]`
//! with a `&mut [u8]`).

use std::sync::Arc;

use napi::bindgen_prelude::Uint8Array;
use napi::{Error, Result, Status};
use napi_derive::napi;
use ring::aead::LessSafeKey;

use crate::frames::{self, FrameError};

pub(crate) fn to_js(error: FrameError) -> Error {
    Error::new(Status::GenericFailure, format!("{}: {}", error.code(), error.message()))
}

pub(crate) fn argument(what: &str) -> Error {
    Error::new(Status::InvalidArg, format!("NATIVE_ARGUMENT: native batch: {what}"))
}

/// Refuses input/output views that share bytes.
pub(crate) fn check_disjoint(input: &Uint8Array, output: &Uint8Array) -> Result<()> {
    let a = input.as_ptr() as usize;
    let b = output.as_ptr() as usize;
    let (a_end, b_end) = (a + input.len(), b + output.len());
    if input.len() > 0 && output.len() > 0 && a < b_end && b < a_end {
        return Err(argument("the input and output overlap"));
    }
    Ok(())
}

/// An imported AES-GCM key (16 or 32 bytes). The raw bytes are copied into ring's key
/// schedule; the caller may wipe its copy afterwards.
#[napi]
pub struct NativeKey {
    pub(crate) inner: Arc<LessSafeKey>,
}

#[napi]
impl NativeKey {
    #[napi(constructor)]
    pub fn new(raw: Uint8Array) -> Result<Self> {
        frames::import_key(&raw)
            .map(|key| NativeKey { inner: Arc::new(key) })
            .ok_or_else(|| argument("the key is not 16 or 32 bytes"))
    }
}

fn frame_length(value: u32) -> Result<usize> {
    if value == 0 {
        return Err(argument("the frame length is 0"));
    }
    Ok(value as usize)
}

/// Which way a batch goes.
#[derive(Clone, Copy)]
enum Direction {
    Seal,
    Open,
}

/// One batch on the calling thread.
struct Batch {
    direction: Direction,
    key: Arc<LessSafeKey>,
    frame_length: usize,
    first: u32,
    message_id: Uint8Array,
    input: Uint8Array,
    output: Uint8Array,
}

impl Batch {
    fn run(mut self) -> Result<u32> {
        // SAFETY (napi buffer access): a synchronous call: JavaScript is blocked until it
        // returns, and `check_disjoint` proved `output` shares no byte with `input`, so this
        // is the only view of those bytes for the duration of the call.
        let output = unsafe { self.output.as_mut() };
        let input: &[u8] = &self.input;
        let done = match self.direction {
            Direction::Seal => frames::seal_frames(&self.key, &self.message_id, self.frame_length, self.first, input, output),
            Direction::Open => frames::open_frames(&self.key, &self.message_id, self.frame_length, self.first, input, output),
        };
        done.map(|n| n as u32).map_err(to_js)
    }
}

fn batch(direction: Direction, key: &NativeKey, message_id: Uint8Array, frame_length_value: u32, first: u32, input: Uint8Array, output: Uint8Array) -> Result<Batch> {
    check_disjoint(&input, &output)?;
    Ok(Batch {
        direction,
        key: Arc::clone(&key.inner),
        frame_length: frame_length(frame_length_value)?,
        first,
        message_id,
        input,
        output,
    })
}

/// Seals whole regular frames from `input` into `output` on the calling thread. Returns the
/// frame count.
#[napi]
pub fn seal_frames_sync(key: &NativeKey, message_id: Uint8Array, frame_length: u32, first: u32, input: Uint8Array, output: Uint8Array) -> Result<u32> {
    batch(Direction::Seal, key, message_id, frame_length, first, input, output)?.run()
}

/// Opens whole regular frames from `input` into `output` on the calling thread. Returns
/// the frame count; throws `FRAME_SEQUENCE: ...` or `AUTHENTICATION_FAILED: ...`, with
/// the failing frame's output zeroed.
#[napi]
pub fn open_frames_sync(key: &NativeKey, message_id: Uint8Array, frame_length: u32, first: u32, input: Uint8Array, output: Uint8Array) -> Result<u32> {
    batch(Direction::Open, key, message_id, frame_length, first, input, output)?.run()
}

/// One AES-GCM seal on the calling thread: `output` = ciphertext || tag.
#[napi]
pub fn seal_one(key: &NativeKey, iv: Uint8Array, aad: Uint8Array, input: Uint8Array, mut output: Uint8Array) -> Result<()> {
    check_disjoint(&input, &output)?;
    // SAFETY (napi buffer access): a synchronous call: JavaScript is blocked until it
    // returns, and the views were checked not to overlap.
    let out = unsafe { output.as_mut() };
    frames::seal_one(&key.inner, &iv, &aad, &input, out).map_err(to_js)
}

/// One AES-GCM open on the calling thread into `output`; false (output zeroed) when the
/// tag does not verify.
#[napi]
pub fn open_one(key: &NativeKey, iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, mut output: Uint8Array) -> Result<bool> {
    check_disjoint(&ciphertext, &output)?;
    check_disjoint(&tag, &output)?;
    // SAFETY (napi buffer access): a synchronous call: JavaScript is blocked until it
    // returns, and the views were checked not to overlap.
    let out = unsafe { output.as_mut() };
    frames::open_one(&key.inner, &iv, &aad, &ciphertext, &tag, out).map_err(to_js)
}
