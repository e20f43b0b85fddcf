//! `stylecut apply` and `stylecut plan`: analyse the source (and the template), get the
//! style (extracted from `--template`, read from `--style`, or none: keep the source's
//! look), plan the edit, and render it with a progress bar (or print the plan).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use stylecut_media::MediaInfo;
use stylecut_style::{analyze, apply, extract};
use stylecut_types::config::{JobConfig, Quality, Resolution};
use stylecut_types::{Analysis, StyleJson};

/// Inputs shared by `apply` and `plan`.
#[derive(Args, Debug)]
pub struct PlanInputs {
    /// Template video whose style is extracted and applied.
    #[arg(long, conflicts_with = "style")]
    pub template: Option<PathBuf>,
    /// StyleJSON file to apply (no template needed).
    #[arg(long)]
    pub style: Option<PathBuf>,
    /// Job config: the API's `config` object, inline (`'{"quality":"low"}'`) or a JSON
    /// file's path; flags below override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Encoder quality preset.
    #[arg(long, value_parser = ["low", "medium", "high"])]
    pub quality: Option<String>,
    /// Cap on the output duration, seconds.
    #[arg(long)]
    pub max_duration: Option<f64>,
    /// Output size (short side).
    #[arg(long, value_parser = ["480p", "720p", "1080p"])]
    pub resolution: Option<String>,
    /// Letterbox/pillarbox instead of cropping to the template's aspect ratio.
    #[arg(long)]
    pub letterbox: bool,
    /// The footage to re-edit.
    pub source: PathBuf,
}

#[derive(Args, Debug)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub inputs: PlanInputs,
    /// Output MP4 (H.264 + AAC).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the edit plan JSON here.
    #[arg(long)]
    pub plan_out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    pub inputs: PlanInputs,
    /// Write each planned grade as a 33³ `.cube` LUT into this directory.
    #[arg(long)]
    pub cube_dir: Option<PathBuf>,
}

fn config(i: &PlanInputs) -> anyhow::Result<JobConfig> {
    let mut cfg = match (&i.config, inline_config(i)) {
        (_, Some(text)) => {
            let v: serde_json::Value =
                serde_json::from_str(text).context("parsing the --config JSON")?;
            JobConfig::from_value(&v).map_err(|e| anyhow::anyhow!("invalid config: {e}"))?
        }
        (Some(p), None) => {
            let v: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
            )
            .with_context(|| format!("parsing {}", p.display()))?;
            JobConfig::from_value(&v)
                .map_err(|e| anyhow::anyhow!("invalid config {}: {e}", p.display()))?
        }
        (None, None) => JobConfig::default(),
    };
    if let Some(q) = &i.quality {
        cfg.quality = serde_json::from_value::<Quality>(serde_json::Value::String(q.clone()))?;
    }
    if let Some(r) = &i.resolution {
        cfg.resolution = Some(serde_json::from_value::<Resolution>(
            serde_json::Value::String(r.clone()),
        )?);
    }
    if i.max_duration.is_some() {
        cfg.max_duration_seconds = i.max_duration;
    }
    cfg.letterbox |= i.letterbox;
    cfg.validate()
        .map_err(|e| anyhow::anyhow!("invalid config: {e}"))?;
    Ok(cfg)
}

fn bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(1000);
    if let Ok(st) =
        ProgressStyle::with_template("{spinner} {msg:<22} [{bar:40}] {percent:>3}% {elapsed}")
    {
        pb.set_style(st.progress_chars("=> "));
    }
    pb
}

fn analyse(
    path: &Path,
    pb: &ProgressBar,
    label: &str,
    span: (f64, f64),
) -> anyhow::Result<(MediaInfo, Analysis)> {
    pb.set_message(format!("analysing {label}"));
    let opts = crate::interrupt::run_opts();
    let mut report = |_: analyze::Phase, f: f64| {
        pb.set_position(((span.0 + (span.1 - span.0) * f) * 1000.0) as u64);
    };
    analyze::analyze_file(path, &opts, None, &mut report)
        .with_context(|| format!("analysing {}", path.display()))
}

/// Analyses `template` (on a second thread) and `source` (on this one) concurrently.
/// Progress covers 0..40 % of the bar.
fn analyse_both(
    template: &Path,
    source: &Path,
    pb: &ProgressBar,
) -> anyhow::Result<(Analysis, (MediaInfo, Analysis))> {
    use std::sync::atomic::{AtomicU64, Ordering};
    pb.set_message("analysing template and source");
    // Each input's fraction done, as f64 bits.
    let done = [AtomicU64::new(0), AtomicU64::new(0)];
    let show = |k: usize, f: f64| {
        done[k].store(f.to_bits(), Ordering::Relaxed);
        let mean = done
            .iter()
            .map(|d| f64::from_bits(d.load(Ordering::Relaxed)))
            .sum::<f64>()
            / 2.0;
        pb.set_position((0.4 * mean * 1000.0) as u64);
    };
    let run = |path: &Path, k: usize| {
        let mut report = |_: analyze::Phase, f: f64| show(k, f);
        analyze::analyze_file(path, &crate::interrupt::run_opts(), None, &mut report)
            .with_context(|| format!("analysing {}", path.display()))
    };
    let (t, s) = std::thread::scope(|scope| {
        let th = scope.spawn(|| run(template, 0));
        let s = run(source, 1);
        let t = th
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the template's analysis panicked")));
        (t, s)
    });
    Ok((t?.1, s?))
}

