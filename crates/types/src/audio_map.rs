//! Documented maps between measured audio quantities and the `audio_style` fields.
//! Extraction measures with these, application renders with their inverses.

/// Integrated loudness (LUFS) at `normalization_level = 0`.
pub const NORM_LUFS_AT_0: f64 = -36.0;
/// Integrated loudness (LUFS) at `normalization_level = 1`.
pub const NORM_LUFS_AT_1: f64 = -6.0;

/// `normalization_level = (I − (−36)) / 30`, clamped to 0..1: −36 LUFS → 0, −23 LUFS
/// (EBU R128 broadcast) → 0.433, −14 LUFS (streaming) → 0.733, −6 LUFS → 1.
pub fn normalization_level_from_lufs(lufs: f64) -> f64 {
    ((lufs - NORM_LUFS_AT_0) / (NORM_LUFS_AT_1 - NORM_LUFS_AT_0)).clamp(0.0, 1.0)
}

/// Inverse of [`normalization_level_from_lufs`].
pub fn lufs_from_normalization_level(level: f64) -> f64 {
    NORM_LUFS_AT_0 + level.clamp(0.0, 1.0) * (NORM_LUFS_AT_1 - NORM_LUFS_AT_0)
}

/// Decibels of low-shelf gain per point of `bass_boost`: 100 = +10 dB below 150 Hz.
pub const BASS_DB_PER_POINT: f64 = 0.1;
/// Shelf corner used by both measurement and rendering.
pub const BASS_SHELF_HZ: f64 = 150.0;

/// `bass_boost = 10 × (low-band excess in dB over the neutral reference)`, clamped 0..100.
pub fn bass_boost_from_excess_db(db: f64) -> f64 {
    (db / BASS_DB_PER_POINT).clamp(0.0, 100.0)
}

pub fn shelf_gain_db_from_bass_boost(b: f64) -> f64 {
    b.clamp(0.0, 100.0) * BASS_DB_PER_POINT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_round_trips() {
        for l in [-30.0, -23.0, -14.0, -9.0] {
            let lvl = normalization_level_from_lufs(l);
            assert!((lufs_from_normalization_level(lvl) - l).abs() < 1e-9);
        }
        assert!((normalization_level_from_lufs(-23.0) - 0.4333).abs() < 1e-3);
        assert_eq!(normalization_level_from_lufs(-70.0), 0.0);
    }

    #[test]
    fn bass_map_round_trips() {
        assert_eq!(bass_boost_from_excess_db(-3.0), 0.0);
        assert!((shelf_gain_db_from_bass_boost(bass_boost_from_excess_db(4.0)) - 4.0).abs() < 1e-9);
    }
}
