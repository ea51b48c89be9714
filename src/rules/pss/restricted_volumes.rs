//! `pss-restricted-volumes` (upstream check `restrictedVolumes`, restricted, v1.0): only
//! ephemeral and Kubernetes-managed volume sources. Replaces `pss-host-path-volumes` under
//! restricted. `image` volumes are allowed by Kubernetes 1.33+ (retroactively, at every
//! policy version); older clusters report them as `unknown`.
//!
//! Read from the source, so that a source the typed model does not know is still named. A
//! volume with no source is defaulted to `emptyDir` by the API server, and passes.

use super::{Check, Pod, cluster_minor, q};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

const CHECK: Check = Check {
    id: "restrictedVolumes",
    level: PssLevel::Restricted,
    since: 0,
    overridden_from: None,
};

const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// In upstream's order: the first present names the volume's type.
const FORBIDDEN: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

declare_rule!(RestrictedVolumes, "pss-restricted-volumes");

impl Rule for RestrictedVolumes {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        let tree = cx.tree;
        let volumes_route = pod.workload.spec_route().key("volumes");
        let walk = volumes_route.walk(tree, cx.obj.root);
        if walk.matched < volumes_route.segs().len() {
            return;
        }
        let image_allowed = cluster_minor(cx) >= 33;
        for (i, item) in tree.items(walk.node).iter().enumerate() {
            if !tree.is_map(*item) || tree.is_null(*item) {
                continue;
            }
            let present = |key: &str| tree.get(*item, key).is_some_and(|v| !tree.is_null(v));
            if ALLOWED.iter().any(|k| present(k)) || (image_allowed && present("image")) {
                continue;
            }
            // A volume with no source at all is defaulted to `emptyDir: {}` by the API server.
            if tree
                .entries(*item)
                .all(|(k, v)| tree.key_str(k) == Some("name") || tree.is_null(v))
            {
                continue;
            }
            let kind = FORBIDDEN.iter().find(|k| present(k)).copied();
            let name = tree.get(*item, "name").and_then(|n| tree.str(n)).unwrap_or("");
            let detail = format!(
                "volume {} uses restricted volume type {}",
                q(&[name]),
                q(&[kind.unwrap_or("unknown")])
            );
            let route = match kind {
                Some(k) => volumes_route.index(i).key(k),
                None => volumes_route.index(i),
            };
            pod.emit(out, pod.at(&route), "restricted volume types", &detail)
                .label("not an allowed volume type under restricted")
                .not_fixable("replacing storage changes what the workload is");
        }
    }
}
