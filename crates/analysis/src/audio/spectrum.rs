//! Short-time spectrum of the mono analysis signal, computed once and shared by every
//! audio analyser: a log-mel spectrogram (onsets, tempo, beats) and per-frame band
//! energies (spectral balance, speech activity, music presence).
//!
//! Frames are centred: frame `i` covers samples around `i * hop`, so its time is
//! `i * hop / rate` seconds. The FFT size is the power of two nearest to 46 ms and the
//! hop a quarter of it (1024 / 256 at 22 050 Hz, about 86 frames per second), so every
//! rate ≥ 8 kHz yields the same time resolution within a factor of 1.5.

use realfft::RealFftPlanner;

use super::rows::MelRows;
use crate::video::spill::SpillConfig;

/// Lower edges of the three beat bands (Hz): bass below [`BASS_MID_HZ`], treble above
/// [`MID_TREBLE_HZ`], mid in between.
pub const BASS_MID_HZ: f64 = stylecut_types::audio_map::BASS_SHELF_HZ;
pub const MID_TREBLE_HZ: f64 = 4000.0;

/// Number of mel bands of the onset spectrogram.
const MEL_BANDS: usize = 64;
/// Dynamic range kept in the log-mel spectrogram (dB below the loudest cell). Cells
/// further down are floored, so fluctuations of noise and reverberation tails far
/// below the music do not produce flux (45 dB measured best on the annotated music:
/// see `docs/AUDIO.md`).
const TOP_DB: f32 = 45.0;

/// Per-frame linear power in fixed bands (mean squared magnitude, arbitrary units
/// common to all bands so ratios are meaningful).
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameBands {
    /// Below 150 Hz (the bass shelf corner).
    pub low: f32,
    /// 150 Hz – 4 kHz.
    pub mid: f32,
    /// Above 4 kHz.
    pub high: f32,
    /// 300 Hz – 3.4 kHz: the telephone speech band.
    pub speech: f32,
    /// 1 – 4 kHz: speech presence / intelligibility region.
    pub presence: f32,
    /// Spectral centroid, Hz.
    pub centroid: f32,
    /// Spectral flatness (geometric / arithmetic mean of power), 0..1.
    pub flatness: f32,
}

impl FrameBands {
    pub fn total(&self) -> f32 {
        self.low + self.mid + self.high
    }
}

/// The shared spectrogram.
#[derive(Debug)]
pub struct Spectrogram {
    pub rate: u32,
    pub hop: usize,
    /// Frames per second.
    pub fps: f64,
    /// Log-mel power in dB (≥ −120 dB), `frames × MEL_BANDS`, before any floor: for
    /// measures that set their own floor relative to a local level, such as the speech
    /// analysis. Held in memory or spilled ([`MelRows`]): read with [`Self::mel_raw_rows`]
    /// and [`Self::mel_rows`].
    pub mel_raw: MelRows,
    /// [`TOP_DB`] below the loudest cell of the whole programme: the floor of the onset
    /// spectrogram ([`Self::mel_rows`]).
    pub mel_floor: f32,
    /// Centre frequency of each mel band, Hz.
    pub mel_hz: Vec<f64>,
    pub bands: Vec<FrameBands>,
}

impl Spectrogram {
    pub fn frames(&self) -> usize {
        self.bands.len()
    }

    /// Time of frame `i` in seconds.
    pub fn time(&self, i: usize) -> f64 {
        i as f64 / self.fps
    }

    /// Log-mel rows `a..b` before the floor, one after the other, into `out`.
    pub fn mel_raw_rows(&self, a: usize, b: usize, out: &mut Vec<f32>) {
        self.mel_raw.read(a, b, out);
    }

    /// Log-mel rows `a..b` floored at [`TOP_DB`] below the programme's peak (the onset
    /// spectrogram), one after the other, into `out`.
    pub fn mel_rows(&self, a: usize, b: usize, out: &mut Vec<f32>) {
        self.mel_raw.read(a, b, out);
        for v in out.iter_mut() {
            *v = v.max(self.mel_floor);
        }
    }
}

fn hz_to_mel(hz: f64) -> f64 {
    2595.0 * (1.0 + hz / 700.0).log10()
}

fn mel_to_hz(mel: f64) -> f64 {
    700.0 * (10f64.powf(mel / 2595.0) - 1.0)
}

