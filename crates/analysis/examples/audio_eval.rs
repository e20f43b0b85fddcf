//! Scores the audio analysis on the annotated music in `../shared/media`: tempo within
//! 4 %, beat F-measure (mir_eval conventions) and timing. `cargo run --release
//! --example audio_eval -p stylecut-analysis [-- --candidates]`.

use std::path::PathBuf;
use std::time::Instant;

use stylecut_analysis::audio::{self, metrics, onset, spectrum, tempo, vad};
use stylecut_media::{decode::decode_audio, probe, RunOpts};
use stylecut_types::{Loudness, Span};

const FILES: &[(&str, &str, f64)] = &[
    (
        "music/ballroom/Media-105901.wav",
        "music/ballroom/Media-105901.gt.json",
        84.0,
    ),
    (
        "music/madmom/sample.wav",
        "music/madmom/sample.gt.json",
        87.5,
    ),
    ("music/cuidado/cuidado_FallaCancion.flac", "", 191.27),
    ("music/essentia/techno_loop.mp3", "", 125.0),
    ("music/beatnet/808kick120bpm.mp3", "", 120.0),
    ("music/librosa/sorohanro_-_solo-trumpet-06.hq.ogg", "", 90.0),
    (
        "music/gtzan/country.00000.wav",
        "music/gtzan/country.00000.gt.json",
        85.53,
    ),
    (
        "music/hainsworth/hains001.flac",
        "music/hainsworth/hains001.gt.json",
        100.16,
    ),
    ("music/simac/simac_01_H_mikri_Rallou.flac", "", 74.34),
    (
        "music/jtd/barronk-allgodschildren-drummondrrileyb-1990-8b77c067.wav",
        "music/jtd/barronk-allgodschildren.gt.json",
        290.0,
    ),
];

const OTHERS: &[&str] = &[
    "speech/whisper/jfk.flac",
    "speech/librosa-librispeech/198-209-0000.hq.ogg",
    "speech/librosa-librispeech/3436-172162-0000.hq.ogg",
    "speech/librosa-librispeech/5703-47212-0000.hq.ogg",
    "speech/essentia/vignesh.wav",
    "speech/essentia/long_voice.flac",
    "video/imageio-cockatoo/cockatoo.mp4",
    "video/openboard-cc/wannaworktogether.mp4",
    "video/pyscenedetect/issue-195-aspect-ratio.mp4",
    "video/pyscenedetect/issue-134-rotate.mp4",
    "video/moviepy-bbb/big_buck_bunny_0_30.webm",
    "video/janus-ebu-chid/ChID-BLITS-EBU.mp4",
    "music/essentia/dubstep.flac",
    "music/essentia/hiphop.mp3",
    "music/essentia/flamenco.flac",
    "music/librosa/admiralbob77_-_Choice_-_Drum-bass.hq.ogg",
    "music/librosa/Kevin_MacLeod_-_Vibe_Ace.hq.ogg",
    "music/librosa/Karissa_Hobbs_-_Lets_Go_Fishin.hq.ogg",
    "music/librosa/Hungarian_Dance_number_5_-_Allegro_in_F_sharp_minor_string_orchestra.hq.ogg",
];

/// Beat F-measure as `bench/score/metrics.py`: trimmed of the first 5 s, or untrimmed
/// when the trimmed reference keeps fewer than 4 beats.
fn bench_f(reference: &[f64], estimated: &[f64]) -> f64 {
    let r = metrics::trim_beats(reference);
    if r.len() >= 4 {
        metrics::f_measure(&r, &metrics::trim_beats(estimated), 0.07)
    } else {
        metrics::f_measure(reference, estimated, 0.07)
    }
}

