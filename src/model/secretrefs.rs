//! References from the set to the stores that deliver secrets (rule-families §4.2): External
//! Secrets Operator store references, and pod volumes of the Secrets Store CSI driver that
//! name a SecretProviderClass. Kept as facts so the cross-object rules resolve them with
//! index lookups.

use super::object::{Object, ObjectRef};
use super::views::Workload;
use crate::source::{FileId, Loc, NodeId, Route, Tree};
use std::sync::Arc;

/// The CSI driver name of the Secrets Store CSI Driver.
pub const SECRETS_STORE_DRIVER: &str = "secrets-store.csi.k8s.io";

/// A reference to a `SecretStore` or `ClusterSecretStore`.
#[derive(Debug, Clone)]
pub struct StoreRefFact {
    pub obj: Arc<ObjectRef>,
    /// The referring object's namespace (`None` for cluster-scoped ones).
    pub namespace: Option<String>,
    /// `SecretStore` (the default) or `ClusterSecretStore`.
    pub kind: String,
    pub name: String,
    /// The reference's `name` entry.
    pub loc: Loc,
}

impl StoreRefFact {
    /// The store references of an External Secrets Operator object: `spec.secretStoreRef`
    /// and per-entry `sourceRef.storeRef` of `ExternalSecret` (and of a
    /// `ClusterExternalSecret`'s `externalSecretSpec`), `spec.secretStoreRefs[]` of a
    /// `PushSecret`. References by label selector only have no name and are skipped.
    pub fn of(
        obj: &Object,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: Option<&str>,
    ) -> Vec<Self> {
        if !obj.api_version.starts_with("external-secrets.io/") {
            return Vec::new();
        }
        let spec = match obj.kind.as_str() {
            "ExternalSecret" | "PushSecret" => Route::root().key("spec"),
            "ClusterExternalSecret" => Route::root().keys(&["spec", "externalSecretSpec"]),
            _ => return Vec::new(),
        };
        let Some(spec_node) = node_at(tree, obj.root, &spec) else {
            return Vec::new();
        };
        let mut refs: Vec<Route> = vec![spec.key("secretStoreRef")];
        for list in ["data", "dataFrom", "secretStoreRefs"] {
            let Some(items) = tree.get(spec_node, list) else {
                continue;
            };
            for i in 0..tree.items(items).len() {
                let item = spec.key(list).index(i);
                if list == "secretStoreRefs" {
                    refs.push(item);
                } else {
                    refs.push(item.keys(&["sourceRef", "storeRef"]));
                }
            }
        }
        refs.into_iter()
            .filter_map(|route| {
                let node = node_at(tree, obj.root, &route)?;
                let name = tree.get(node, "name").and_then(|n| tree.str(n))?;
                let kind = tree
                    .get(node, "kind")
                    .and_then(|k| tree.str(k))
                    .unwrap_or("SecretStore");
                let name_route = route.key("name");
                Some(StoreRefFact {
                    obj: oref.clone(),
                    namespace: namespace.map(str::to_string),
                    kind: kind.to_string(),
                    name: name.to_string(),
                    loc: Loc {
                        file,
                        span: name_route.walk(tree, obj.root).span(tree),
                    },
                })
            })
            .collect()
    }
}

/// A pod volume of the Secrets Store CSI driver and the SecretProviderClass it names.
#[derive(Debug, Clone)]
pub struct SpcRefFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: String,
    pub volume: String,
    pub class: String,
    /// The `volumeAttributes.secretProviderClass` entry.
    pub loc: Loc,
}

impl SpcRefFact {
    /// The Secrets Store CSI volumes of a workload's pod template.
    pub fn of(
        w: &Workload<'_>,
        obj: &Object,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: &str,
    ) -> Vec<Self> {
        let volumes = w.spec_route().key("volumes");
        w.spec
            .volumes
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, v)| {
                let csi = v.csi.as_ref()?;
                if csi.driver != SECRETS_STORE_DRIVER {
                    return None;
                }
                let class = csi.volume_attributes.as_ref()?.get("secretProviderClass")?;
                let route = volumes
                    .index(i)
                    .keys(&["csi", "volumeAttributes", "secretProviderClass"]);
                Some(SpcRefFact {
                    obj: oref.clone(),
                    namespace: namespace.to_string(),
                    volume: v.name.clone(),
                    class: class.clone(),
                    loc: Loc {
                        file,
                        span: route.walk(tree, obj.root).span(tree),
                    },
                })
            })
            .collect()
    }
}

/// The node at a route, if the whole route exists.
fn node_at(tree: &Tree<'_>, root: NodeId, route: &Route) -> Option<NodeId> {
    let walk = route.walk(tree, root);
    (walk.matched == route.segs().len()).then_some(walk.node)
}