/// The `--config` argument when it is the JSON object itself rather than a file's path
/// (it starts with `{`).
fn inline_config(i: &PlanInputs) -> Option<&str> {
    let text = i.config.as_deref()?.to_str()?;
    text.trim_start().starts_with('{').then_some(text)
}

/// The `--config` file, when the argument names one.
fn config_file(i: &PlanInputs) -> Option<&Path> {
    i.config.as_deref().filter(|_| inline_config(i).is_none())
}

/// Every input of `i` exists and can be read (checked before any analysis starts).
fn check_inputs(i: &PlanInputs) -> anyhow::Result<()> {
    crate::paths::input_file(&i.source, "source video")?;
    if let Some(t) = &i.template {
        crate::paths::input_file(t, "template video")?;
    }
    if let Some(s) = &i.style {
        crate::paths::input_file(s, "StyleJSON")?;
    }
    if let Some(c) = config_file(i) {
        crate::paths::input_file(c, "config")?;
    }
    Ok(())
}

/// The files `i` reads, which no output may overwrite.
fn input_paths(i: &PlanInputs) -> Vec<&Path> {
    std::iter::once(i.source.as_path())
        .chain(i.template.as_deref())
        .chain(i.style.as_deref())
        .chain(config_file(i))
        .collect()
}

/// Plans the edit; returns the plan. Progress covers 0..40 % of the bar.
fn build_plan(i: &PlanInputs, pb: &ProgressBar) -> anyhow::Result<apply::EditPlan> {
    check_inputs(i)?;
    let cfg = config(i)?;
    let style: Option<StyleJson> = if let Some(p) = &i.style {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        let s: StyleJson = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a StyleJSON", p.display()))?;
        if let Err(errs) = s.validate() {
            bail!("invalid StyleJSON {}: {}", p.display(), errs.join("; "));
        }
        Some(s)
    } else if let Some(t) = &i.template {
        // The template and the source are analysed at the same time, one thread each (as
        // the job pipeline does); the bar shows the mean of both fractions.
        let (ta, source) = analyse_both(t, &i.source, pb)?;
        pb.set_message("extracting style");
        let style = extract::extract(&ta).context("extracting the template's style")?;
        pb.set_message("planning");
        let (info, sa) = source;
        return Ok(apply::plan(&i.source, &info, &sa, Some(&style), &cfg)?);
    } else {
        cfg.style_json.clone()
    };
    let (info, sa) = analyse(&i.source, pb, "source", (0.0, 0.4))?;
    pb.set_message("planning");
    Ok(apply::plan(&i.source, &info, &sa, style.as_ref(), &cfg)?)
}

pub fn run_apply(a: ApplyArgs) -> anyhow::Result<()> {
    // The outputs are checked first: the analysis before the render can take minutes.
    let inputs = input_paths(&a.inputs);
    crate::paths::output_file(&a.output, "output", &inputs)?;
    if let Some(p) = &a.plan_out {
        crate::paths::output_file(p, "plan output", &inputs)?;
    }
    let pb = bar(false);
    let plan = build_plan(&a.inputs, &pb)?;
    if let Some(p) = &a.plan_out {
        std::fs::write(p, serde_json::to_string_pretty(&plan)?)?;
    }
    pb.set_message("rendering");
    let started = std::time::Instant::now();
    let rb = pb.clone();
    let delivered = apply::render(&plan, &a.output, &crate::interrupt::run_opts(), move |f| {
        rb.set_position(((0.4 + 0.6 * f) * 1000.0) as u64);
    })?;
    pb.finish_with_message("done");
    eprintln!(
        "{}: {:.2} s of video rendered in {:.1} s",
        a.output.display(),
        plan.output_duration_s,
        started.elapsed().as_secs_f64()
    );
    if let Some(d) = &delivered {
        // What the encoded file measures, not what the plan aimed at.
        eprintln!(
            "  audio delivered: {:.1} LUFS (target {:.1}), true peak {:.1} dBTP (ceiling {:.1}); gain {:+.2} dB, limit {}, {} check pass(es), {} re-encode(s){}",
            d.integrated_lufs,
            d.target_lufs,
            d.true_peak_dbtp,
            plan.audio.true_peak_dbtp,
            d.normalization.gain_db,
            d.normalization
                .limit_dbfs
                .map_or("none".to_string(), |l| format!("{l:.2} dBTP")),
            d.loudness_passes,
            d.sound_reencodes,
            if d.on_target(plan.audio.true_peak_dbtp) {
                ""
            } else {
                " - off target, see docs/APPLY.md (Audio chain)"
            }
        );
    }
    for n in &plan.notes {
        eprintln!("  {n}");
    }
    Ok(())
}

pub fn run_plan(a: PlanArgs) -> anyhow::Result<()> {
    let pb = bar(true);
    let plan = build_plan(&a.inputs, &pb)?;
    if let Some(dir) = &a.cube_dir {
        std::fs::create_dir_all(dir)?;
        for (k, l) in plan.luts.iter().enumerate() {
            std::fs::write(dir.join(apply::LutSpec::file_name(k)), l.to_cube())?;
        }
    }
    crate::output::line(serde_json::to_string_pretty(&plan)?)?;
    Ok(())
}
