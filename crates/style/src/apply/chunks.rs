//! The bounded render: a plan with more segments than one render process may hold
//! ([`segments_per_process`]) is rendered in chunks of at most that many segments, one
//! ffmpeg process each, so the render's memory no longer grows with the number of segments
//! (every branch of the one-process graph keeps its buffers until the end: ≈ 32 MiB per
//! segment from a 1080p source, `docs/BENCHMARKS.md`, "Session 7: memory").
//!
//! The limit is a memory budget, not a fixed count (session 22): a branch's buffers are
//! decoded source pictures, so a process may run as many branches as fit in what
//! [`CHUNK_SEGMENTS`] branches of a 1080p 8-bit 4:2:0 source hold (the budget the session-8
//! bound was measured with), each branch counted at the larger of its source and output
//! pictures: 8 at 1080p, 18 from 720p to 720p, 8 from 720p to 1080p, 2 at 2160p.
//!
//! Each chunk opens the source over its own span only (`-ss` before the input, accurate
//! seek, with `-copyts -start_at_zero` so the graph sees the timestamps of the whole
//! render and its trims are the whole graph's, character for character), runs its part of
//! the video graph ([`super::graph::chunk_video_graph`]) and encodes the picture only, with
//! the plan's x264 settings, into an MPEG-TS file in the scratch directory. The join step
//! reads the chunks back through the concat demuxer (each file placed at the sum of the
//! previous chunks' exact durations), copies the video (`-c:v copy`: every frame is
//! encoded once) and the sound, encoded once (AAC), with `+faststart`.
//!
//! The sound is edited in the same chunks, before anything else: each audio chunk opens
//! the source's sound over its span only and writes its segments' edited sound (trims,
//! crossfades, no processing: [`super::graph::chunk_audio_graph`]) as 32-bit float PCM
//! (WAV) into the scratch directory. The loudness measuring pass and the join read those
//! files back one after the other (concat demuxer) and run the processing chain on them as
//! one stream ([`super::graph::audio_tail_graph`]), so the filters that carry state across
//! the whole sound (compressor, loudness) see what the one-process render feeds them.
//! Before, both passes ran the whole audio graph from the source, one `asplit` branch per
//! segment, and their memory grew by ≈ 14.5 MiB per source minute on the 10-minute plan
//! (`docs/BENCHMARKS.md`, "Session 8: a bounded render" and "Session 9").
//!
//! Chunks end at a hard cut where one lies in the second half of the window; otherwise at
//! a transition, rendered whole by the chunk before it: that chunk also renders the head of
//! the next segment (its first `d` frames, what the xfade needs), and the next chunk starts
//! with that segment without those `d` frames. The frames are the one-process render's:
//! same branches, same xfade inputs.

use serde::{Deserialize, Serialize};

use super::edl::Segment;
use super::format::OutputFormat;
use super::graph::{self, GraphInput, SCRATCH};
use super::transitions::PlannedTransition;
use super::{Encoder, OUTPUT_COLOUR_ARGS, PICTURE_FILTER_THREADS};

/// Most segments (branches of the video graph) one render process runs from a source of
/// [`BUDGET_PICTURE`]: the memory budget of a render process is that many branches of such
/// a source. Chosen by measurement (`docs/BENCHMARKS.md`, "Session 8: a bounded render").
pub const CHUNK_SEGMENTS: usize = 8;

/// The decoded picture [`CHUNK_SEGMENTS`] was measured with: 1920×1080, 8-bit 4:2:0.
pub const BUDGET_PICTURE: (u32, u32) = (1920, 1080);

/// Environment variable that overrides [`segments_per_process`] (at least 2), e.g. to force
/// chunking on a short clip.
pub const CHUNK_ENV: &str = "STYLECUT_RENDER_CHUNK_SEGMENTS";

