//! Analysis → StyleJSON.

use stylecut_types::{Analysis, StyleJson};

use crate::StyleError;

/// Builds the StyleJSON of an analysed video.
pub fn extract(_analysis: &Analysis) -> Result<StyleJson, StyleError> {
    Err(StyleError::NotAvailable(
        "style extraction is not implemented yet".into(),
    ))
}
