//! Detectors for personal data pasted into free text.
