//! Pure signal analysis over decoded frames and samples: shots and transitions, colour
//! grade, global motion, captions (`video`), loudness, tempo and beats, speech and
//! spectral balance (`audio`). Nothing here spawns a process, touches the disk or the
//! database; everything is testable on synthetic arrays.

pub mod audio;
pub mod timings;
pub mod video;
