//! fsutil: stat (to be written).
