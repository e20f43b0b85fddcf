//! Job lifecycle: statuses, their legal transitions, and the pipeline stages with the
//! progress range each one owns on the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Processing,
    Completed,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Processing => "processing",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => JobStatus::Queued,
            "processing" => JobStatus::Processing,
            "completed" => JobStatus::Completed,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            _ => return None,
        })
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled
        )
    }

    /// `queued → processing → completed | failed`, `queued | processing → cancelled`.
    /// A processing job may also go back to queued when its worker was lost and it is
    /// retried. Terminal states never change.
    pub fn can_transition_to(self, next: JobStatus) -> bool {
        use JobStatus::*;
        matches!(
            (self, next),
            (Queued, Processing)
                | (Queued, Cancelled)
                | (Processing, Completed)
                | (Processing, Failed)
                | (Processing, Cancelled)
                | (Processing, Queued)
                | (Queued, Failed)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    VideoAnalysis,
    AudioAnalysis,
    MotionAnalysis,
    StyleExtraction,
    StyleApplication,
    Rendering,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::VideoAnalysis,
        Stage::AudioAnalysis,
        Stage::MotionAnalysis,
        Stage::StyleExtraction,
        Stage::StyleApplication,
        Stage::Rendering,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::VideoAnalysis => "video_analysis",
            Stage::AudioAnalysis => "audio_analysis",
            Stage::MotionAnalysis => "motion_analysis",
            Stage::StyleExtraction => "style_extraction",
            Stage::StyleApplication => "style_application",
            Stage::Rendering => "rendering",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Inclusive progress range of the stage, as the contract fixes it.
    pub fn progress_range(self) -> (u8, u8) {
        match self {
            Stage::VideoAnalysis => (1, 20),
            Stage::AudioAnalysis => (21, 35),
            Stage::MotionAnalysis => (36, 55),
            Stage::StyleExtraction => (56, 65),
            Stage::StyleApplication => (66, 85),
            Stage::Rendering => (86, 99),
        }
    }

    /// Progress percent for a fraction `f` (0..1) of this stage's work.
    pub fn progress_at(self, f: f64) -> u8 {
        let (lo, hi) = self.progress_range();
        let f = if f.is_finite() {
            f.clamp(0.0, 1.0)
        } else {
            0.0
        };
        lo + ((hi - lo) as f64 * f).floor() as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_states_never_change() {
        for t in [
            JobStatus::Completed,
            JobStatus::Failed,
            JobStatus::Cancelled,
        ] {
            for n in [
                JobStatus::Queued,
                JobStatus::Processing,
                JobStatus::Completed,
                JobStatus::Failed,
                JobStatus::Cancelled,
            ] {
                assert!(!t.can_transition_to(n), "{t:?} -> {n:?}");
            }
        }
        assert!(JobStatus::Queued.can_transition_to(JobStatus::Processing));
        assert!(!JobStatus::Queued.can_transition_to(JobStatus::Completed));
    }

    #[test]
    fn stage_progress_stays_in_range_and_is_monotonic() {
        let mut last = 0;
        for st in Stage::ALL {
            let (lo, hi) = st.progress_range();
            assert_eq!(st.progress_at(0.0), lo);
            assert_eq!(st.progress_at(1.0), hi);
            assert!(lo > last);
            last = hi;
            assert_eq!(Stage::parse(st.as_str()), Some(st));
        }
        assert_eq!(last, 99);
    }
}
