//! Progress the client makes itself, shown beside the daemon's (buildx's
//! `progress.Wrap`): a step with its own random digest, sub-statuses, and
//! an end with or without an error. Used for what happens outside the
//! solve: pushing through the docker daemon, loading into it.

use tokio::sync::mpsc;

use super::event::{SolveStatus, Timestamp, Vertex, VertexStatus};

/// One client-side step.
pub(crate) struct LocalVertex {
    tx: Option<mpsc::Sender<SolveStatus>>,
    vertex: Vertex,
}

impl std::fmt::Debug for LocalVertex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LocalVertex")
            .field(&self.vertex.name)
            .finish()
    }
}

impl LocalVertex {
    /// Starts a step named `name` (nothing is sent without a channel).
    pub(crate) async fn start(tx: Option<mpsc::Sender<SolveStatus>>, name: &str) -> LocalVertex {
        let mut id = [0u8; 16];
        crate::id::random_bytes(&mut id);
        use sha2::Digest as _;
        let digest = format!("sha256:{}", hex::encode(sha2::Sha256::digest(id)));
        let vertex = Vertex {
            digest,
            name: name.to_string(),
            started: Some(Timestamp::now()),
            ..Default::default()
        };
        let v = LocalVertex { tx, vertex };
        v.send(SolveStatus {
            vertexes: vec![v.vertex.clone()],
            ..Default::default()
        })
        .await;
        v
    }

    async fn send(&self, s: SolveStatus) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(s).await;
        }
    }

    /// Reports a sub-status (its `vertex` is set here).
    pub(crate) async fn status(&self, mut st: VertexStatus) {
        st.vertex = self.vertex.digest.clone();
        self.send(SolveStatus {
            statuses: vec![st],
            ..Default::default()
        })
        .await;
    }

    /// Ends the step, failed when `error` is given.
    pub(crate) async fn done(mut self, error: Option<&str>) {
        self.vertex.completed = Some(Timestamp::now());
        if let Some(e) = error {
            self.vertex.error = e.to_string();
        }
        let s = SolveStatus {
            vertexes: vec![self.vertex.clone()],
            ..Default::default()
        };
        self.send(s).await;
    }
}
