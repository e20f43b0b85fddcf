//! Voice activity by the Silero VAD v6 model, run in pure Rust by `rten`.
//!
//! The model (`models/silero_vad.onnx`, MIT, from the `silero-vad` 6.2.3 wheel; see
//! `models/README.md`) is embedded in the binary, so nothing is downloaded at build or
//! run time. It reads 16 kHz mono in chunks of [`CHUNK`] samples, each preceded by the
//! last [`CONTEXT`] samples of the previous chunk, and carries an LSTM state from chunk
//! to chunk; it returns one speech probability per chunk (32 ms). This is the protocol
//! of silero's own `OnnxWrapper`.
//!
//! [`Vad`] is a streaming consumer: [`Vad::push`] any number of samples, then
//! [`Vad::finish`] turns the probabilities into speech segments with silero's own
//! post-processing ([`speech_timestamps`], the defaults of its `get_speech_timestamps`).

use std::sync::{Arc, OnceLock};

use rten::{Model, NodeId, RunOptions, ThreadPool};
use rten_tensor::{AsView, NdTensor};
use stylecut_types::Span;

use super::pauses::{self, LevelTrack};

/// Sample rate the model reads.
pub const RATE: u32 = 16_000;
/// Samples per model step (32 ms at 16 kHz).
pub const CHUNK: usize = 512;
/// Samples of the previous chunk the model sees before each chunk.
pub const CONTEXT: usize = 64;
/// Size of the LSTM state (2 × batch 1 × 128).
const STATE: usize = 2 * 128;

/// The model file, embedded.
static MODEL_BYTES: &[u8] = include_bytes!("../../models/silero_vad.onnx");

/// Errors of the voice activity detector: the embedded model failed to load or run
/// (a broken build, never bad input).
#[derive(Debug, thiserror::Error)]
#[error("speech detection failed: {0}")]
pub struct VadError(String);

/// The loaded model and the ids of its inputs and outputs, shared by every detector of
/// the process (loading parses 2.3 MB of ONNX).
struct Loaded {
    model: Model,
    input: NodeId,
    state: NodeId,
    sr: NodeId,
    output: NodeId,
    state_out: NodeId,
}

fn loaded() -> Result<&'static Loaded, VadError> {
    static MODEL: OnceLock<Result<Loaded, String>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let model = Model::load_static_slice(MODEL_BYTES).map_err(|e| e.to_string())?;
            let id = |name: &str| model.node_id(name).map_err(|e| e.to_string());
            Ok(Loaded {
                input: id("input")?,
                state: id("state")?,
                sr: id("sr")?,
                output: id("output")?,
                state_out: id("stateN")?,
                model,
            })
        })
        .as_ref()
        .map_err(|e| VadError(format!("the Silero model did not load: {e}")))
}

/// Silero's post-processing parameters (the defaults of `get_speech_timestamps`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Probability at or above which a chunk starts or continues speech.
    pub threshold: f32,
    /// Probability below which a chunk is silence inside speech (`threshold − 0.15`).
    pub neg_threshold: f32,
    /// Segments this short or shorter are dropped, ms.
    pub min_speech_ms: f64,
    /// Silence this long ends a segment, ms.
    pub min_silence_ms: f64,
    /// Padding added to both ends of a segment, ms.
    pub speech_pad_ms: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            threshold: 0.5,
            neg_threshold: 0.35,
            min_speech_ms: 250.0,
            min_silence_ms: 100.0,
            speech_pad_ms: 30.0,
        }
    }
}

/// A streaming voice activity detector over 16 kHz mono samples.
pub struct Vad {
    model: &'static Loaded,
    /// One worker: a step is ~30 µs of arithmetic on 576 samples, and the audio
    /// analysis runs beside the picture decode, which has the other cores.
    opts: RunOptions,
    state: Vec<f32>,
    /// The previous [`CONTEXT`] samples followed by the chunk being filled.
    window: Vec<f32>,
    samples: usize,
    probs: Vec<f32>,
    /// 10 ms levels of the same samples, for the pauses inside speech.
    levels: LevelTrack,
}

impl Vad {
    pub fn new() -> Result<Self, VadError> {
        let opts =
            RunOptions::default().with_thread_pool(Some(Arc::new(ThreadPool::with_num_threads(1))));
        let mut window = Vec::with_capacity(CONTEXT + CHUNK);
        window.resize(CONTEXT, 0.0);
        Ok(Vad {
            model: loaded()?,
            opts,
            state: vec![0.0; STATE],
            window,
            samples: 0,
            probs: Vec::new(),
            levels: LevelTrack::default(),
        })
    }

