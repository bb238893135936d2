//! Batches of ESDK v2 regular frames sealed and opened with ring's AES-GCM. Pure Rust, no
//! napi: `cargo test` exercises it directly, and `lib.rs` only moves buffers in and out.
//!
//! Regular frame (spec: esdk message-body.md#regular-frame):
//!   uint32 sequence || IV (12: 8 zero bytes || uint32 sequence) || ciphertext (FL) || tag (16)
//! AAD (spec: esdk message-body-aad.md):
//!   message ID || "AWSKMSEncryptionClient Frame" || uint32 sequence || uint64 FL
//! Final frames, headers, HKDF, commitment and signatures stay in TypeScript; `seal_one` and
//! `open_one` give the TypeScript side a one-frame AES-GCM for the final frame.

use ring::aead::{Aad, LessSafeKey, Nonce, Tag, UnboundKey, AES_128_GCM, AES_256_GCM};

/// Bytes before a regular frame's ciphertext: sequence number and IV.
pub const PREFIX: usize = 16;
/// AES-GCM tag length used by every ESDK suite.
pub const TAG: usize = 16;
/// The IV length of every ESDK suite.
pub const IV: usize = 12;
/// The regular-frame body AAD content string.
pub const REGULAR: &[u8] = b"AWSKMSEncryptionClient Frame";

/// Why a batch stopped. `done` counts the frames completed (and written) before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// An argument is out of range (a length, a sequence number): a caller bug.
    Argument(&'static str),
    /// Frame `done + 1` of the batch carries the wrong sequence number.
    Sequence { done: usize },
    /// Frame `done + 1` of the batch failed authentication; its output is zeroed.
    Authentication { done: usize },
}

impl FrameError {
    /// Stable code the JavaScript side maps onto its SealflowError codes.
    pub fn code(&self) -> &'static str {
        match self {
            FrameError::Argument(_) => "NATIVE_ARGUMENT",
            FrameError::Sequence { .. } => "FRAME_SEQUENCE",
            FrameError::Authentication { .. } => "AUTHENTICATION_FAILED",
        }
    }

    pub fn message(&self) -> String {
        match self {
            FrameError::Argument(what) => format!("native batch: {what}"),
            FrameError::Sequence { done } => format!("malformed body: frames are out of sequence (frame {} of the batch)", done + 1),
            FrameError::Authentication { done } => format!("authentication failed (frame {} of the batch)", done + 1),
        }
    }
}

/// Imports a raw AES key: 16 or 32 bytes (ring has no AES-192; the caller falls back).
pub fn import_key(raw: &[u8]) -> Option<LessSafeKey> {
    let algorithm = match raw.len() {
        16 => &AES_128_GCM,
        32 => &AES_256_GCM,
        _ => return None,
    };
    UnboundKey::new(algorithm, raw).ok().map(LessSafeKey::new)
}

/// Regular-frame AAD with the sequence slot at the returned offset.
fn regular_aad(message_id: &[u8], frame_length: usize) -> (Vec<u8>, usize) {
    let mut aad = Vec::with_capacity(message_id.len() + REGULAR.len() + 12);
    aad.extend_from_slice(message_id);
    aad.extend_from_slice(REGULAR);
    let at = aad.len();
    aad.extend_from_slice(&[0u8; 4]);
    aad.extend_from_slice(&(frame_length as u64).to_be_bytes());
    (aad, at)
}

/// Checks the batch's sequence numbers: `first` ≥ 1 and the last one fits in uint32.
fn check_sequence(first: u32, frames: usize) -> Result<(), FrameError> {
    if first == 0 {
        return Err(FrameError::Argument("the first sequence number is 0"));
    }
    if frames > 0 && (first as u64) + (frames as u64) - 1 > u32::MAX as u64 {
        return Err(FrameError::Argument("the sequence numbers overflow uint32"));
    }
    Ok(())
}

/// Bytes one regular frame takes on the wire.
pub fn frame_unit(frame_length: usize) -> usize {
    PREFIX + frame_length + TAG
}

/// Seals `input.len() / frame_length` regular frames (the input must hold whole frames)
/// into `output[..frames * unit]`, numbered from `first`. Returns the frame count. Each
/// input byte is read exactly once (copied into the output, sealed in place there): the
/// input may be a buffer the caller was told not to change (see binding.rs), and a frame's
/// tag always covers exactly the bytes its ciphertext holds.
pub fn seal_frames(
    key: &LessSafeKey,
    message_id: &[u8],
    frame_length: usize,
    first: u32,
    input: &[u8],
    output: &mut [u8],
) -> Result<usize, FrameError> {
    if frame_length == 0 {
        return Err(FrameError::Argument("the frame length is 0"));
    }
    if input.len() % frame_length != 0 {
        return Err(FrameError::Argument("the input is not a whole number of frames"));
    }
    let frames = input.len() / frame_length;
    let unit = frame_unit(frame_length);
    if output.len() < frames * unit {
        return Err(FrameError::Argument("the output is too small for the sealed frames"));
    }
    check_sequence(first, frames)?;
    let (mut aad, seq_at) = regular_aad(message_id, frame_length);
    for i in 0..frames {
        let sequence = first + i as u32;
        let seq = sequence.to_be_bytes();
        let frame = &mut output[i * unit..(i + 1) * unit];
        frame[0..4].copy_from_slice(&seq);
        frame[4..12].fill(0);
        frame[12..16].copy_from_slice(&seq);
        aad[seq_at..seq_at + 4].copy_from_slice(&seq);
        let mut nonce = [0u8; IV];
        nonce[8..].copy_from_slice(&seq);
        let body = &mut frame[PREFIX..PREFIX + frame_length];
        body.copy_from_slice(&input[i * frame_length..(i + 1) * frame_length]);
        let tag = key
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(&aad[..]), body)
            .map_err(|_| FrameError::Argument("AES-GCM refused the frame"))?;
        frame[PREFIX + frame_length..].copy_from_slice(tag.as_ref());
    }
    Ok(frames)
}

