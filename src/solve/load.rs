//! `--load` on a builder that does not share the docker daemon's image
//! store: the docker exporter's tarball, as it arrives on the session, is
//! streamed into the daemon's `POST /images/load` (no temporary file), in a
//! progress step "importing to docker" with "loading layer ID" statuses, as
//! buildx does.
//!
//! Unlike buildx, the transfer is skipped when the daemon already has the
//! image: BuildKit names the image's config digest in its progress
//! ("exporting config sha256:...") before it sends the tarball, and on the
//! classic image store that digest is the image ID. When the daemon has that
//! image, the tarball is read and dropped, the missing tags are added
//! (`POST /images/ID/tag`), and the step says "image ... already loaded".

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::{mpsc, Notify};

use crate::client::transport::engine::{stream, JsonMessages};
use crate::client::Endpoint;
use crate::progress::event::{SolveStatus, Timestamp, VertexStatus};
use crate::progress::local::LocalVertex;
use crate::session::filesend::{ByteStream, SinkFuture, StreamSink};

/// How long to wait, once the tarball starts, for the progress that names
/// its config digest.
const CONFIG_WAIT: Duration = Duration::from_secs(2);

/// Where and how a tarball is loaded.
#[derive(Clone)]
pub(crate) struct LoadTarget {
    pub(crate) api: Endpoint,
    pub(crate) names: Vec<String>,
    pub(crate) progress: Option<mpsc::Sender<SolveStatus>>,
    pub(crate) config: ConfigSeen,
}

impl std::fmt::Debug for LoadTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadTarget")
            .field("api", &self.api)
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

/// The config digest the exporter named in its progress, once seen.
#[derive(Clone, Default)]
pub(crate) struct ConfigSeen(Arc<(Mutex<Option<String>>, Notify)>);

impl ConfigSeen {
    /// Looks at one progress message for "exporting config sha256:...".
    pub(crate) fn observe(&self, s: &SolveStatus) {
        for st in &s.statuses {
            if let Some(d) = st.id.strip_prefix("exporting config ") {
                if crate::digest::Digest::parse(d).is_ok() {
                    if let Ok(mut g) = self.0 .0.lock() {
                        *g = Some(d.to_string());
                    }
                    self.0 .1.notify_waiters();
                }
            }
        }
    }

    async fn wait(&self, limit: Duration) -> Option<String> {
        let get = || self.0 .0.lock().ok().and_then(|g| g.clone());
        if let Some(d) = get() {
            return Some(d);
        }
        let _ = tokio::time::timeout(limit, async {
            loop {
                let n = self.0 .1.notified();
                if get().is_some() {
                    return;
                }
                n.await;
            }
        })
        .await;
        get()
    }
}

/// The tags as the daemon lists them (`RepoTags`): familiar, tag `latest`
/// by default.
fn repo_tags(names: &[String]) -> Vec<(String, String, String)> {
    names
        .iter()
        .filter_map(|n| {
            let mut r = crate::reference::parse_normalized_named(n).ok()?;
            let tag = r.tag.clone().unwrap_or_else(|| "latest".into());
            r.tag = Some(tag.clone());
            r.digest = None;
            let full = r.familiar();
            r.tag = None;
            Some((full, r.familiar(), tag))
        })
        .collect()
}

/// Whether the daemon has image `id`; tags it with the missing `names`.
async fn already_loaded(api: &Endpoint, id: &str, names: &[String]) -> bool {
    let Ok(body) = crate::client::transport::engine::get(api, &format!("/images/{id}/json")).await
    else {
        return false;
    };
    #[derive(serde::Deserialize)]
    struct Inspect {
        #[serde(rename = "Id", default)]
        id: String,
        #[serde(rename = "RepoTags", default)]
        repo_tags: Option<Vec<String>>,
    }
    let Ok(img) = serde_json::from_slice::<Inspect>(&body) else {
        return false;
    };
    if img.id != id {
        return false;
    }
    let have = img.repo_tags.unwrap_or_default();
    for (full, repo, tag) in repo_tags(names) {
        if have.contains(&full) {
            continue;
        }
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let path = format!("/images/{id}/tag?repo={}&tag={}", enc(&repo), enc(&tag));
        match stream(
            api,
            "POST",
            &path,
            &[],
            http_body_util::Empty::<Bytes>::new(),
        )
        .await
        {
            Ok(b) => {
                use http_body_util::BodyExt;
                let _ = b.collect().await;
            }
            Err(_) => return false,
        }
    }
    true
}

