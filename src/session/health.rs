//! grpc.health.v1.Health: the daemon checks the session every few seconds
//! and drops it after repeated failures.

use std::pin::Pin;

use futures_util::Stream;
use tonic::{Request, Response, Status};

use crate::proto::grpc::health::v1::{
    health_check_response::ServingStatus,
    health_server::{Health, HealthServer},
    HealthCheckRequest, HealthCheckResponse,
};

/// Always reports SERVING while the session is up.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HealthService;

impl HealthService {
    /// The service, ready to attach to a session.
    pub(crate) fn attachable() -> super::Service<HealthServer<HealthService>> {
        super::Service::new(HealthServer::new(HealthService), &["Check", "Watch"])
    }
}

type WatchStream = Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

#[tonic::async_trait]
impl Health for HealthService {
    async fn check(
        &self,
        _req: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        Ok(Response::new(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        }))
    }

    type WatchStream = WatchStream;

    async fn watch(
        &self,
        _req: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let first = futures_util::stream::once(async {
            Ok(HealthCheckResponse {
                status: ServingStatus::Serving as i32,
            })
        });
        let s = futures_util::StreamExt::chain(first, futures_util::stream::pending());
        Ok(Response::new(Box::pin(s)))
    }
}
