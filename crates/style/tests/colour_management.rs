//! Colour management: the same picture encoded untagged (BT.601 limited range, what ffmpeg
//! assumes for untagged video), BT.709-tagged, full-range BT.709 (`yuvj420p`, `pc`), HLG
//! and PQ BT.2020 10-bit, SDR with BT.2020 or Display P3 primaries must be read as the same
//! colours by the analysis, and rendered to the
//! intended colours, tagged with the output convention (BT.709 matrix, primaries and
//! transfer, limited range). The clips are generated here from one lavfi R'G'B' source.

mod common;

use std::path::{Path, PathBuf};

use common::{analyze, ffmpeg, get, stream};
use stylecut_media::{probe, DecodeSpec, RunOpts, SkipLoopFilter};
use stylecut_style::apply::{self, lut_yuv};
use stylecut_types::config::{ApplySwitches, JobConfig, Quality};
use stylecut_types::ColorGrade;

/// 2 s of `testsrc2` (gradients, saturated patches, moving) with the SMPTE HD bars below it.
const SOURCE: &str = "testsrc2=s=320x120:r=25:d=2[a];smptehdbars=s=320x60:r=25:d=2[b];\
                      [a][b]vstack,format=gbrp";

/// The encodings (name, filter after the R'G'B' source, extra output options).
fn variants() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let x264 = vec!["-c:v", "libx264", "-preset", "veryfast", "-crf", "10"];
    let tag709 = [
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
    ];
    vec![
        (
            "untagged",
            "scale=out_color_matrix=bt601:out_range=tv,format=yuv420p".into(),
            x264.clone(),
        ),
        (
            "bt709",
            "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p".into(),
            [x264.clone(), tag709.to_vec(), vec!["-color_range", "tv"]].concat(),
        ),
        (
            "bt709-full",
            "scale=out_color_matrix=bt709:out_range=pc,format=yuvj420p".into(),
            [x264.clone(), tag709.to_vec(), vec!["-color_range", "pc"]].concat(),
        ),
        (
            "hlg2020",
            hdr_zscale("arib-std-b67", 100),
            hdr_x265(
                "log-level=error:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc",
                "arib-std-b67",
            ),
        ),
        (
            // PQ with SDR white at 203 cd/m² (ITU-R BT.2408) and HDR10 metadata saying so
            // (MaxCLL 203): the tone-map should give the SDR picture back.
            "pq2020",
            hdr_zscale("smpte2084", 203),
            hdr_x265(
                "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:\
                 hdr10=1:max-cll=203,100:master-display=G(13250,34500)B(7500,3000)\
                 R(34000,16000)WP(15635,16450)L(10000000,1)",
                "smpte2084",
            ),
        ),
        (
            // SDR with BT.2020 primaries (10-bit, BT.2020 transfer and matrix).
            "sdr2020",
            "zscale=tin=bt709:pin=bt709:min=gbr:rin=full:t=2020_10:p=bt2020:m=2020_ncl:r=tv,\
             format=yuv420p10le"
                .into(),
            hdr_x265(
                "log-level=error:colorprim=bt2020:transfer=bt2020-10:colormatrix=bt2020nc",
                "bt2020-10",
            ),
        ),
        (
            // SDR with Display P3 primaries, BT.709 transfer and matrix, 8-bit.
            "p3",
            "zscale=tin=bt709:pin=bt709:min=gbr:rin=full:t=bt709:p=smpte432:m=709:r=tv,\
             format=yuv420p"
                .into(),
            [
                x264,
                vec![
                    "-colorspace",
                    "bt709",
                    "-color_primaries",
                    "smpte432",
                    "-color_trc",
                    "bt709",
                    "-color_range",
                    "tv",
                ],
            ]
            .concat(),
        ),
    ]
}

/// Whether an encoding is 10-bit HEVC through a colour conversion (HDR or BT.2020 SDR) or
/// wide-gamut (P3): looser bounds than the BT.709 encodings.
fn converted(name: &str) -> bool {
    name.ends_with("2020") || name == "p3"
}

/// The R'G'B' source (BT.709 transfer assumed) to 10-bit BT.2020 limited-range Y'CbCr with
/// the HDR transfer `trc`, SDR white at `npl` cd/m².
fn hdr_zscale(trc: &str, npl: u32) -> String {
    format!(
        "zscale=tin=bt709:pin=bt709:min=gbr:rin=full:t={trc}:p=bt2020:m=2020_ncl:r=tv:\
         npl={npl},format=yuv420p10le"
    )
}

/// HEVC options of a 10-bit encoding, tagged BT.2020 with the transfer `trc`.
fn hdr_x265(params: &'static str, trc: &'static str) -> Vec<&'static str> {
    vec![
        "-c:v",
        "libx265",
        "-preset",
        "veryfast",
        "-crf",
        "10",
        "-x265-params",
        params,
        "-colorspace",
        "bt2020nc",
        "-color_primaries",
        "bt2020",
        "-color_trc",
        trc,
        "-color_range",
        "tv",
    ]
}

