//! fsutil: patterns (to be written).
