//! Helpers shared by the analysis crate's tests on the real media in `../shared/media`.
#![allow(dead_code)]

use std::path::PathBuf;

use stylecut_analysis::audio::vad;
use stylecut_media::{decode::decode_audio, probe, DecodedAudio, RunOpts};

const MEDIA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/media");

/// A file of the shared media, by its path under `../shared/media`.
pub fn media(rel: &str) -> PathBuf {
    PathBuf::from(MEDIA).join(rel)
}

/// The shared file's sound decoded as the analysis decodes it (mono at 22.05 kHz, no
/// full-rate copy) and the Silero model's reading of its 16 kHz sound, fed `chunk`
/// samples at a time.
pub fn decode_with_speech(rel: &str, chunk: usize) -> (DecodedAudio, vad::Speech) {
    let p = media(rel);
    let opts = RunOpts::default();
    let info = probe::probe(&p, &opts).unwrap();
    let a = decode_audio(&p, &info, 22_050, false, None, &opts).unwrap();
    let mut v = vad::Vad::new().unwrap();
    assert!(a
        .for_each_speech_chunk(chunk, |c| v.push(c).unwrap())
        .unwrap());
    let speech = v.finish(&vad::Params::default()).unwrap();
    (a, speech)
}
