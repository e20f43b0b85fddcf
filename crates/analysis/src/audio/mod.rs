//! Audio analysers over mono analysis samples and full-rate loudness audio.
