//! FileSend service: receives exported files from the daemon (to be written).
