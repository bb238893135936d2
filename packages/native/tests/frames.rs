//! Layout and failure behaviour of the frame batches (byte identity with node:crypto and
//! noble is the JavaScript differential test's job: test/native-differential.test.ts).

use sealflow_native::frames::{open_frames, open_one, seal_frames, seal_one, FrameError};

fn key() -> ring::aead::LessSafeKey {
    let raw: Vec<u8> = (0u8..32).collect();
    ring::aead::LessSafeKey::new(ring::aead::UnboundKey::new(&ring::aead::AES_256_GCM, &raw).unwrap())
}

const ID: [u8; 32] = [7u8; 32];

fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn seals_the_esdk_regular_frame_layout() {
    let k = key();
    let fl = 100;
    let input = plaintext(3 * fl);
    let mut out = vec![0xaa; 3 * (fl + 32)];
    assert_eq!(seal_frames(&k, &ID, fl, 5, &input, &mut out), Ok(3));
    for i in 0..3 {
        let frame = &out[i * (fl + 32)..(i + 1) * (fl + 32)];
        let seq = (5 + i as u32).to_be_bytes();
        assert_eq!(&frame[0..4], &seq);
        assert_eq!(&frame[4..12], &[0u8; 8]);
        assert_eq!(&frame[12..16], &seq);
        // Same frame sealed with the one-shot AES-GCM and the spec's AAD.
        let mut aad = ID.to_vec();
        aad.extend_from_slice(b"AWSKMSEncryptionClient Frame");
        aad.extend_from_slice(&seq);
        aad.extend_from_slice(&(fl as u64).to_be_bytes());
        let mut one = vec![0u8; fl + 16];
        seal_one(&k, &frame[4..16], &aad, &input[i * fl..(i + 1) * fl], &mut one).unwrap();
        assert_eq!(&frame[16..], &one[..]);
    }
}

#[test]
fn opens_what_it_sealed() {
    let k = key();
    for fl in [1usize, 16, 17, 4096] {
        let input = plaintext(4 * fl);
        let mut sealed = vec![0u8; 4 * (fl + 32)];
        seal_frames(&k, &ID, fl, 1, &input, &mut sealed).unwrap();
        let mut opened = vec![0u8; 4 * fl];
        assert_eq!(open_frames(&k, &ID, fl, 1, &sealed, &mut opened), Ok(4));
        assert_eq!(opened, input);
    }
}

#[test]
fn a_tampered_frame_fails_and_leaves_no_unverified_plaintext() {
    let k = key();
    let fl = 64;
    let input = plaintext(3 * fl);
    let mut sealed = vec![0u8; 3 * (fl + 32)];
    seal_frames(&k, &ID, fl, 1, &input, &mut sealed).unwrap();
    sealed[(fl + 32) + 20] ^= 1; // second frame's ciphertext
    let mut opened = vec![0x55u8; 3 * fl];
    assert_eq!(open_frames(&k, &ID, fl, 1, &sealed, &mut opened), Err(FrameError::Authentication { done: 1 }));
    assert_eq!(&opened[..fl], &input[..fl], "the verified first frame stays");
    assert!(opened[fl..2 * fl].iter().all(|&b| b == 0), "the failed frame is zeroed");
}

#[test]
fn the_wrong_message_id_or_sequence_fails() {
    let k = key();
    let fl = 32;
    let input = plaintext(2 * fl);
    let mut sealed = vec![0u8; 2 * (fl + 32)];
    seal_frames(&k, &ID, fl, 1, &input, &mut sealed).unwrap();
    let mut opened = vec![0u8; 2 * fl];
    assert_eq!(open_frames(&k, &[8u8; 32], fl, 1, &sealed, &mut opened), Err(FrameError::Authentication { done: 0 }));
    assert_eq!(open_frames(&k, &ID, fl, 2, &sealed, &mut opened), Err(FrameError::Sequence { done: 0 }));
}

#[test]
fn refuses_bad_shapes() {
    let k = key();
    let mut out = vec![0u8; 1000];
    assert!(matches!(seal_frames(&k, &ID, 0, 1, &[], &mut out), Err(FrameError::Argument(_))));
    assert!(matches!(seal_frames(&k, &ID, 10, 1, &[0u8; 15], &mut out), Err(FrameError::Argument(_))));
    assert!(matches!(seal_frames(&k, &ID, 10, 0, &[0u8; 10], &mut out), Err(FrameError::Argument(_))));
    assert!(matches!(seal_frames(&k, &ID, 10, u32::MAX, &[0u8; 20], &mut out), Err(FrameError::Argument(_))));
    assert!(matches!(seal_frames(&k, &ID, 100, 1, &[0u8; 100], &mut out[..100]), Err(FrameError::Argument(_))));
    assert!(matches!(open_frames(&k, &ID, 10, 1, &[0u8; 41], &mut out), Err(FrameError::Argument(_))));
}

#[test]
fn one_shot_open_rejects_a_bad_tag_with_zeroed_output() {
    let k = key();
    let iv = [1u8; 12];
    let mut sealed = vec![0u8; 20 + 16];
    seal_one(&k, &iv, b"aad", &plaintext(20), &mut sealed).unwrap();
    let mut out = vec![0u8; 20];
    assert_eq!(open_one(&k, &iv, b"aad", &sealed[..20], &sealed[20..], &mut out), Ok(true));
    assert_eq!(out, plaintext(20));
    sealed[35] ^= 0x80;
    assert_eq!(open_one(&k, &iv, b"aad", &sealed[..20], &sealed[20..], &mut out), Ok(false));
    assert!(out.iter().all(|&b| b == 0));
}
