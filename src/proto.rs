//! Generated BuildKit wire types, gRPC clients and gRPC servers.
//!
//! The definitions live in `proto/` (laid out by upstream import path) and are
//! compiled by `build.rs`. Modules mirror protobuf packages, because the
//! package is part of every gRPC path (`/moby.buildkit.v1.Control/Solve`):
//!
//! - [`moby::buildkit::v1`]: the `Control` service (`control_client`,
//!   `control_server`), with [`moby::buildkit::v1::types`] (workers),
//!   [`moby::buildkit::v1::sourcepolicy`] and [`moby::buildkit::v1::apicaps`];
//! - [`pb`]: LLB (`Op`, `Definition`, ...);
//! - session services served by the client: [`moby::filesync::v1`]
//!   (`FileSync`, `FileSend` and also `Auth`, which upstream places in this
//!   package), [`moby::buildkit::secrets::v1`], [`moby::sshforward::v1`],
//!   [`moby::upload::v1`], [`containerd::services::content::v1`] (the
//!   `Content` store, for `oci-layout://` contexts) and [`grpc::health::v1`];
//! - [`fsutil::types`]: `Stat` and `Packet` of the file sync protocol;
//! - [`google::rpc`]: `Status`.
//!
//! Every protobuf `bytes` field is a [`bytes::Bytes`]; well-known types come
//! from `prost_types`.
#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]

/// Packages under `moby.*`.
pub mod moby {
    /// Packages under `moby.buildkit.*`.
    pub mod buildkit {
        /// `moby.buildkit.v1`: the Control service.
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/moby.buildkit.v1.rs"));

            /// `moby.buildkit.v1.types`: worker records.
            pub mod types {
                include!(concat!(env!("OUT_DIR"), "/moby.buildkit.v1.types.rs"));
            }

            /// `moby.buildkit.v1.sourcepolicy`: source policies.
            pub mod sourcepolicy {
                include!(concat!(
                    env!("OUT_DIR"),
                    "/moby.buildkit.v1.sourcepolicy.rs"
                ));
            }

            /// `moby.buildkit.v1.apicaps`: API capabilities.
            pub mod apicaps {
                include!(concat!(env!("OUT_DIR"), "/moby.buildkit.v1.apicaps.rs"));
            }
        }

        /// Packages under `moby.buildkit.secrets.*`.
        pub mod secrets {
            /// `moby.buildkit.secrets.v1`: the Secrets session service.
            pub mod v1 {
                include!(concat!(env!("OUT_DIR"), "/moby.buildkit.secrets.v1.rs"));
            }
        }
    }

    /// Packages under `moby.filesync.*`.
    pub mod filesync {
        /// `moby.filesync.v1`: FileSync, FileSend and Auth session services.
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/moby.filesync.v1.rs"));
        }
    }

    /// Packages under `moby.sshforward.*`.
    pub mod sshforward {
        /// `moby.sshforward.v1`: the SSH agent forwarding session service.
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/moby.sshforward.v1.rs"));
        }
    }

    /// Packages under `moby.upload.*`.
    pub mod upload {
        /// `moby.upload.v1`: the Upload session service.
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/moby.upload.v1.rs"));
        }
    }
}

/// Packages under `containerd.*`.
pub mod containerd {
    /// Packages under `containerd.services.*`.
    pub mod services {
        /// Packages under `containerd.services.content.*`.
        pub mod content {
            /// `containerd.services.content.v1`: the Content service, served
            /// on the session for OCI layout stores.
            pub mod v1 {
                include!(concat!(
                    env!("OUT_DIR"),
                    "/containerd.services.content.v1.rs"
                ));
            }
        }
    }
}

/// `pb`: LLB definitions.
pub mod pb {
    include!(concat!(env!("OUT_DIR"), "/pb.rs"));
}

/// Packages under `fsutil.*`.
pub mod fsutil {
    /// `fsutil.types`: file sync packets and file metadata.
    pub mod types {
        include!(concat!(env!("OUT_DIR"), "/fsutil.types.rs"));
    }
}

/// Packages under `google.*`.
pub mod google {
    /// `google.rpc`: the gRPC error status.
    pub mod rpc {
        include!(concat!(env!("OUT_DIR"), "/google.rpc.rs"));
    }
}