/// File (in the scratch directory) listing the chunks for the concat demuxer.
pub const CHUNK_LIST: &str = "chunks.ffconcat";
/// File (in the scratch directory) holding the join step's (audio) graph.
pub const JOIN_GRAPH_FILE: &str = "join.txt";
/// File (in the scratch directory) listing the audio chunks for the concat demuxer.
pub const AUDIO_LIST: &str = "audio.ffconcat";

/// An audio chunk starts on a multiple of this many seconds: a whole number of samples at
/// 48 kHz and at every common source rate (8, 11.025, 16, 22.05, 32, 44.1, 48, 88.2, 96
/// kHz), so the resampler meets the source's samples at the phase it has in the
/// one-process render, and `first_pts` (in source samples) is exact.
pub const AUDIO_START_STEP_S: f64 = 0.02;

/// Seconds of source decoded before a chunk's first frame: the seek lands well before the
/// first frame any branch keeps, so no trim of the graph depends on the seek's rounding.
const SEEK_MARGIN_S: f64 = 1.0;

/// The segments per chunk forced by [`CHUNK_ENV`] (a number ≥ 2), if any.
pub fn chunk_segments_override() -> Option<usize> {
    std::env::var(CHUNK_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&k| k >= 2)
}

/// Bytes of one decoded picture of `w`×`h` in the pixel format `pix_fmt` (ffmpeg's name;
/// None or unknown: 8-bit 4:2:0): samples per pixel from the chroma subsampling (4:2:0 1.5,
/// 4:2:2 2, 4:4:4 and RGB 3, grey 1, plus alpha), 2 bytes a sample above 8 bits.
pub fn picture_bytes(w: u32, h: u32, pix_fmt: Option<&str>) -> u64 {
    let f = pix_fmt.unwrap_or("yuv420p");
    // Samples per pixel, in halves.
    let mut halves: u64 = if f.starts_with("gray") || f.starts_with("y8") {
        2
    } else if f.contains("444") || f.contains("rgb") || f.contains("bgr") || f.starts_with("gbr") {
        6
    } else if f.contains("422") || f.contains("yuyv") || f.contains("uyvy") {
        4
    } else {
        3
    };
    if f.starts_with("yuva") || f.starts_with("gbrap") || f.contains("rgba") {
        halves += 2;
    }
    let deep = [
        "p10", "p12", "p14", "p16", "10le", "10be", "12le", "12be", "16le", "16be",
    ]
    .iter()
    .any(|d| f.contains(d))
        || f.starts_with("p010")
        || f.starts_with("p016")
        || f.starts_with("p210")
        || f.starts_with("y210");
    let bytes = if deep { 2 } else { 1 };
    w as u64 * h as u64 * halves * bytes / 2
}

/// Segments (branches) one render process may run for a source whose decoded picture is
/// `frame` (width, height, after rotation) in `pix_fmt`, rendered to an output picture of
/// `out` (width, height; 8-bit 4:2:0): as many as fit in the budget of [`CHUNK_SEGMENTS`]
/// branches of a [`BUDGET_PICTURE`] 8-bit 4:2:0 source, at least 2. A branch counts the
/// larger of its source and output pictures: past the crop and scale a branch holds
/// output-sized frames (a 720p source rendered at 1080p measured 10.9 MiB a branch against
/// 5.8 MiB at 720p, `docs/BENCHMARKS.md`, "Session 22: the chunk limit as a memory
/// budget"). 1080p 8-bit: 8 (the session-8 bound, unchanged); 720p to 720p: 18; 720p to
/// 1080p: 8; 2160p: 2.
pub fn segments_per_process(frame: (u32, u32), pix_fmt: Option<&str>, out: (u32, u32)) -> usize {
    let budget = CHUNK_SEGMENTS as u64 * picture_bytes(BUDGET_PICTURE.0, BUDGET_PICTURE.1, None);
    let branch = picture_bytes(frame.0, frame.1, pix_fmt)
        .max(picture_bytes(out.0, out.1, None))
        .max(1);
    ((budget / branch) as usize).max(2)
}

