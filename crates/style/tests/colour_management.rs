//! Colour management: the same picture encoded untagged (BT.601 limited range, what ffmpeg
//! assumes for untagged video), BT.709-tagged, full-range BT.709 (`yuvj420p`, `pc`), HLG
//! and PQ BT.2020 10-bit must be read as the same colours by the analysis, and rendered to the
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

/// The five encodings (name, filter after the R'G'B' source, extra output options).
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
    ]
}

/// The R'G'B' source (BT.709 transfer assumed) to 10-bit BT.2020 limited-range Y'CbCr with
/// the HDR transfer `trc`, SDR white at `npl` cd/m².
fn hdr_zscale(trc: &str, npl: u32) -> String {
    format!(
        "zscale=tin=bt709:pin=bt709:min=gbr:rin=full:t={trc}:p=bt2020:m=2020_ncl:r=tv:\
         npl={npl},format=yuv420p10le"
    )
}

/// HEVC options of an HDR encoding, tagged BT.2020 with the transfer `trc`.
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

/// Writes the five encodings of the lavfi [`SOURCE`] (`bbb`: of 2 s of Big Buck Bunny
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

fn grade_gap(a: &ColorGrade, b: &ColorGrade) -> [f64; 6] {
    let (a, b) = (a.as_array(), b.as_array());
    std::array::from_fn(|k| (a[k] - b[k]).abs())
}

/// The analysis reads the same grade from every encoding of 2 s of Big Buck Bunny. (On the
/// lavfi test pattern with colour bars the HLG clip reads temperature 36 and saturation 40
/// (of 625) away from the untagged one: saturated colours through the BT.2020 round trip;
/// not covered here.) Per slider the readings of the
/// tagged and full-range clips stay within 8 (or 3 % of the untagged reading, for the
/// colour bars' saturation of ≈ 600) of the untagged clip's, the HLG clip's within 12 or
/// 5 % (10-bit HEVC through a tone map). Fails on main for the HLG clip (read as SDR
/// BT.601: saturation and highlights off by more than 50 on the bench clips), and on
/// session 7's main for the PQ clip (its fixed `hable` curve at 100 cd/m²: see
/// docs/BENCHMARKS.md, colour, session 8).
#[test]
fn every_encoding_reads_the_untagged_grade() {
    let dir = tempfile::tempdir().unwrap();
    let clips = make(dir.path(), true);
    let base = analyze(&clips[0].1).color_grade;
    for (name, path) in &clips[1..] {
        let g = analyze(path).color_grade;
        let gap = grade_gap(&base, &g);
        let (abs, rel): (f64, f64) = if name.ends_with("2020") {
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
/// CIEDE2000 of 1.5 and a p99 of 8 of the intended picture (HLG: 3.0 and 16; measured 0.59
/// to 0.68 mean for the SDR clips, 2.48 for HLG, whose source is tone-mapped at full size
/// in the render but at 160 px in the reference decode, which differs on the bars' edges): the source's pixels (decoded by
/// their tags, HDR tone-mapped) through the plan's LUT model (`LutSpec::map`). Fails on
/// main: the untagged source's output carries no tags, the HLG source's output is HLG.
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
        let (max_mean, max_p99) = if name.ends_with("2020") {
            (3.0, 16.0)
        } else {
            (1.5, 8.0)
        };
        if mean > max_mean || p99 > max_p99 {
            failures.push(format!("{name}: mean ΔE {mean:.3}, p99 {p99:.3}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
