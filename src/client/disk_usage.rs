//! The build cache: `Control.DiskUsage` and `Control.Prune`, typed.

use std::time::Duration;

use super::Client;
use crate::error::Result;
use crate::progress::event::Timestamp;
use crate::proto::moby::buildkit::v1 as control;

/// One record of the build cache (BuildKit's `UsageInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheRecord {
    /// The record's id.
    pub id: String,
    /// Whether the record is a mutable snapshot (a running step's).
    pub mutable: bool,
    /// Whether a build uses it now (not reclaimable).
    pub in_use: bool,
    /// Size in bytes.
    pub size: i64,
    /// The records it builds on.
    pub parents: Vec<String>,
    /// When it was created.
    pub created_at: Option<Timestamp>,
    /// When it was last used.
    pub last_used_at: Option<Timestamp>,
    /// How often it was used.
    pub usage_count: i64,
    /// What it holds, e.g. `mount / from exec /bin/sh -c ...`.
    pub description: String,
    /// Its kind (`regular`, `source.local`, `exec.cachemount`, ...).
    pub record_type: String,
    /// Whether other records share its data.
    pub shared: bool,
}

impl From<control::UsageRecord> for CacheRecord {
    fn from(r: control::UsageRecord) -> Self {
        CacheRecord {
            id: r.id,
            mutable: r.mutable,
            in_use: r.in_use,
            size: r.size,
            parents: r.parents,
            created_at: r.created_at.map(Timestamp::from),
            last_used_at: r.last_used_at.map(Timestamp::from),
            usage_count: r.usage_count,
            description: r.description,
            record_type: r.record_type,
            shared: r.shared,
        }
    }
}

/// What [`Client::prune`] removes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneOptions {
    /// BuildKit filters (`type==regular`, `id~=abc`, ...), each a
    /// comma-separated conjunction.
    pub filter: Vec<String>,
    /// Also records that are not dangling (buildx's `--all`).
    pub all: bool,
    /// Keep records used within this long.
    pub keep_duration: Duration,
    /// Keep this many bytes of cache.
    pub keep_bytes: i64,
}

/// The records a prune removes, as the daemon reports them.
#[derive(Debug)]
pub struct Pruned {
    stream: tonic::Streaming<control::UsageRecord>,
    client: Client,
}

impl Pruned {
    /// The next removed record; `None` when the prune is complete.
    pub async fn next(&mut self) -> Result<Option<CacheRecord>> {
        match self.stream.message().await {
            Ok(r) => Ok(r.map(CacheRecord::from)),
            Err(s) => Err(self.client.rpc_error("Control.Prune", s)),
        }
    }
}

impl Client {
    /// Control.DiskUsage: the build cache's records matching `filter`
    /// (all when empty), largest first, then by id descending, as
    /// BuildKit's Go client sorts them.
    pub async fn disk_usage(&self, filter: &[String]) -> Result<Vec<CacheRecord>> {
        let resp = self
            .control()
            .disk_usage(control::DiskUsageRequest {
                filter: filter.to_vec(),
                ..Default::default()
            })
            .await
            .map_err(|s| self.rpc_error("Control.DiskUsage", s))?
            .into_inner();
        let mut records: Vec<CacheRecord> =
            resp.record.into_iter().map(CacheRecord::from).collect();
        records.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| b.id.cmp(&a.id)));
        Ok(records)
    }

    /// Control.Prune: removes cache records; the removed ones arrive as
    /// [`Pruned::next`] is called.
    pub async fn prune(&self, opts: &PruneOptions) -> Result<Pruned> {
        let stream = self
            .control()
            .prune(control::PruneRequest {
                filter: opts.filter.clone(),
                all: opts.all,
                keep_duration: i64::try_from(opts.keep_duration.as_nanos()).unwrap_or(i64::MAX),
                keep_bytes: opts.keep_bytes,
                ..Default::default()
            })
            .await
            .map_err(|s| self.rpc_error("Control.Prune", s))?
            .into_inner();
        Ok(Pruned {
            stream,
            client: self.clone(),
        })
    }
}
