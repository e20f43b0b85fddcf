//! From media to style and back: [`analyze`] decodes a file (picture and audio side by side) and
//! feeds every analyser; [`extract`] turns an analysis into StyleJSON; [`apply`] turns a source
//! analysis and a target StyleJSON into an edit plan and one ffmpeg render.

pub mod analyze;
pub mod apply;
pub mod error;
pub mod extract;

pub use error::StyleError;
