//! fsutil: walk (to be written).
