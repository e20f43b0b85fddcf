//! The Silero voice activity port ([`audio::vad`]) against onnxruntime and against the
//! silero-VAD v6 segments stored in `../shared/media/index.json` (onnxruntime with
//! silero's own Python post-processing, measured by the media helper).

mod common;

use common::{decode_with_speech, media};
use stylecut_analysis::audio::vad;

const STEP: f64 = 0.01;

/// The model's output on a shared file's 16 kHz mono sound, as the analysis decodes it.
fn detect(rel: &str) -> vad::Speech {
    decode_with_speech(rel, 1000).1
}

/// The stored silero-VAD v6 segments of a file and its duration.
fn reference(rel: &str) -> (Vec<(f64, f64)>, f64) {
    let index: serde_json::Value = serde_json::from_str(
        // Python's json writes -Infinity for silent true peaks; serde_json does not.
        &std::fs::read_to_string(media("index.json"))
            .unwrap()
            .replace("-Infinity", "null"),
    )
    .unwrap();
    let f = index["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == rel)
        .unwrap();
    let segs = f["measured_speech_silero_vad_v6"]["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s[0].as_f64().unwrap(), s[1].as_f64().unwrap()))
        .collect();
    (segs, f["duration_s"].as_f64().unwrap())
}

/// Speech IoU on a 10 ms grid, as `vad_agreement` in `bench/score/metrics.py`.
fn iou(a: &[(f64, f64)], b: &[(f64, f64)], duration: f64) -> f64 {
    let n = (duration / STEP).ceil() as usize;
    let mask = |segs: &[(f64, f64)]| {
        let mut m = vec![false; n];
        for &(s, e) in segs {
            let i0 = ((s / STEP) as usize).min(n);
            let i1 = ((e / STEP).ceil() as usize).min(n);
            m[i0..i1].iter_mut().for_each(|x| *x = true);
        }
        m
    };
    let (x, y) = (mask(a), mask(b));
    let inter = x.iter().zip(&y).filter(|(p, q)| **p && **q).count();
    let union = x.iter().zip(&y).filter(|(p, q)| **p || **q).count();
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}

fn spans(s: &vad::Speech) -> Vec<(f64, f64)> {
    s.segments.iter().map(|x| (x.start_s, x.end_s)).collect()
}

fn ratio(s: &vad::Speech, duration: f64) -> f64 {
    s.segments.iter().map(|x| x.end_s - x.start_s).sum::<f64>() / duration
}

#[test]
fn probabilities_match_onnxruntime() {
    // onnxruntime 1.32 (CPU, one thread) on the same model and the same samples
    // (`ffmpeg -i jfk.flac -ac 1 -ar 16000 -f f32le`), with silero's OnnxWrapper
    // protocol, printed by `bench/score/vad_probs_ort.py` (chunk index, probability).
    // The whole file differed by at most 3.3e-6.
    let expected = [
        (0usize, 0.00168380f64),
        (37, 0.99040532),
        (74, 0.03207594),
        (101, 0.00861612),
        (102, 0.34693396),
        (103, 0.98501956),
        (148, 0.03520727),
        (333, 0.09516808),
    ];
    let s = detect("speech/whisper/jfk.flac");
    assert_eq!(s.probabilities.len(), 344);
    for (i, p) in expected {
        let got = f64::from(s.probabilities[i]);
        assert!(
            (got - p).abs() < 1e-4,
            "chunk {i}: {got} vs onnxruntime {p}"
        );
    }
}

#[test]
fn speech_segments_match_the_stored_silero_reference() {
    for rel in [
        "speech/whisper/jfk.flac",
        "speech/librosa-librispeech/198-209-0000.hq.ogg",
        "speech/essentia/vignesh.wav",
    ] {
        let (r, dur) = reference(rel);
        let got = detect(rel);
        let v = iou(&r, &spans(&got), dur);
        assert!(v >= 0.9, "{rel}: IoU {v:.3}, {:?} vs {r:?}", spans(&got));
    }
}

#[test]
fn music_without_voice_is_not_speech_and_singing_is() {
    // The spectral detector this replaced read 49 % of the dubstep piece as speech and
    // 5 % of the sung piece, where silero reads 0 % and 87 %.
    let dub = detect("music/essentia/dubstep.flac");
    assert!(ratio(&dub, 6.85) < 0.05, "dubstep {:?}", dub.segments);
    let (r, dur) = reference("music/simac/simac_01_H_mikri_Rallou.flac");
    let sung = detect("music/simac/simac_01_H_mikri_Rallou.flac");
    assert!(ratio(&sung, dur) > 0.75, "sung {:?}", sung.segments);
    assert!(iou(&r, &spans(&sung), dur) >= 0.9);
}

/// `issue-195-aspect-ratio.mp4` is a talk edited with cutaways. Its editor put four of the
/// five picture cuts (6.79, 12.04, 16.84 and 19.36 s, the shots of its analysis) between
/// words, inside stretches Silero reads as one segment, and one (2.8 s) inside a word.
/// The pauses found in the segments hold those four cuts and not the fifth, and none
/// reaches outside its segment.
#[test]
fn pauses_inside_speech_hold_the_editors_cuts() {
    let s = detect("video/pyscenedetect/issue-195-aspect-ratio.mp4");
    let in_pause = |t: f64| {
        s.pauses
            .iter()
            .any(|p| p.start_s - 0.005 <= t && t <= p.end_s + 0.005)
    };
    for cut in [6.79, 12.04, 16.84, 19.36] {
        assert!(
            s.segments.iter().any(|g| g.start_s < cut && cut < g.end_s),
            "the cut at {cut} is inside a Silero segment: {:?}",
            s.segments
        );
        assert!(in_pause(cut), "cut at {cut} not in a pause: {:?}", s.pauses);
    }
    assert!(!in_pause(2.8), "{:?}", s.pauses);
    for p in &s.pauses {
        assert!(p.end_s - p.start_s >= 0.12 - 1e-9, "{p:?}");
        assert!(
            s.segments
                .iter()
                .any(|g| g.start_s <= p.start_s && p.end_s <= g.end_s),
            "{p:?} outside the segments"
        );
    }
    // Pauses between phrases, not every syllable: about one per 1.5 s of speech or fewer.
    let speech: f64 = s.segments.iter().map(|g| g.end_s - g.start_s).sum();
    assert!(
        (s.pauses.len() as f64) < speech / 1.5,
        "{} pauses",
        s.pauses.len()
    );
}
