//! One message's frames shared by several libuv tasks: each task claims the next run of
//! frames from an atomic cursor and seals or opens it, until none is left. No task waits
//! for the JavaScript thread between runs, and a task that starts late or runs slowly (a
//! busy core) simply claims fewer runs: the threads finish together. Pure Rust over plain
//! slices: `binding.rs` hands each claim the disjoint part of the caller's buffers it owns.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use ring::aead::LessSafeKey;

use crate::frames::{self, frame_unit, FrameError};

/// Which way a job goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Seal,
    Open,
}

/// A run of frames a task owns: frames `start .. start + count` of the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    pub start: usize,
    pub count: usize,
}

/// The shared state of one job: what to do, the cursor, and the first failure.
pub struct FrameJob {
    pub direction: Direction,
    message_id: Vec<u8>,
    frame_length: usize,
    first: u32,
    frames: usize,
    claim_frames: usize,
    cursor: AtomicUsize,
    stopped: AtomicBool,
    /// The failure at the lowest frame index, so the reported one does not depend on timing.
    failure: Mutex<Option<(usize, FrameError)>>,
}

impl FrameJob {
    /// A job of `frames` regular frames numbered from `first`, claimed `claim_frames` at a time.
    pub fn new(direction: Direction, message_id: &[u8], frame_length: usize, first: u32, frames: usize, claim_frames: usize) -> Result<Self, FrameError> {
        if frame_length == 0 {
            return Err(FrameError::Argument("the frame length is 0"));
        }
        if claim_frames == 0 {
            return Err(FrameError::Argument("a claim of 0 frames"));
        }
        if first == 0 {
            return Err(FrameError::Argument("the first sequence number is 0"));
        }
        if frames > 0 && (first as u64) + (frames as u64) - 1 > u32::MAX as u64 {
            return Err(FrameError::Argument("the sequence numbers overflow uint32"));
        }
        Ok(FrameJob {
            direction,
            message_id: message_id.to_vec(),
            frame_length,
            first,
            frames,
            claim_frames,
            cursor: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
            failure: Mutex::new(None),
        })
    }

    /// Frames in the job.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Input bytes per frame (a plaintext frame to seal, a whole regular frame to open).
    pub fn input_unit(&self) -> usize {
        match self.direction {
            Direction::Seal => self.frame_length,
            Direction::Open => frame_unit(self.frame_length),
        }
    }

    /// Output bytes per frame.
    pub fn output_unit(&self) -> usize {
        match self.direction {
            Direction::Seal => frame_unit(self.frame_length),
            Direction::Open => self.frame_length,
        }
    }

    /// The next run of frames, or None once every frame is claimed or the job failed.
    pub fn claim(&self) -> Option<Claim> {
        if self.stopped.load(Ordering::Acquire) {
            return None;
        }
        // fetch_add can pass `frames` (each late task adds one claim): start is then past the end.
        let start = self.cursor.fetch_add(self.claim_frames, Ordering::Relaxed);
        if start >= self.frames {
            return None;
        }
        Some(Claim { start, count: self.claim_frames.min(self.frames - start) })
    }

    /// Seals or opens a claim: `input` and `output` are exactly the claim's bytes.
    pub fn run(&self, key: &LessSafeKey, claim: Claim, input: &[u8], output: &mut [u8]) -> Result<(), FrameError> {
        let first = self.first + claim.start as u32;
        let done = match self.direction {
            Direction::Seal => frames::seal_frames(key, &self.message_id, self.frame_length, first, input, output),
            Direction::Open => frames::open_frames(key, &self.message_id, self.frame_length, first, input, output),
        };
        match done {
            Ok(_) => Ok(()),
            Err(error) => {
                self.fail(claim, error.clone());
                Err(error)
            }
        }
    }

    /// Records a failure in `claim` and stops every task at its next claim.
    fn fail(&self, claim: Claim, error: FrameError) {
        let at = claim.start
            + match error {
                FrameError::Sequence { done } | FrameError::Authentication { done } => done,
                FrameError::Argument(_) => 0,
            };
        self.stopped.store(true, Ordering::Release);
        let mut failure = self.failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if failure.as_ref().is_none_or(|(earlier, _)| at < *earlier) {
            *failure = Some((at, error));
        }
    }

    /// The job's outcome once every task has returned: the failure at the lowest frame
    /// (its `done` counts frames from the start of the job), if any.
    pub fn outcome(&self) -> Result<(), FrameError> {
        match &*self.failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            Some((at, error)) => Err(renumber(error, *at)),
            None => Ok(()),
        }
    }
}

/// The same error, with `done` counted from the start of the job.
fn renumber(error: &FrameError, at: usize) -> FrameError {
    match error {
        FrameError::Argument(what) => FrameError::Argument(what),
        FrameError::Sequence { .. } => FrameError::Sequence { done: at },
        FrameError::Authentication { .. } => FrameError::Authentication { done: at },
    }
}