/// The synthetic drum patterns of `bench/out/synth/drums` (made by
/// `bench/synth/generate.py`), when present: tempo and beat F per file.
fn drums() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/out/synth/drums");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        println!("no synthetic drums at {}", dir.display());
        return;
    };
    let mut gts: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".gt.json"))
        .collect();
    gts.sort_by_key(|p| {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).unwrap_or_default())
                .unwrap_or_default();
        v["tempo_bpm"].as_f64().unwrap_or(0.0) as u64
    });
    let mut ok = 0;
    let none = Loudness {
        integrated_lufs: None,
        range_lu: None,
        true_peak_dbtp: None,
    };
    for gt in &gts {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(gt).expect("gt")).expect("json");
        let wav = dir.join(v["audio"].as_str().expect("audio"));
        let opts = RunOpts::default();
        let info = probe::probe(&wav, &opts).expect("probe");
        let (mono, speech) = decode_with_speech(&wav, &info);
        let truth = v["tempo_bpm"].as_f64().expect("tempo");
        let refb: Vec<f64> = v["beats"].as_array().map_or(Vec::new(), |a| {
            a.iter().filter_map(|x| x.as_f64()).collect()
        });
        let rep = audio::analyze(&mono, 22_050, none, speech, &mut |_| {});
        let est = rep.tempo_bpm.unwrap_or(0.0);
        let good = metrics::tempo_ok(est, truth, 0.04);
        ok += good as usize;
        let est_b: Vec<f64> = rep.beats.iter().map(|b| b.time_s).collect();
        if std::env::args().any(|a| a == "--beats") {
            eprintln!("{} est {est_b:.3?}", wav.display());
        }
        println!(
            "{:<24} gt {:>7.2} est {:>7.2} {} F {:.3} beats {}",
            v["audio"].as_str().unwrap_or(""),
            truth,
            est,
            if good { "ok " } else { "BAD" },
            bench_f(&refb, &est_b),
            rep.beats.len()
        );
        if std::env::args().any(|a| a == "--candidates") {
            dump_candidates(&mono, &v["audio"], truth);
        }
    }
    println!("synthetic drums tempo within 4 %: {ok}/{}", gts.len());
}

/// Prints every tempo candidate of `mono` (JSON lines on stderr with `--json`).
fn dump_candidates(mono: &[f32], file: &serde_json::Value, truth: impl serde::Serialize) {
    let spec = spectrum::compute(mono, 22_050);
    let on = onset::compute(&spec);
    let mut cs = tempo::candidates(&on, spec.fps);
    cs.sort_by(|a, b| a.bpm.total_cmp(&b.bpm));
    if std::env::args().any(|a| a == "--json") {
        let rows: Vec<_> = cs.iter().map(|c| serde_json::json!({"bpm": c.bpm, "acf": c.acf, "on": c.on, "c2": c.off / c.on, "c3": c.off3 / c.on, "P": c.precision, "R": c.recall, "alt": c.alt, "bb": c.backbeat, "c2L": c.c2_low, "c3L": c.c3_low, "n": c.beats.len()})).collect();
        eprintln!(
            "{}",
            serde_json::json!({"file": file, "gt": serde_json::json!(truth), "c": rows})
        );
    }
    for c in cs {
        println!(
            "    {:>7.2} acf {:.3} on {:.2} c2 {:.2} c3 {:.2} s2 {:.2} s3 {:.2} P {:.2} R {:.2} c2L {:.2} c3L {:.2} c2B {:.2} c3B {:.2} alt {:.2} bb {:+.2} n {} score {:.3}",
            c.bpm, c.acf, c.on, c.off / c.on, c.off3 / c.on, c.sim2, c.sim3, c.precision, c.recall, c.c2_low, c.c3_low, c.c2_bass, c.c3_bass, c.alt, c.backbeat, c.beats.len(), c.score
        );
    }
}