/// Triangular mel filters as (first bin, weights) over a spectrum of `bins` bins.
fn mel_filters(rate: u32, n_fft: usize, bins: usize) -> (Vec<(usize, Vec<f32>)>, Vec<f64>) {
    let fmax = (rate as f64 / 2.0).min(11_025.0);
    let (lo, hi) = (hz_to_mel(30.0), hz_to_mel(fmax));
    let edges: Vec<f64> = (0..MEL_BANDS + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (MEL_BANDS + 1) as f64))
        .collect();
    let bin_hz = rate as f64 / n_fft as f64;
    let mut filters = Vec::with_capacity(MEL_BANDS);
    for b in 0..MEL_BANDS {
        let (l, c, r) = (edges[b], edges[b + 1], edges[b + 2]);
        let first = ((l / bin_hz).floor() as usize).min(bins - 1);
        let last = ((r / bin_hz).ceil() as usize).min(bins - 1);
        let mut w: Vec<f32> = (first..=last)
            .map(|k| {
                let f = k as f64 * bin_hz;
                let v = if f <= c {
                    (f - l) / (c - l)
                } else {
                    (r - f) / (r - c)
                };
                v.max(0.0) as f32
            })
            .collect();
        // Narrow low bands can fall between bins: keep at least the nearest bin.
        if w.iter().all(|&x| x == 0.0) {
            let k = ((c / bin_hz).round() as usize).clamp(first, last);
            w[k - first] = 1.0;
        }
        filters.push((first, w));
    }
    (filters, edges[1..=MEL_BANDS].to_vec())
}

/// FFT size for a rate: the power of two nearest to 46 ms.
pub fn fft_size(rate: u32) -> usize {
    let target = rate as f64 * 0.046;
    let p = target.log2().round() as u32;
    1usize << p.clamp(8, 14)
}

/// Computes the spectrogram of `mono` at `rate` Hz, every row in memory. Returns an
/// empty spectrogram for input shorter than one hop.
pub fn compute(mono: &[f32], rate: u32) -> Spectrogram {
    let mut s = SpectrumStream::new(rate, None);
    s.push(mono);
    s.finish()
}

/// Samples consumed before the stream drops them from its buffer (256 KiB): the buffer
/// holds at most this plus one chunk and one FFT window.
const DRAIN_SAMPLES: usize = 1 << 16;

/// The spectrogram computed from samples handed over in chunks of any size, as they are
/// decoded: frame `i` is computed once the samples up to the end of its window have
/// arrived, and the samples before the next frame's window are dropped, so the stream
/// holds one window and one chunk of samples, not the programme. Every frame is the one
/// [`compute`] makes from the whole buffer (the same samples, window and FFT in the same
/// order), so the results are identical to the last bit.
pub struct SpectrumStream {
    rate: u32,
    n_fft: usize,
    hop: usize,
    window: Vec<f32>,
    filters: Vec<(usize, Vec<f32>)>,
    mel_hz: Vec<f64>,
    bin_hz: f32,
    /// Band edges (bins): bass/mid, mid/treble, speech band, presence band.
    edges: [usize; 6],
    fft: std::sync::Arc<dyn realfft::RealToComplex<f32>>,
    input: Vec<f32>,
    out: Vec<realfft::num_complex::Complex<f32>>,
    scratch: Vec<realfft::num_complex::Complex<f32>>,
    power: Vec<f32>,
    row: Vec<f32>,
    /// Samples `base..received` not dropped yet.
    buf: Vec<f32>,
    base: usize,
    received: usize,
    /// The next frame to compute.
    next: usize,
    mel: MelRows,
    peak: f32,
    bands: Vec<FrameBands>,
}