/// Where a chunk lies in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkSpan {
    /// First and last segment whose branch the chunk runs (inclusive).
    pub first: usize,
    pub last: usize,
    /// Frames of the first segment left out (rendered by the previous chunk, inside the
    /// transition into it).
    pub skip_head: u64,
    /// The last segment only up to this many frames (the head the transition into it
    /// needs; the next chunk renders the rest).
    pub keep_tail: Option<u64>,
    /// Index of the chunk's first frame on the output.
    pub out_start_frame: u64,
    /// Frames the chunk writes.
    pub frames: u64,
}

/// One chunk of a chunked render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderChunk {
    #[serde(flatten)]
    pub span: ChunkSpan,
    /// Its video graph (written to `{scratch}/chunk<i>.txt`).
    pub graph: String,
    /// ffmpeg arguments (after `ffmpeg -y`), with the `{scratch}` slot.
    pub ffmpeg_args: Vec<String>,
}

/// One audio chunk of a chunked render: the edited sound of the same segments as the
/// video chunk with the same index, into `{scratch}/audio<i>.wav`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioChunk {
    /// Its audio graph (written to `{scratch}/audio<i>.txt`).
    pub graph: String,
    /// ffmpeg arguments (after `ffmpeg -y`), with the `{scratch}` slot.
    pub ffmpeg_args: Vec<String>,
    /// Samples (48 kHz) it writes.
    pub samples: u64,
}

/// A render in chunks: the audio chunks, the chunks, then the join.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkedRender {
    /// The limit the chunks were cut with ([`chunk_segments`]).
    pub segments_per_chunk: usize,
    pub chunks: Vec<RenderChunk>,
    /// The sound edited chunk by chunk (empty for a source without sound, and in plans
    /// written before session 9, whose join and measuring pass read the source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audio_chunks: Vec<AudioChunk>,
    /// Graph of the loudness measuring pass over the audio chunks (from `[0:a]`, the list
    /// [`AUDIO_LIST`]), when normalisation applies; it replaces the plan's
    /// `audio_measure_graph`, which reads the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_measure_graph: Option<String>,
    /// The join step's graph (with the `{measured}` slot): the processing of the audio
    /// chunks from `[1:a]`, or a silent source.
    pub join_graph: String,
    /// ffmpeg arguments of the join (with the `{scratch}` and `{output}` slots): the chunk
    /// list ([`CHUNK_LIST`], written by the render) as input 0, the audio chunks' list
    /// ([`AUDIO_LIST`]) as input 1, the video copied.
    pub join_args: Vec<String>,
}

/// Cuts segments `0..n` into chunks of at most `k` branches. A chunk ends at the last hard
/// cut of its window when that lies in the window's second half; otherwise at a transition,
/// which the chunk renders whole with the next segment's head.
pub fn spans(segs: &[Segment], trans: &[PlannedTransition], k: usize) -> Vec<ChunkSpan> {
    let n = segs.len();
    let k = k.max(2);
    let mut out = Vec::new();
    let (mut first, mut skip, mut out_frame) = (0usize, 0u64, 0u64);
    loop {
        let (last, keep_tail) = if n - first <= k {
            (n - 1, None)
        } else {
            // Joins first..first+k-1 (the join after segment j is trans[j]).
            let cut = (first + k / 2..first + k)
                .rev()
                .find(|&j| j + 1 < n && trans[j].frames == 0);
            match cut {
                Some(j) => (j, None),
                None => {
                    // At most k branches: segments first..=j plus the head of j + 1.
                    let j = first + k - 2;
                    if trans[j].frames == 0 {
                        (j, None)
                    } else {
                        (j + 1, Some(trans[j].frames))
                    }
                }
            }
        };
        // Frames the chunk writes: its segments joined, minus each inner transition.
        let mut frames = 0u64;
        for s in first..=last {
            let mut f = segs[s].frames;
            if s == first {
                f -= skip;
            }
            if s == last {
                if let Some(t) = keep_tail {
                    f = f.min(t);
                }
            }
            frames += f;
            if s > first {
                frames -= trans[s - 1].frames;
            }
        }
        out.push(ChunkSpan {
            first,
            last,
            skip_head: skip,
            keep_tail,
            out_start_frame: out_frame,
            frames,
        });
        out_frame += frames;
        if last + 1 >= n && keep_tail.is_none() {
            break;
        }
        match keep_tail {
            Some(t) => {
                first = last;
                skip = t;
            }
            None => {
                first = last + 1;
                skip = 0;
            }
        }
    }
    out
}

