//! Unix domain sockets (`unix:///path`).

use std::path::Path;

use hyper::Uri;
use tower::Service;

use super::classify_connect;
use crate::error::Result;

/// A connected unix socket stream.
pub(crate) type UnixStream = hyperlocal::UnixStream;

/// Connects to the unix socket at `path`.
pub(crate) async fn dial(path: &Path) -> Result<UnixStream> {
    let addr = format!("unix://{}", path.display());
    let uri: Uri = hyperlocal::Uri::new(path, "/").into();
    let mut connector = hyperlocal::UnixConnector;
    connector
        .call(uri)
        .await
        .map_err(|e| classify_connect(&addr, e))
}