impl SpectrumStream {
    /// A stream of mono samples at `rate` Hz; its mel rows spill as `spill` says (in
    /// memory when `None`).
    pub fn new(rate: u32, spill: Option<SpillConfig>) -> SpectrumStream {
        let n_fft = fft_size(rate);
        let bins = n_fft / 2 + 1;
        let window: Vec<f32> = (0..n_fft)
            .map(|i| {
                let x = std::f32::consts::PI * 2.0 * i as f32 / n_fft as f32;
                0.5 - 0.5 * x.cos()
            })
            .collect();
        let (filters, mel_hz) = mel_filters(rate, n_fft, bins);
        let bin_hz = rate as f32 / n_fft as f32;
        let edge = |hz: f64| ((hz as f32 / bin_hz).round() as usize).min(bins);
        let edges = [
            edge(BASS_MID_HZ),
            edge(MID_TREBLE_HZ),
            edge(300.0),
            edge(3400.0),
            edge(1000.0),
            edge(4000.0),
        ];
        let mut planner = RealFftPlanner::<f32>::new();
        let fft = planner.plan_fft_forward(n_fft);
        SpectrumStream {
            rate,
            n_fft,
            hop: n_fft / 4,
            window,
            filters,
            mel_hz,
            bin_hz,
            edges,
            input: fft.make_input_vec(),
            out: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            power: vec![0f32; bins],
            row: Vec::with_capacity(MEL_BANDS),
            buf: Vec::new(),
            base: 0,
            received: 0,
            next: 0,
            mel: MelRows::new(MEL_BANDS, spill),
            peak: f32::NEG_INFINITY,
            bands: Vec::new(),
        }
    }

    /// Samples taken so far.
    pub fn samples(&self) -> usize {
        self.received
    }

    /// Samples held in the stream's buffer (at most one chunk, one window and
    /// [`DRAIN_SAMPLES`]).
    pub fn samples_held(&self) -> usize {
        self.buf.len()
    }

    /// The mel rows taken so far (to see how many are held in memory).
    pub fn mel_rows(&self) -> &MelRows {
        &self.mel
    }

    /// Takes the next samples of the programme.
    pub fn push(&mut self, samples: &[f32]) {
        self.buf.extend_from_slice(samples);
        self.received += samples.len();
        let half = self.n_fft / 2;
        while self.next * self.hop + half <= self.received {
            self.frame(self.next);
            self.next += 1;
        }
        // Samples before the next frame's window are never read again.
        let keep = (self.next * self.hop).saturating_sub(half);
        if keep - self.base >= DRAIN_SAMPLES {
            self.buf.drain(..keep - self.base);
            self.base = keep;
        }
    }

    /// Computes the frames whose windows reach past the end (zeros there) and returns
    /// the spectrogram.
    pub fn finish(mut self) -> Spectrogram {
        let frames = if self.received < self.hop {
            0
        } else {
            self.received / self.hop + 1
        };
        while self.next < frames {
            self.frame(self.next);
            self.next += 1;
        }
        Spectrogram {
            rate: self.rate,
            hop: self.hop,
            fps: self.rate as f64 / self.hop as f64,
            mel_raw: self.mel,
            mel_floor: self.peak - TOP_DB,
            mel_hz: self.mel_hz,
            bands: self.bands,
        }
    }

    /// Computes frame `f`: the window centred on sample `f · hop`, zeros outside the
    /// samples taken.
    fn frame(&mut self, f: usize) {
        let n_fft = self.n_fft;
        let start = (f * self.hop) as isize - (n_fft / 2) as isize;
        for (i, x) in self.input.iter_mut().enumerate() {
            let idx = start + i as isize;
            let s = if idx >= 0 && (idx as usize) < self.received {
                self.buf[idx as usize - self.base]
            } else {
                0.0
            };
            *x = s * self.window[i];
        }
        if self
            .fft
            .process_with_scratch(&mut self.input, &mut self.out, &mut self.scratch)
            .is_err()
        {
            // Sizes come from the plan itself, so this cannot happen; keep a silent frame.
            self.out.iter_mut().for_each(|c| *c = Default::default());
        }
        let norm = 1.0 / (n_fft as f32 * n_fft as f32);
        for (p, c) in self.power.iter_mut().zip(&self.out) {
            *p = (c.re * c.re + c.im * c.im) * norm;
        }
        self.row.clear();
        for (first, w) in &self.filters {
            let e: f32 = w
                .iter()
                .zip(&self.power[*first..])
                .map(|(a, b)| a * b)
                .sum();
            let v = 10.0 * e.max(1e-12).log10();
            self.peak = self.peak.max(v);
            self.row.push(v);
        }
        self.mel.push(&self.row);
        self.bands
            .push(frame_bands(&self.power, self.bin_hz, self.edges));
    }
}

