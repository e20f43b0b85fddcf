//! Scratch files for the bulky per-frame data the analysis keeps for the whole input: each
//! frame's thumbnail ([`super::frame`], 3 456 B a frame) and the colour samples
//! ([`super::grade::ColorSampler`], ≈ 6.9 KB every 0.2 s). Held in memory they grew the
//! analysis by ≈ 8 MiB per source minute at 30 fps (`docs/BENCHMARKS.md`, "Session 10:
//! analysis feature memory"); written to a scratch file as they are computed and read back
//! on demand, the process keeps only the small per-frame scalars (≈ 0.4 MiB per minute).
//!
//! The files are *unnamed* temporary files ([`tempfile::tempfile_in`]: `O_TMPFILE` on
//! Linux, else created and unlinked at once) in the analysis' scratch directory: nothing
//! is ever visible in the directory, and the kernel frees the space when the last handle
//! closes: when the analysis ends, fails, unwinds after Ctrl-C, or the process is killed.
//!
//! Reads go through plain positioned reads (`pread`) into a small per-thread cache of
//! pages of [`PAGE_FRAMES`] frames, least recently used evicted: the detectors compare
//! frames a few dozen apart inside one segment, so a handful of pages serves them, and a
//! thread reads without a lock. (A memory map was not used: the pages it touches count in
//! the process's resident set until the kernel needs them back, so reading every frame
//! once would bring the whole file back into the measured peak.)
//!
//! Short inputs (templates) stay in memory: spilling starts once the analysis holds more
//! than [`SpillConfig::after_frames`] frames (and then moves the frames held so far too).

use std::cell::RefCell;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use super::frame::{CellDivisors, THUMB_LEN};

/// Frames held in memory before the analysis starts spilling (≈ 34 s at 30 fps, 3.4 MiB
/// of thumbnails): templates are usually shorter and never touch the disk.
pub const DEFAULT_SPILL_AFTER: usize = 1024;

/// Where and when the analysis spills its per-frame data.
#[derive(Debug, Clone)]
pub struct SpillConfig {
    /// Directory of the scratch files (the analysis' temporary directory).
    pub dir: PathBuf,
    /// Spill once more than this many frames are held (0: from the first frame).
    pub after_frames: usize,
}

impl SpillConfig {
    /// Spilling into `dir` past [`DEFAULT_SPILL_AFTER`] frames.
    pub fn new(dir: impl Into<PathBuf>) -> SpillConfig {
        SpillConfig {
            dir: dir.into(),
            after_frames: DEFAULT_SPILL_AFTER,
        }
    }
}

/// An unnamed scratch file in `dir` (see the module documentation).
fn scratch_file(dir: &Path) -> io::Result<File> {
    tempfile::tempfile_in(dir)
}

/// Bytes of one thumbnail in the file: [`THUMB_LEN`] `u16` channel sums, native order
/// (the file never outlives the process that wrote it).
const FRAME_BYTES: usize = THUMB_LEN * 2;
/// Frames per page: the unit read back and cached (55 KB).
pub(crate) const PAGE_FRAMES: usize = 16;
/// Pages each reading thread caches (≈ 440 KB a thread).
const CACHE_PAGES: usize = 8;

/// Distinguishes the files in the per-thread caches (never reused, so a page of a closed
/// file can never be taken for one of a newer file).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The thumbnails of one input, spilled: frame `i` at byte `i · FRAME_BYTES`, every frame
/// of the same size, so one divisor table serves them all.
#[derive(Debug)]
pub(crate) struct ThumbFile {
    id: u64,
    file: File,
    /// Divisors of every frame in the file.
    pub(crate) div: Arc<CellDivisors>,
    /// Frames written so far (only those can be read).
    written: AtomicUsize,
}

/// One cached page: the sums of frames `page · PAGE_FRAMES ..` of file `file`.
struct Page {
    file: u64,
    page: usize,
    sums: Vec<u16>,
}

#[derive(Default)]
struct Cache {
    /// Most recently used first.
    pages: Vec<Page>,
    /// Bytes as read, before conversion.
    bytes: Vec<u8>,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

impl ThumbFile {
    fn create(dir: &Path, div: Arc<CellDivisors>) -> io::Result<ThumbFile> {
        Ok(ThumbFile {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            file: scratch_file(dir)?,
            div,
            written: AtomicUsize::new(0),
        })
    }

