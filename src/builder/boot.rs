//! Starting a builder's nodes (buildx's `Builder.Boot`): the nodes whose
//! driver runs the daemon (docker-container) and finds it stopped or
//! missing are booted one after the other, reporting as `[internal]
//! booting buildkit` in the progress; and the check after a bootstrap
//! that every node answers.

use tokio::sync::mpsc;

use super::Builder;
use crate::docker::builders::{Loaded, Status};
use crate::error::{BuilderError, NodeStage, Result};
use crate::progress::event::SolveStatus;

impl Builder {
    /// The nodes among `nodes` (indexes) whose driver runs the daemon and
    /// finds it stopped or missing.
    pub(crate) async fn needing_boot(&self, nodes: impl IntoIterator<Item = usize>) -> Vec<usize> {
        let mut out = Vec::new();
        for idx in nodes {
            let Some(Ok(d)) = self.nodes.get(idx).map(|n| &n.driver) else {
                continue;
            };
            if matches!(d.status().await, Ok(Some(s)) if s != Status::Running) {
                out.push(idx);
            }
        }
        out
    }

    /// Boots nodes `nodes` one after the other, reporting on `tx`; the
    /// first failure names builder, node and endpoint.
    pub(crate) async fn boot_nodes(
        &self,
        nodes: &[usize],
        tx: &mpsc::Sender<SolveStatus>,
    ) -> Result<()> {
        for &idx in nodes {
            if let Some(Ok(d)) = self.nodes.get(idx).map(|n| &n.driver) {
                d.boot(Some(tx.clone()))
                    .await
                    .map_err(|e| self.node_error(idx, NodeStage::Boot, e))?;
            }
        }
        Ok(())
    }

    /// Boots the nodes that are not running (buildx's `Builder.Boot`).
    /// `open` is called for the progress once there is something to boot;
    /// the progress ends when this returns. Returns whether any node was
    /// booted.
    pub async fn boot(
        &self,
        open: impl FnOnce() -> Result<mpsc::Sender<SolveStatus>>,
    ) -> Result<bool> {
        let to_boot = self.needing_boot(0..self.nodes.len()).await;
        if to_boot.is_empty() {
            return Ok(false);
        }
        let tx = open()?;
        self.boot_nodes(&to_boot, &tx).await.map(|()| true)
    }
}

impl Loaded {
    /// After a bootstrap, every node must run: a node that could not be
    /// asked, or does not answer, is buildx's `failed to bootstrap`.
    pub fn check_bootstrapped(&self) -> Result<()> {
        for (n, i) in &self.nodes {
            if let Some(e) = &i.err {
                return Err(BuilderError::Bootstrap {
                    builder: self.group.name.clone(),
                    node: n.node.name.clone(),
                    reason: e.clone(),
                }
                .into());
            }
            if i.status != Some(Status::Running) {
                return Err(BuilderError::NotAnswering {
                    builder: self.group.name.clone(),
                    node: n.node.name.clone(),
                    endpoint: n.node.endpoint.clone(),
                }
                .into());
            }
        }
        Ok(())
    }
}