/// Opens `input.len() / unit` regular frames numbered from `first` into
/// `output[..frames * frame_length]`. A frame's plaintext stays in the output only once its
/// tag verified: at the first failure its region is zeroed and the error counts the frames
/// before it (whose plaintext is verified and stays). Each input byte is read exactly once:
/// the sequence number for the check, the IV and tag into locals, the ciphertext into the
/// output, opened in place there; so what is opened is what was verified, whatever happens
/// to the input meanwhile.
pub fn open_frames(
    key: &LessSafeKey,
    message_id: &[u8],
    frame_length: usize,
    first: u32,
    input: &[u8],
    output: &mut [u8],
) -> Result<usize, FrameError> {
    if frame_length == 0 {
        return Err(FrameError::Argument("the frame length is 0"));
    }
    let unit = frame_unit(frame_length);
    if input.len() % unit != 0 {
        return Err(FrameError::Argument("the input is not a whole number of frames"));
    }
    let frames = input.len() / unit;
    if output.len() < frames * frame_length {
        return Err(FrameError::Argument("the output is too small for the opened frames"));
    }
    check_sequence(first, frames)?;
    let (mut aad, seq_at) = regular_aad(message_id, frame_length);
    for i in 0..frames {
        let sequence = first + i as u32;
        let seq = sequence.to_be_bytes();
        let frame = &input[i * unit..(i + 1) * unit];
        if frame[0..4] != seq {
            return Err(FrameError::Sequence { done: i });
        }
        aad[seq_at..seq_at + 4].copy_from_slice(&seq);
        // spec: esdk decrypt.md: the IV is used exactly as it appears in the frame.
        let mut nonce = [0u8; IV];
        nonce.copy_from_slice(&frame[4..PREFIX]);
        let mut tag = [0u8; TAG];
        tag.copy_from_slice(&frame[PREFIX + frame_length..]);
        let body = &mut output[i * frame_length..(i + 1) * frame_length];
        body.copy_from_slice(&frame[PREFIX..PREFIX + frame_length]);
        let opened = key.open_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&aad[..]),
            Tag::from(tag),
            body,
            0..,
        );
        if opened.is_err() {
            // ring leaves the buffer unspecified on failure: no unverified byte stays.
            body.fill(0);
            return Err(FrameError::Authentication { done: i });
        }
    }
    Ok(frames)
}

/// One AES-GCM seal: `output` = ciphertext (input length) || tag.
pub fn seal_one(key: &LessSafeKey, iv: &[u8], aad: &[u8], input: &[u8], output: &mut [u8]) -> Result<(), FrameError> {
    if iv.len() != IV {
        return Err(FrameError::Argument("the IV is not 12 bytes"));
    }
    if output.len() != input.len() + TAG {
        return Err(FrameError::Argument("the output is not the input length plus the tag"));
    }
    let mut nonce = [0u8; IV];
    nonce.copy_from_slice(iv);
    let (body, tag_out) = output.split_at_mut(input.len());
    body.copy_from_slice(input);
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), body)
        .map_err(|_| FrameError::Argument("AES-GCM refused the input"))?;
    tag_out.copy_from_slice(tag.as_ref());
    Ok(())
}

/// One AES-GCM open into `output` (ciphertext length). False, with `output` zeroed, when
/// the tag does not verify.
pub fn open_one(key: &LessSafeKey, iv: &[u8], aad: &[u8], ciphertext: &[u8], tag: &[u8], output: &mut [u8]) -> Result<bool, FrameError> {
    if iv.len() != IV || tag.len() != TAG || output.len() != ciphertext.len() {
        return Err(FrameError::Argument("bad IV, tag or output length"));
    }
    let mut nonce = [0u8; IV];
    nonce.copy_from_slice(iv);
    let mut t = [0u8; TAG];
    t.copy_from_slice(tag);
    output.copy_from_slice(ciphertext);
    let ok = key
        .open_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), Tag::from(t), output, 0..)
        .is_ok();
    if !ok {
        output.fill(0);
    }
    Ok(ok)
}