/// `--files F...`: tempo and beat count of arbitrary audio files (any path ffmpeg reads),
/// e.g. clipped or limited copies of the annotated pieces; with `--candidates` every
/// tempo candidate too.
fn files(paths: &[String], show: bool) {
    let none = Loudness {
        integrated_lufs: None,
        range_lu: None,
        true_peak_dbtp: None,
    };
    for p in paths.iter().filter(|p| !p.starts_with("--")) {
        let opts = RunOpts::default();
        let info = probe::probe(std::path::Path::new(p), &opts).expect("probe");
        let (mono, speech) = decode_with_speech(std::path::Path::new(p), &info);
        let rep = audio::analyze(&mono, 22_050, none, speech, &mut |_| {});
        println!(
            "{p:<60} tempo {:>7.2} beats {}",
            rep.tempo_bpm.unwrap_or(0.0),
            rep.beats.len()
        );
        if show {
            dump_candidates(&mono, &serde_json::json!(p), "none");
        }
    }
}

fn media(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/media")
        .join(rel)
}

/// The mono analysis audio and the speech segments of the Silero model, as the
/// analysis decodes and finds them.
fn decode_with_speech(
    p: &std::path::Path,
    info: &stylecut_media::MediaInfo,
) -> (Vec<f32>, Vec<Span>) {
    let opts = RunOpts::default();
    let a = decode_audio(p, info, 22_050, false, None, &opts).expect("decode");
    let mut v = vad::Vad::new().expect("model");
    a.for_each_speech_chunk(4096, |c| v.push(c).expect("vad"))
        .expect("speech audio");
    let speech = v.finish(&vad::Params::default()).expect("vad").segments;
    (a.mono, speech)
}

fn load(rel: &str) -> (Vec<f32>, Vec<Span>) {
    let p = media(rel);
    let info = probe::probe(&p, &RunOpts::default()).expect("probe");
    decode_with_speech(&p, &info)
}

fn loudness(rel: &str) -> Loudness {
    let p = media(rel);
    let opts = RunOpts::default();
    let info = probe::probe(&p, &opts).expect("probe");
    let a = decode_audio(&p, &info, 22_050, true, None, &opts).expect("decode");
    let mut m = audio::LoudnessMeter::new(a.full_rate, a.channels).expect("meter");
    a.for_each_full_chunk(4096, |c| m.add(c).expect("add"))
        .expect("read");
    m.finish()
}

