//! FileSync service: sends local directories to the daemon (to be written).