    /// Feeds samples (16 kHz mono); the model runs on every completed chunk. Non-finite
    /// samples are read as silence.
    pub fn push(&mut self, samples: &[f32]) -> Result<(), VadError> {
        self.samples += samples.len();
        self.levels.push(samples);
        for &x in samples {
            self.window.push(if x.is_finite() { x } else { 0.0 });
            if self.window.len() == CONTEXT + CHUNK {
                self.step()?;
            }
        }
        Ok(())
    }

    /// Runs the model on the full window and keeps its last [`CONTEXT`] samples.
    fn step(&mut self) -> Result<(), VadError> {
        let m = self.model;
        let input = NdTensor::from_data([1, CONTEXT + CHUNK], self.window.clone());
        let state = NdTensor::from_data([2, 1, 128], std::mem::take(&mut self.state));
        let sr = NdTensor::from_scalar(RATE as i32);
        let [out, state_n] = m
            .model
            .run_n(
                vec![
                    (m.input, input.into()),
                    (m.state, state.into()),
                    (m.sr, sr.into()),
                ],
                [m.output, m.state_out],
                Some(self.opts.clone()),
            )
            .map_err(|e| VadError(e.to_string()))?;
        let out: NdTensor<f32, 2> = out.try_into().map_err(|e| VadError(format!("{e:?}")))?;
        let state_n: NdTensor<f32, 3> =
            state_n.try_into().map_err(|e| VadError(format!("{e:?}")))?;
        self.probs
            .push(out.to_vec().first().copied().unwrap_or(0.0));
        self.state = state_n.to_vec();
        if self.state.len() != STATE {
            return Err(VadError(format!("state of {} values", self.state.len())));
        }
        self.window.drain(..CHUNK);
        Ok(())
    }

    /// Speech probability of each 32 ms chunk so far.
    pub fn probabilities(&self) -> &[f32] {
        &self.probs
    }

    /// Ends the stream: a last partial chunk is padded with zeros (as silero does), the
    /// probabilities become speech segments with `params`, and the pauses between words
    /// inside them are read from the levels ([`pauses::pauses`]).
    pub fn finish(mut self, params: &Params) -> Result<Speech, VadError> {
        if self.window.len() > CONTEXT {
            self.window.resize(CONTEXT + CHUNK, 0.0);
            self.step()?;
        }
        let segments = speech_timestamps(&self.probs, self.samples, params);
        let pauses = pauses::pauses(self.levels.levels(), &segments);
        Ok(Speech {
            segments,
            pauses,
            probabilities: self.probs,
        })
    }
}

/// What the detector found in one stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Speech {
    /// Speech segments, seconds.
    pub segments: Vec<Span>,
    /// Pauses between words inside the segments, seconds ([`pauses::pauses`]).
    pub pauses: Vec<Span>,
    /// Speech probability per 32 ms chunk.
    pub probabilities: Vec<f32>,
}

/// Speech probability of each chunk of `samples` (16 kHz mono), in one call.
pub fn detect(samples: &[f32], params: &Params) -> Result<Speech, VadError> {
    let mut v = Vad::new()?;
    v.push(samples)?;
    v.finish(params)
}

