//! A job's frames shared by several threads (what `runFrameJob` tasks do): every frame is
//! claimed exactly once, the output is the one-call batch's, and a failure stops the other
//! threads and names the lowest failing frame.

use std::sync::Mutex;

use sealflow_native::frames::{seal_frames, FrameError};
use sealflow_native::job::{Direction, FrameJob};

fn key() -> ring::aead::LessSafeKey {
    let raw: Vec<u8> = (0u8..32).collect();
    ring::aead::LessSafeKey::new(ring::aead::UnboundKey::new(&ring::aead::AES_256_GCM, &raw).unwrap())
}

const ID: [u8; 32] = [9u8; 32];

/// Runs `job` on `threads` threads over `input`, each claim getting its own part of `output`.
fn run_shared(job: &FrameJob, threads: usize, claim_frames: usize, input: &[u8], output: &mut [u8]) -> Vec<usize> {
    let k = key();
    let (iu, ou) = (job.input_unit(), job.output_unit());
    // The disjoint output parts a claim can own, taken out by the thread that claims them.
    let parts: Mutex<Vec<Option<&mut [u8]>>> = Mutex::new(output.chunks_mut(claim_frames * ou).map(Some).collect());
    let claimed = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(claim) = job.claim() {
                    let part = parts.lock().unwrap()[claim.start / claim_frames].take().expect("a run claimed twice");
                    claimed.lock().unwrap().push(claim.start);
                    let input = &input[claim.start * iu..(claim.start + claim.count) * iu];
                    if job.run(&k, claim, input, &mut part[..claim.count * ou]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let mut starts = claimed.into_inner().unwrap();
    starts.sort_unstable();
    starts
}

#[test]
fn every_frame_is_claimed_once_and_the_bytes_are_the_one_call_batch() {
    let fl = 64;
    let frames = 1000;
    let input: Vec<u8> = (0..fl * frames).map(|i| (i % 253) as u8).collect();
    let mut expected = vec![0u8; frames * (fl + 32)];
    assert_eq!(seal_frames(&key(), &ID, fl, 3, &input, &mut expected), Ok(frames));
    for (threads, claim) in [(1, 7), (2, 7), (4, 1), (3, 1000), (8, 13)] {
        let job = FrameJob::new(Direction::Seal, &ID, fl, 3, frames, claim).unwrap();
        let mut output = vec![0u8; frames * (fl + 32)];
        let starts = run_shared(&job, threads, claim, &input, &mut output);
        let want: Vec<usize> = (0..frames).step_by(claim).collect();
        assert_eq!(starts, want, "{threads} threads, claims of {claim}");
        assert_eq!(output, expected, "{threads} threads, claims of {claim}");
        assert_eq!(job.outcome(), Ok(()));
        assert_eq!(job.claim(), None);
        // Opening it back the same way gives the plaintext.
        let open = FrameJob::new(Direction::Open, &ID, fl, 3, frames, claim).unwrap();
        let mut opened = vec![0u8; frames * fl];
        run_shared(&open, threads, claim, &expected, &mut opened);
        assert_eq!(open.outcome(), Ok(()));
        assert_eq!(opened, input);
    }
}

#[test]
fn a_failure_stops_the_job_and_names_the_lowest_failing_frame() {
    let fl = 32;
    let frames = 400;
    let input = vec![5u8; fl * frames];
    let mut sealed = vec![0u8; frames * (fl + 32)];
    seal_frames(&key(), &ID, fl, 1, &input, &mut sealed).unwrap();
    let unit = fl + 32;
    // Two bad frames: 250 and 123 (a tag byte and a ciphertext byte).
    sealed[250 * unit + 16 + fl] ^= 1;
    sealed[123 * unit + 20] ^= 1;
    for threads in [1, 2, 4] {
        let job = FrameJob::new(Direction::Open, &ID, fl, 1, frames, 10).unwrap();
        let mut opened = vec![0xeeu8; frames * fl];
        run_shared(&job, threads, 10, &sealed, &mut opened);
        assert_eq!(job.outcome(), Err(FrameError::Authentication { done: 123 }), "{threads} threads");
        // The failing frame's output is zeroed; the job claims nothing more.
        assert!(opened[123 * fl..124 * fl].iter().all(|&b| b == 0));
        assert_eq!(job.claim(), None);
    }
    // A frame out of sequence is told apart from a bad tag.
    sealed[300 * unit] ^= 0x40;
    let job = FrameJob::new(Direction::Open, &ID, fl, 1, frames, 400).unwrap();
    let mut opened = vec![0u8; frames * fl];
    run_shared(&job, 1, 400, &sealed, &mut opened);
    assert_eq!(job.outcome(), Err(FrameError::Authentication { done: 123 }));
    let clean = {
        let mut s = vec![0u8; frames * unit];
        seal_frames(&key(), &ID, fl, 1, &input, &mut s).unwrap();
        s[300 * unit] ^= 0x40;
        s
    };
    let job = FrameJob::new(Direction::Open, &ID, fl, 1, frames, 64).unwrap();
    run_shared(&job, 2, 64, &clean, &mut opened);
    assert_eq!(job.outcome(), Err(FrameError::Sequence { done: 300 }));
}

#[test]
fn refuses_bad_jobs_and_runs_empty_ones() {
    assert!(matches!(FrameJob::new(Direction::Seal, &ID, 0, 1, 1, 1), Err(FrameError::Argument(_))));
    assert!(matches!(FrameJob::new(Direction::Seal, &ID, 16, 1, 1, 0), Err(FrameError::Argument(_))));
    assert!(matches!(FrameJob::new(Direction::Seal, &ID, 16, 0, 1, 1), Err(FrameError::Argument(_))));
    assert!(matches!(FrameJob::new(Direction::Seal, &ID, 16, u32::MAX, 2, 1), Err(FrameError::Argument(_))));
    let empty = FrameJob::new(Direction::Seal, &ID, 16, 1, 0, 4).unwrap();
    assert_eq!(empty.claim(), None);
    assert_eq!(empty.outcome(), Ok(()));
}