/// The chunked render of a plan with more than `k` segments (None otherwise).
/// `source_rate`: the sample rate of the source's sound (None: no sound).
pub fn chunked(
    g: &GraphInput,
    source: &str,
    source_rate: Option<u32>,
    encoder: &Encoder,
    k: usize,
) -> Option<ChunkedRender> {
    if g.segments.len() <= k.max(2) {
        return None;
    }
    let spans = spans(g.segments, g.transitions, k);
    let has_audio = g.audio.source_has_audio;
    let audio_chunks = if has_audio {
        spans
            .iter()
            .enumerate()
            .map(|(i, span)| audio_chunk(g, span, i, source, source_rate.unwrap_or(48_000)))
            .collect()
    } else {
        Vec::new()
    };
    let chunks = spans
        .into_iter()
        .enumerate()
        .map(|(i, span)| RenderChunk {
            graph: graph::chunk_video_graph(g, &span),
            ffmpeg_args: chunk_args(g.segments, &span, i, source, encoder),
            span,
        })
        .collect();
    let (join_graph, audio_measure_graph) = if has_audio {
        (
            graph::audio_tail_graph(g, g.audio.loudness_filter(), 1),
            g.audio
                .measure_slot()
                .map(|m| graph::audio_tail_graph(g, Some(m), 0)),
        )
    } else {
        (graph::audio_graph(g), None)
    };
    Some(ChunkedRender {
        segments_per_chunk: k,
        chunks,
        audio_chunks,
        audio_measure_graph,
        join_graph,
        join_args: join_args(encoder, has_audio),
    })
}

/// Audio chunk `i` over `c`: the source's sound from [`SEEK_MARGIN_S`] before the chunk's
/// first segment (rounded down to [`AUDIO_START_STEP_S`]) to 1 s after its last one's end,
/// edited into 32-bit float PCM.
fn audio_chunk(g: &GraphInput, c: &ChunkSpan, i: usize, source: &str, rate: u32) -> AudioChunk {
    let part = &g.segments[c.first..=c.last];
    let first = part
        .iter()
        .map(|s| s.src_in_s)
        .fold(f64::INFINITY, f64::min);
    let steps = ((first - SEEK_MARGIN_S) / AUDIO_START_STEP_S)
        .floor()
        .max(0.0);
    let start = steps * AUDIO_START_STEP_S;
    let end = part.iter().map(|s| s.src_out_s).fold(0.0, f64::max) + 1.0;
    let graph = graph::chunk_audio_graph(g, c, start, rate);
    let ffmpeg_args = [
        "-copyts",
        "-start_at_zero",
        "-ss",
        &format!("{start:.3}"),
        "-t",
        &format!("{:.3}", end - start),
        "-vn",
        "-sn",
        "-dn",
        "-i",
        source,
        "-filter_complex_script",
        &format!("{SCRATCH}/{}", audio_graph_file(i)),
        "-map",
        "[aout]",
        "-c:a",
        "pcm_f32le",
        "-f",
        "wav",
        &format!("{SCRATCH}/{}", audio_file(i)),
    ]
    .map(String::from)
    .to_vec();
    AudioChunk {
        graph,
        ffmpeg_args,
        samples: audio_chunk_samples(g, c),
    }
}