/// Writes the encodings of the lavfi [`SOURCE`] (`bbb`: of 2 s of Big Buck Bunny
/// instead, 9..11 s, 320×180, read as BT.601 limited range).
fn make(dir: &Path, bbb: bool) -> Vec<(&'static str, PathBuf)> {
    let bbb_path = common::media("video/moviepy-bbb/big_buck_bunny_0_30.webm")
        .display()
        .to_string();
    variants()
        .into_iter()
        .map(|(name, vf, opts)| {
            let out = dir.join(format!("{name}.mp4"));
            let mut args: Vec<&str> = Vec::new();
            let graph;
            if bbb {
                graph = format!(
                    "scale=320:180:flags=bicubic:in_color_matrix=bt601:in_range=tv,format=gbrp,{vf}"
                );
                args.extend(["-ss", "9", "-t", "2", "-i", &bbb_path, "-an", "-vf", &graph]);
            } else {
                graph = format!("{SOURCE},{vf}");
                args.extend(["-f", "lavfi", "-i", &graph]);
            }
            args.extend(opts);
            let o = out.display().to_string();
            args.push(&o);
            ffmpeg(&args);
            (name, out)
        })
        .collect()
}

/// Frames of `path` through stylecut's analysis decode (R'G'B', 160 px wide).
fn frames(path: &Path) -> Vec<Vec<u8>> {
    let opts = RunOpts::default();
    let info = probe::probe(path, &opts).unwrap();
    let spec = DecodeSpec {
        analysis_width: 160,
        audio: false,
        full_audio: false,
        skip_loop_filter: SkipLoopFilter::None,
        ..DecodeSpec::default()
    };
    let mut out = Vec::new();
    stylecut_media::decode(
        path,
        &info,
        &spec,
        &opts,
        |f| out.push(f.rgb.clone()),
        |_| {},
    )
    .unwrap();
    out
}

/// Mean and 99th percentile CIEDE2000 between two lists of R'G'B' frames (the shorter's
/// length).
fn delta_e(a: &[Vec<u8>], b: &[Vec<u8>]) -> (f64, f64) {
    let mut de = Vec::new();
    for (fa, fb) in a.iter().zip(b) {
        for (p, q) in fa.chunks_exact(3).zip(fb.chunks_exact(3)) {
            let lab = |c: &[u8]| lut_yuv::lab([c[0], c[1], c[2]].map(|v| f64::from(v) / 255.0));
            de.push(lut_yuv::ciede2000(lab(p), lab(q)));
        }
    }
    de.sort_by(f64::total_cmp);
    let mean = de.iter().sum::<f64>() / de.len() as f64;
    (mean, de[de.len() * 99 / 100])
}