    /// Runs `f` on the channel sums of frame `idx` ([`THUMB_LEN`] values), from this
    /// thread's page cache, reading the page on a miss.
    ///
    /// Panics when the scratch file cannot be read back (the disk failed under the
    /// analysis; the accessors it serves have no error to return) or `idx` was never
    /// written (a bug).
    pub(crate) fn with_sums<R>(&self, idx: usize, f: impl FnOnce(&[u16]) -> R) -> R {
        let (page, slot) = (idx / PAGE_FRAMES, idx % PAGE_FRAMES);
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            let c = &mut *c;
            let pos = c
                .pages
                .iter()
                .position(|p| p.file == self.id && p.page == page);
            match pos {
                Some(0) => {}
                Some(p) => c.pages[..=p].rotate_right(1),
                None => {
                    let mut entry = if c.pages.len() >= CACHE_PAGES {
                        c.pages.pop().expect("a full cache")
                    } else {
                        Page {
                            file: 0,
                            page: 0,
                            sums: Vec::with_capacity(PAGE_FRAMES * THUMB_LEN),
                        }
                    };
                    self.read_page(page, &mut c.bytes, &mut entry.sums)
                        .unwrap_or_else(|e| {
                            panic!("the analysis scratch file cannot be read back: {e}")
                        });
                    (entry.file, entry.page) = (self.id, page);
                    c.pages.insert(0, entry);
                }
            }
            let sums = &c.pages[0].sums;
            let at = slot * THUMB_LEN;
            assert!(
                at + THUMB_LEN <= sums.len(),
                "frame {idx} read before it was written"
            );
            f(&sums[at..at + THUMB_LEN])
        })
    }

    /// Reads the written frames of page `page` into `sums`.
    fn read_page(&self, page: usize, bytes: &mut Vec<u8>, sums: &mut Vec<u16>) -> io::Result<()> {
        let first = page * PAGE_FRAMES;
        let n = self
            .written
            .load(Ordering::Acquire)
            .saturating_sub(first)
            .min(PAGE_FRAMES);
        bytes.resize(n * FRAME_BYTES, 0);
        self.file
            .read_exact_at(bytes, (first * FRAME_BYTES) as u64)?;
        sums.clear();
        sums.extend(
            bytes
                .chunks_exact(2)
                .map(|b| u16::from_ne_bytes([b[0], b[1]])),
        );
        Ok(())
    }
}

impl Drop for ThumbFile {
    /// Frees this thread's cached pages of the file (the thread that drops the last
    /// frame is the one that read most of them; other threads' pages go as they read on).
    fn drop(&mut self) {
        let _ = CACHE.try_with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                c.pages.retain(|p| p.file != self.id);
            }
        });
    }
}

/// Writes thumbnails to a [`ThumbFile`] a page at a time.
pub(crate) struct ThumbWriter {
    file: Arc<ThumbFile>,
    /// Bytes of the frames not written yet (at most one page).
    pending: Vec<u8>,
}

impl ThumbWriter {
    /// A new scratch file in `dir` for frames whose divisors are `div`.
    pub(crate) fn create(dir: &Path, div: Arc<CellDivisors>) -> io::Result<ThumbWriter> {
        Ok(ThumbWriter {
            file: Arc::new(ThumbFile::create(dir, div)?),
            pending: Vec::with_capacity(PAGE_FRAMES * FRAME_BYTES),
        })
    }

    pub(crate) fn file(&self) -> &Arc<ThumbFile> {
        &self.file
    }

    /// Frames taken so far (written or pending): the index the next frame gets.
    pub(crate) fn frames(&self) -> usize {
        self.file.written.load(Ordering::Relaxed) + self.pending.len() / FRAME_BYTES
    }

    /// Frames taken but not written yet, as sums (to keep them in memory when the file
    /// cannot be written).
    pub(crate) fn pending_sums(&self) -> impl Iterator<Item = Box<[u16; THUMB_LEN]>> + '_ {
        self.pending.chunks_exact(FRAME_BYTES).map(|frame| {
            let mut s = Box::new([0u16; THUMB_LEN]);
            for (v, b) in s.iter_mut().zip(frame.chunks_exact(2)) {
                *v = u16::from_ne_bytes([b[0], b[1]]);
            }
            s
        })
    }

    /// Appends one frame's sums; returns its index in the file. Writes a full page.
    /// On an error the frames not written stay pending ([`ThumbWriter::pending_sums`]).
    pub(crate) fn push(&mut self, sums: &[u16; THUMB_LEN]) -> io::Result<usize> {
        let idx = self.frames();
        for v in sums {
            self.pending.extend_from_slice(&v.to_ne_bytes());
        }
        if self.pending.len() >= PAGE_FRAMES * FRAME_BYTES {
            self.flush()?;
        }
        Ok(idx)
    }

    /// Writes the pending frames.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let written = self.file.written.load(Ordering::Relaxed);
        self.file
            .file
            .write_all_at(&self.pending, (written * FRAME_BYTES) as u64)?;
        self.file.written.store(
            written + self.pending.len() / FRAME_BYTES,
            Ordering::Release,
        );
        self.pending.clear();
        Ok(())
    }

    /// Bytes written to the file.
    pub(crate) fn bytes(&self) -> u64 {
        (self.file.written.load(Ordering::Relaxed) * FRAME_BYTES) as u64
    }
}

/// Raw bytes of variable size appended to an unnamed scratch file, each read back by its
/// place (the colour samples: one read per sample and shot, no cache needed).
#[derive(Debug)]
pub(crate) struct BlobFile {
    file: File,
    len: u64,
}

impl BlobFile {
    pub(crate) fn create(dir: &Path) -> io::Result<BlobFile> {
        Ok(BlobFile {
            file: scratch_file(dir)?,
            len: 0,
        })
    }

    /// Appends `data`; returns its offset.
    pub(crate) fn append(&mut self, data: &[u8]) -> io::Result<u64> {
        let at = self.len;
        self.file.write_all_at(data, at)?;
        self.len += data.len() as u64;
        Ok(at)
    }

    /// The `len` bytes at `at`. Panics when the file cannot be read back (see
    /// [`ThumbFile::with_sums`]).
    pub(crate) fn read(&self, at: u64, len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        self.file
            .read_exact_at(&mut out, at)
            .unwrap_or_else(|e| panic!("the analysis scratch file cannot be read back: {e}"));
        out
    }

    /// Bytes written.
    pub(crate) fn bytes(&self) -> u64 {
        self.len
    }
}
