//! The session connection through `Control.Session`: a bidirectional stream
//! of `BytesMessage`s that carries the HTTP/2 bytes of the session. Used
//! for BuildKit targets (dockerd offers the cheaper `/session` upgrade).

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_stream::wrappers::ReceiverStream;

use crate::client::transport::BoxIo;
use crate::client::Client;
use crate::error::{Result, SessionError};
use crate::proto::moby::buildkit::v1::BytesMessage;

/// Size of the in-process pipe between the HTTP/2 server and the stream,
/// and of each `BytesMessage` written (BuildKit reads 32 KiB at a time but
/// accepts any message up to 16 MiB).
const PIPE: usize = 1 << 20;
const CHUNK: usize = 256 << 10;

/// Opens `Control.Session` with the session headers (lower-cased, as gRPC
/// metadata) and returns a byte stream on which the session is served.
pub(crate) async fn dial(client: &Client, headers: &[(String, String)]) -> Result<BoxIo> {
    let (tx, rx) = tokio::sync::mpsc::channel::<BytesMessage>(8);
    let mut req = tonic::Request::new(ReceiverStream::new(rx));
    for (k, v) in headers {
        let key = tonic::metadata::MetadataKey::from_bytes(k.to_ascii_lowercase().as_bytes())
            .map_err(|e| SessionError::HeaderName {
                name: k.clone(),
                reason: e.to_string(),
            })?;
        let val = v
            .parse()
            .map_err(|e: tonic::metadata::errors::InvalidMetadataValue| {
                SessionError::HeaderValue {
                    name: k.clone(),
                    reason: e.to_string(),
                }
            })?;
        req.metadata_mut().append(key, val);
    }
    let mut inbound = client
        .control()
        .session(req)
        .await
        .map_err(|s| client.rpc_error("Control.Session", s))?
        .into_inner();
    let (ours, theirs) = tokio::io::duplex(PIPE);
    let (mut rd, mut wr) = tokio::io::split(theirs);
    // daemon → server
    tokio::spawn(async move {
        while let Some(Ok(msg)) = inbound.next().await {
            if wr.write_all(&msg.data).await.is_err() {
                break;
            }
        }
        let _ = wr.shutdown().await;
    });
    // server → daemon
    tokio::spawn(async move {
        let mut buf = vec![0u8; CHUNK];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let data = Bytes::copy_from_slice(&buf[..n]);
                    if tx.send(BytesMessage { data }).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    Ok(Box::new(ours))
}
