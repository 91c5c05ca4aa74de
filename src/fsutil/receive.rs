//! fsutil: receive (to be written).
