//! Audio analysis against the real media and ground truth in `../shared/media`:
//! EBU loudness conformance, tempo and beats on annotated music, no tempo on speech
//! and silence. Per-file figures are printed by `examples/audio_eval.rs` and recorded
//! in `docs/AUDIO.md`.

mod common;

use common::{decode_with_speech, media};
use stylecut_analysis::audio::{self, metrics, AudioReport, LoudnessMeter};
use stylecut_media::{decode::decode_audio, probe, RunOpts};
use stylecut_types::{Loudness, Span};

fn loudness_of(rel: &str) -> Loudness {
    let p = media(rel);
    let opts = RunOpts::default();
    let info = probe::probe(&p, &opts).unwrap();
    let a = decode_audio(&p, &info, 22_050, true, None, &opts).unwrap();
    let mut m = LoudnessMeter::new(a.full_rate, a.channels).unwrap();
    a.for_each_full_chunk(4096, |c| m.add(c).unwrap()).unwrap();
    m.finish()
}

/// The shared file's mono sound at 22.05 kHz and its speech segments (the Silero model
/// on its 16 kHz sound), as the analysis decodes and finds them.
fn decoded(rel: &str) -> (Vec<f32>, u32, Vec<Span>) {
    let (a, speech) = decode_with_speech(rel, 4096);
    (a.mono, a.mono_rate, speech.segments)
}

/// The audio analysis of `mono` without loudness figures (none of these tests reads them).
fn analyze_mono(mono: &[f32], rate: u32, speech: Vec<Span>) -> AudioReport {
    let none = Loudness {
        integrated_lufs: None,
        range_lu: None,
        true_peak_dbtp: None,
    };
    audio::analyze(mono, rate, none, speech, &mut |_| {})
}

fn analyze(rel: &str) -> AudioReport {
    let (mono, rate, speech) = decoded(rel);
    analyze_mono(&mono, rate, speech)
}

fn gt_beats(rel: &str) -> Vec<f64> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(media(rel)).unwrap()).unwrap();
    v["beats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn ebu_conformance_within_a_tenth_of_a_lu() {
    let dir = "loudness/ebu-tech3341-3342/";
    for (file, integrated) in [
        ("1kHz_sine_-20LUFS-16bit.flac", -20.0),
        ("seq-3341-1-16bit.flac", -23.0),
        ("seq-3341-2-16bit.flac", -33.0),
        ("seq-3341-5-16bit-v02.flac", -23.0),
    ] {
        let l = loudness_of(&format!("{dir}{file}"));
        let i = l.integrated_lufs.unwrap();
        assert!((i - integrated).abs() <= 0.1, "{file}: {i} LUFS");
    }
    for (file, lra) in [
        ("seq-3342-1-16bit.flac", 10.0),
        ("seq-3342-3-16bit.flac", 20.0),
    ] {
        let l = loudness_of(&format!("{dir}{file}"));
        let r = l.range_lu.unwrap();
        assert!((r - lra).abs() <= 1.0, "{file}: LRA {r}");
    }
}

/// (file, ground-truth tempo) for every annotated piece.
const TEMPO_GT: &[(&str, f64)] = &[
    ("music/ballroom/Media-105901.wav", 84.0),
    ("music/madmom/sample.wav", 87.5),
    ("music/cuidado/cuidado_FallaCancion.flac", 191.27),
    ("music/essentia/techno_loop.mp3", 125.0),
    ("music/beatnet/808kick120bpm.mp3", 120.0),
    ("music/librosa/sorohanro_-_solo-trumpet-06.hq.ogg", 90.0),
    ("music/gtzan/country.00000.wav", 85.53),
    ("music/hainsworth/hains001.flac", 100.16),
    ("music/simac/simac_01_H_mikri_Rallou.flac", 74.34),
    (
        "music/jtd/barronk-allgodschildren-drummondrrileyb-1990-8b77c067.wav",
        290.0,
    ),
];

#[test]
fn tempo_on_annotated_music() {
    let mut hits = Vec::new();
    for (file, truth) in TEMPO_GT {
        let r = analyze(file);
        let t = r.tempo_bpm.unwrap_or(0.0);
        eprintln!("{file}: {t:.2} (truth {truth})");
        if metrics::tempo_ok(t, *truth, 0.04) {
            hits.push(*file);
        }
    }
    // librosa 0.11 gets 5 of these 10 within 4 % (BASELINE_librosa_beat_track.json),
    // failing on cuidado (×1/3), simac (×2), the jazz trio (×1/2) and the 2.8 s madmom
    // excerpt among others; we get all 10 (the 5.3 s trumpet loop since session 9b:
    // the ¾ level check, `tempo::promote_metre_level`).
    assert!(hits.len() >= 10, "{hits:?}");
    for f in [
        "trumpet",
        "madmom/sample",
        "jtd/barronk",
        "cuidado",
        "simac",
        "techno",
        "808",
        "ballroom",
        "gtzan",
        "hainsworth",
    ] {
        assert!(hits.iter().any(|h| h.contains(f)), "{f}: {hits:?}");
    }
}

