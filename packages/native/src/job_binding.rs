//! napi-rs surface of `job.rs`: `new NativeFrameJob(...)` takes one message's input and
//! output (whole regular frames) on the JavaScript thread; each `runFrameJob(job, budget)`
//! is one libuv task that claims runs of frames until none is left (resolves false) or it
//! has done `budget` bytes (resolves true: the caller queues it again, so a huge message
//! does not hold a libuv thread, which also serves fs and dns, for long). Once every task
//! of the job has settled, `job.outcome()` throws the failure at the lowest frame, if any.
//! `NativeFrameJob.fromPieces(...)` takes the input as several buffers read in place (a
//! stream's chunks, which the caller holds until the job settled), frames spanning them:
//! the bench measures with it the ceiling of a stream that copies nothing on its thread.
//!
//! Buffer ownership is that of `binding.rs`: the caller owns both buffers until every task
//! settled. Claims are disjoint runs of frames, so each task writes only its own part of
//! the output; each input byte is still read exactly once.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Uint8Array};
use napi::{Env, Result, Task};
use napi_derive::napi;
use ring::aead::LessSafeKey;

use crate::binding::{argument, check_disjoint, to_js, NativeKey};
use crate::job::{Claim, Direction, FrameJob};

/// The caller's buffers, and their base addresses taken once, on the JavaScript thread.
struct Buffers {
    // Held for their napi references: they keep the memory alive until the job is dropped
    // (on the JavaScript thread: napi-rs drops settled tasks there, the collector the job).
    _input: Vec<Uint8Array>,
    _output: Uint8Array,
    /// The input's pieces in order: base address, length, and offset in the whole input.
    input: Vec<(*const u8, usize, usize)>,
    output: *mut u8,
}

// SAFETY (napi buffer access): the addresses point into the typed arrays held above (the
// input's pieces and the output), alive as long as this value. Tasks on other threads derive from them only the disjoint
// runs of frames `FrameJob::claim` hands out (one task per run), never a view of the whole.
unsafe impl Send for Buffers {}
// SAFETY (napi buffer access): see `Send`; shared references only read the addresses.
unsafe impl Sync for Buffers {}

struct Shared {
    job: FrameJob,
    key: Arc<LessSafeKey>,
    buffers: Buffers,
}

impl Shared {
    /// Seals or opens one claim in place. Err once the job failed (here or elsewhere).
    fn run(&self, claim: Claim) -> std::result::Result<usize, ()> {
        let (i, o) = (self.job.input_unit(), self.job.output_unit());
        // SAFETY (napi buffer access): the claim's run of frames lies inside the output
        // (checked in `NativeFrameJob::new`), and `claim` gave it to this task alone, so this
        // is the only view of those output bytes; the buffers do not overlap (checked).
        let output = unsafe { std::slice::from_raw_parts_mut(self.buffers.output.add(claim.start * o), claim.count * o) };
        let at = claim.start * i;
        if let Some(input) = self.contiguous(at, claim.count * i) {
            return self.job.run(&self.key, claim, input, output).map(|_| claim.count * i).map_err(|_| ());
        }
        // The claim spans pieces: frame by frame, a frame that spans pieces gathered first.
        let mut gathered = Vec::new();
        for j in 0..claim.count {
            let one = Claim { start: claim.start + j, count: 1 };
            let frame = match self.contiguous(at + j * i, i) {
                Some(frame) => frame,
                None => {
                    gathered.resize(i, 0);
                    self.gather(at + j * i, &mut gathered);
                    &gathered[..]
                }
            };
            self.job.run(&self.key, one, frame, &mut output[j * o..(j + 1) * o]).map_err(|_| ())?;
        }
        Ok(claim.count * i)
    }

    /// The input bytes `at .. at + len` when one piece holds them all.
    fn contiguous(&self, at: usize, len: usize) -> Option<&[u8]> {
        let pieces = &self.buffers.input;
        let k = pieces.partition_point(|&(_, _, start)| start <= at).checked_sub(1)?;
        let (base, piece_len, start) = pieces[k];
        if at + len > start + piece_len {
            return None;
        }
        // SAFETY (napi buffer access): inside one piece of the input, which is only read.
        Some(unsafe { std::slice::from_raw_parts(base.add(at - start), len) })
    }

    /// Copies the input bytes from `at` into `out`, across pieces.
    fn gather(&self, at: usize, out: &mut [u8]) {
        let mut done = 0;
        for &(base, len, start) in &self.buffers.input {
            if done == out.len() {
                break;
            }
            let from = at + done;
            if from >= start + len || from < start {
                continue;
            }
            let n = (start + len - from).min(out.len() - done);
            // SAFETY (napi buffer access): inside one piece of the input, which is only read.
            let piece = unsafe { std::slice::from_raw_parts(base.add(from - start), n) };
            out[done..done + n].copy_from_slice(piece);
            done += n;
        }
    }
}

