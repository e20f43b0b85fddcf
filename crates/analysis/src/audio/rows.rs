//! The log-mel rows of the spectrogram (64 `f32` per 11.6 ms hop at 22.05 kHz, 1.3 MiB
//! per source minute), held in memory for short inputs and spilled to an unnamed scratch
//! file for long ones.
//!
//! Every later step reads them in order or over short windows: the onset strength row by
//! row (each row beside the one ≈ 23 ms before it, after the whole programme's peak is
//! known, which sets the floor), the speech detector over 1 s windows of the speech bands.
//! So the rows need not stay in memory: once more than [`SpillConfig::after_frames`] rows
//! are held they go to a scratch file (as the picture's thumbnails do:
//! [`crate::video::spill`]) a page at a time, and are read back with positioned reads
//! (`pread`) of the rows asked for. The file is unnamed (`O_TMPFILE` on Linux), so the
//! kernel frees it when the analysis ends however it ends.
//!
//! A scratch file that cannot be created or written leaves the rows in memory (the
//! analysis is the same, only larger; [`MelRows::spill_error`] says why).

use std::fs::File;
use std::os::unix::fs::FileExt;

use crate::video::spill::SpillConfig;

/// Rows written to the scratch file at a time (64 KiB at 64 bands).
pub(crate) const PAGE_ROWS: usize = 256;

/// Log-mel rows of `bands` values each, in order of their frames.
#[derive(Debug)]
pub struct MelRows {
    bands: usize,
    /// Rows taken so far.
    rows: usize,
    /// Rows `written..rows` (every row when nothing is spilled).
    mem: Vec<f32>,
    /// Rows `0..written`, in native byte order (the file never outlives the process).
    file: Option<File>,
    written: usize,
    /// Where and when to spill; `None` once spilling is off (not configured, or failed).
    spill: Option<SpillConfig>,
    error: Option<String>,
}

impl MelRows {
    /// Rows of `bands` values, in memory unless `spill` is given.
    pub fn new(bands: usize, spill: Option<SpillConfig>) -> MelRows {
        MelRows {
            bands,
            rows: 0,
            mem: Vec::new(),
            file: None,
            written: 0,
            spill,
            error: None,
        }
    }

    /// Values per row.
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// Rows taken so far.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Rows held in memory (the rest are in the scratch file).
    pub fn rows_in_memory(&self) -> usize {
        self.rows - self.written
    }

    /// Why the rows stayed in memory, when a scratch file failed.
    pub fn spill_error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Appends one row (`bands` values).
    pub fn push(&mut self, row: &[f32]) {
        debug_assert_eq!(row.len(), self.bands);
        self.mem.extend_from_slice(row);
        self.rows += 1;
        let Some(cfg) = &self.spill else {
            return;
        };
        if self.file.is_none() {
            if self.rows <= cfg.after_frames {
                return;
            }
            match tempfile::tempfile_in(&cfg.dir) {
                Ok(f) => self.file = Some(f),
                Err(e) => {
                    self.fail(format!("audio rows scratch file: {e}"));
                    return;
                }
            }
        }
        if self.rows_in_memory() >= PAGE_ROWS {
            self.flush();
        }
    }

    /// Stops spilling: the rows not written stay in memory, and so do the rows to come.
    fn fail(&mut self, why: String) {
        self.error = Some(why);
        self.spill = None;
    }

    /// Writes the rows held in memory to the scratch file.
    fn flush(&mut self) {
        let Some(file) = &self.file else {
            return;
        };
        let bytes: Vec<u8> = self.mem.iter().flat_map(|v| v.to_ne_bytes()).collect();
        let at = (self.written * self.bands * 4) as u64;
        match file.write_all_at(&bytes, at) {
            Ok(()) => {
                self.written = self.rows;
                self.mem.clear();
                // The in-memory rows of a short start can be far above a page: give them back.
                if self.mem.capacity() > 2 * PAGE_ROWS * self.bands {
                    self.mem.shrink_to(PAGE_ROWS * self.bands);
                }
            }
            Err(e) => self.fail(format!("audio rows scratch file: {e}")),
        }
    }

    /// Rows `a..b` (clamped to the rows taken), one after the other, into `out`.
    ///
    /// Panics when the scratch file cannot be read back (the disk failed under the
    /// analysis, which has no error to return; the picture's spill does the same).
    pub fn read(&self, a: usize, b: usize, out: &mut Vec<f32>) {
        let b = b.min(self.rows);
        out.clear();
        if a >= b {
            return;
        }
        let from_file = a..b.min(self.written);
        if !from_file.is_empty() {
            let file = self.file.as_ref().expect("rows written to a file");
            let mut bytes = vec![0u8; from_file.len() * self.bands * 4];
            file.read_exact_at(&mut bytes, (from_file.start * self.bands * 4) as u64)
                .unwrap_or_else(|e| panic!("the audio scratch file cannot be read back: {e}"));
            out.extend(
                bytes
                    .chunks_exact(4)
                    .map(|c| f32::from_ne_bytes([c[0], c[1], c[2], c[3]])),
            );
        }
        let from_mem = a.max(self.written)..b;
        if !from_mem.is_empty() {
            let off = self.written;
            out.extend_from_slice(
                &self.mem[(from_mem.start - off) * self.bands..(from_mem.end - off) * self.bands],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: usize) -> Vec<f32> {
        (0..5).map(|k| (i * 5 + k) as f32 * 0.5 - 3.0).collect()
    }

    fn filled(spill: Option<SpillConfig>, n: usize) -> MelRows {
        let mut r = MelRows::new(5, spill);
        for i in 0..n {
            r.push(&row(i));
        }
        r
    }

    #[test]
    fn spilled_rows_read_back_as_held_ones() {
        let dir = tempfile::tempdir().unwrap();
        let n = 3 * PAGE_ROWS + 17;
        let mem = filled(None, n);
        let spilled = filled(
            Some(SpillConfig {
                dir: dir.path().into(),
                after_frames: 40,
            }),
            n,
        );
        assert_eq!(spilled.spill_error(), None);
        assert_eq!(mem.rows_in_memory(), n);
        // Only the last partial page stays in memory.
        assert!(
            spilled.rows_in_memory() < PAGE_ROWS,
            "{}",
            spilled.rows_in_memory()
        );
        // Windows across the file/memory boundary and page edges, and past the end.
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for (a, b) in [
            (0, n),
            (0, 1),
            (39, 41),
            (250, 700),
            (n - 30, n + 5),
            (5, 5),
        ] {
            mem.read(a, b, &mut x);
            spilled.read(a, b, &mut y);
            let want: Vec<f32> = (a..b.min(n)).flat_map(row).collect();
            assert_eq!(x, want, "{a}..{b}");
            assert_eq!(y, want, "{a}..{b}");
        }
    }

    #[test]
    fn a_missing_scratch_directory_keeps_the_rows_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let nowhere = dir.path().join("gone");
        let r = filled(
            Some(SpillConfig {
                dir: nowhere,
                after_frames: 0,
            }),
            300,
        );
        assert!(r.spill_error().is_some());
        assert_eq!(r.rows_in_memory(), 300);
        let mut x = Vec::new();
        r.read(290, 300, &mut x);
        assert_eq!(x, (290..300).flat_map(row).collect::<Vec<_>>());
    }
}
