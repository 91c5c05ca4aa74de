//! moby.upload.v1.Upload: serves a byte stream the daemon fetches as an
//! HTTP source `http://buildkit-session/<id>` — how a tar context on stdin
//! (`docker build - < ctx.tar`) reaches the daemon.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::moby::upload::v1::{
    upload_server::{Upload, UploadServer},
    BytesMessage,
};

/// The largest chunk sent at once (as BuildKit's upload provider).
const CHUNK: usize = 3 << 20;

/// Payloads offered for upload, each fetched once.
#[derive(Debug, Clone, Default)]
pub struct UploadService {
    items: Arc<Mutex<HashMap<String, Bytes>>>,
}

impl UploadService {
    /// An empty service.
    pub fn new() -> Self {
        Self::default()
    }

    /// Offers `data`; returns the URL to pass as the frontend's `context`.
    pub fn add(&self, data: Bytes) -> String {
        let id = super::new_id();
        if let Ok(mut m) = self.items.lock() {
            m.insert(id.clone(), data);
        }
        format!("http://buildkit-session/{id}")
    }

    /// The service, ready to attach to a session.
    pub fn attachable(self) -> super::Service<UploadServer<UploadService>> {
        super::Service::new(
            UploadServer::new(self).max_encoding_message_size(crate::client::MAX_MESSAGE_SIZE),
            &["Pull"],
        )
    }
}

type PullStream = Pin<Box<dyn Stream<Item = Result<BytesMessage, Status>> + Send>>;

#[tonic::async_trait]
impl Upload for UploadService {
    type PullStream = PullStream;

    async fn pull(
        &self,
        req: Request<Streaming<BytesMessage>>,
    ) -> Result<Response<Self::PullStream>, Status> {
        let path = req
            .metadata()
            .get("urlpath")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let id = path.rsplit('/').next().unwrap_or("").to_string();
        let data = self
            .items
            .lock()
            .map_err(|_| Status::internal("upload state poisoned"))?
            .remove(&id)
            .ok_or_else(|| Status::not_found(format!("no http response from session for {id}")))?;
        let chunks: Vec<Result<BytesMessage, Status>> = (0..data.len())
            .step_by(CHUNK)
            .map(|i| {
                Ok(BytesMessage {
                    data: data.slice(i..(i + CHUNK).min(data.len())),
                })
            })
            .collect();
        Ok(Response::new(Box::pin(futures_util::stream::iter(chunks))))
    }
}
