//! EBU R128 loudness (integrated, range, true peak) with the `ebur128` crate.

use ebur128::{Channel, EbuR128, Mode};
use stylecut_types::Loudness;

#[derive(Debug, thiserror::Error)]
#[error("loudness meter: {0}")]
pub struct LoudnessError(String);

/// Streaming meter over interleaved f32 audio at the input's own rate and channels.
pub struct LoudnessMeter {
    meter: EbuR128,
}

impl LoudnessMeter {
    pub fn new(rate: u32, channels: u32) -> Result<Self, LoudnessError> {
        let mut meter = EbuR128::new(channels.max(1), rate, Mode::I | Mode::LRA | Mode::TRUE_PEAK)
            .map_err(|e| LoudnessError(format!("{e:?}")))?;
        // ffmpeg's 5.1 order is FL FR FC LFE BL BR (or SL SR): LFE is not metered and the
        // surround pair gets the +1.5 dB weighting of BS.1770.
        if channels == 6 {
            let map = [
                Channel::Left,
                Channel::Right,
                Channel::Center,
                Channel::Unused,
                Channel::LeftSurround,
                Channel::RightSurround,
            ];
            for (i, c) in map.into_iter().enumerate() {
                meter
                    .set_channel(i as u32, c)
                    .map_err(|e| LoudnessError(format!("{e:?}")))?;
            }
        }
        Ok(LoudnessMeter { meter })
    }

    pub fn add(&mut self, interleaved: &[f32]) -> Result<(), LoudnessError> {
        self.meter
            .add_frames_f32(interleaved)
            .map_err(|e| LoudnessError(format!("{e:?}")))
    }

    pub fn finish(self) -> Loudness {
        let finite = |v: Result<f64, ebur128::Error>| v.ok().filter(|x| x.is_finite());
        let channels = self.meter.channels();
        let peak = (0..channels)
            .filter_map(|c| self.meter.true_peak(c).ok())
            .fold(0.0f64, f64::max);
        Loudness {
            integrated_lufs: finite(self.meter.loudness_global()),
            range_lu: finite(self.meter.loudness_range()),
            true_peak_dbtp: (peak > 0.0).then(|| 20.0 * peak.log10()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_at_known_level() {
        // A 1 kHz stereo sine at amplitude a reads 20·log10(a) LUFS (EBU Tech 3341 test 1 logic).
        let rate = 48_000;
        let a = 0.1f32;
        let mut m = LoudnessMeter::new(rate, 2).unwrap();
        let mut buf = Vec::with_capacity(rate as usize * 2);
        for i in 0..rate * 5 {
            let s = a * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / rate as f32).sin();
            buf.push(s);
            buf.push(s);
        }
        m.add(&buf).unwrap();
        let l = m.finish();
        let expect = 20.0 * (a as f64).log10();
        assert!((l.integrated_lufs.unwrap() - expect).abs() < 0.05, "{l:?}");
        assert!((l.true_peak_dbtp.unwrap() + 20.0).abs() < 0.5, "{l:?}");
    }
}