fn main() {
    if std::env::args().any(|a| a == "--loudness") {
        for f in [
            "1kHz_sine_-20LUFS-16bit.flac",
            "seq-3341-1-16bit.flac",
            "seq-3341-2-16bit.flac",
            "seq-3341-5-16bit-v02.flac",
            "seq-3342-1-16bit.flac",
            "seq-3342-3-16bit.flac",
        ] {
            let l = loudness(&format!("loudness/ebu-tech3341-3342/{f}"));
            println!(
                "{f:<32} I {:>7.2} LUFS  LRA {:>5.2} LU  TP {:>6.2} dBTP",
                l.integrated_lufs.unwrap_or(f64::NAN),
                l.range_lu.unwrap_or(f64::NAN),
                l.true_peak_dbtp.unwrap_or(f64::NAN)
            );
        }
        return;
    }
    let show = std::env::args().any(|a| a == "--candidates");
    if let Some(i) = std::env::args().position(|a| a == "--files") {
        files(&std::env::args().skip(i + 1).collect::<Vec<_>>(), show);
        return;
    }
    let none = Loudness {
        integrated_lufs: None,
        range_lu: None,
        true_peak_dbtp: None,
    };
    let mut ok = 0;
    for (path, gt, truth) in FILES {
        let (mono, speech) = load(path);
        if std::env::var_os("SC_DEBUG").is_some() {
            eprintln!("== {path}");
        }
        let t0 = Instant::now();
        let rep = audio::analyze(&mono, 22_050, none, speech, &mut |_| {});
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        let est = rep.tempo_bpm.unwrap_or(0.0);
        let good = metrics::tempo_ok(est, *truth, 0.04);
        ok += good as usize;
        let f = if gt.is_empty() {
            String::from("-")
        } else {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(media(gt)).expect("gt"))
                    .expect("json");
            let refb: Vec<f64> = v["beats"].as_array().map_or(Vec::new(), |a| {
                a.iter().filter_map(|x| x.as_f64()).collect()
            });
            let est_b: Vec<f64> = rep.beats.iter().map(|b| b.time_s).collect();
            if std::env::args().any(|a| a == "--beats") {
                eprintln!("{path} est {est_b:.3?}");
            }
            let mut errs: Vec<f64> = est_b
                .iter()
                .filter_map(|e| {
                    refb.iter()
                        .map(|r| e - r)
                        .min_by(|a, b| a.abs().total_cmp(&b.abs()))
                })
                .filter(|d| d.abs() < 0.1)
                .collect();
            errs.sort_by(f64::total_cmp);
            let bias = errs.get(errs.len() / 2).copied().unwrap_or(0.0);
            format!(
                "{:.3} (median offset {:+.0} ms)",
                bench_f(&refb, &est_b),
                bias * 1e3
            )
        };
        println!(
            "{:<60} gt {:>7.2} est {:>7.2} {} F {} beats {} ({ms:.0} ms)",
            path,
            truth,
            est,
            if good { "ok " } else { "BAD" },
            f,
            rep.beats.len()
        );
        if show {
            dump_candidates(&mono, &serde_json::json!(path), truth);
        }
    }
    println!("tempo within 4 %: {ok}/{}", FILES.len());
    if std::env::args().any(|a| a == "--drums") {
        drums();
    }
    if std::env::args().any(|a| a == "--others") {
        let index: serde_json::Value = serde_json::from_str(
            // Python wrote -Infinity for the silent file's true peak: not JSON.
            &std::fs::read_to_string(media("index.json"))
                .expect("index")
                .replace("-Infinity", "null"),
        )
        .expect("json");
        for path in OTHERS
            .iter()
            .filter(|p| std::env::var("SC_ONLY").map_or(true, |o| p.contains(&o)))
        {
            let (mono, speech) = load(path);
            if std::env::var_os("SC_DEBUG").is_some() {
                eprintln!("== {path}");
            }
            let t0 = Instant::now();
            let rep = audio::analyze(&mono, 22_050, none, speech, &mut |_| {});
            let ms = t0.elapsed().as_secs_f64() * 1e3;
            let dur = mono.len() as f64 / 22_050.0;
            let reference: Vec<(f64, f64)> = index["files"]
                .as_array()
                .and_then(|a| a.iter().find(|f| f["path"] == *path))
                .and_then(|f| f["measured_speech_silero_vad_v6"]["segments"].as_array())
                .map_or(Vec::new(), |s| {
                    s.iter()
                        .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                        .collect()
                });
            let inside = |t: f64, segs: &[(f64, f64)]| segs.iter().any(|&(a, b)| t >= a && t < b);
            let ours: Vec<(f64, f64)> = rep
                .speech_segments
                .iter()
                .map(|s| (s.start_s, s.end_s))
                .collect();
            let steps = (dur / 0.01) as usize;
            let agree = (0..steps)
                .filter(|&i| {
                    let t = i as f64 * 0.01;
                    inside(t, &reference) == inside(t, &ours)
                })
                .count() as f64
                / steps.max(1) as f64;
            print!("{ms:>5.0} ms  VAD agreement {:.2} ", agree);
            println!(
                "{:<60} tempo {:?} beats {} speech {:.2} music {:.2} bass {:?} comp {:?} enh {}",
                path,
                rep.tempo_bpm.map(|t| (t * 10.0).round() / 10.0),
                rep.beats.len(),
                rep.features.speech_ratio,
                rep.features.music_ratio,
                rep.features
                    .bass_excess_db
                    .map(|t| (t * 10.0).round() / 10.0),
                rep.features
                    .estimated_compression_ratio
                    .map(|t| (t * 100.0).round() / 100.0),
                rep.features.speech_enhanced
            );
            if show && rep.tempo_bpm.is_some() {
                dump_candidates(&mono, &serde_json::json!(path), "none");
            }
        }
    }
}
