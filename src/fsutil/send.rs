//! fsutil: send (to be written).