#[test]
fn beat_f_measure_on_annotated_music() {
    // (audio, annotation, librosa's F-measure, our floor: measured 0.941 / 0.994 / 0.9014)
    for (file, gt, librosa, floor) in [
        (
            "music/ballroom/Media-105901.wav",
            "music/ballroom/Media-105901.gt.json",
            0.906,
            0.93,
        ),
        (
            "music/hainsworth/hains001.flac",
            "music/hainsworth/hains001.gt.json",
            0.864,
            0.98,
        ),
        (
            "music/gtzan/country.00000.wav",
            "music/gtzan/country.00000.gt.json",
            0.901,
            0.9,
        ),
    ] {
        let r = analyze(file);
        let est: Vec<f64> = r.beats.iter().map(|b| b.time_s).collect();
        let f = metrics::f_measure(
            &metrics::trim_beats(&gt_beats(gt)),
            &metrics::trim_beats(&est),
            0.07,
        );
        eprintln!("{file}: F {f:.4} (librosa {librosa})");
        assert!(f >= floor, "{file}: F {f:.3}");
        assert!(r.beats.iter().all(|b| (0.0..=1.0).contains(&b.confidence)));
    }
    // Excerpts too short for the 5 s trim, scored untrimmed (as bench/score/metrics.py):
    // the jazz trio (~290 BPM, librosa 0.629 at half tempo) and the 2.8 s madmom
    // sample (librosa 0.286); both measured 1.000.
    for (file, gt, librosa, floor) in [
        (
            "music/jtd/barronk-allgodschildren-drummondrrileyb-1990-8b77c067.wav",
            "music/jtd/barronk-allgodschildren.gt.json",
            0.629,
            0.95,
        ),
        (
            "music/madmom/sample.wav",
            "music/madmom/sample.gt.json",
            0.286,
            0.95,
        ),
    ] {
        let r = analyze(file);
        let est: Vec<f64> = r.beats.iter().map(|b| b.time_s).collect();
        let f = metrics::f_measure(&gt_beats(gt), &est, 0.07);
        eprintln!("{file}: F {f:.4} (librosa {librosa})");
        assert!(f >= floor, "{file}: F {f:.3}");
    }
}

#[test]
fn no_tempo_without_music() {
    for file in [
        "speech/whisper/jfk.flac",
        "speech/librosa-librispeech/198-209-0000.hq.ogg",
        "speech/librosa-librispeech/3436-172162-0000.hq.ogg",
        "speech/librosa-librispeech/5703-47212-0000.hq.ogg",
        "video/imageio-cockatoo/cockatoo.mp4",
    ] {
        let r = analyze(file);
        assert_eq!(r.tempo_bpm, None, "{file}: {:?}", r.features);
        assert!(r.beats.is_empty(), "{file}");
    }
}

#[test]
fn speech_is_found_in_speech_and_not_in_instrumental_music() {
    let jfk = analyze("speech/whisper/jfk.flac");
    assert!(jfk.features.speech_ratio > 0.5, "{:?}", jfk.features);
    assert!(!jfk.speech_segments.is_empty());
    for file in [
        "music/essentia/techno_loop.mp3",
        "music/beatnet/808kick120bpm.mp3",
        "music/gtzan/country.00000.wav",
    ] {
        let r = analyze(file);
        assert!(r.features.speech_ratio < 0.1, "{file}: {:?}", r.features);
        assert!(r.features.music_ratio > 0.8, "{file}: {:?}", r.features);
    }
}

/// An over-loud master: the techno loop (125 BPM, a kick on every beat, hats between)
/// amplified by up to 30 dB and hard-clipped at full scale, whole and as its first 6 s
/// (the clip of the session-8 odd-input sweep, which read 249.9 BPM). At +40 dB it still
/// reads 250 (see `docs/AUDIO.md`). Clipping turns each hat into a
/// full-scale broadband burst whose flux fills the mid band like a kick's; the beat
/// chain can then settle on the hats, and the kicks half-way between must not be taken
/// for a faster pulse (`tempo::OFFBEAT_BASS`).
#[test]
fn clipped_loop_keeps_its_tempo() {
    let (mono, rate, speech) = decoded("music/essentia/techno_loop.mp3");
    for seconds in [6.0, f64::INFINITY] {
        let n = ((seconds * rate as f64) as usize).min(mono.len());
        for gain_db in [0.0f32, 10.0, 20.0, 30.0] {
            let g = 10f32.powf(gain_db / 20.0);
            let x: Vec<f32> = mono[..n].iter().map(|v| (v * g).clamp(-1.0, 1.0)).collect();
            let r = analyze_mono(&x, rate, speech.clone());
            let t = r.tempo_bpm.unwrap_or(0.0);
            assert!(
                metrics::tempo_ok(t, 125.0, 0.04),
                "{seconds} s, +{gain_db} dB clipped: read {t}"
            );
        }
    }
}