/// One message's frames, shared by the tasks `runFrameJob` queues.
#[napi]
pub struct NativeFrameJob {
    shared: Arc<Shared>,
}

#[napi]
impl NativeFrameJob {
    /// Takes `input` (whole frames: plaintext frames to seal, regular frames to open) and
    /// `output` (room for all of them), claimed `claimBytes` of input at a time (at least
    /// one frame).
    #[napi(constructor)]
    pub fn new(open: bool, key: &NativeKey, message_id: Uint8Array, frame_length: u32, first: u32, input: Uint8Array, output: Uint8Array, claim_bytes: u32) -> Result<Self> {
        check_disjoint(&input, &output)?;
        Self::build(open, key, message_id, frame_length, first, vec![input], output, claim_bytes)
    }

    /// As the constructor, with the input in pieces read in place (a stream's chunks, held by
    /// the caller until every task settled): frames may span pieces.
    #[napi(factory)]
    pub fn from_pieces(open: bool, key: &NativeKey, message_id: Uint8Array, frame_length: u32, first: u32, pieces: Vec<Uint8Array>, output: Uint8Array, claim_bytes: u32) -> Result<Self> {
        for piece in &pieces {
            check_disjoint(piece, &output)?;
        }
        Self::build(open, key, message_id, frame_length, first, pieces, output, claim_bytes)
    }

    #[allow(clippy::too_many_arguments)]
    fn build(open: bool, key: &NativeKey, message_id: Uint8Array, frame_length: u32, first: u32, pieces: Vec<Uint8Array>, mut output: Uint8Array, claim_bytes: u32) -> Result<Self> {
        let direction = if open { Direction::Open } else { Direction::Seal };
        let fl = frame_length as usize;
        if fl == 0 {
            return Err(argument("the frame length is 0"));
        }
        let input_unit = if open { crate::frames::frame_unit(fl) } else { fl };
        let mut input = Vec::with_capacity(pieces.len());
        let mut total = 0;
        for piece in &pieces {
            if !piece.is_empty() {
                input.push((piece.as_ptr(), piece.len(), total));
                total += piece.len();
            }
        }
        if total % input_unit != 0 {
            return Err(argument("the input is not a whole number of frames"));
        }
        let frames = total / input_unit;
        let claim_frames = (claim_bytes as usize / input_unit).max(1);
        let job = FrameJob::new(direction, &message_id, fl, first, frames, claim_frames).map_err(to_js)?;
        if output.len() < frames * job.output_unit() {
            return Err(argument("the output is too small for the frames"));
        }
        // SAFETY (napi buffer access): a synchronous call on the JavaScript thread, which is
        // blocked; the view only yields the base address, and ends here.
        let output_base = unsafe { output.as_mut() }.as_mut_ptr();
        let buffers = Buffers { _input: pieces, _output: output, input, output: output_base };
        Ok(NativeFrameJob { shared: Arc::new(Shared { job, key: Arc::clone(&key.inner), buffers }) })
    }

    /// Throws the failure at the lowest frame (`FRAME_SEQUENCE: ...`, `AUTHENTICATION_FAILED: ...`)
    /// once every task settled; a failing run's output is zeroed, the caller zeroes the rest.
    #[napi]
    pub fn outcome(&self) -> Result<()> {
        self.shared.job.outcome().map_err(to_js)
    }
}

/// One libuv task of a job.
pub struct JobTask {
    shared: Arc<Shared>,
    budget: usize,
}

impl Task for JobTask {
    type Output = bool;
    type JsValue = bool;

    fn compute(&mut self) -> Result<bool> {
        let mut done = 0;
        while done < self.budget {
            let Some(claim) = self.shared.job.claim() else {
                return Ok(false);
            };
            match self.shared.run(claim) {
                Ok(bytes) => done += bytes,
                Err(()) => return Ok(false),
            }
        }
        Ok(true)
    }

    fn resolve(&mut self, _env: Env, more: bool) -> Result<bool> {
        Ok(more)
    }
}

/// Claims and runs frames of `job` on the libuv thread pool until none is left (false) or
/// `budgetBytes` of input are done (true: queue it again).
#[napi(ts_return_type = "Promise<boolean>")]
pub fn run_frame_job(job: &NativeFrameJob, budget_bytes: u32) -> AsyncTask<JobTask> {
    AsyncTask::new(JobTask { shared: Arc::clone(&job.shared), budget: (budget_bytes as usize).max(1) })
}