/// Silero's `get_speech_timestamps_from_probs` without a maximum segment length (its
/// default is unbounded): hysteresis between `threshold` and `neg_threshold`, silence of
/// at least `min_silence_ms` ends a segment, segments longer than `min_speech_ms` are
/// kept, then each is padded by `speech_pad_ms` (neighbours closer than two pads share
/// the gap). `samples` is the stream length at [`RATE`]; spans are in seconds.
pub fn speech_timestamps(probs: &[f32], samples: usize, p: &Params) -> Vec<Span> {
    let sr = RATE as f64;
    let min_speech = sr * p.min_speech_ms / 1000.0;
    let pad = sr * p.speech_pad_ms / 1000.0;
    let min_silence = sr * p.min_silence_ms / 1000.0;
    let mut speeches: Vec<(i64, i64)> = Vec::new();
    let mut start: Option<i64> = None;
    let mut temp_end = 0i64;
    for (i, &prob) in probs.iter().enumerate() {
        let cur = (CHUNK * i) as i64;
        if prob >= p.threshold && temp_end != 0 {
            temp_end = 0;
        }
        let Some(s) = start else {
            if prob >= p.threshold {
                start = Some(cur);
            }
            continue;
        };
        if prob < p.neg_threshold {
            if temp_end == 0 {
                temp_end = cur;
            }
            if ((cur - temp_end) as f64) < min_silence {
                continue;
            }
            if ((temp_end - s) as f64) > min_speech {
                speeches.push((s, temp_end));
            }
            start = None;
            temp_end = 0;
        }
    }
    let len = samples as i64;
    if let Some(s) = start {
        if ((len - s) as f64) > min_speech {
            speeches.push((s, len));
        }
    }
    let pad_i = pad as i64;
    let n = speeches.len();
    for i in 0..n {
        if i == 0 {
            speeches[0].0 = (speeches[0].0 - pad_i).max(0);
        }
        if i + 1 < n {
            let gap = speeches[i + 1].0 - speeches[i].1;
            if (gap as f64) < 2.0 * pad {
                speeches[i].1 += gap / 2;
                speeches[i + 1].0 = (speeches[i + 1].0 - gap / 2).max(0);
            } else {
                speeches[i].1 = (speeches[i].1 + pad_i).min(len);
                speeches[i + 1].0 = (speeches[i + 1].0 - pad_i).max(0);
            }
        } else {
            speeches[i].1 = (speeches[i].1 + pad_i).min(len);
        }
    }
    speeches
        .into_iter()
        .map(|(s, e)| Span {
            start_s: s as f64 / sr,
            end_s: e as f64 / sr,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probs_at(spec: &[(usize, f32)]) -> Vec<f32> {
        spec.iter()
            .flat_map(|&(n, p)| std::iter::repeat_n(p, n))
            .collect()
    }

    #[test]
    fn hysteresis_short_gaps_and_padding_follow_silero() {
        // 10 chunks of silence, 20 of speech (640 ms), 2 below the negative threshold
        // (64 ms < 100 ms: bridged), 1 between the thresholds (still speech), 20 of
        // speech, then 30 of silence.
        let p = probs_at(&[
            (10, 0.1),
            (20, 0.9),
            (2, 0.2),
            (1, 0.4),
            (20, 0.9),
            (30, 0.0),
        ]);
        let n = p.len() * CHUNK;
        let s = speech_timestamps(&p, n, &Params::default());
        assert_eq!(s.len(), 1, "{s:?}");
        // Start at chunk 10 minus 30 ms; end where silence began (chunk 53) plus 30 ms.
        assert!((s[0].start_s - (10.0 * 0.032 - 0.03)).abs() < 1e-9, "{s:?}");
        assert!((s[0].end_s - (53.0 * 0.032 + 0.03)).abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn short_bursts_are_dropped_and_close_segments_share_the_gap() {
        // A 192 ms burst (≤ 250 ms: dropped); two segments 160 ms apart (silence is
        // measured from its first chunk: 4 chunks later it has lasted 128 ms ≥ 100 ms, so
        // they split; 4 silent chunks would only reach 96 ms and be bridged). The gap is
        // wider than two pads, so each side gets its 30 ms.
        let p = probs_at(&[
            (5, 0.0),
            (6, 0.9),
            (10, 0.0),
            (12, 0.9),
            (5, 0.0),
            (12, 0.9),
            (10, 0.0),
        ]);
        let s = speech_timestamps(&p, p.len() * CHUNK, &Params::default());
        assert_eq!(s.len(), 2, "{s:?}");
        assert!((s[0].start_s - (21.0 * 0.032 - 0.03)).abs() < 1e-9);
        assert!((s[0].end_s - (33.0 * 0.032 + 0.03)).abs() < 1e-9);
        assert!((s[1].start_s - (38.0 * 0.032 - 0.03)).abs() < 1e-9);
        // Speech running to the end of the stream ends there.
        let p = probs_at(&[(5, 0.0), (20, 0.9)]);
        let n = p.len() * CHUNK - 100;
        let s = speech_timestamps(&p, n, &Params::default());
        assert_eq!(s.len(), 1);
        assert!((s[0].end_s - n as f64 / 16_000.0).abs() < 1e-9);
    }

    #[test]
    fn silence_has_no_speech_and_streaming_matches_one_call() {
        let quiet = vec![0.0f32; 16_000];
        let s = detect(&quiet, &Params::default()).unwrap();
        assert!(s.segments.is_empty());
        assert_eq!(s.probabilities.len(), 16_000usize.div_ceil(CHUNK));
        assert!(
            s.probabilities.iter().all(|&p| p < 0.1),
            "{:?}",
            s.probabilities
        );
        // Pushing in odd pieces gives the same probabilities as one push.
        let mut seed = 3u32;
        let x: Vec<f32> = (0..8_000)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.2
            })
            .collect();
        let whole = detect(&x, &Params::default()).unwrap();
        let mut v = Vad::new().unwrap();
        for piece in x.chunks(333) {
            v.push(piece).unwrap();
        }
        assert_eq!(v.finish(&Params::default()).unwrap(), whole);
    }
}
