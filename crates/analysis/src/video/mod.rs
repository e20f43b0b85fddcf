//! Video analysers fed one reduced RGB frame at a time.