/// Samples chunk `c`'s edited sound holds: its segments' samples (each branch is cut or
/// padded to exactly that), minus each inner crossfade's overlap, with the head and tail
/// the chunk leaves out or cuts.
fn audio_chunk_samples(g: &GraphInput, c: &ChunkSpan) -> u64 {
    let fmt = g.fmt;
    let mut n = 0u64;
    for k in c.first..=c.last {
        let mut s = fmt.frames_to_samples(g.segments[k].frames);
        if k == c.first {
            s -= fmt.frames_to_samples(c.skip_head);
        }
        if k == c.last {
            if let Some(t) = c.keep_tail {
                s = s.min(fmt.frames_to_samples(t));
            }
        }
        n += s;
        if k > c.first {
            n -= fmt.frames_to_samples(g.transitions[k - 1].frames);
        }
    }
    n
}

/// Names of audio chunk `i`'s PCM file and graph file in the scratch directory.
pub fn audio_file(i: usize) -> String {
    format!("audio{i:03}.wav")
}
pub fn audio_graph_file(i: usize) -> String {
    format!("audio{i:03}.txt")
}

/// The concat demuxer's list of the audio chunks (their sound follows one another; the
/// tail graph renumbers the samples, so the files' rounded offsets do not matter).
pub fn audio_list(n: usize) -> String {
    let mut s = String::from("ffconcat version 1.0\n");
    for i in 0..n {
        s.push_str(&format!("file '{}'\n", audio_file(i)));
    }
    s
}

/// Name of chunk `i`'s video file and graph file in the scratch directory.
pub fn chunk_file(i: usize) -> String {
    format!("chunk{i:03}.ts")
}
pub fn chunk_graph_file(i: usize) -> String {
    format!("chunk{i:03}.txt")
}

/// The concat demuxer's list: each chunk with its exact duration, so chunk `i` starts at
/// the sum of the previous chunks' frames on the output grid.
pub fn chunk_list(chunks: &[RenderChunk], fmt: &OutputFormat) -> String {
    let mut s = String::from("ffconcat version 1.0\n");
    for (i, c) in chunks.iter().enumerate() {
        s.push_str(&format!(
            "file '{}'\nduration {:.6}\n",
            chunk_file(i),
            fmt.frames_to_s(c.span.frames)
        ));
    }
    s
}

fn chunk_args(segs: &[Segment], c: &ChunkSpan, i: usize, source: &str, e: &Encoder) -> Vec<String> {
    let part = &segs[c.first..=c.last];
    let start = part
        .iter()
        .map(|s| s.video_in_s.min(s.src_in_s))
        .fold(f64::INFINITY, f64::min);
    let start = (start - SEEK_MARGIN_S).max(0.0);
    let end = part
        .iter()
        .map(|s| s.video_out_s.max(s.src_out_s))
        .fold(0.0, f64::max)
        + 1.0;
    let mut a: Vec<String> = vec![
        "-copyts".into(),
        "-start_at_zero".into(),
        "-ss".into(),
        format!("{start:.3}"),
        "-t".into(),
        format!("{:.3}", end - start),
        "-an".into(),
        "-sn".into(),
        "-dn".into(),
        "-i".into(),
        source.to_string(),
        PICTURE_FILTER_THREADS[0].into(),
        PICTURE_FILTER_THREADS[1].into(),
        "-filter_complex_script".into(),
        format!("{SCRATCH}/{}", chunk_graph_file(i)),
        "-map".into(),
        "[vout]".into(),
    ];
    a.extend(e.video_args());
    a.extend(OUTPUT_COLOUR_ARGS.map(String::from));
    a.extend(["-f".into(), "mpegts".into()]);
    a.push(format!("{SCRATCH}/{}", chunk_file(i)));
    a
}

