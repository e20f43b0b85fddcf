//! Snapshot tests of the plan: the filtergraph and argument vector for fixed inputs.
//! Snapshots live in `tests/snapshots/`; run with `UPDATE_SNAPSHOTS=1` to rewrite them
//! after an intended change, and review the diff.

mod common;

use std::path::Path;

use common::*;
use stylecut_style::apply::{self, edl, EditPlan};
use stylecut_types::config::{JobConfig, Resolution};
use stylecut_types::{Band, Beat, ColorGrade, SaliencyPoint, Span, TransitionStyle};

fn snapshot(name: &str, plan: &EditPlan) {
    let text = format!(
        "{}\n\n{}\n\n{}\n",
        plan.ffmpeg_args.join(" "),
        plan.filtergraph.replace(';', ";\n"),
        plan.audio_measure_graph.as_deref().unwrap_or("-")
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    let want = std::fs::read_to_string(&path).expect("snapshot exists (UPDATE_SNAPSHOTS=1)");
    assert_eq!(text, want, "snapshot {name} changed");
    check_inputs(plan);
    check_filters(plan);
    // The plan is inspectable JSON and round-trips.
    let json = serde_json::to_string(plan).unwrap();
    let back: EditPlan = serde_json::from_str(&json).unwrap();
    assert_eq!(back.filtergraph, plan.filtergraph);
    assert_eq!(back.segments.len(), plan.segments.len());
    assert_eq!(back.ffmpeg_args, plan.ffmpeg_args);
}

/// The streams each graph reads (`[N:v]`, `[N:a]`), in order of appearance.
fn stream_refs(graph: &str) -> Vec<(usize, char)> {
    let mut refs = Vec::new();
    for part in graph.split('[').skip(1) {
        let Some((label, _)) = part.split_once(']') else {
            continue;
        };
        if let Some((n, kind)) = label.split_once(':') {
            if let (Ok(n), Some(k @ ('v' | 'a'))) = (n.parse::<usize>(), kind.chars().next()) {
                refs.push((n, k));
            }
        }
    }
    refs
}

/// The render command's inputs and the graphs agree (the render opens a source with audio
/// twice, picture from input 0 and sound from input 1; the side passes open it once): every
/// stream a graph reads comes from an input that exists and whose demuxer keeps that
/// stream (`-an`/`-vn` before its `-i`), and every input is read.
fn check_inputs(plan: &EditPlan) {
    let args = &plan.ffmpeg_args;
    let mut inputs: Vec<&[String]> = Vec::new();
    let mut from = 0;
    for (i, a) in args.iter().enumerate() {
        if a == "-i" {
            inputs.push(&args[from..i]);
            from = i + 2;
        }
    }
    let refs = stream_refs(&plan.filtergraph);
    for &(n, k) in &refs {
        let opts = inputs
            .get(n)
            .unwrap_or_else(|| panic!("[{n}:{k}] but {} inputs: {args:?}", inputs.len()));
        let dropped = if k == 'v' { "-vn" } else { "-an" };
        assert!(
            !opts.iter().any(|o| o == dropped),
            "[{n}:{k}] from an input opened with {dropped}: {args:?}"
        );
    }
    for n in 0..inputs.len() {
        assert!(
            refs.iter().any(|r| r.0 == n),
            "input {n} is never read: {args:?}"
        );
    }
    // The side passes open the source once: the measure its sound, the stabiliser its
    // picture (`render::side_pass`).
    if let Some(g) = &plan.audio_measure_graph {
        assert_eq!(stream_refs(g), vec![(0, 'a')], "{g}");
    }
    if let Some(g) = &plan.stabilize_detect_graph {
        assert_eq!(stream_refs(g), vec![(0, 'v')], "{g}");
    }
}

/// The filter names of a filtergraph (quoted expressions and escapes skipped).
fn filter_names(graph: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let (mut quoted, mut escaped) = (false, false);
    for c in graph.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '\'' {
            quoted = !quoted;
        } else if !quoted && (c == ',' || c == ';') {
            pieces.push(String::new());
            continue;
        }
        pieces.last_mut().unwrap().push(c);
    }
    pieces
        .iter()
        .filter_map(|p| {
            let mut p = p.trim();
            while let Some(rest) = p.strip_prefix('[') {
                p = rest.split_once(']').map_or("", |x| x.1);
            }
            let name: String = p
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// Every filter a plan's graphs use is one `stylecut doctor` checks for
/// (`stylecut_media::process::RENDER_FILTERS`).
fn check_filters(plan: &EditPlan) {
    let graphs = [
        Some(&plan.filtergraph),
        plan.audio_measure_graph.as_ref(),
        plan.stabilize_detect_graph.as_ref(),
    ];
    for g in graphs.into_iter().flatten() {
        for f in filter_names(g) {
            assert!(
                stylecut_media::process::RENDER_FILTERS.contains(&f.as_str()),
                "{f} is not in RENDER_FILTERS ({g})"
            );
        }
    }
}

#[test]
fn vertical_warm_talking_head() {
    let mut a = analysis(20.0, 1920, 1080, 25.0, &[8.0]);
    a.speech_segments = vec![
        Span {
            start_s: 0.5,
            end_s: 6.0,
        },
        Span {
            start_s: 9.5,
            end_s: 19.0,
        },
    ];
    a.audio.has_audio = true;
    // The speaker sits right of centre, then walks left from 3.5 s.
    a.saliency = (0..80)
        .map(|i| {
            let t = 0.125 + 0.25 * f64::from(i);
            let x = if t < 3.5 {
                0.68 + 0.01 * (t * 5.0).sin()
            } else {
                (0.68 - 0.1 * (t - 3.5)).max(0.4)
            };
            SaliencyPoint { t_s: t, x, y: 0.4 }
        })
        .collect();
    a.loudness.integrated_lufs = Some(-24.0);
    a.color_grade = ColorGrade {
        temperature: -80.0,
        ..ColorGrade::NEUTRAL
    };
    // A strong warm, desaturated, contrasty look: white balance moves by the difference
    // beyond `lut::SCENE_SPREAD`, saturation and contrast by the template's excess over
    // `lut::ORDINARY_BAND`, so it has to be far from the source and from ordinary footage.
    let mut st = style("9:16", 30, 12.0);
    st.color_grade = ColorGrade {
        temperature: 100.0,
        saturation: -80.0,
        contrast: 80.0,
        ..ColorGrade::NEUTRAL
    };
    st.primary_transition = TransitionStyle {
        kind: "dissolve".into(),
        duration_ms: 400,
        easing: "linear".into(),
    };
    st.secondary_transition = Some(TransitionStyle {
        kind: "wipe".into(),
        duration_ms: 300,
        easing: "ease-in".into(),
    });
    st.zoom_usage = 50.0;
    st.audio_style.enhance_speech = true;
    let plan = apply::plan(
        Path::new("/media/src.mp4"),
        &info(1920, 1080, 25.0, 20.0, true),
        &a,
        Some(&st),
        &JobConfig {
            max_duration_seconds: Some(12.0),
            ..JobConfig::default()
        },
    )
    .unwrap();
    // The 12 s cap falls inside speech (9.5..19 s, no pause): the edit ends at the last
    // boundary outside speech (the jump cut at 6.27 s).
    let end = plan.segments.last().unwrap().src_out_s;
    assert!(plan.output_duration_s <= 12.0);
    assert!(
        !a.speech_segments
            .iter()
            .any(|s| end > s.start_s - 0.08 && end < s.end_s + 0.08),
        "ends at {end} inside speech"
    );
    // The crop follows the speaker: off centre, then moving with the walk.
    assert!(
        plan.segments[0].crop.cx > 0.6,
        "{:?}",
        plan.segments[0].crop
    );
    assert!(plan.segments.iter().any(|s| !s.crop_path.is_empty()));
    // Speech protection: every audio-breaking edit lies outside speech (80 ms margin).
    for w in plan.segments.windows(2) {
        if !edl::continues(&w[0], &w[1]) {
            for t in [w[0].src_out_s, w[1].src_in_s] {
                assert!(
                    !a.speech_segments
                        .iter()
                        .any(|s| t > s.start_s && t < s.end_s),
                    "jump at {t} inside speech"
                );
            }
        }
    }
    // Crossfades would blend words: joins in speech became cuts (a split's fade or zoom
    // would cross the same moment at two framings, the sound running on; this template's
    // dissolve leaves the splits cut).
    for (t, w) in plan.transitions.iter().zip(plan.segments.windows(2)) {
        assert!(
            t.frames == 0 || (edl::continues(&w[0], &w[1]) && w[1].repeat_frames == t.frames),
            "{t:?} between {:?} and {:?}",
            w[0],
            w[1]
        );
    }
    snapshot("vertical_warm_talking_head", &plan);
}

#[test]
fn keep_source_look_capped_and_resized() {
    let a = analysis(30.0, 1280, 720, 30.0, &[10.0, 20.0]);
    let cfg = JobConfig {
        max_duration_seconds: Some(5.0),
        resolution: Some(Resolution::P480),
        ..JobConfig::default()
    };
    let plan = apply::plan(
        Path::new("/media/x.mp4"),
        &info(1280, 720, 30.0, 30.0, false),
        &a,
        None,
        &cfg,
    )
    .unwrap();
    assert_eq!(plan.output_duration_s, 5.0);
    assert_eq!((plan.format.width, plan.format.height), (854, 480));
    assert!(plan.luts.is_empty() && plan.audio.target_lufs.is_none());
    snapshot("keep_source_look", &plan);
}

#[test]
fn letterboxed_square_on_music_with_eased_dissolves() {
    let (a, plan) = music_plan(None);
    // Every cut (start of a segment after the first; after the repeat at a split crossed
    // by a transition, which ends on the cut) lands on a beat of the music.
    for s in &plan.segments[1..] {
        let at = s.src_in_s + s.repeat_s();
        assert!(
            a.beats.iter().any(|b| (b.time_s - at).abs() <= 1.0 / 24.0),
            "{at}"
        );
    }
    snapshot("letterboxed_square_music", &plan);
}

/// The same plan rendered in chunks of at most 2 segments (session 8, the bounded render):
/// the one-process graph and arguments are unchanged; the snapshot holds each chunk's span,
/// command and graph, and the join's.
#[test]
fn the_music_plan_in_chunks() {
    let (_, one) = music_plan(None);
    let (_, plan) = music_plan(Some(2));
    assert_eq!(plan.filtergraph, one.filtergraph);
    assert_eq!(plan.ffmpeg_args, one.ffmpeg_args);
    let ch = plan.chunks.as_ref().expect("chunked");
    let mut text = String::new();
    for (i, c) in ch.chunks.iter().enumerate() {
        text.push_str(&format!(
            "chunk {i}: {:?}\n{}\n{}\n\n",
            c.span,
            c.ffmpeg_args.join(" "),
            c.graph.replace(';', ";\n")
        ));
        for f in filter_names(&c.graph) {
            assert!(
                stylecut_media::process::RENDER_FILTERS.contains(&f.as_str()),
                "{f}"
            );
        }
        // The chunk reads the picture of its one input.
        assert_eq!(stream_refs(&c.graph), vec![(0, 'v')]);
    }
    check_audio_chunks(&plan);
    for (i, c) in ch.audio_chunks.iter().enumerate() {
        text.push_str(&format!(
            "audio chunk {i}: {} samples\n{}\n{}\n\n",
            c.samples,
            c.ffmpeg_args.join(" "),
            c.graph.replace(';', ";\n")
        ));
    }
    let measure = ch.audio_measure_graph.as_deref().expect("normalised");
    text.push_str(&format!("measure\n{}\n\n", measure.replace(';', ";\n")));
    text.push_str(&format!(
        "join\n{}\n{}\n",
        ch.join_args.join(" "),
        ch.join_graph.replace(';', ";\n")
    ));
    assert_eq!(stream_refs(&ch.join_graph), vec![(1, 'a')]);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/letterboxed_square_music_chunks.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let want = std::fs::read_to_string(&path).expect("snapshot exists (UPDATE_SNAPSHOTS=1)");
    assert_eq!(
        text, want,
        "snapshot letterboxed_square_music_chunks changed"
    );
    let back: EditPlan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
    assert_eq!(back.chunks, plan.chunks);
}

/// The chunk limit is a memory budget (session 22): a branch holds decoded source
/// pictures, so one process may run as many branches as fit in what 8 branches of a 1080p
/// source hold. The same 10-segment edit renders in one process from a 720p source and in
/// chunks of at most 8 segments from a 1080p one (until session 22, 8 segments for any
/// source: the 720p plan was chunked too).
#[test]
fn the_chunk_limit_is_a_memory_budget() {
    let cuts: Vec<f64> = (1..10).map(|k| k as f64 * 3.0).collect();
    let mut cfg = JobConfig::default();
    // The source's own cuts only: exactly its 10 shots.
    cfg.apply.pacing = false;
    let st = style("16:9", 30, 20.0);
    let plan_of = |w: u32, h: u32| {
        let mut a = analysis(30.0, w, h, 30.0, &cuts);
        a.audio.has_audio = true;
        apply::plan(
            Path::new("/media/s.mp4"),
            &info(w, h, 30.0, 30.0, true),
            &a,
            Some(&st),
            &cfg,
        )
        .unwrap()
    };
    if std::env::var_os(apply::chunks::CHUNK_ENV).is_some() {
        // The override wins over the budget; nothing to check under it.
        return;
    }
    let p720 = plan_of(1280, 720);
    assert_eq!(p720.segments.len(), 10);
    assert!(p720.chunks.is_none(), "720p, 10 segments: one process");
    let p1080 = plan_of(1920, 1080);
    assert_eq!(p1080.segments.len(), 10);
    let ch = p1080.chunks.as_ref().expect("1080p, 10 segments: chunked");
    assert_eq!(ch.segments_per_chunk, 8);
    assert!(ch.chunks.iter().all(|c| c.span.last - c.span.first < 8));
    // The one-process reference the chunks are cut from is the same edit.
    assert_eq!(p1080.segments.len(), p720.segments.len());
    // The budget itself: 1080p 8-bit 4:2:0 is the unit; 720p fits 18, 2160p 2, and a
    // 10-bit 1080p picture (2 bytes a sample) counts twice; a branch counts the larger of its
    // source and output pictures.
    use apply::chunks::segments_per_process as k;
    let hd = (1280, 720);
    let fhd = (1920, 1080);
    assert_eq!(k(fhd, Some("yuv420p"), fhd), 8);
    assert_eq!(k((1080, 1920), None, (1080, 1920)), 8);
    assert_eq!(k(hd, Some("yuv420p"), hd), 18);
    assert_eq!(
        k(fhd, Some("yuv420p"), hd),
        8,
        "a 1080p source counts its own pictures"
    );
    assert_eq!(
        k(hd, Some("yuv420p"), fhd),
        8,
        "rendered at 1080p, a branch holds 1080p"
    );
    assert_eq!(k((3840, 2160), Some("yuv420p"), fhd), 2);
    assert_eq!(k(fhd, Some("yuv420p10le"), fhd), 4);
    assert_eq!(k(fhd, Some("yuv444p"), fhd), 4);
}

/// The sound of a chunked plan is edited chunk by chunk, each chunk's process reading the
/// source over its own span only (session 9: the passes that ran the whole audio graph
/// from the source grew by ≈ 14.5 MiB per source minute): one audio chunk per video
/// chunk, each opening the source's sound with `-ss`/`-t` around its segments' source
/// spans (1 s margins) and running only their branches into PCM in the scratch directory;
/// the chunks' samples add up to the one-process edit's; the measuring pass and the join
/// read those files (concat demuxer), never the source.
fn check_audio_chunks(plan: &EditPlan) {
    let ch = plan.chunks.as_ref().expect("chunked");
    let fmt = &plan.format;
    assert_eq!(
        ch.audio_chunks.len(),
        ch.chunks.len(),
        "one audio chunk per chunk"
    );
    let source = plan.source.display().to_string();
    let mut samples = 0;
    for (i, (a, v)) in ch.audio_chunks.iter().zip(&ch.chunks).enumerate() {
        let segs = &plan.segments[v.span.first..=v.span.last];
        let args = &a.ffmpeg_args;
        let at = |k: &str| args.iter().position(|x| x == k).map(|p| &args[p + 1]);
        let input = args.iter().position(|x| x == "-i").expect("an input");
        assert_eq!(args.iter().filter(|x| *x == "-i").count(), 1, "{args:?}");
        assert_eq!(args[input + 1], source);
        let ss: f64 = at("-ss").expect("-ss").parse().unwrap();
        let t: f64 = at("-t").expect("-t").parse().unwrap();
        assert!(args.iter().position(|x| x == "-ss").unwrap() < input);
        assert!(args.iter().position(|x| x == "-t").unwrap() < input);
        assert!(args[..input].iter().any(|x| x == "-vn"), "{args:?}");
        let lo = segs
            .iter()
            .map(|s| s.src_in_s)
            .fold(f64::INFINITY, f64::min);
        let hi = segs.iter().map(|s| s.src_out_s).fold(0.0, f64::max);
        // Its own span with the margins, nothing more.
        assert!(
            ss <= (lo - 0.98).max(0.0) + 1e-9 && ss >= lo - 1.02,
            "{ss} for {lo}"
        );
        assert!((ss * 50.0 - (ss * 50.0).round()).abs() < 1e-9, "{ss}");
        assert!((ss + t - (hi + 1.0)).abs() < 2e-3, "{ss} + {t} for {hi}");
        // Only its branches, from its one input, with the start on the render's time line
        // (`first_pts` in samples of the source's rate, 44.1 kHz here).
        assert_eq!(stream_refs(&a.graph), vec![(0, 'a')]);
        assert_eq!(a.graph.matches("atrim=start=").count(), segs.len());
        assert!(
            a.graph
                .contains(&format!("first_pts={}", (ss * 44_100.0).round() as u64)),
            "{}",
            a.graph
        );
        for f in filter_names(&a.graph) {
            assert!(
                stylecut_media::process::RENDER_FILTERS.contains(&f.as_str()),
                "{f}"
            );
        }
        assert_eq!(
            args.last().unwrap(),
            &format!("{{scratch}}/audio{i:03}.wav")
        );
        samples += a.samples;
    }
    // The one-process edit's length: every segment's samples minus each crossfade's.
    let edit: u64 = plan
        .segments
        .iter()
        .map(|s| fmt.frames_to_samples(s.frames))
        .sum::<u64>()
        - plan
            .transitions
            .iter()
            .map(|t| fmt.frames_to_samples(t.frames))
            .sum::<u64>();
    assert_eq!(samples, edit);
    // The join and the measuring pass read the chunks' sound, not the source.
    assert!(!ch.join_args.contains(&source), "{:?}", ch.join_args);
    let inputs: Vec<&String> = ch
        .join_args
        .iter()
        .enumerate()
        .filter(|(_, a)| *a == "-i")
        .map(|(i, _)| &ch.join_args[i + 1])
        .collect();
    assert_eq!(
        inputs,
        vec!["{scratch}/chunks.ffconcat", "{scratch}/audio.ffconcat"]
    );
    assert_eq!(stream_refs(&ch.join_graph), vec![(1, 'a')]);
    assert!(!ch.join_graph.contains("asplit"), "{}", ch.join_graph);
    if let Some(m) = &ch.audio_measure_graph {
        assert_eq!(stream_refs(m), vec![(0, 'a')]);
        assert!(!m.contains("asplit") && m.contains("loudnorm="), "{m}");
    }
}

/// The letterboxed square edit on music (beats, eased dissolves), with at most `chunks`
/// segments per render process (None: the default).
fn music_plan(chunks: Option<usize>) -> (stylecut_types::Analysis, EditPlan) {
    let mut a = analysis(12.0, 1024, 576, 25.0, &[5.1]);
    a.tempo_bpm = Some(120.0);
    a.audio.music_ratio = 0.9;
    a.beats = (0..24)
        .map(|k| Beat {
            time_s: k as f64 * 0.5,
            confidence: 0.9,
            band: Band::Bass,
        })
        .collect();
    let mut st = style("1:1", 24, 20.0);
    st.primary_transition = TransitionStyle {
        kind: "dissolve".into(),
        duration_ms: 250,
        easing: "ease-in-out".into(),
    };
    st.motion_intensity = 60.0;
    let cfg = JobConfig {
        letterbox: true,
        ..JobConfig::default()
    };
    let plan = apply::plan_chunked(
        Path::new("/media/m.mp4"),
        &info(1024, 576, 25.0, 12.0, true),
        &a,
        Some(&st),
        &cfg,
        chunks.unwrap_or(apply::chunks::CHUNK_SEGMENTS),
    )
    .unwrap();
    (a, plan)
}

#[test]
fn apply_switches_turn_each_dimension_off() {
    let mut a = analysis(20.0, 1920, 1080, 25.0, &[5.0, 10.0, 15.0]);
    a.audio.has_audio = true;
    let mut st = style("9:16", 30, 40.0);
    st.color_grade.temperature = 50.0;
    st.color_grade.contrast = 100.0;
    st.zoom_usage = 100.0;
    st.use_subtitles = true;
    st.primary_transition = TransitionStyle {
        kind: "dissolve".into(),
        duration_ms: 500,
        easing: "linear".into(),
    };
    let inf = info(1920, 1080, 25.0, 20.0, true);
    let on = apply::plan(
        Path::new("/media/s.mp4"),
        &inf,
        &a,
        Some(&st),
        &JobConfig::default(),
    )
    .unwrap();
    assert!(on.filtergraph.contains("lutrgb=") && on.filtergraph.contains("crop="));
    assert!(on.filtergraph.contains("xfade=") && on.filtergraph.contains(":eval=frame,crop="));
    // Loudness: measured in a first pass, the gain goes into the `{measured}` slot.
    assert!(on.filtergraph.contains("{measured}") && on.segments.len() > 4);
    assert!(on
        .audio_measure_graph
        .as_deref()
        .is_some_and(|g| g.contains("loudnorm=") && g.contains("ebur128=peak=true")));
    let mut cfg = JobConfig::default();
    cfg.apply.color = false;
    cfg.apply.framing = false;
    cfg.apply.pacing = false;
    cfg.apply.transitions = false;
    cfg.apply.motion = false;
    cfg.apply.audio = false;
    cfg.apply.subtitles = false;
    let off = apply::plan(Path::new("/media/s.mp4"), &inf, &a, Some(&st), &cfg).unwrap();
    for f in [
        "lutrgb=",
        "crop=",
        "xfade=",
        ":eval=frame,crop=",
        "{measured}",
        "acompressor",
        "subtitles=",
    ] {
        assert!(
            !off.filtergraph.contains(f),
            "{f} still in {}",
            off.filtergraph
        );
    }
    assert_eq!(off.audio_measure_graph, None);
    check_inputs(&on);
    check_inputs(&off);
    check_filters(&on);
    check_filters(&off);
    // The source's own cuts stay; nothing is added or dropped; source size and rate kept.
    assert_eq!(off.segments.len(), 4);
    assert_eq!(off.output_duration_s, 20.0);
    assert_eq!(
        (off.format.width, off.format.height, off.format.fps_num),
        (1920, 1080, 25)
    );
}

/// The colour note says in words what happens to the picture's colours: nothing when the
/// grades already match (no "0 LUT(s) … moving"), else how many segments are re-graded.
#[test]
fn the_colour_note_says_in_words_whether_colours_change() {
    let a = analysis(10.0, 1280, 720, 25.0, &[5.0]);
    let inf = info(1280, 720, 25.0, 10.0, false);
    let colour_note = |plan: &EditPlan| -> String {
        let n: Vec<&String> = plan
            .notes
            .iter()
            .filter(|n| n.starts_with("color:"))
            .collect();
        assert_eq!(n.len(), 1, "{:?}", plan.notes);
        n[0].clone()
    };
    let same = style("16:9", 25, 12.0);
    let plan = apply::plan(
        Path::new("/media/x.mp4"),
        &inf,
        &a,
        Some(&same),
        &JobConfig::default(),
    )
    .unwrap();
    assert!(plan.luts.is_empty());
    let note = colour_note(&plan);
    assert!(note.contains("no colour change"), "{note}");
    assert!(!note.contains("LUT") && !note.contains(" 0 "), "{note}");

    // Far from the source and from ordinary footage (see `vertical_warm_talking_head`).
    let mut warm = style("16:9", 25, 12.0);
    warm.color_grade = ColorGrade {
        temperature: 100.0,
        saturation: -80.0,
        contrast: 80.0,
        ..ColorGrade::NEUTRAL
    };
    let plan = apply::plan(
        Path::new("/media/x.mp4"),
        &inf,
        &a,
        Some(&warm),
        &JobConfig::default(),
    )
    .unwrap();
    assert!(!plan.luts.is_empty());
    let note = colour_note(&plan);
    let graded = plan.segments.iter().filter(|s| s.lut.is_some()).count();
    assert!(
        note.contains(&format!("{graded} of {} segment", plan.segments.len())),
        "{note}"
    );
    assert!(note.contains("one look-up table"), "{note}");

    let mut off = JobConfig::default();
    off.apply.color = false;
    let plan = apply::plan(Path::new("/media/x.mp4"), &inf, &a, Some(&warm), &off).unwrap();
    assert!(plan.luts.is_empty());
    assert!(
        colour_note(&plan).contains("turns colour off"),
        "{:?}",
        plan.notes
    );
}

#[test]
fn hdr_source_is_tone_mapped_once_at_the_head_of_the_two_input_render() {
    let a = analysis(10.0, 1920, 1080, 25.0, &[5.0]);
    let mut inf = info(1920, 1080, 25.0, 10.0, true);
    let hlg = stylecut_media::Colour {
        matrix: Some("bt2020nc".into()),
        range: Some("tv".into()),
        transfer: Some("arib-std-b67".into()),
        primaries: Some("bt2020".into()),
        full_range: false,
        peak_nits: None,
    };
    let v = inf.video.as_mut().unwrap();
    v.pix_fmt = Some("yuv420p10le".into());
    v.colour = hlg.clone();
    let plan = apply::plan(
        Path::new("/media/hlg.mp4"),
        &inf,
        &a,
        Some(&style("16:9", 25, 12.0)),
        &JobConfig::default(),
    )
    .unwrap();
    check_inputs(&plan);
    check_filters(&plan);
    let g = &plan.filtergraph;
    // The tone-map reads the picture input once, before the split into segments; the
    // branches then take its BT.709 limited-range output as it is (no matrix change).
    assert!(g.starts_with("[0:v]zscale=tin=arib-std-b67:"), "{g}");
    assert_eq!(g.matches("zscale=tin=").count(), 1, "{g}");
    assert!(g.contains("in_color_matrix=bt709:in_range=tv:"), "{g}");
    assert!(!g.contains("colorspace="), "{g}");
    assert!(g.contains("[1:a:0]aresample="), "{g}");
    assert!(plan.notes.iter().any(|n| n.contains("source is HDR")));
    assert!(plan
        .ffmpeg_args
        .windows(2)
        .any(|w| w[0] == "-color_trc" && w[1] == "bt709"));
    // PQ goes through `tonemap`, which doctor checks for too.
    let pq = stylecut_media::Colour {
        transfer: Some("smpte2084".into()),
        ..hlg
    };
    let head = stylecut_media::decode::to_sdr_bt709(&pq).unwrap();
    assert!(head.contains("tonemap="), "{head}");
    for f in filter_names(&head) {
        assert!(
            stylecut_media::process::RENDER_FILTERS.contains(&f.as_str()),
            "{f} ({head})"
        );
    }
}

#[test]
fn render_refuses_to_write_over_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("source.mp4");
    std::fs::write(&src, b"the only copy of the footage").unwrap();
    let plan = apply::plan(
        &src,
        &info(640, 360, 25.0, 4.0, false),
        &analysis(4.0, 640, 360, 25.0, &[]),
        None,
        &JobConfig::default(),
    )
    .unwrap();
    // The same file under another spelling of its path: ffmpeg's own same-name check
    // misses it, and `-y` would have truncated the source while reading it.
    let out = dir.path().join(".").join("source.mp4");
    let err = apply::render(&plan, &out, &stylecut_media::RunOpts::default(), |_| {})
        .expect_err("rendering over the source");
    assert!(err.to_string().contains("is the source file"), "{err}");
    assert_eq!(
        std::fs::read(&src).unwrap(),
        b"the only copy of the footage"
    );
}
