use stylecut_media::MediaError;

#[derive(Debug, thiserror::Error)]
pub enum StyleError {
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The analysis or style cannot support the requested step (e.g. no video stream).
    #[error("{0}")]
    Unsupported(String),
    /// This part of the engine is not available yet; callers keep the field null.
    #[error("not available: {0}")]
    NotAvailable(String),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}
