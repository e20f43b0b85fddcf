//! The only code in stylecut that spawns ffmpeg or ffprobe.
//!
//! * [`process`]: one wrapper for external programs (timeout, cancellation, kill on drop,
//!   bounded stderr tail, distinct errors for a missing tool, bad input and our own faults).
//! * [`probe`]: ffprobe JSON parsed into [`probe::MediaInfo`] (rotation and pixel aspect honoured).
//! * [`decode`]: the decode pass: reduced RGB frames with presentation times over a
//!   pipe, plus (optionally) mono analysis audio and full-rate audio for loudness;
//!   [`decode_audio`] the audio alone, [`decode_audio_streamed`] the same with the full-rate
//!   audio streamed through a pipe instead of a scratch file (the analysis runs it beside a
//!   picture-only decode).
//! * [`render`]: runs an ffmpeg render command and reports its own progress.
//! * [`scratch`]: scratch directories locked by their owner, and the start-up sweep of
//!   those whose owner died.
//!
//! Nothing here analyses pixels or samples; that is `stylecut-analysis`.

pub mod decode;
pub mod probe;
pub mod process;
pub mod render;
pub mod scratch;

pub use decode::{
    decode, decode_audio, decode_audio_streamed, decode_key_frames, decode_picture, decode_until,
    Crop, DecodeEnd, DecodeSpec, DecodedAudio, Frame, SkipLoopFilter, SPEECH_RATE,
};
pub use probe::{probe, AudioInfo, Colour, MediaInfo, VideoInfo};
pub use process::{CancelFlag, MediaError, Pulse, RunOpts};