/// The session's FileSend service hands the tarball to the load.
impl StreamSink for LoadTarget {
    fn receive(&self, inbound: ByteStream) -> SinkFuture {
        let t = self.clone();
        Box::pin(async move { load(inbound, t).await.map(Some) })
    }
}

/// Receives the tarball from the daemon (`inbound`) and loads it. On
/// success the "importing to docker" step is returned still open: the
/// caller ends it once the daemon's own progress has ended, so that it
/// follows the exporter's step as in buildx's output.
async fn load(mut inbound: ByteStream, t: LoadTarget) -> Result<LocalVertex, String> {
    let first = match inbound.next().await {
        None => return Err("the builder sent an empty image tarball".into()),
        Some(Err(e)) => return Err(e),
        Some(Ok(data)) => data,
    };
    if let Some(id) = t.config.wait(CONFIG_WAIT).await {
        if already_loaded(&t.api, &id, &t.names).await {
            let v = LocalVertex::start(t.progress.clone(), "importing to docker").await;
            v.status(VertexStatus {
                id: format!("image {id} already loaded"),
                started: Some(Timestamp::now()),
                completed: Some(Timestamp::now()),
                timestamp: Timestamp::now(),
                ..Default::default()
            })
            .await;
            while let Some(m) = inbound.next().await {
                if let Err(e) = m {
                    v.done(Some(&e)).await;
                    return Err(e);
                }
            }
            return Ok(v);
        }
    }
    let v = LocalVertex::start(t.progress.clone(), "importing to docker").await;
    let (btx, brx) = mpsc::channel::<Result<hyper::body::Frame<Bytes>, std::io::Error>>(8);
    let body = http_body_util::StreamBody::new(tokio_stream::wrappers::ReceiverStream::new(brx));
    let api = t.api.clone();
    let request = tokio::spawn(async move {
        let resp = stream(
            &api,
            "POST",
            "/images/load?quiet=0",
            &[("Content-Type", "application/x-tar".to_string())],
            body,
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok::<_, String>(JsonMessages::new(resp))
    });
    let mut sent = btx.send(Ok(hyper::body::Frame::data(first))).await.is_ok();
    let mut recv_err = None;
    while let Some(m) = inbound.next().await {
        match m {
            Ok(data) if sent => {
                sent = btx.send(Ok(hyper::body::Frame::data(data))).await.is_ok();
            }
            Ok(_) => {}
            Err(e) => {
                recv_err = Some(e);
                break;
            }
        }
    }
    drop(btx);
    let result = match (recv_err, request.await) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(e.to_string()),
        (None, Ok(Err(e))) => Err(e),
        (None, Ok(Ok(msgs))) => read_progress(msgs, &v).await,
    };
    match result {
        Ok(()) => Ok(v),
        Err(e) => {
            v.done(Some(&e)).await;
            Err(e)
        }
    }
}

/// buildx's `fromReader`: "loading layer ID" statuses, at most one per
/// layer every two seconds, and the daemon's error if it reports one.
async fn read_progress(mut msgs: JsonMessages, v: &LocalVertex) -> Result<(), String> {
    let mut started: std::collections::BTreeMap<String, (VertexStatus, std::time::Instant)> =
        Default::default();
    let mut error = None;
    loop {
        let m = match msgs.next().await {
            Ok(Some(m)) => m,
            Ok(None) => break,
            Err(e) => {
                error = error.or(Some(e.to_string()));
                break;
            }
        };
        if let Some(e) = m.error() {
            error = Some(e);
        }
        let Some(p) = m.progress.as_ref().filter(|_| !m.id.is_empty()) else {
            continue;
        };
        let id = format!("loading layer {}", m.id);
        let now = std::time::Instant::now();
        let entry = started.entry(id.clone()).or_insert_with(|| {
            (
                VertexStatus {
                    id: id.clone(),
                    started: Some(Timestamp::now()),
                    ..Default::default()
                },
                now - Duration::from_secs(3),
            )
        });
        if now.duration_since(entry.1) < Duration::from_secs(2) {
            continue;
        }
        entry.1 = now;
        entry.0.timestamp = Timestamp::now();
        if m.status == "Loading layer" {
            entry.0.current = p.current;
            entry.0.total = p.total;
        }
        v.status(entry.0.clone()).await;
    }
    for (st, _) in started.values_mut() {
        if st.completed.is_none() {
            st.completed = Some(Timestamp::now());
            v.status(st.clone()).await;
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
