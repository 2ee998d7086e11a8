//! Secret detectors.