/// Packages under `grpc.*`.
pub mod grpc {
    /// Packages under `grpc.health.*`.
    pub mod health {
        /// `grpc.health.v1`: the Health service.
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/grpc.health.v1.rs"));
        }
    }
}

#[cfg(test)]
#[warn(clippy::all)]
mod tests {
    use std::collections::HashMap;

    use bytes::Bytes;
    use prost::Message;
    use prost_types::{
        field_descriptor_proto::{Label, Type},
        DescriptorProto, FileDescriptorSet,
    };

    use super::fsutil::types::{packet::PacketType, Packet, Stat};
    use super::moby::buildkit::v1 as control;

    /// Encoded `FileDescriptorSet` of everything under `proto/`.
    const DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/rkbuild_descriptor_set.bin"));

    #[test]
    fn stat_encoding_matches_hand_computed_tags() {
        let stat = Stat {
            path: "a".into(),
            mode: 0o644,
            uid: 1,
            gid: 2,
            size: 3,
            mod_time: 4,
            linkname: "l".into(),
            devmajor: 5,
            devminor: 6,
            xattrs: HashMap::from([("k".to_owned(), Bytes::from_static(b"v"))]),
        };
        let expected: &[u8] = &[
            0x0a, 0x01, b'a', // 1: path
            0x10, 0xa4, 0x03, // 2: mode = 420
            0x18, 0x01, // 3: uid
            0x20, 0x02, // 4: gid
            0x28, 0x03, // 5: size
            0x30, 0x04, // 6: modTime
            0x3a, 0x01, b'l', // 7: linkname
            0x40, 0x05, // 8: devmajor
            0x48, 0x06, // 9: devminor
            0x52, 0x06, 0x0a, 0x01, b'k', 0x12, 0x01, b'v', // 10: xattrs entry
        ];
        assert_eq!(stat.encode_to_vec(), expected);
        assert_eq!(Stat::decode(expected).unwrap(), stat);
    }