fn frame_bands(power: &[f32], bin_hz: f32, k: [usize; 6]) -> FrameBands {
    let sum = |a: usize, b: usize| power[a.min(power.len())..b.min(power.len())].iter().sum();
    // Skip the DC bin: it carries offset, not bass.
    let low: f32 = sum(1, k[0]);
    let mid: f32 = sum(k[0], k[1]);
    let high: f32 = sum(k[1], power.len());
    let total = low + mid + high;
    let (mut wsum, mut logsum) = (0f32, 0f64);
    for (i, &p) in power.iter().enumerate().skip(1) {
        wsum += p * i as f32 * bin_hz;
        logsum += (p as f64 + 1e-20).ln();
    }
    let n = (power.len() - 1) as f64;
    let arith = total as f64 / n;
    let flatness = if arith > 1e-18 {
        ((logsum / n).exp() / (arith + 1e-20)).clamp(0.0, 1.0) as f32
    } else {
        1.0
    };
    FrameBands {
        low,
        mid,
        high,
        speech: sum(k[2], k[3]),
        presence: sum(k[4], k[5]),
        centroid: if total > 0.0 { wsum / total } else { 0.0 },
        flatness,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_rate() {
        assert_eq!(fft_size(22_050), 1024);
        assert_eq!(fft_size(8_000), 512);
        assert_eq!(fft_size(48_000), 2048);
    }

    /// Bits of every value of a spectrogram: its mel rows, floor and band energies.
    fn bits(s: &Spectrogram) -> (Vec<u32>, u32, Vec<[u32; 7]>) {
        let mut rows = Vec::new();
        s.mel_raw_rows(0, s.frames(), &mut rows);
        let bands = s
            .bands
            .iter()
            .map(|b| {
                [
                    b.low, b.mid, b.high, b.speech, b.presence, b.centroid, b.flatness,
                ]
                .map(f32::to_bits)
            })
            .collect();
        (
            rows.iter().map(|v| v.to_bits()).collect(),
            s.mel_floor.to_bits(),
            bands,
        )
    }

    #[test]
    fn chunks_of_any_size_make_the_whole_buffer_spectrogram() {
        // A chirp with a click every 0.3 s over 5 s (more than DRAIN_SAMPLES, so the
        // stream drops consumed samples), cut into chunks that split frames and hops at
        // every offset, spilled from the 10th row: every value is the one-buffer value.
        let rate = 22_050u32;
        let n = 5 * rate as usize + 123;
        let x: Vec<f32> = (0..n)
            .map(|i| {
                let t = i as f32 / rate as f32;
                let click = if i % 6615 < 40 { 0.5 } else { 0.0 };
                0.3 * (2.0 * std::f32::consts::PI * (100.0 + 400.0 * t) * t).sin() + click
            })
            .collect();
        let whole = compute(&x, rate);
        assert_eq!(whole.frames(), n / 256 + 1);
        let dir = tempfile::tempdir().unwrap();
        for sizes in [
            &[1usize, 255, 256, 257][..],
            &[1023, 4097],
            &[65_537, 3],
            &[n],
        ] {
            let mut s = SpectrumStream::new(
                rate,
                Some(SpillConfig {
                    dir: dir.path().into(),
                    after_frames: 10,
                }),
            );
            let (mut at, mut k) = (0, 0);
            let mut held = 0;
            while at < n {
                let len = sizes[k % sizes.len()].min(n - at);
                s.push(&x[at..at + len]);
                held = held.max(s.samples_held());
                (at, k) = (at + len, k + 1);
            }
            let max_chunk = *sizes.iter().max().unwrap();
            assert!(
                held <= DRAIN_SAMPLES + max_chunk + 1024,
                "{sizes:?}: {held}"
            );
            assert!(s.mel_rows().rows_in_memory() < super::super::rows::PAGE_ROWS);
            let streamed = s.finish();
            assert_eq!(streamed.mel_raw.spill_error(), None);
            assert!(bits(&streamed) == bits(&whole), "chunks of {sizes:?}");
        }
    }

    #[test]
    fn a_low_tone_lands_in_the_low_band() {
        let rate = 22_050;
        let x: Vec<f32> = (0..rate)
            .map(|i| (2.0 * std::f32::consts::PI * 80.0 * i as f32 / rate as f32).sin())
            .collect();
        let s = compute(&x, rate);
        let b = s.bands[s.frames() / 2];
        assert!(b.low > 10.0 * (b.mid + b.high), "{b:?}");
        assert!((s.time(86) - 86.0 * 256.0 / 22_050.0).abs() < 1e-9);
    }
}
