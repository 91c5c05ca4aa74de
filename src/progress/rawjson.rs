//! progress: rawjson (to be written).