/// The analysis decode gives every encoding of the lavfi pattern (gradients, saturated
/// patches, the SMPTE bars) the colours of its lossless R'G'B' original within a mean
/// CIEDE2000 of 2 (measured 1.2–1.7; the p99, 13–22 ΔE, is the encodings' own 4:2:0 chroma
/// on the bars' edges, the BT.709 clips' included). Fails on session 10's main for the HLG
/// and PQ clips (3.7 and 3.8, p99 31: converted before the resize, with zscale's bilinear
/// filter and a second 4:2:0 subsampling, which smeared the bars' saturated edges, and the
/// grey-edge white balance read a tint of 2 where the untagged bars read 169) and the
/// wide-gamut SDR clips (BT.2020 and P3 primaries read as BT.709: 6.4 and 4.2).
#[test]
fn the_analysis_decode_gives_every_encoding_its_original_colours() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.mkv");
    let graph = SOURCE.to_string();
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &graph,
        "-c:v",
        "ffv1",
        reference.to_str().unwrap(),
    ]);
    let want = frames(&reference);
    let mut failures = Vec::new();
    for (name, path) in make(dir.path(), false) {
        let (mean, p99) = delta_e(&want, &frames(&path));
        eprintln!("{name}: mean ΔE {mean:.3}, p99 {p99:.3}");
        if mean > 2.0 {
            failures.push(format!("{name}: mean ΔE {mean:.3}, p99 {p99:.3}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn grade_gap(a: &ColorGrade, b: &ColorGrade) -> [f64; 6] {
    let (a, b) = (a.as_array(), b.as_array());
    std::array::from_fn(|k| (a[k] - b[k]).abs())
}

/// The analysis reads the same grade from every encoding of 2 s of Big Buck Bunny. (The
/// lavfi pattern is not used here: the grey-edge white balance reads the SMPTE bars'
/// saturated edges, and a wide-gamut clip whose decode is within 1.3 ΔE of the original
/// still reads up to 24 in temperature and 73 in tint (of 169) away from the untagged one;
/// its decode is checked by `the_analysis_decode_gives_every_encoding_its_original_colours`.)
/// Per slider the readings of the tagged and full-range clips stay within 8 (or 3 % of the
/// untagged reading) of the untagged clip's, the HDR and wide-gamut clips' within 12 or 5 %
/// (10-bit HEVC, a colour conversion). Fails on session 7's main for the HLG clip (read as
/// SDR BT.601: saturation and highlights off by more than 50 on the bench clips), on
/// session 8's for the PQ clip (its fixed `hable` curve at 100 cd/m²: see
/// docs/BENCHMARKS.md, colour, session 8), and on session 10's for the BT.2020 and P3 SDR
/// clips (read as BT.709 primaries: washed out, saturation 40–60 lower).
#[test]
fn every_encoding_reads_the_untagged_grade() {
    let dir = tempfile::tempdir().unwrap();
    let clips = make(dir.path(), true);
    let base = analyze(&clips[0].1).color_grade;
    for (name, path) in &clips[1..] {
        let g = analyze(path).color_grade;
        let gap = grade_gap(&base, &g);
        let (abs, rel): (f64, f64) = if converted(name) {
            (12.0, 0.05)
        } else {
            (8.0, 0.03)
        };
        let b = base.as_array();
        assert!(
            (0..6).all(|k| gap[k] <= abs.max(rel * b[k].abs())),
            "{name}: {g:?} against untagged {base:?} (gaps {gap:?})"
        );
    }
}

/// A colour-only render of each encoding: the output is tagged BT.709 (matrix, primaries,
/// transfer) and limited range, and its pixels (decoded by their tags) are within a mean
/// CIEDE2000 of 1.5 and a p99 of 8 of the intended picture (the HDR and wide-gamut clips:
/// 3.0 and 18; measured 0.59 to 0.68 mean for the BT.709 SDR clips, 2.06–2.13 (p99
/// 16.3–17.1) for the converted ones, whose source is converted at full size in the render
/// but reduced to 160 px first in the reference decode, which differs on the bars' edges;
/// session 10's decode, converting first, gave HLG 2.48 with p99 14.2): the source's pixels
/// (decoded by their tags, HDR tone-mapped, wide gamut converted) through the plan's LUT
/// model (`LutSpec::map`). Fails on session 7's main: the untagged source's output carries
/// no tags, the HLG source's output is HLG.
#[test]
fn renders_are_tagged_bt709_and_match_the_intended_colours() {
    let dir = tempfile::tempdir().unwrap();
    let clips = make(dir.path(), false);
    let mut st = common::style("16:9", 25, 10.0);
    st.color_grade = ColorGrade::from_array([60.0, -20.0, 40.0, 30.0, -20.0, 20.0]);
    let cfg = JobConfig {
        quality: Quality::High,
        apply: ApplySwitches {
            color: true,
            framing: false,
            pacing: false,
            transitions: false,
            motion: false,
            audio: false,
            subtitles: false,
        },
        ..JobConfig::default()
    };
    let mut failures = Vec::new();
    for (name, src) in &clips {
        let info = probe::probe(src, &RunOpts::default()).unwrap();
        let a = analyze(src);
        let plan = apply::plan(src, &info, &a, Some(&st), &cfg).unwrap();
        assert_eq!(plan.segments.len(), 1, "{name}: one shot, one segment");
        let lut = plan.segments[0].lut.map(|l| plan.luts[l].clone());
        assert!(lut.is_some(), "{name}: the style moves the grade");
        let out = dir.path().join(format!("{name}-out.mp4"));
        apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
        let tags = stream(
            &out,
            "v:0",
            "color_space,color_primaries,color_transfer,color_range",
        );
        let tag = |k: &str| get(&tags, k);
        if (
            tag("color_space"),
            tag("color_primaries"),
            tag("color_transfer"),
            tag("color_range"),
        ) != ("bt709".into(), "bt709".into(), "bt709".into(), "tv".into())
        {
            failures.push(format!("{name}: output tags {tags:?}"));
        }
        let (s, o) = (frames(src), frames(&out));
        let n = s.len().min(o.len());
        let mut de = Vec::new();
        for k in 2..n.saturating_sub(2) {
            for (p, q) in s[k].chunks_exact(3).zip(o[k].chunks_exact(3)) {
                let want = lut
                    .as_ref()
                    .unwrap()
                    .map([p[0], p[1], p[2]].map(|v| f64::from(v) / 255.0));
                let got = [q[0], q[1], q[2]].map(|v| f64::from(v) / 255.0);
                de.push(lut_yuv::ciede2000(lut_yuv::lab(want), lut_yuv::lab(got)));
            }
        }
        de.sort_by(f64::total_cmp);
        let mean = de.iter().sum::<f64>() / de.len() as f64;
        let p99 = de[de.len() * 99 / 100];
        eprintln!("{name}: mean ΔE {mean:.3}, p99 {p99:.3}, tags {tags:?}");
        let (max_mean, max_p99) = if converted(name) {
            (3.0, 18.0)
        } else {
            (1.5, 8.0)
        };
        if mean > max_mean || p99 > max_p99 {
            failures.push(format!("{name}: mean ΔE {mean:.3}, p99 {p99:.3}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