fn join_args(e: &Encoder, has_audio: bool) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "-f".into(),
        "concat".into(),
        "-safe".into(),
        "0".into(),
        "-i".into(),
        format!("{SCRATCH}/{CHUNK_LIST}"),
    ];
    if has_audio {
        a.extend(
            [
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                &format!("{SCRATCH}/{AUDIO_LIST}"),
            ]
            .map(String::from),
        );
    }
    a.extend([
        "-filter_complex_script".into(),
        format!("{SCRATCH}/{JOIN_GRAPH_FILE}"),
        "-map".into(),
        "0:v".into(),
        "-map".into(),
        "[aout]".into(),
        "-c:v".into(),
        "copy".into(),
    ]);
    a.extend(e.output_tail_args());
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(frames: u64) -> Segment {
        Segment {
            src_in_s: 0.0,
            src_out_s: 1.0,
            video_in_s: 0.0,
            video_out_s: 1.0,
            frames,
            out_start_s: 0.0,
            shot: 0,
            origin: super::super::pacing::Origin::Shot,
            crop: super::super::CropWindow::FULL,
            crop_path: Vec::new(),
            punch_in: false,
            motion: super::super::motion::Motion::None,
            lut: None,
            repeat_frames: 0,
        }
    }

    fn tr(k: usize, frames: u64) -> PlannedTransition {
        PlannedTransition {
            after_segment: k,
            kind: if frames > 0 { "fade" } else { "cut" }.into(),
            xfade: (frames > 0).then(|| "fade".into()),
            frames,
            duration_s: frames as f64 / 30.0,
            easing: "linear".into(),
        }
    }

    /// Every output frame belongs to exactly one chunk, chunks follow each other, each
    /// runs at most `k` branches, and every transition lies inside one chunk.
    fn check(segs: &[Segment], trans: &[PlannedTransition], k: usize) -> Vec<ChunkSpan> {
        let sp = spans(segs, trans, k);
        let total = super::super::edl::total_frames(segs, trans);
        let mut next = 0;
        for (i, c) in sp.iter().enumerate() {
            assert_eq!(c.out_start_frame, next, "{sp:?}");
            assert!(c.last - c.first < k, "{sp:?}");
            next += c.frames;
            if i > 0 {
                let p = sp[i - 1];
                match p.keep_tail {
                    Some(t) => {
                        assert_eq!((c.first, c.skip_head), (p.last, t));
                        assert_eq!(t, trans[p.last - 1].frames);
                        assert!(t > 0);
                    }
                    None => {
                        assert_eq!((c.first, c.skip_head), (p.last + 1, 0));
                        assert_eq!(trans[p.last].frames, 0, "a chunk ends at a cut");
                    }
                }
            }
        }
        assert_eq!(next, total, "{sp:?}");
        assert_eq!(sp.last().unwrap().last, segs.len() - 1);
        assert!(sp.last().unwrap().keep_tail.is_none());
        sp
    }

    #[test]
    fn chunks_cover_the_output_once() {
        let segs: Vec<Segment> = (0..23).map(|i| seg(30 + 7 * (i % 5))).collect();
        // All transitions.
        let all: Vec<PlannedTransition> = (0..22).map(|k| tr(k, 9)).collect();
        let sp = check(&segs, &all, 8);
        assert!(sp.len() >= 3);
        assert!(sp.iter().all(|c| c.first == 0 || c.skip_head == 9));
        // All cuts: windows of exactly k.
        let cuts: Vec<PlannedTransition> = (0..22).map(|k| tr(k, 0)).collect();
        let sp = check(&segs, &cuts, 8);
        assert_eq!(sp.len(), 3);
        assert_eq!((sp[0].first, sp[0].last), (0, 7));
        // Mixed, and the smallest k.
        let mixed: Vec<PlannedTransition> = (0..22).map(|k| tr(k, [0, 6, 8][k % 3])).collect();
        for k in 2..10 {
            check(&segs, &mixed, k);
            check(&segs, &all, k);
            check(&segs, &cuts, k);
        }
        // A cut in the window's second half is preferred over a transition.
        let sp = check(&segs, &mixed, 8);
        assert!(sp[0].keep_tail.is_none() && sp[0].last >= 4, "{sp:?}");
    }
}