    #[test]
    fn packet_encoding_and_types() {
        let packet = Packet {
            r#type: PacketType::PacketData as i32,
            stat: None,
            id: 7,
            data: Bytes::from_static(b"xy"),
        };
        let expected: &[u8] = &[0x08, 0x02, 0x18, 0x07, 0x22, 0x02, b'x', b'y'];
        assert_eq!(packet.encode_to_vec(), expected);
        let decoded = Packet::decode(Bytes::from_static(expected)).unwrap();
        assert_eq!(decoded.r#type(), PacketType::PacketData);
        assert_eq!(decoded.data, Bytes::from_static(b"xy"));

        let values = [
            (PacketType::PacketStat, 0, "PACKET_STAT"),
            (PacketType::PacketReq, 1, "PACKET_REQ"),
            (PacketType::PacketData, 2, "PACKET_DATA"),
            (PacketType::PacketFin, 3, "PACKET_FIN"),
            (PacketType::PacketErr, 4, "PACKET_ERR"),
            (PacketType::PacketHashReq, 5, "PACKET_HASH_REQ"),
            (PacketType::PacketHash, 6, "PACKET_HASH"),
        ];
        for (ty, number, name) in values {
            assert_eq!(ty as i32, number);
            assert_eq!(ty.as_str_name(), name);
        }
    }

    #[test]
    fn solve_request_exporters_use_field_13() {
        let req = control::SolveRequest {
            exporters: vec![control::Exporter {
                r#type: "image".into(),
                attrs: HashMap::new(),
            }],
            ..Default::default()
        };
        // (13 << 3) | 2 = 0x6a, then Exporter { Type (1) = "image" }.
        let expected: &[u8] = &[0x6a, 0x07, 0x0a, 0x05, b'i', b'm', b'a', b'g', b'e'];
        assert_eq!(req.encode_to_vec(), expected);
    }

    #[test]
    fn bytes_message_data_is_field_1() {
        let msg = control::BytesMessage {
            data: Bytes::from_static(b"hi"),
        };
        assert_eq!(msg.encode_to_vec(), [0x0a, 0x02, b'h', b'i']);
    }

    #[test]
    fn grpc_service_names() {
        use super::containerd::services::content::v1::content_server;
        use super::grpc::health::v1::health_server;
        use super::moby::buildkit::secrets::v1::secrets_server;
        use super::moby::filesync::v1::{auth_server, file_send_server, file_sync_server};
        use super::moby::sshforward::v1::ssh_server;
        use super::moby::upload::v1::upload_server;

        assert_eq!(
            control::control_server::SERVICE_NAME,
            "moby.buildkit.v1.Control"
        );
        assert_eq!(file_sync_server::SERVICE_NAME, "moby.filesync.v1.FileSync");
        assert_eq!(file_send_server::SERVICE_NAME, "moby.filesync.v1.FileSend");
        assert_eq!(auth_server::SERVICE_NAME, "moby.filesync.v1.Auth");
        assert_eq!(
            secrets_server::SERVICE_NAME,
            "moby.buildkit.secrets.v1.Secrets"
        );
        assert_eq!(ssh_server::SERVICE_NAME, "moby.sshforward.v1.SSH");
        assert_eq!(upload_server::SERVICE_NAME, "moby.upload.v1.Upload");
        assert_eq!(health_server::SERVICE_NAME, "grpc.health.v1.Health");
        assert_eq!(
            content_server::SERVICE_NAME,
            "containerd.services.content.v1.Content"
        );
    }

    /// Loads the descriptor set and indexes messages by full name (no dot).
    fn messages() -> HashMap<String, DescriptorProto> {
        fn add(prefix: &str, msg: &DescriptorProto, out: &mut HashMap<String, DescriptorProto>) {
            let name = format!("{prefix}.{}", msg.name());
            for nested in &msg.nested_type {
                add(&name, nested, out);
            }
            out.insert(name, msg.clone());
        }
        let set = FileDescriptorSet::decode(DESCRIPTOR_SET).unwrap();
        let mut out = HashMap::new();
        for file in &set.file {
            for msg in &file.message_type {
                add(file.package(), msg, &mut out);
            }
        }
        out
    }

    #[test]
    fn descriptor_field_numbers() {
        use Label::{Optional as One, Repeated as Rep};
        // (message, field, number, label, type); map fields are repeated
        // messages on the wire.
        #[rustfmt::skip]
        let facts: &[(&str, &str, i32, Label, Type)] = &[
            ("moby.buildkit.v1.SolveRequest", "Ref", 1, One, Type::String),
            ("moby.buildkit.v1.SolveRequest", "Definition", 2, One, Type::Message),
            ("moby.buildkit.v1.SolveRequest", "ExporterDeprecated", 3, One, Type::String),
            ("moby.buildkit.v1.SolveRequest", "ExporterAttrsDeprecated", 4, Rep, Type::Message),
            ("moby.buildkit.v1.SolveRequest", "Session", 5, One, Type::String),
            ("moby.buildkit.v1.SolveRequest", "Frontend", 6, One, Type::String),
            ("moby.buildkit.v1.SolveRequest", "FrontendAttrs", 7, Rep, Type::Message),
            ("moby.buildkit.v1.SolveRequest", "Cache", 8, One, Type::Message),
            ("moby.buildkit.v1.SolveRequest", "Entitlements", 9, Rep, Type::String),
            ("moby.buildkit.v1.SolveRequest", "FrontendInputs", 10, Rep, Type::Message),
            ("moby.buildkit.v1.SolveRequest", "Internal", 11, One, Type::Bool),
            ("moby.buildkit.v1.SolveRequest", "SourcePolicy", 12, One, Type::Message),
            ("moby.buildkit.v1.SolveRequest", "Exporters", 13, Rep, Type::Message),
            ("moby.buildkit.v1.CacheOptions", "Exports", 4, Rep, Type::Message),
            ("moby.buildkit.v1.CacheOptions", "Imports", 5, Rep, Type::Message),
            ("moby.buildkit.v1.StatusResponse", "vertexes", 1, Rep, Type::Message),
            ("moby.buildkit.v1.StatusResponse", "statuses", 2, Rep, Type::Message),
            ("moby.buildkit.v1.StatusResponse", "logs", 3, Rep, Type::Message),
            ("moby.buildkit.v1.StatusResponse", "warnings", 4, Rep, Type::Message),
            ("moby.buildkit.v1.Vertex", "digest", 1, One, Type::String),
            ("moby.buildkit.v1.Vertex", "inputs", 2, Rep, Type::String),
            ("moby.buildkit.v1.Vertex", "name", 3, One, Type::String),
            ("moby.buildkit.v1.Vertex", "cached", 4, One, Type::Bool),
            ("moby.buildkit.v1.Vertex", "started", 5, One, Type::Message),
            ("moby.buildkit.v1.Vertex", "completed", 6, One, Type::Message),
            ("moby.buildkit.v1.Vertex", "error", 7, One, Type::String),
            ("moby.buildkit.v1.Vertex", "progressGroup", 8, One, Type::Message),
            ("moby.buildkit.v1.VertexStatus", "ID", 1, One, Type::String),
            ("moby.buildkit.v1.VertexStatus", "vertex", 2, One, Type::String),
            ("moby.buildkit.v1.VertexStatus", "name", 3, One, Type::String),
            ("moby.buildkit.v1.VertexStatus", "current", 4, One, Type::Int64),
            ("moby.buildkit.v1.VertexStatus", "total", 5, One, Type::Int64),
            ("moby.buildkit.v1.VertexStatus", "timestamp", 6, One, Type::Message),
            ("moby.buildkit.v1.VertexStatus", "started", 7, One, Type::Message),
            ("moby.buildkit.v1.VertexStatus", "completed", 8, One, Type::Message),
            ("moby.buildkit.v1.VertexLog", "vertex", 1, One, Type::String),
            ("moby.buildkit.v1.VertexLog", "timestamp", 2, One, Type::Message),
            ("moby.buildkit.v1.VertexLog", "stream", 3, One, Type::Int64),
            ("moby.buildkit.v1.VertexLog", "msg", 4, One, Type::Bytes),
            ("moby.buildkit.v1.VertexWarning", "level", 2, One, Type::Int64),
            ("moby.buildkit.v1.VertexWarning", "short", 3, One, Type::Bytes),
            ("moby.buildkit.v1.VertexWarning", "detail", 4, Rep, Type::Bytes),
            ("moby.buildkit.v1.VertexWarning", "url", 5, One, Type::String),
            ("moby.buildkit.v1.VertexWarning", "info", 6, One, Type::Message),
            ("moby.buildkit.v1.VertexWarning", "ranges", 7, Rep, Type::Message),
            ("moby.buildkit.v1.BytesMessage", "data", 1, One, Type::Bytes),
            ("moby.buildkit.v1.InfoResponse", "buildkitVersion", 1, One, Type::Message),
            ("moby.buildkit.v1.ListWorkersResponse", "record", 1, Rep, Type::Message),
            ("moby.buildkit.v1.types.WorkerRecord", "ID", 1, One, Type::String),
            ("moby.buildkit.v1.types.WorkerRecord", "Labels", 2, Rep, Type::Message),
            ("moby.buildkit.v1.types.WorkerRecord", "platforms", 3, Rep, Type::Message),
            ("moby.buildkit.v1.types.WorkerRecord", "GCPolicy", 4, Rep, Type::Message),
            ("moby.buildkit.v1.types.WorkerRecord", "BuildkitVersion", 5, One, Type::Message),
            ("moby.buildkit.v1.types.BuildkitVersion", "package", 1, One, Type::String),
            ("moby.buildkit.v1.types.BuildkitVersion", "version", 2, One, Type::String),
            ("moby.buildkit.v1.types.BuildkitVersion", "revision", 3, One, Type::String),
            ("pb.Definition", "def", 1, Rep, Type::Bytes),
            ("pb.Definition", "metadata", 2, Rep, Type::Message),
            ("pb.Definition", "Source", 3, One, Type::Message),
            ("pb.Op", "inputs", 1, Rep, Type::Message),
            ("pb.Op", "exec", 2, One, Type::Message),
            ("pb.Op", "source", 3, One, Type::Message),
            ("pb.Op", "file", 4, One, Type::Message),
            ("pb.Op", "platform", 10, One, Type::Message),
            ("pb.Op", "constraints", 11, One, Type::Message),
            ("pb.Mount", "mountType", 6, One, Type::Enum),
            ("pb.Mount", "cacheOpt", 20, One, Type::Message),
            ("pb.Mount", "secretOpt", 21, One, Type::Message),
            ("pb.Mount", "SSHOpt", 22, One, Type::Message),
            ("pb.Meta", "ulimit", 9, Rep, Type::Message),
            ("pb.ExecOp", "secretenv", 5, Rep, Type::Message),
            ("fsutil.types.Stat", "path", 1, One, Type::String),
            ("fsutil.types.Stat", "mode", 2, One, Type::Uint32),
            ("fsutil.types.Stat", "modTime", 6, One, Type::Int64),
            ("fsutil.types.Stat", "linkname", 7, One, Type::String),
            ("fsutil.types.Stat", "xattrs", 10, Rep, Type::Message),
            ("fsutil.types.Packet", "type", 1, One, Type::Enum),
            ("fsutil.types.Packet", "stat", 2, One, Type::Message),
            ("fsutil.types.Packet", "ID", 3, One, Type::Uint32),
            ("fsutil.types.Packet", "data", 4, One, Type::Bytes),
            ("moby.filesync.v1.BytesMessage", "data", 1, One, Type::Bytes),
            ("moby.filesync.v1.CredentialsRequest", "Host", 1, One, Type::String),
            ("moby.filesync.v1.CredentialsResponse", "Username", 1, One, Type::String),
            ("moby.filesync.v1.CredentialsResponse", "Secret", 2, One, Type::String),
            ("moby.filesync.v1.FetchTokenRequest", "ClientID", 1, One, Type::String),
            ("moby.filesync.v1.FetchTokenRequest", "Host", 2, One, Type::String),
            ("moby.filesync.v1.FetchTokenRequest", "Realm", 3, One, Type::String),
            ("moby.filesync.v1.FetchTokenRequest", "Service", 4, One, Type::String),
            ("moby.filesync.v1.FetchTokenRequest", "Scopes", 5, Rep, Type::String),
            ("moby.filesync.v1.FetchTokenResponse", "Token", 1, One, Type::String),
            ("moby.filesync.v1.FetchTokenResponse", "ExpiresIn", 2, One, Type::Int64),
            ("moby.filesync.v1.FetchTokenResponse", "IssuedAt", 3, One, Type::Int64),
            ("moby.buildkit.secrets.v1.GetSecretRequest", "ID", 1, One, Type::String),
            ("moby.buildkit.secrets.v1.GetSecretRequest", "annotations", 2, Rep, Type::Message),
            ("moby.buildkit.secrets.v1.GetSecretResponse", "data", 1, One, Type::Bytes),
            ("moby.sshforward.v1.CheckAgentRequest", "ID", 1, One, Type::String),
            ("moby.upload.v1.BytesMessage", "data", 1, One, Type::Bytes),
            ("containerd.services.content.v1.Info", "digest", 1, One, Type::String),
            ("containerd.services.content.v1.Info", "size", 2, One, Type::Int64),
            ("containerd.services.content.v1.Info", "created_at", 3, One, Type::Message),
            ("containerd.services.content.v1.Info", "updated_at", 4, One, Type::Message),
            ("containerd.services.content.v1.Info", "labels", 5, Rep, Type::Message),
            ("containerd.services.content.v1.InfoRequest", "digest", 1, One, Type::String),
            ("containerd.services.content.v1.InfoResponse", "info", 1, One, Type::Message),
            ("containerd.services.content.v1.ReadContentRequest", "digest", 1, One, Type::String),
            ("containerd.services.content.v1.ReadContentRequest", "offset", 2, One, Type::Int64),
            ("containerd.services.content.v1.ReadContentRequest", "size", 3, One, Type::Int64),
            ("containerd.services.content.v1.ReadContentResponse", "offset", 1, One, Type::Int64),
            ("containerd.services.content.v1.ReadContentResponse", "data", 2, One, Type::Bytes),
            ("google.rpc.Status", "code", 1, One, Type::Int32),
            ("google.rpc.Status", "message", 2, One, Type::String),
            ("google.rpc.Status", "details", 3, Rep, Type::Message),
        ];
        let messages = messages();
        for &(message, field, number, label, ty) in facts {
            let msg = messages
                .get(message)
                .unwrap_or_else(|| panic!("message {message} missing"));
            let f = msg
                .field
                .iter()
                .find(|f| f.name() == field)
                .unwrap_or_else(|| panic!("field {message}.{field} missing"));
            assert_eq!(f.number(), number, "{message}.{field} number");
            assert_eq!(f.label(), label, "{message}.{field} label");
            assert_eq!(f.r#type(), ty, "{message}.{field} type");
        }
    }

    #[test]
    fn descriptor_services() {
        let set = FileDescriptorSet::decode(DESCRIPTOR_SET).unwrap();
        // (service, method, client streaming, server streaming)
        let mut found = HashMap::new();
        for file in &set.file {
            for svc in &file.service {
                for m in &svc.method {
                    let path = format!("/{}.{}/{}", file.package(), svc.name(), m.name());
                    found.insert(path, (m.client_streaming(), m.server_streaming()));
                }
            }
        }
        let expected = [
            ("/moby.buildkit.v1.Control/DiskUsage", false, false),
            ("/moby.buildkit.v1.Control/Prune", false, true),
            ("/moby.buildkit.v1.Control/Solve", false, false),
            ("/moby.buildkit.v1.Control/Status", false, true),
            ("/moby.buildkit.v1.Control/Session", true, true),
            ("/moby.buildkit.v1.Control/ListWorkers", false, false),
            ("/moby.buildkit.v1.Control/Info", false, false),
            ("/moby.buildkit.v1.Control/ListenBuildHistory", false, true),
            ("/moby.buildkit.v1.Control/UpdateBuildHistory", false, false),
            ("/moby.filesync.v1.FileSync/DiffCopy", true, true),
            ("/moby.filesync.v1.FileSync/TarStream", true, true),
            ("/moby.filesync.v1.FileSend/DiffCopy", true, true),
            ("/moby.filesync.v1.Auth/Credentials", false, false),
            ("/moby.filesync.v1.Auth/FetchToken", false, false),
            ("/moby.filesync.v1.Auth/GetTokenAuthority", false, false),
            ("/moby.filesync.v1.Auth/VerifyTokenAuthority", false, false),
            ("/moby.buildkit.secrets.v1.Secrets/GetSecret", false, false),
            ("/moby.sshforward.v1.SSH/CheckAgent", false, false),
            ("/moby.sshforward.v1.SSH/ForwardAgent", true, true),
            ("/moby.upload.v1.Upload/Pull", true, true),
            ("/grpc.health.v1.Health/Check", false, false),
            ("/containerd.services.content.v1.Content/Info", false, false),
            ("/containerd.services.content.v1.Content/Read", false, true),
            ("/containerd.services.content.v1.Content/Write", true, true),
            (
                "/containerd.services.content.v1.Content/Abort",
                false,
                false,
            ),
            ("/grpc.health.v1.Health/Watch", false, true),
        ];
        for (path, client, server) in expected {
            assert_eq!(found.remove(path), Some((client, server)), "{path}");
        }
        assert!(found.is_empty(), "unexpected methods: {found:?}");
    }

    #[test]
    fn descriptor_enum_values() {
        let set = FileDescriptorSet::decode(DESCRIPTOR_SET).unwrap();
        let mut values = HashMap::new();
        for file in &set.file {
            for e in &file.enum_type {
                for v in &e.value {
                    values.insert(
                        format!("{}.{}.{}", file.package(), e.name(), v.name()),
                        v.number(),
                    );
                }
            }
        }
        let expected = [
            ("pb.NetMode.UNSET", 0),
            ("pb.NetMode.HOST", 1),
            ("pb.NetMode.NONE", 2),
            ("pb.SecurityMode.INSECURE", 1),
            ("pb.MountType.BIND", 0),
            ("pb.MountType.SECRET", 1),
            ("pb.MountType.SSH", 2),
            ("pb.MountType.CACHE", 3),
            ("pb.MountType.TMPFS", 4),
            ("pb.CacheSharingOpt.SHARED", 0),
            ("pb.CacheSharingOpt.PRIVATE", 1),
            ("pb.CacheSharingOpt.LOCKED", 2),
            ("moby.buildkit.v1.BuildHistoryEventType.STARTED", 0),
            ("moby.buildkit.v1.BuildHistoryEventType.COMPLETE", 1),
            ("moby.buildkit.v1.BuildHistoryEventType.DELETED", 2),
            ("moby.buildkit.v1.sourcepolicy.PolicyAction.CONVERT", 2),
            ("containerd.services.content.v1.WriteAction.STAT", 0),
            ("containerd.services.content.v1.WriteAction.WRITE", 1),
            ("containerd.services.content.v1.WriteAction.COMMIT", 2),
        ];
        for (name, number) in expected {
            assert_eq!(values.get(name), Some(&number), "{name}");
        }
    }
}
