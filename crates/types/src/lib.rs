//! Shared vocabulary of stylecut: StyleJSON, the analysis document, job states and stages,
//! error codes, and the pure definitions (grade model, audio maps) that extraction and
//! application must agree on. No I/O lives here.

pub mod analysis;
pub mod audio_map;
pub mod config;
pub mod error;
pub mod grade;
pub mod ids;
pub mod job;
pub mod style;

pub use analysis::*;
pub use error::ErrorCode;
pub use job::{JobStatus, Stage};
pub use style::*;
